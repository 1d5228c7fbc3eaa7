//! One attempt under its timeout: the tool's future raced against the attempt's end,
//! its idle timeout and the batch's cancellation, with the tool's panics caught.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures::FutureExt;
use serde_json::Value;
use tokio::time::{error::Elapsed, Instant};

use crate::failure::{panic_message, AttemptFailure};
use crate::policy::deadline::after;
use crate::progress::ProgressSink;
use crate::scope::Scope;
use crate::{CallContext, Tool, ToolError};

/// Why an attempt ended without the tool's answer.
pub(crate) enum Stop {
    /// The batch (or the caller) cancelled the call.
    Cancelled,
    /// The attempt's end passed: its timeout, or the deadline that came first.
    TimedOut,
    /// The attempt reported no progress for its idle timeout.
    IdleTimedOut(Duration),
    /// The tool failed or panicked.
    Failed(AttemptFailure),
}

/// Runs one attempt, catching panics, until it ends, `end` passes, it goes silent for
/// its idle timeout (the context's progress sink has one), or the scope is cancelled;
/// in the last three cases the attempt's own token is cancelled so the tool can stop
/// work outside its future. The tool's future is made before the `async`
/// block, which so captures it rather than the call context it consumed.
pub(crate) fn run_attempt<'a>(
    tool: &'a dyn Tool,
    input: &'a Value,
    ctx: CallContext,
    end: Instant,
    scope: &'a Scope,
) -> impl Future<Output = Result<Value, Stop>> + Send + use<'a> {
    let token = ctx.cancellation.clone();
    let idle = ctx
        .progress
        .as_ref()
        .and_then(|sink| Some((sink.clone(), sink.idle()?)));
    let made = std::panic::catch_unwind(AssertUnwindSafe(|| tool.call(input, ctx)))
        .map_err(|payload| panic_message(&*payload));
    async move {
        let mut answer = match made {
            Ok(future) => AssertUnwindSafe(future).catch_unwind(),
            Err(message) => return Err(Stop::Failed(AttemptFailure::panic(message))),
        };
        // A tool that answers on its first poll needs neither a timer nor the batch's
        // token (shared by every call of the batch; each registration takes its lock).
        // The deadline is absolute, so starting the timer after this poll moves nothing;
        // the caller checked for cancellation just before, with no await in between.
        if let Poll::Ready(answered) = futures::poll!(&mut answer) {
            return tool_outcome(answered);
        }
        let attempt = std::pin::pin!(tokio::time::timeout_at(end, answer));
        let outcome = if scope.cancellable || idle.is_some() {
            // Boxed, like the cancellable backoff: only the attempts of cancellable
            // batches and those with an idle timeout pay for it.
            Box::pin(watched(attempt, scope, idle, end)).await
        } else {
            attempt.await.map_err(|_| Stop::TimedOut)
        };
        let result = outcome.and_then(tool_outcome);
        if matches!(
            result,
            Err(Stop::Cancelled | Stop::TimedOut | Stop::IdleTimedOut(_))
        ) {
            token.cancel();
        }
        result
    }
}

/// The attempt raced against the batch's cancellation (when the batch can be
/// cancelled) and its idle timeout (when it has one).
async fn watched<T>(
    attempt: Pin<&mut impl Future<Output = Result<T, Elapsed>>>,
    scope: &Scope,
    idle: Option<(Arc<ProgressSink>, Duration)>,
    end: Instant,
) -> Result<T, Stop> {
    let cancelled = async {
        match scope.cancellable {
            true => scope.cancel.cancelled().await,
            false => std::future::pending().await,
        }
    };
    let silent = async {
        match &idle {
            Some((sink, idle)) => silent_for(sink, *idle, end).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        _ = cancelled => Err(Stop::Cancelled),
        outcome = attempt => outcome.map_err(|_| Stop::TimedOut),
        idle = silent => Err(Stop::IdleTimedOut(idle)),
    }
}

/// Completes (with `idle`) once the attempt has gone `idle` without a report, counted
/// from its start and from each report; never at or after `end`, where the attempt
/// timeout (or the deadline) ends the attempt instead.
async fn silent_for(sink: &ProgressSink, idle: Duration, end: Instant) -> Duration {
    loop {
        let due = after(sink.last_report(), idle);
        if due >= end {
            return std::future::pending().await;
        }
        if due <= Instant::now() {
            return idle;
        }
        tokio::time::sleep_until(due).await;
    }
}

/// A tool's answer, or the panic that ended its attempt.
fn tool_outcome(answered: std::thread::Result<Result<Value, ToolError>>) -> Result<Value, Stop> {
    match answered {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Stop::Failed(AttemptFailure::from_tool(error))),
        Err(payload) => Err(Stop::Failed(AttemptFailure::panic(panic_message(
            &*payload,
        )))),
    }
}
