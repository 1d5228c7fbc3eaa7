//! A call's guard against the engine's own panics: the tool's panics are caught at the
//! attempt, and a panic anywhere else on the call's way (a bug in toolexec) still
//! yields an envelope, `failed / engine_fault`, which the recording guard and the
//! statistics, history and events then agree with.

use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use futures::future::CatchUnwind;
use futures::FutureExt;
use pin_project_lite::pin_project;

use crate::envelope::millis;
use crate::failure::{panic_message, AttemptFailure};
use crate::status::LiveCell;
use crate::{CallStatus, Envelope};

thread_local! {
    /// The live cell of the call this thread is polling now (its address), so that a
    /// recording guard dropped while its own call unwinds knows it was not cancelled.
    static POLLING: Cell<usize> = const { Cell::new(0) };
}

/// Whether this thread is unwinding from a panic while it polls the call of `live`.
pub(crate) fn unwinding_from(live: &Arc<LiveCell>) -> bool {
    std::thread::panicking() && POLLING.with(Cell::get) == cell_address(live)
}

fn cell_address(live: &Arc<LiveCell>) -> usize {
    Arc::as_ptr(live) as usize
}

pin_project! {
    /// A call's future whose panics become an engine-fault envelope; the call's live
    /// cell knows its id, tool and start.
    pub(crate) struct Caught<F> {
        live: Arc<LiveCell>,
        #[pin]
        call: CatchUnwind<AssertUnwindSafe<F>>,
    }
}

impl<F: Future<Output = Envelope>> Caught<F> {
    /// `call`, whose live status is `live`, guarded.
    pub(crate) fn new(live: Arc<LiveCell>, call: F) -> Self {
        Self {
            live,
            call: AssertUnwindSafe(call).catch_unwind(),
        }
    }
}

impl<F: Future<Output = Envelope>> Future for Caught<F> {
    type Output = Envelope;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Envelope> {
        let this = self.project();
        let previous = POLLING.with(|polling| polling.replace(cell_address(this.live)));
        let polled = this.call.poll(cx);
        POLLING.with(|polling| polling.set(previous));
        let payload = match ready!(polled) {
            Ok(envelope) => return Poll::Ready(envelope),
            Err(payload) => payload,
        };
        // The attempts that ran: the live attempt, less the one a retry was waiting for.
        let (status, attempt) = this.live.get();
        let attempts = match status {
            CallStatus::Retrying => attempt.saturating_sub(1),
            _ => attempt,
        };
        // Marks the call failed, so that its recording guard, if it was not dropped while
        // the panic unwound, records what the envelope says rather than a cancellation.
        this.live.set(CallStatus::Failed, attempts);
        let message = panic_message(&*payload);
        let live = &**this.live;
        tracing::error!(
            target: "toolexec::engine",
            call_id = &**live.call_id(),
            tool = &**live.tool_name(),
            panic = message.as_str(),
            "a call failed inside the engine (engine_fault)"
        );
        let mut envelope = engine_fault(
            live.call_id().clone(),
            live.tool_name().clone(),
            attempts,
            &message,
        );
        envelope.execution_time_ms = millis(live.start().elapsed());
        Poll::Ready(envelope)
    }
}

/// The envelope of a call that the engine failed: `failed / engine_fault`.
pub(crate) fn engine_fault(
    call_id: Arc<str>,
    tool_name: Arc<str>,
    attempts: u32,
    message: &str,
) -> Envelope {
    let failure = AttemptFailure::engine_fault(message);
    Envelope {
        call_id,
        tool_name,
        status: CallStatus::Failed,
        success: false,
        result: None,
        error: Some(failure.into_call_error()),
        attempts,
        execution_time_ms: millis(Duration::ZERO),
        fallback: false,
        attempt_log: Vec::new(),
    }
}
