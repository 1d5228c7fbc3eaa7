//! One call, top to bottom: its identity and request, the circuit check, the retry
//! loop with its attempts ([`crate::policy`]), the fallback, and the one record of its
//! end ([`guard`]).

mod event_text;
mod fault;
mod guard;
mod observer;
mod progress_events;
mod queued;

use std::future::Future;
use std::sync::Arc;

use crate::failure::AttemptFailure;
use crate::inner::Inner;
use crate::policy::retry::{self, Attempts, Limits};
use crate::registry::RegisteredTool;
use crate::request::Request;
use crate::scope::Scope;
use crate::trace;
use crate::Envelope;
pub(crate) use fault::engine_fault;
use fault::Caught;
use guard::CallGuard;
pub(crate) use queued::Queued;

/// Records a call that never ran because its batch went away first as cancelled.
pub(crate) fn abandon(inner: &Arc<Inner>, queued: Queued) {
    drop(CallGuard::new(inner.clone(), queued, None));
}

/// Runs one queued call to its envelope: the circuit check, the attempts under their
/// permits (or the deadline or cancellation that ends the wait for one), the fallback,
/// and the records. The guard is built before the `async` block, which so captures
/// the guard and the call rather than the whole `Queued` besides them; owning its
/// arguments, the future is `'static` and a lane keeps it inline. A panic of the
/// engine's own code on the way still yields an envelope ([`fault`]).
pub(crate) fn run_queued(
    inner: Arc<Inner>,
    queued: Queued,
    scope: Arc<Scope>,
) -> impl Future<Output = Envelope> + Send + 'static {
    let live = queued.live.clone();
    let (mut guard, call) = CallGuard::new(inner, queued, Some(&scope.span));
    let trace = guard.trace.clone();
    let request = Request::new(call, guard.tool.as_deref(), guard.start, &scope);
    Caught::new(
        live,
        trace.wrap(async move {
            let Some(tool) = guard.tool.clone() else {
                let failure = AttemptFailure::not_found(&guard.tool_name);
                let elapsed = guard.start.elapsed();
                let envelope = guard.envelope(Err(failure), Vec::new(), elapsed);
                guard.finish(&envelope, None, elapsed);
                return envelope;
            };
            if let Some(failure) = refusal(&request, &tool) {
                let elapsed = guard.start.elapsed();
                let envelope = guard.envelope(Err(failure), Vec::new(), elapsed);
                guard.finish(&envelope, None, elapsed);
                return envelope;
            }
            guard.pace_for_journal(request.deadline, &scope).await;
            let (outcome, log) = match tool.circuit.try_acquire() {
                Err(remaining) => {
                    let failure = AttemptFailure::circuit_open(&tool.name, remaining);
                    (Err(failure), Vec::new())
                }
                Ok(()) => {
                    guard.admit();
                    if let Some(budget) = &tool.retry_budget {
                        budget.deposit();
                    }
                    let inner = guard.inner.clone();
                    let (key, rate_key) = tool.keys_of(&request.input);
                    let attempts = Attempts {
                        tool: &*tool.tool,
                        policy: request.policy(&tool.policy),
                        request: &request,
                        scope: &scope,
                        budget: tool.retry_budget.as_deref(),
                        hedging: tool.hedging.as_ref(),
                        limits: Limits {
                            rate_limit: tool
                                .rate_limit
                                .as_deref()
                                .map(|r| (r, rate_key.as_deref())),
                            bulkhead: tool.bulkhead.as_ref().map(|b| (b, key.as_deref())),
                            permits: &inner.permits,
                        },
                    };
                    retry::run(attempts, &mut guard).await
                }
            };
            // A call the circuit rejected was not admitted, so the guard records nothing.
            let circuit = match &outcome {
                Ok(_) => Some(true),
                Err(f) => f.counts_against_circuit(),
            };
            let mut elapsed = guard.start.elapsed();
            let mut envelope = guard.envelope(outcome, log, elapsed);
            if let (false, Some(fallback)) = (envelope.success, &tool.fallback) {
                if let Some(value) = Box::pin(fallback.answer_caught(&envelope)).await {
                    elapsed = guard.start.elapsed();
                    envelope.result = Some(value);
                    envelope.success = true;
                    envelope.fallback = true;
                    envelope.execution_time_ms = crate::envelope::millis(elapsed);
                    trace::fallback_answered(&guard.trace, envelope.error_kind());
                }
            }
            guard.finish(&envelope, circuit, elapsed);
            envelope
        }),
    )
}

/// Why a call is refused before its first attempt: an override past the engine's
/// limits, or an input its tool's schema rejects.
#[inline]
fn refusal(request: &Request, tool: &RegisteredTool) -> Option<AttemptFailure> {
    match request.invalid_override() {
        Some(error) => Some(AttemptFailure::invalid_override(error)),
        None => tool
            .input_schema
            .check(&request.input)
            .err()
            .map(AttemptFailure::schema_mismatch),
    }
}
