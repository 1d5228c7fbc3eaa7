//! The retry loop: a call's attempts, each under its permits and timeout, and the
//! backoffs between them, until one succeeds, a failure is final, the deadline would
//! pass, or the call is cancelled. [`rule`] says which failures are worth a retry.

mod hold;
mod rule;

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::envelope::millis;
use crate::failure::AttemptFailure;
use crate::policy::backoff::Backoff;
use crate::policy::call_policy::CallPolicy;
use crate::policy::deadline::{after, attempt_end, passes};
use crate::policy::timeout::{run_attempt, Stop};
use crate::policy::RetryBudget;
use crate::progress::ProgressSink;
use crate::request::Request;
use crate::scope::Scope;
use crate::{AttemptRecord, CallContext, ErrorKind, Tool};
use hold::hold;
pub(crate) use hold::Limits;
pub(crate) use rule::should_retry;

/// What the retry loop tells whoever keeps the call's live status and events.
pub(crate) trait AttemptObserver {
    /// The call's id, for the attempt's context.
    fn call_id(&self) -> &Arc<str>;
    /// When the call was accepted.
    fn started_at(&self) -> Instant;
    /// Attempt `attempt` holds its permits and starts now.
    fn attempt_started(&mut self, attempt: u32);
    /// Attempt `attempt` failed.
    fn attempt_failed(&mut self, attempt: u32, failure: &AttemptFailure);
    /// Attempt `next_attempt` will start after `delay`.
    fn retry_scheduled(&mut self, next_attempt: u32, delay: Duration);
    /// Where the progress attempt `attempt` (started at `started`, with the idle
    /// timeout `idle`) reports goes; `None` when nothing would read it.
    fn progress_sink(
        &mut self,
        attempt: u32,
        started: Instant,
        idle: Option<Duration>,
    ) -> Option<Arc<ProgressSink>>;
}

/// A call's outcome and the record of its attempts.
pub(crate) type Outcome = (Result<Value, AttemptFailure>, Vec<AttemptRecord>);

/// What one call's attempts run with: the tool, its policy in force, the request, the
/// batch's scope and the executor-wide permits.
pub(crate) struct Attempts<'a> {
    pub(crate) tool: &'a dyn Tool,
    pub(crate) policy: &'a CallPolicy,
    pub(crate) request: &'a Request,
    pub(crate) scope: &'a Scope,
    /// The limits each attempt passes before it runs.
    pub(crate) limits: Limits<'a>,
    /// The retry budget the call's retries draw on, if any.
    pub(crate) budget: Option<&'a RetryBudget>,
}

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
        let Attempts {
            tool,
            policy,
            request,
            scope,
            limits,
            budget,
        } = attempts;
        let deadline = request.deadline;
        // Allocated when the first attempt ends, not while it runs.
        let mut log = Vec::new();
        let mut backoff = None;
        let mut token: Option<CancellationToken> = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let held = match hold(limits, scope, deadline).await {
                Ok(held) => held,
                Err(failure) => return (Err(failure), log),
            };
            observer.attempt_started(attempt);
            let started = Instant::now();
            let (end, cut_by_deadline) = attempt_end(started, policy.attempt_timeout, deadline);
            let ctx = CallContext {
                call_id: observer.call_id().clone(),
                attempt,
                deadline: Some(end),
                idempotency_key: request.idempotency_key.clone(),
                cancellation: attempt_token(&mut token),
                progress: observer.progress_sink(attempt, started, policy.idle_timeout),
            };
            // A block, so that the attempt's result and failure end here and the future
            // keeps no room for them during the backoff wait.
            let resume = {
                let result = run_attempt(tool, &request.input, ctx, end, scope).await;
                drop(held);
                let duration = millis(started.elapsed());
                let stop = match result {
                    Ok(value) => {
                        log_attempt(&mut log, attempt, "success", duration, None);
                        return (Ok(value), log);
                    }
                    Err(stop) => stop,
                };
                let failure = failure_of(stop, attempt, cut_by_deadline, policy, &*observer);
                if let (Some((limit, _)), ErrorKind::Throttled) = (limits.rate_limit, failure.kind)
                {
                    limit.throttled(failure.retry_after);
                }
                observer.attempt_failed(attempt, &failure);
                let next = Retry {
                    tool,
                    policy,
                    request,
                    attempt,
                    duration,
                    budget,
                };
                match next.after(failure, &mut backoff, &mut log, observer.call_id()) {
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

/// The failure an attempt that ended with `stop` counts as.
fn failure_of<O: AttemptObserver>(
    stop: Stop,
    attempt: u32,
    cut_by_deadline: bool,
    policy: &CallPolicy,
    observer: &O,
) -> AttemptFailure {
    match stop {
        Stop::Cancelled => AttemptFailure::cancelled("call cancelled while running"),
        Stop::TimedOut if cut_by_deadline => AttemptFailure::deadline(format!(
            "deadline reached during attempt {attempt} after {} ms",
            observer.started_at().elapsed().as_millis()
        )),
        Stop::TimedOut => AttemptFailure::attempt_timeout(policy.attempt_timeout),
        Stop::IdleTimedOut(idle) => AttemptFailure::idle_timeout(idle),
        Stop::Failed(failure) => failure,
    }
}

/// A failed attempt, for deciding whether and when the next one runs.
struct Retry<'a> {
    tool: &'a dyn Tool,
    policy: &'a CallPolicy,
    request: &'a Request,
    attempt: u32,
    /// How long the failed attempt ran, in milliseconds.
    duration: f64,
    /// The retry budget that pays for the retry, if any.
    budget: Option<&'a RetryBudget>,
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
        let retry = attempt <= self.policy.max_retries
            && should_retry(
                &failure,
                &self.tool.spec().annotations,
                self.request.idempotency_key.is_some(),
            );
        if !retry {
            log_attempt(log, attempt, outcome, self.duration, None);
            return Err(failure);
        }
        if self.budget.is_some_and(|budget| !budget.withdraw()) {
            log_attempt(log, attempt, outcome, self.duration, None);
            if let Some(record) = log.last_mut() {
                record.retry_stopped_by = Some("retry_budget".into());
            }
            return Err(failure);
        }
        let delays =
            delays.get_or_insert_with(|| Box::new(self.policy.backoff.delays(salt(call_id))));
        // A tool's own hint counts up to the policy's cap: it comes from outside.
        let hint = failure.retry_after.unwrap_or_default();
        let delay = delays
            .next()
            .unwrap_or_default()
            .max(hint.min(self.policy.max_retry_after));
        let resume = after(Instant::now(), delay);
        if passes(self.request.deadline, resume) {
            log_attempt(log, attempt, outcome, self.duration, None);
            let message = format!(
                "deadline stopped the call: retry {} after a {} ms backoff would pass it; last error: {}",
                attempt + 1,
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

/// Adds an attempt's record to the call's log (one record's room at first: most calls
/// make one attempt).
fn log_attempt(
    log: &mut Vec<AttemptRecord>,
    attempt: u32,
    outcome: &'static str,
    duration_ms: f64,
    backoff_ms: Option<f64>,
) {
    if log.capacity() == 0 {
        log.reserve_exact(1);
    }
    log.push(AttemptRecord {
        attempt,
        outcome: outcome.into(),
        duration_ms,
        backoff_ms,
        retry_stopped_by: None,
    });
}

/// The seed of a call's backoff jitter, from its id.
fn salt(call_id: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    call_id.hash(&mut hasher);
    hasher.finish()
}
