//! A batch's lanes: a few tasks, as many as may run at once, that take the batch's
//! calls in request order and run them one after another.
//!
//! A batch of 100,000 calls under a limit of 64 keeps 64 running futures, not 100,000
//! parked ones: the calls still waiting are plain [`Queued`] values and no task is
//! spawned per call. A call that backs off gives its permit back; if calls are still
//! waiting, its lane asks the batch for one more lane, so the permit does not idle.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use futures::future::CatchUnwind;
use futures::{ready, FutureExt};
use parking_lot::Mutex;
use pin_project_lite::pin_project;
use tokio::sync::mpsc::UnboundedSender;

use crate::accept::Queued;
use crate::batch::lost_call;
use crate::call_path::{abandon, run_queued, Scope};
use crate::executor::Inner;
use crate::{Envelope, FailureMode};

/// Waiting calls in request order, and the request index of the first.
struct Waiting {
    index: usize,
    calls: std::vec::IntoIter<Queued>,
}

/// The calls of a batch that no lane has taken yet, and the envelopes of those done.
pub(crate) struct Backlog {
    inner: Arc<Inner>,
    waiting: Mutex<Waiting>,
    envelopes: Vec<OnceLock<Envelope>>,
    /// Set once the last waiting call is taken.
    drained: AtomicBool,
    failures: AtomicUsize,
    failure_mode: FailureMode,
    more_lanes: UnboundedSender<()>,
}

impl Backlog {
    /// The backlog of a batch of `total` calls whose last ones, `waiting`, wait for a
    /// lane in request order (the others go straight to lanes).
    pub(crate) fn new(
        inner: Arc<Inner>,
        total: usize,
        waiting: Vec<Queued>,
        failure_mode: FailureMode,
        more_lanes: UnboundedSender<()>,
    ) -> Self {
        let envelopes = (0..total).map(|_| OnceLock::new()).collect();
        Self {
            inner,
            drained: AtomicBool::new(waiting.is_empty()),
            waiting: Mutex::new(Waiting {
                index: total - waiting.len(),
                calls: waiting.into_iter(),
            }),
            envelopes,
            failures: AtomicUsize::new(0),
            failure_mode,
            more_lanes,
        }
    }

    /// Whether every call has been taken by a lane.
    pub(crate) fn is_drained(&self) -> bool {
        self.drained.load(Ordering::Acquire)
    }

    /// Asks the batch for one more lane, if calls are still waiting for one.
    pub(crate) fn request_lane(&self) {
        if !self.is_drained() {
            let _ = self.more_lanes.send(());
        }
    }

    pub(crate) fn next(&self) -> Option<(usize, Queued)> {
        let mut waiting = self.waiting.lock();
        let queued = waiting.calls.next()?;
        let index = waiting.index;
        waiting.index += 1;
        if waiting.calls.len() == 0 {
            // Frees the queue's buffer now rather than when the batch ends.
            waiting.calls = Vec::new().into_iter();
            self.drained.store(true, Ordering::Release);
        }
        Some((index, queued))
    }

    /// Keeps a call's envelope and, when the failure mode says so, cancels the rest.
    fn finished(&self, index: usize, envelope: Envelope, scope: &Scope) {
        if !envelope.success {
            let failures = self.failures.fetch_add(1, Ordering::AcqRel) + 1;
            if self.failure_mode.stops_at(failures) {
                scope.cancel.cancel();
            }
        }
        let _ = self.envelopes[index].set(envelope);
    }

    /// The envelopes in request order, once no lane holds the backlog any more. A call
    /// whose lane died without an envelope (which the call path never lets happen)
    /// still gets one.
    pub(crate) fn take_envelopes(&mut self) -> Vec<Envelope> {
        std::mem::take(&mut self.envelopes)
            .into_iter()
            .map(|slot| answered(slot.into_inner()))
            .collect()
    }

    /// The same, copied, from a backlog something still shares (which cannot happen
    /// once every lane is joined, but a batch answers every call whatever happens).
    pub(crate) fn copy_envelopes(&self) -> Vec<Envelope> {
        self.envelopes
            .iter()
            .map(|slot| answered(slot.get().cloned()))
            .collect()
    }
}

/// A call's envelope, or the one of a call that has none.
fn answered(slot: Option<Envelope>) -> Envelope {
    slot.unwrap_or_else(|| lost_call("unknown".into(), "unknown".into()))
}

impl Drop for Backlog {
    /// Calls that never ran because the batch went away are recorded as cancelled.
    fn drop(&mut self) {
        for queued in &mut self.waiting.get_mut().calls {
            abandon(&self.inner, queued);
        }
    }
}

pin_project! {
    /// One lane: runs its first call, then takes the next waiting call of the batch,
    /// until none is left. Written by hand rather than as an `async fn` so that it
    /// holds the running call's future and little else (an `async` loop keeps room for
    /// the `Queued` value and for a second copy of the future).
    pub(crate) struct Lane<F> {
        inner: Arc<Inner>,
        scope: Arc<Scope>,
        make: fn(Arc<Inner>, Queued, Arc<Scope>) -> F,
        // The running call's request index and names (for the envelope of a call whose
        // future panicked).
        running: Option<(usize, Arc<str>, Arc<str>)>,
        #[pin]
        call: Option<CatchUnwind<AssertUnwindSafe<F>>>,
    }
}

/// A lane that starts with the call `first` (if any), then serves the backlog.
pub(crate) fn lane(
    inner: Arc<Inner>,
    scope: Arc<Scope>,
    first: Option<(usize, Queued)>,
) -> Lane<impl Future<Output = Envelope> + Send + 'static> {
    let mut lane = Lane {
        inner,
        scope,
        make: run_queued,
        running: None,
        call: None,
    };
    if let Some((index, queued)) = first {
        let call = begin(
            &lane.inner,
            &lane.scope,
            lane.make,
            &mut lane.running,
            index,
            queued,
        );
        lane.call = Some(call);
    }
    lane
}

/// The future of the call at `index`, noting in `running` what its envelope needs if
/// the future panics.
fn begin<F: Future<Output = Envelope>>(
    inner: &Arc<Inner>,
    scope: &Arc<Scope>,
    make: fn(Arc<Inner>, Queued, Arc<Scope>) -> F,
    running: &mut Option<(usize, Arc<str>, Arc<str>)>,
    index: usize,
    queued: Queued,
) -> CatchUnwind<AssertUnwindSafe<F>> {
    let call_id = queued.accepted.call_id.clone();
    let tool_name = queued.accepted.tool_name.clone();
    *running = Some((index, call_id, tool_name));
    AssertUnwindSafe(make(inner.clone(), queued, scope.clone())).catch_unwind()
}

impl<F: Future<Output = Envelope>> Future for Lane<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        loop {
            if let Some(call) = this.call.as_mut().as_pin_mut() {
                let outcome = ready!(call.poll(cx));
                this.call.set(None);
                if let (Some((index, call_id, tool_name)), Some(backlog)) =
                    (this.running.take(), &this.scope.backlog)
                {
                    let envelope = outcome.unwrap_or_else(|_| lost_call(call_id, tool_name));
                    backlog.finished(index, envelope, this.scope);
                }
            }
            // Calls that answer at once would let a lane run its whole share in one
            // poll: the task budget makes it yield to the others now and then.
            let progress = ready!(tokio::task::coop::poll_proceed(cx));
            let Some((index, queued)) = this.scope.backlog.as_ref().and_then(Backlog::next) else {
                return Poll::Ready(());
            };
            progress.made_progress();
            let call = begin(
                this.inner,
                this.scope,
                *this.make,
                this.running,
                index,
                queued,
            );
            this.call.set(Some(call));
        }
    }
}
