//! The retry loop: a call's attempts, each under its permits and timeout, and the
//! backoffs between them, until one succeeds, a failure is final, the deadline would
//! pass, or the call is cancelled. [`rule`] says which failures are worth a retry;
//! a tool with hedging runs each try as a [`hedged`] round.

mod attempt;
mod hedged;
mod hold;
mod rule;

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::envelope::millis;
use crate::failure::AttemptFailure;
use crate::policy::backoff::Backoff;
use crate::policy::deadline::{after, passes};
use crate::scope::Scope;
use crate::AttemptRecord;
use attempt::log_attempt;
pub(crate) use attempt::{AttemptObserver, Attempts};
use hedged::{hedged, mark_hedge, Hedges};
use hold::hold;
pub(crate) use hold::Limits;
pub(crate) use rule::should_retry;

/// A call's outcome and the record of its attempts.
pub(crate) type Outcome = (Result<Value, AttemptFailure>, Vec<AttemptRecord>);

/// Runs the attempts of one call and the backoffs between them. An `async move` block
/// rather than an `async fn`, which would store each argument twice; the block
/// captures only references, since whatever an `async` block captures it keeps for
/// its whole life.
#[allow(clippy::manual_async_fn)]
pub(crate) fn run<'a, O: AttemptObserver + Send>(
    attempts: Attempts<'a>,
    observer: &'a mut O,
) -> impl Future<Output = Outcome> + Send + use<'a, O> {
    async move {
        let (scope, deadline) = (attempts.scope, attempts.request.deadline);
        // Allocated when the first attempt ends, not while it runs.
        let mut log = Vec::new();
        let mut backoff = None;
        let mut token: Option<CancellationToken> = None;
        let (mut attempt, mut round) = (0, 0);
        let mut hedges_left = attempts.hedging.map_or(0, |h| h.policy.max_hedges);
        loop {
            attempt += 1;
            round += 1;
            let held = match hold(attempts.limits, scope, deadline).await {
                Ok(held) => held,
                Err(failure) => return (Err(failure), log),
            };
            observer.attempt_started(attempt);
            let opening = attempt;
            // A block, so that the attempt's result and failure end here and the future
            // keeps no room for them during the backoff wait.
            let resume = {
                let tried = match attempts.hedging {
                    // Boxed: only hedged tools pay for the round's room.
                    Some(hedging) => {
                        let hedges = Hedges {
                            hedging,
                            attempt: &mut attempt,
                            left: &mut hedges_left,
                        };
                        Box::pin(hedged(&attempts, held, hedges, &mut log, observer)).await
                    }
                    None => {
                        let ctx_token = attempt_token(&mut token);
                        attempts
                            .lone(held, attempt, ctx_token, &mut log, observer)
                            .await
                    }
                };
                let (failure, failed, duration) = match tried {
                    Ok(value) => return (Ok(value), log),
                    Err(last) => last,
                };
                let next = Retry {
                    attempts,
                    attempt: failed,
                    round,
                    duration,
                };
                let decided = next.after(failure, &mut backoff, &mut log, observer.call_id());
                mark_hedge(&mut log, failed != opening);
                match decided {
                    Ok((resume, delay)) => {
                        observer.retry_scheduled(attempt + 1, delay);
                        scope.lend_lane();
                        resume
                    }
                    Err(failure) => return (Err(failure), log),
                }
            };
            if !wait_backoff(scope, resume).await {
                let failure = AttemptFailure::cancelled("call cancelled during backoff");
                return (Err(failure), log);
            }
        }
    }
}

/// The cancellation token of the next attempt. Not a child of the batch's token, which
/// would lock it twice per attempt: `run_attempt` cancels this token itself when the
/// batch is cancelled or the attempt times out. An attempt that ended on its own leaves
/// it uncancelled, and the next attempt reuses it.
fn attempt_token(last: &mut Option<CancellationToken>) -> CancellationToken {
    let token = match last.take() {
        Some(token) if !token.is_cancelled() => token,
        _ => CancellationToken::new(),
    };
    *last = Some(token.clone());
    token
}

/// A failed attempt, for deciding whether and when the next one runs.
struct Retry<'a> {
    /// What the call's attempts run with.
    attempts: Attempts<'a>,
    /// The failed attempt's number.
    attempt: u32,
    /// How many tries the call has made: its attempts, hedges not counted.
    round: u32,
    /// How long the failed attempt ran, in milliseconds.
    duration: f64,
}

impl Retry<'_> {
    /// When the next attempt starts and after what delay, or the call's final failure:
    /// `failure` itself when it is not retried, a deadline failure when the backoff
    /// would pass the deadline. Logs the failed attempt either way.
    fn after(
        &self,
        failure: AttemptFailure,
        delays: &mut Option<Box<Backoff>>,
        log: &mut Vec<AttemptRecord>,
        call_id: &str,
    ) -> Result<(Instant, Duration), AttemptFailure> {
        let (attempt, outcome) = (self.attempt, failure.kind.as_str());
        let Attempts {
            tool,
            policy,
            request,
            budget,
            ..
        } = self.attempts;
        let retry = self.round <= policy.max_retries
            && should_retry(
                &failure,
                &tool.spec().annotations,
                request.idempotency_key.is_some(),
            );
        if !retry {
            log_attempt(log, attempt, outcome, self.duration, None);
            return Err(failure);
        }
        if budget.is_some_and(|budget| !budget.withdraw()) {
            log_attempt(log, attempt, outcome, self.duration, None);
            if let Some(record) = log.last_mut() {
                record.retry_stopped_by = Some("retry_budget".into());
            }
            return Err(failure);
        }
        let delays = delays.get_or_insert_with(|| Box::new(policy.backoff.delays(salt(call_id))));
        // A tool's own hint counts up to the policy's cap: it comes from outside.
        let hint = failure.retry_after.unwrap_or_default();
        let delay = delays
            .next()
            .unwrap_or_default()
            .max(hint.min(policy.max_retry_after));
        let resume = after(Instant::now(), delay);
        if passes(request.deadline, resume) {
            log_attempt(log, attempt, outcome, self.duration, None);
            let message = format!(
                "deadline stopped the call: retry {} after a {} ms backoff would pass it; last error: {}",
                self.round + 1,
                delay.as_millis(),
                failure.message
            );
            return Err(AttemptFailure::deadline(message));
        }
        log_attempt(log, attempt, outcome, self.duration, Some(millis(delay)));
        Ok((resume, delay))
    }
}

/// Waits out a backoff until `resume`; `false` if the call was cancelled meanwhile.
async fn wait_backoff(scope: &Scope, resume: Instant) -> bool {
    if !scope.cancellable {
        tokio::time::sleep_until(resume).await;
        return true;
    }
    // The wait that watches cancellation is boxed: most batches cannot be cancelled,
    // and a running call's future should not carry its room.
    Box::pin(async {
        tokio::select! {
            biased;
            _ = scope.cancel.cancelled() => false,
            _ = tokio::time::sleep_until(resume) => true,
        }
    })
    .await
}

/// The seed of a call's backoff jitter, from its id.
fn salt(call_id: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    call_id.hash(&mut hasher);
    hasher.finish()
}
