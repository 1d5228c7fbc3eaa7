//! One attempt and what the retry loop and a hedged round share about it: what a
//! call's attempts run with, whom they report to, the failure an attempt's end counts
//! as, and its record in the call's log.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::hold::{Held, Limits};
use crate::envelope::millis;
use crate::failure::AttemptFailure;
use crate::policy::call_policy::CallPolicy;
use crate::policy::deadline::attempt_end;
use crate::policy::hedge::Hedging;
use crate::policy::timeout::{run_attempt, Stop};
use crate::policy::RetryBudget;
use crate::progress::ProgressSink;
use crate::request::Request;
use crate::scope::Scope;
use crate::trace;
use crate::{AttemptRecord, CallContext, ErrorKind, Tool};

/// The last failure of a try in which every attempt failed: the failure, the
/// attempt's number and how long it ran, in milliseconds.
pub(crate) type LastFailure = (AttemptFailure, u32, f64);

/// What the retry loop tells whoever keeps the call's live status and events.
pub(crate) trait AttemptObserver {
    /// The call's id, for the attempt's context.
    fn call_id(&self) -> &Arc<str>;
    /// When the call was accepted.
    fn started_at(&self) -> Instant;
    /// Attempt `attempt` holds its permits and starts now.
    fn attempt_started(&mut self, attempt: u32);
    /// Attempt `attempt`, a hedge beside a slow one, holds its permits and starts now.
    fn hedge_started(&mut self, attempt: u32);
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

/// What one call's attempts run with: the tool, its policy in force, the request, the
/// batch's scope and the executor-wide permits.
#[derive(Clone, Copy)]
pub(crate) struct Attempts<'a> {
    pub(crate) tool: &'a dyn Tool,
    pub(crate) policy: &'a CallPolicy,
    pub(crate) request: &'a Request,
    pub(crate) scope: &'a Scope,
    /// The limits each attempt passes before it runs.
    pub(crate) limits: Limits<'a>,
    /// The retry budget the call's retries (and hedges) draw on, if any.
    pub(crate) budget: Option<&'a RetryBudget>,
    /// The tool's hedging, if it has any.
    pub(crate) hedging: Option<&'a Hedging>,
}

impl Attempts<'_> {
    /// Runs attempt `attempt`, which holds `held` and has been reported started, alone.
    pub(super) async fn lone<O: AttemptObserver>(
        &self,
        held: Held,
        attempt: u32,
        token: CancellationToken,
        log: &mut Vec<AttemptRecord>,
        observer: &mut O,
    ) -> Result<Value, LastFailure> {
        let started = Instant::now();
        let (end, cut_by_deadline) =
            attempt_end(started, self.policy.attempt_timeout, self.request.deadline);
        let ctx = CallContext {
            call_id: observer.call_id().clone(),
            attempt,
            deadline: Some(end),
            idempotency_key: self.request.idempotency_key.clone(),
            cancellation: token,
            progress: observer.progress_sink(attempt, started, self.policy.idle_timeout),
        };
        let trace = trace::attempt(attempt, false);
        let run = run_attempt(self.tool, &self.request.input, ctx, end, self.scope);
        let result = trace.instrument(run).await;
        drop(held);
        let duration = millis(started.elapsed());
        let stop = match result {
            Ok(value) => {
                trace::record_attempt_end(&trace, None);
                log_attempt(log, attempt, "success", duration, None);
                return Ok(value);
            }
            Err(stop) => stop,
        };
        let failure = failure_of(stop, attempt, cut_by_deadline, self.policy, &*observer);
        note_throttled(self.limits, &failure);
        trace::record_attempt_end(&trace, Some(&failure));
        observer.attempt_failed(attempt, &failure);
        Err((failure, attempt, duration))
    }
}

/// A throttled answer slows the tool's rate limit down.
pub(super) fn note_throttled(limits: Limits<'_>, failure: &AttemptFailure) {
    if let (Some((limit, _)), ErrorKind::Throttled) = (limits.rate_limit, failure.kind) {
        limit.throttled(failure.retry_after);
    }
}

/// The failure an attempt that ended with `stop` counts as.
pub(super) fn failure_of<O: AttemptObserver>(
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

/// Adds an attempt's record to the call's log (one record's room at first: most calls
/// make one attempt).
pub(super) fn log_attempt(
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
        hedge: false,
    });
}
