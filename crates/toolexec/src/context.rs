//! What a tool learns about the call it serves.

use std::sync::Arc;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::progress::{Progress, ProgressSink};

/// The context of one attempt, handed to [`Tool::call`](crate::Tool::call).
#[derive(Debug, Clone)]
pub struct CallContext {
    /// The call's id, as in its envelope.
    pub call_id: Arc<str>,
    /// The attempt number, starting at 1.
    pub attempt: u32,
    /// When this attempt will be cut off: the earliest of the attempt timeout, the call
    /// deadline and the batch deadline. Tools that call remote services pass the time
    /// left on to them.
    pub deadline: Option<Instant>,
    /// The caller's idempotency key, if the call carries one.
    pub idempotency_key: Option<Arc<str>>,
    /// Cancelled when the call is cancelled; tools with work outside their future (a
    /// child process, a remote request) watch it to stop that work.
    pub cancellation: CancellationToken,
    /// Where progress reports go: set by the engine only for an attempt with an idle
    /// timeout or whose events someone may hear.
    pub(crate) progress: Option<Arc<ProgressSink>>,
}

impl CallContext {
    /// A context for calling a tool directly, outside an executor: attempt 1, no deadline.
    pub fn detached(call_id: impl Into<Arc<str>>) -> Self {
        Self {
            call_id: call_id.into(),
            attempt: 1,
            deadline: None,
            idempotency_key: None,
            cancellation: CancellationToken::new(),
            progress: None,
        }
    }

    /// Reports progress: resets the attempt's idle timeout
    /// ([`CallPolicy::idle_timeout`](crate::CallPolicy::idle_timeout)) and sends an
    /// [`ExecutionEvent::Progress`](crate::ExecutionEvent::Progress) to subscribers.
    /// Cheap, and a no-op when nobody listens (a [`CallContext::detached`] context, an
    /// attempt with no idle timeout and no event subscribers).
    pub fn report_progress(&self, progress: Progress) {
        if let Some(sink) = &self.progress {
            sink.report(progress);
        }
    }

    /// Whether [`CallContext::report_progress`] goes anywhere: a tool that must work to
    /// make a report (parse a line, format a message) may skip it when not.
    pub fn wants_progress(&self) -> bool {
        self.progress.is_some()
    }

    /// The time left before the deadline, if there is one.
    pub fn remaining(&self) -> Option<std::time::Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }
}
