//! What the retry loop tells a call's guard: attempts starting and failing, retries
//! scheduled, and where progress goes; the guard keeps the call's live status and
//! events from it.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::call::event_text::bounded;
use crate::call::guard::CallGuard;
use crate::call::progress_events::ProgressEvents;
use crate::envelope::millis;
use crate::failure::AttemptFailure;
use crate::policy::retry::AttemptObserver;
use crate::progress::{ProgressListener, ProgressSink};
use crate::status::ExecutionEvent;
use crate::trace;
use crate::{CallStatus, ErrorKind};

impl AttemptObserver for CallGuard {
    fn call_id(&self) -> &Arc<str> {
        &self.call_id
    }

    fn started_at(&self) -> Instant {
        self.start
    }

    fn attempt_started(&mut self, attempt: u32) {
        self.attempts = attempt;
        self.live.set(CallStatus::Running, attempt);
        self.inner.board.emit(|| ExecutionEvent::AttemptStarted {
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            attempt,
            hedge: false,
        });
    }

    fn hedge_started(&mut self, attempt: u32) {
        self.attempts = attempt;
        self.hedges += 1;
        self.live.set(CallStatus::Running, attempt);
        self.inner.board.emit(|| ExecutionEvent::AttemptStarted {
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            attempt,
            hedge: true,
        });
    }

    fn attempt_failed(&mut self, attempt: u32, failure: &AttemptFailure) {
        if failure.kind == ErrorKind::IdleTimeout {
            self.idle_timeouts += 1;
        }
        self.last_failure = Some(failure.kind);
        self.inner.board.emit(|| ExecutionEvent::AttemptFailed {
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            attempt,
            kind: failure.kind,
            message: bounded(&failure.message),
        });
    }

    fn retry_scheduled(&mut self, next_attempt: u32, delay: Duration) {
        self.live.set(CallStatus::Retrying, next_attempt);
        trace::retry_scheduled(&self.trace, next_attempt, delay, self.last_failure);
        self.inner.board.emit(|| ExecutionEvent::RetryScheduled {
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            next_attempt,
            delay_ms: millis(delay),
        });
    }

    fn progress_sink(
        &mut self,
        attempt: u32,
        started: Instant,
        idle: Option<Duration>,
    ) -> Option<Arc<ProgressSink>> {
        let listened = self.inner.board.has_subscribers();
        if idle.is_none() && !listened {
            return None;
        }
        let listener = listened.then(|| {
            let events = self.progress_events.get_or_insert_with(|| {
                Arc::new(ProgressEvents {
                    inner: self.inner.clone(),
                    call_id: self.call_id.clone(),
                    tool_name: self.tool_name.clone(),
                })
            });
            events.clone() as Arc<dyn ProgressListener>
        });
        Some(Arc::new(ProgressSink::new(
            started, idle, attempt, listener,
        )))
    }
}
