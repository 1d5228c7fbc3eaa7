//! What a call inherits from its batch (or from a lone `execute`): the batch deadline,
//! cancellation, the batch's own concurrency limit, and a way to ask for one more lane.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Span;

use crate::trace;

/// What a call inherits from its batch.
pub(crate) struct Scope {
    pub(crate) deadline: Option<Instant>,
    pub(crate) cancel: CancellationToken,
    /// Whether anything can cancel `cancel` (an outside token, a failure mode that stops
    /// the batch). When nothing can, waits do not watch it: every watcher registers
    /// with the token's one lock, shared by all the calls of the batch.
    pub(crate) cancellable: bool,
    /// The batch's own concurrency limit, below the executor's.
    pub(crate) permits: Option<Arc<Semaphore>>,
    /// The batch's requests for more lanes; `None` for a lone call.
    pub(crate) lanes: Option<LaneRequests>,
    /// The span the calls' spans are children of: the batch's, or for a lone call the
    /// span current where it was made.
    pub(crate) span: Span,
}

impl Scope {
    /// The scope of a lone call, cancelled by `cancel` if given.
    pub(crate) fn single(cancel: Option<CancellationToken>) -> Self {
        Self {
            deadline: None,
            cancellable: cancel.is_some(),
            cancel: cancel.unwrap_or_default(),
            permits: None,
            lanes: None,
            span: trace::current_parent(),
        }
    }

    /// A call of this scope goes into backoff and gives its permit back: if calls of the
    /// batch are still waiting for a lane, one more lane may use the permit meanwhile.
    pub(crate) fn lend_lane(&self) {
        if let Some(lanes) = &self.lanes {
            lanes.request();
        }
    }
}

/// Whether a batch still has calls waiting for a lane, and the channel on which its
/// calls ask it for one more lane.
pub(crate) struct LaneRequests {
    /// Set once the last waiting call is taken.
    drained: AtomicBool,
    more_lanes: UnboundedSender<()>,
}

impl LaneRequests {
    /// Requests sent on `more_lanes`; `drained` when no call waits at all.
    pub(crate) fn new(drained: bool, more_lanes: UnboundedSender<()>) -> Self {
        Self {
            drained: AtomicBool::new(drained),
            more_lanes,
        }
    }

    /// Whether every call of the batch has been taken by a lane.
    pub(crate) fn is_drained(&self) -> bool {
        self.drained.load(Ordering::Acquire)
    }

    /// Marks the last waiting call taken.
    pub(crate) fn set_drained(&self) {
        self.drained.store(true, Ordering::Release);
    }

    /// Asks the batch for one more lane, if calls are still waiting for one.
    fn request(&self) {
        if !self.is_drained() {
            let _ = self.more_lanes.send(());
        }
    }
}
