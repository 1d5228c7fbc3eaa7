//! One attempt under its timeout: the tool's future raced against the attempt's end
//! and the batch's cancellation, with the tool's panics caught.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::task::Poll;

use futures::FutureExt;
use serde_json::Value;
use tokio::time::Instant;

use crate::failure::{panic_message, AttemptFailure};
use crate::scope::Scope;
use crate::{CallContext, Tool, ToolError};

/// Why an attempt ended without the tool's answer.
pub(crate) enum Stop {
    /// The batch (or the caller) cancelled the call.
    Cancelled,
    /// The attempt's end passed: its timeout, or the deadline that came first.
    TimedOut,
    /// The tool failed or panicked.
    Failed(AttemptFailure),
}

/// Runs one attempt, catching panics, until it ends, `end` passes, or the scope is
/// cancelled; in the last two cases the attempt's own token is cancelled so the tool
/// can stop work outside its future. The tool's future is made before the `async`
/// block, which so captures it rather than the call context it consumed.
pub(crate) fn run_attempt<'a>(
    tool: &'a dyn Tool,
    input: &'a Value,
    ctx: CallContext,
    end: Instant,
    scope: &'a Scope,
) -> impl Future<Output = Result<Value, Stop>> + Send + use<'a> {
    let token = ctx.cancellation.clone();
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
        let outcome = if scope.cancellable {
            // Boxed, like the cancellable backoff: only cancellable batches pay for it.
            Box::pin(async {
                tokio::select! {
                    biased;
                    _ = scope.cancel.cancelled() => Err(Stop::Cancelled),
                    outcome = attempt => outcome.map_err(|_| Stop::TimedOut),
                }
            })
            .await
        } else {
            attempt.await.map_err(|_| Stop::TimedOut)
        };
        let result = outcome.and_then(tool_outcome);
        if matches!(result, Err(Stop::Cancelled | Stop::TimedOut)) {
            token.cancel();
        }
        result
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
