//! The path of one call, outside in: deadlines, circuit check, permits, the retry loop
//! around attempt timeouts, fallback, and recording (DESIGN.md section 2).

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures::FutureExt;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::accept::Queued;
use crate::attempt::{panic_message, AttemptFailure};
use crate::envelope::millis;
use crate::executor::Inner;
use crate::history::ExecutionRecord;
use crate::lanes::Backlog;
use crate::policy::{should_retry, CallPolicy, Fallback};
use crate::registry::RegisteredTool;
use crate::stats::Sample;
use crate::status::{ExecutionEvent, LiveCell};
use crate::{AttemptRecord, CallContext, CallStatus, Envelope, ToolCall};

/// What a call inherits from its batch (or from a lone `execute`).
pub(crate) struct Scope {
    pub(crate) deadline: Option<Instant>,
    pub(crate) cancel: CancellationToken,
    /// Whether anything can cancel `cancel` (an outside token, a failure mode that stops
    /// the batch). When nothing can, waits do not watch it: every watcher registers
    /// with the token's one lock, shared by all the calls of the batch.
    pub(crate) cancellable: bool,
    pub(crate) permits: Option<Arc<Semaphore>>,
    /// The batch's calls that no lane has taken yet; `None` for a lone call.
    pub(crate) backlog: Option<Backlog>,
}

impl Scope {
    /// The scope of a lone call, cancelled by `cancel` if given.
    pub(crate) fn single(cancel: Option<CancellationToken>) -> Self {
        Self {
            deadline: None,
            cancellable: cancel.is_some(),
            cancel: cancel.unwrap_or_default(),
            permits: None,
            backlog: None,
        }
    }

    /// A call of this scope goes into backoff and gives its permit back: if calls of the
    /// batch are still waiting for a lane, one more lane may use the permit meanwhile.
    fn lend_lane(&self) {
        if let Some(backlog) = &self.backlog {
            backlog.request_lane();
        }
    }
}

/// The call's identity while it runs; dropping it unfinished (the batch future was
/// dropped before the call ended or even started) records the call as cancelled, so
/// nothing is lost.
struct CallGuard {
    inner: Arc<Inner>,
    sequence: u64,
    call_id: Arc<str>,
    tool_name: Arc<str>,
    tool: Option<Arc<RegisteredTool>>,
    live: Arc<LiveCell>,
    start: Instant,
    attempts: u32,
    /// Whether the circuit breaker let the call through, and so expects its outcome.
    admitted: bool,
    finished: bool,
}

impl CallGuard {
    fn set_status(&self, status: CallStatus, attempt: u32) {
        self.live.set(status, attempt);
    }

    /// Records the call's end, `elapsed` after it was accepted (the envelope's time,
    /// passed in so the clock is read once).
    fn finish(&mut self, envelope: &Envelope, circuit: Option<bool>, elapsed: Duration) {
        self.finished = true;
        self.release_circuit(circuit);
        self.record(
            envelope.status,
            envelope.error_kind(),
            envelope.attempts,
            envelope.fallback,
            elapsed,
        );
        self.inner.board.emit(|| ExecutionEvent::Finished {
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            status: envelope.status,
            success: envelope.success,
            fallback: envelope.fallback,
            attempts: envelope.attempts,
            execution_time_ms: envelope.execution_time_ms,
        });
    }

    /// Tells the circuit breaker how an admitted call went; a call it rejected, or that
    /// never asked, must not touch it (that would free the half-open probe's slot).
    fn release_circuit(&self, outcome: Option<bool>) {
        if let (true, Some(tool)) = (self.admitted, &self.tool) {
            tool.circuit.record(outcome);
        }
    }

    fn record(
        &self,
        status: CallStatus,
        error_kind: Option<crate::ErrorKind>,
        attempts: u32,
        fallback: bool,
        latency: Duration,
    ) {
        let sample = Sample {
            status,
            attempts,
            fallback,
            latency,
        };
        match &self.tool {
            Some(tool) => tool.stats.record(&sample),
            None => self.inner.unregistered.record(&sample),
        }
        self.inner.history.push(ExecutionRecord {
            sequence: self.sequence,
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            status,
            error_kind,
            attempts,
            fallback,
            latency,
            finished_at: (self.start + latency).saturating_duration_since(self.inner.created),
        });
        self.inner.board.remove(&self.call_id, self.sequence);
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.release_circuit(None);
            let kind = Some(crate::ErrorKind::Cancelled);
            let elapsed = self.start.elapsed();
            self.record(CallStatus::Cancelled, kind, self.attempts, false, elapsed);
            self.inner.board.emit(|| ExecutionEvent::Finished {
                call_id: self.call_id.clone(),
                tool_name: self.tool_name.clone(),
                status: CallStatus::Cancelled,
                success: false,
                fallback: false,
                attempts: self.attempts,
                execution_time_ms: millis(elapsed),
            });
        }
    }
}

/// A guard for a queued call, from the moment it runs (or its batch drops it).
fn guard(inner: Arc<Inner>, queued: Queued) -> (CallGuard, ToolCall) {
    let Queued {
        call,
        accepted,
        live,
        start,
    } = queued;
    let guard = CallGuard {
        inner,
        sequence: accepted.sequence,
        call_id: accepted.call_id,
        tool_name: accepted.tool_name,
        tool: accepted.tool,
        live,
        start,
        attempts: 0,
        admitted: false,
        finished: false,
    };
    (guard, call)
}

/// What a running call keeps of its request: the input, and its overrides of the tool's
/// policy resolved once (a call future kept the whole 144-byte `ToolCall` before).
struct Request {
    input: Value,
    /// The tool's policy with the call's overrides, for the few calls that have any.
    policy: Option<Box<CallPolicy>>,
    idempotency_key: Option<Arc<str>>,
    /// The earliest of the call's deadline and its batch's.
    deadline: Option<Instant>,
}

impl Request {
    fn new(call: ToolCall, tool: Option<&RegisteredTool>, start: Instant, scope: &Scope) -> Self {
        let policy = tool
            .filter(|_| has_overrides(&call))
            .map(|tool| Box::new(tool.policy.for_call(&call)));
        // The call deadline in force: the overridden policy's, else the tool's.
        let call_deadline = policy
            .as_deref()
            .or(tool.map(|tool| &tool.policy))
            .and_then(|policy| policy.call_deadline);
        Self {
            policy,
            idempotency_key: call.idempotency_key.map(Into::into),
            deadline: earliest(call_deadline.map(|d| start + d), scope.deadline),
            input: call.input,
        }
    }
}

/// Records a call that never ran because its batch went away first as cancelled.
pub(crate) fn abandon(inner: &Arc<Inner>, queued: Queued) {
    drop(guard(inner.clone(), queued));
}

/// Runs one queued call to its envelope: the circuit check, the first permit (or the
/// deadline or cancellation that ends the wait for it), the attempts and the fallback,
/// and the records. The guard is built before the `async` block, which so captures
/// the guard and the call rather than the whole `Queued` besides them; owning its
/// arguments, the future is `'static` and a lane keeps it inline.
pub(crate) fn run_queued(
    inner: Arc<Inner>,
    queued: Queued,
    scope: Arc<Scope>,
) -> impl Future<Output = Envelope> + Send + 'static {
    let (mut guard, call) = guard(inner, queued);
    let request = Request::new(call, guard.tool.as_deref(), guard.start, &scope);
    async move {
        let inner = guard.inner.clone();
        let Some(tool) = guard.tool.clone() else {
            let failure = AttemptFailure::not_found(&guard.tool_name);
            let elapsed = guard.start.elapsed();
            let envelope = envelope(&guard, Err(failure), Vec::new(), elapsed);
            guard.finish(&envelope, None, elapsed);
            return envelope;
        };
        let (outcome, log) = inner
            .attempt_loop(&mut guard, &tool, &request, &scope)
            .await;
        // A call the circuit rejected was not admitted, so the guard records nothing.
        let circuit = match &outcome {
            Ok(_) => Some(true),
            Err(f) => f.counts_against_circuit(),
        };
        let mut elapsed = guard.start.elapsed();
        let mut envelope = envelope(&guard, outcome, log, elapsed);
        if let (false, Some(fallback)) = (envelope.success, &tool.fallback) {
            if let Some(value) = Box::pin(fallback_answer(&envelope, fallback)).await {
                elapsed = guard.start.elapsed();
                envelope.result = Some(value);
                envelope.success = true;
                envelope.fallback = true;
                envelope.execution_time_ms = millis(elapsed);
            }
        }
        guard.finish(&envelope, circuit, elapsed);
        envelope
    }
}

impl Inner {
    /// The attempts of one call and the backoffs between them: the circuit check, then
    /// each attempt under its permits. An `async move` block rather than an `async fn`,
    /// which would store each argument twice; the block captures only references, since
    /// whatever an `async` block captures it keeps for its whole life.
    #[allow(clippy::manual_async_fn)]
    fn attempt_loop<'a>(
        &'a self,
        guard: &'a mut CallGuard,
        tool: &'a RegisteredTool,
        request: &'a Request,
        scope: &'a Scope,
    ) -> impl Future<Output = (Result<Value, AttemptFailure>, Vec<AttemptRecord>)> + Send + use<'a>
    {
        async move {
            // Most calls carry no overrides and borrow the tool's policy.
            let policy: &CallPolicy = request.policy.as_deref().unwrap_or(&tool.policy);
            let deadline = request.deadline;
            let idempotency_key = &request.idempotency_key;
            // Allocated when the first attempt ends, not while it runs.
            let mut log = Vec::new();
            let mut backoff = None;
            let mut token: Option<CancellationToken> = None;
            loop {
                let attempt = guard.attempts + 1;
                if attempt == 1 {
                    if let Err(remaining) = tool.circuit.try_acquire() {
                        let failure = AttemptFailure::circuit_open(&tool.name, remaining);
                        return (Err(failure), log);
                    }
                    guard.admitted = true;
                }
                let permits = match self.acquire(scope, deadline).await {
                    Ok(permits) => permits,
                    Err(failure) => return (Err(failure), log),
                };
                guard.attempts = attempt;
                guard.set_status(CallStatus::Running, attempt);
                self.board.emit(|| ExecutionEvent::AttemptStarted {
                    call_id: guard.call_id.clone(),
                    tool_name: guard.tool_name.clone(),
                    attempt,
                });
                let started = Instant::now();
                let timeout_end = started + policy.attempt_timeout;
                let (attempt_end, cut_by_deadline) = match deadline {
                    Some(d) if d <= timeout_end => (d, true),
                    _ => (timeout_end, false),
                };
                // Not a child of the batch's token, which would lock it twice per
                // attempt: `run_attempt` cancels this token itself when the batch is
                // cancelled or the attempt times out. An attempt that ended on its own
                // leaves it uncancelled, and the next attempt reuses it.
                let cancellation = match token.take() {
                    Some(token) if !token.is_cancelled() => token,
                    _ => CancellationToken::new(),
                };
                token = Some(cancellation.clone());
                let ctx = CallContext {
                    call_id: guard.call_id.clone(),
                    attempt,
                    deadline: Some(attempt_end),
                    idempotency_key: idempotency_key.clone(),
                    cancellation,
                };
                // A block, so that the attempt's result and failure end here and the
                // future keeps no room for them during the backoff wait.
                let resume = {
                    let result = run_attempt(tool, &request.input, ctx, attempt_end, scope).await;
                    drop(permits);
                    let duration = millis(started.elapsed());
                    let failure = match result {
                        Ok(value) => {
                            log_attempt(&mut log, attempt, "success", duration, None);
                            return (Ok(value), log);
                        }
                        Err(Stop::Cancelled) => {
                            AttemptFailure::cancelled("call cancelled while running")
                        }
                        Err(Stop::TimedOut) if cut_by_deadline => {
                            AttemptFailure::deadline(format!(
                                "deadline reached during attempt {attempt} after {} ms",
                                guard.start.elapsed().as_millis()
                            ))
                        }
                        Err(Stop::TimedOut) => {
                            AttemptFailure::attempt_timeout(policy.attempt_timeout)
                        }
                        Err(Stop::Failed(failure)) => failure,
                    };
                    self.board.emit(|| ExecutionEvent::AttemptFailed {
                        call_id: guard.call_id.clone(),
                        tool_name: guard.tool_name.clone(),
                        attempt,
                        kind: failure.kind,
                        message: failure.message.clone(),
                    });
                    let retry = attempt <= policy.max_retries
                        && should_retry(
                            &failure,
                            &tool.tool.spec().annotations,
                            idempotency_key.is_some(),
                        );
                    if !retry {
                        log_attempt(&mut log, attempt, failure.kind.as_str(), duration, None);
                        return (Err(failure), log);
                    }
                    let delays = backoff.get_or_insert_with(|| {
                        Box::new(policy.backoff.delays(salt(&guard.call_id)))
                    });
                    let delay = delays
                        .next()
                        .unwrap_or_default()
                        .max(failure.retry_after.unwrap_or_default());
                    let resume = Instant::now() + delay;
                    if deadline.is_some_and(|d| resume >= d) {
                        log_attempt(&mut log, attempt, failure.kind.as_str(), duration, None);
                        let message = format!(
                        "deadline stopped the call: retry {} after a {} ms backoff would pass it; last error: {}",
                        attempt + 1,
                        delay.as_millis(),
                        failure.message
                    );
                        return (Err(AttemptFailure::deadline(message)), log);
                    }
                    log_attempt(
                        &mut log,
                        attempt,
                        failure.kind.as_str(),
                        duration,
                        Some(millis(delay)),
                    );
                    guard.set_status(CallStatus::Retrying, attempt + 1);
                    scope.lend_lane();
                    self.board.emit(|| ExecutionEvent::RetryScheduled {
                        call_id: guard.call_id.clone(),
                        tool_name: guard.tool_name.clone(),
                        next_attempt: attempt + 1,
                        delay_ms: millis(delay),
                    });
                    resume
                };
                // The wait that watches cancellation is boxed: most batches cannot be
                // cancelled, and a running call's future should not carry its room.
                let waited = if scope.cancellable {
                    Box::pin(async {
                        tokio::select! {
                            biased;
                            _ = scope.cancel.cancelled() => false,
                            _ = tokio::time::sleep_until(resume) => true,
                        }
                    })
                    .await
                } else {
                    tokio::time::sleep_until(resume).await;
                    true
                };
                if !waited {
                    return (
                        Err(AttemptFailure::cancelled("call cancelled during backoff")),
                        log,
                    );
                }
            }
        }
    }
}

enum Stop {
    Cancelled,
    TimedOut,
    Failed(AttemptFailure),
}

/// Runs one attempt, catching panics, until it ends, `end` passes, or the scope is
/// cancelled; in the last two cases the attempt's own token is cancelled so the tool
/// can stop work outside its future. The tool's future is made before the `async`
/// block, which so captures it rather than the call context it consumed.
fn run_attempt<'a>(
    tool: &'a RegisteredTool,
    input: &'a Value,
    ctx: CallContext,
    end: Instant,
    scope: &'a Scope,
) -> impl Future<Output = Result<Value, Stop>> + Send + use<'a> {
    let token = ctx.cancellation.clone();
    let made = std::panic::catch_unwind(AssertUnwindSafe(|| tool.tool.call(input, ctx)))
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
fn tool_outcome(
    answered: std::thread::Result<Result<Value, crate::ToolError>>,
) -> Result<Value, Stop> {
    match answered {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Stop::Failed(AttemptFailure::from_tool(error))),
        Err(payload) => Err(Stop::Failed(AttemptFailure::panic(panic_message(
            &*payload,
        )))),
    }
}

/// The fallback's answer for a failed call, if it answers (a panic is no answer).
async fn fallback_answer(envelope: &Envelope, fallback: &Fallback) -> Option<Value> {
    AssertUnwindSafe(fallback.answer(envelope))
        .catch_unwind()
        .await
        .ok()
}

fn envelope(
    guard: &CallGuard,
    outcome: Result<Value, AttemptFailure>,
    attempt_log: Vec<AttemptRecord>,
    elapsed: Duration,
) -> Envelope {
    let (status, result, error) = match outcome {
        Ok(value) => (CallStatus::Success, Some(value), None),
        Err(failure) => (
            CallStatus::for_failure(failure.kind),
            None,
            Some(failure.into_call_error()),
        ),
    };
    Envelope {
        call_id: guard.call_id.clone(),
        tool_name: guard.tool_name.clone(),
        status,
        success: status == CallStatus::Success,
        result,
        error,
        attempts: attempt_log.len() as u32,
        execution_time_ms: millis(elapsed),
        fallback: false,
        attempt_log,
    }
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
    });
}

/// Whether a call overrides its tool's policy.
fn has_overrides(call: &ToolCall) -> bool {
    call.timeout_ms.is_some() || call.deadline_ms.is_some() || call.max_retries.is_some()
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn salt(call_id: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    call_id.hash(&mut hasher);
    hasher.finish()
}
