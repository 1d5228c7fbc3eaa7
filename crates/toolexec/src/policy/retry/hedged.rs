//! A hedged round: the attempt that opens it and the hedges started beside it while
//! none has answered, until one succeeds (the others are cancelled) or all have failed.

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::attempt::{
    failure_of, log_attempt, note_throttled, AttemptObserver, Attempts, LastFailure,
};
use super::hold::{hold, Held};
use crate::envelope::millis;
use crate::failure::AttemptFailure;
use crate::policy::deadline::{after, attempt_end, passes};
use crate::policy::hedge::Hedging;
use crate::policy::timeout::{run_attempt, Stop};
use crate::policy::RetryBudget;
use crate::trace::{self, Trace};
use crate::{AttemptRecord, CallContext};

/// The outcome an attempt that lost the race to another one is logged with.
pub(super) const SUPERSEDED: &str = "superseded";

/// A call's hedging and its counters, for one round.
pub(super) struct Hedges<'r> {
    /// The tool's hedging.
    pub(super) hedging: &'r Hedging,
    /// The call's last attempt number; hedges take the next ones.
    pub(super) attempt: &'r mut u32,
    /// The hedges the call may still start.
    pub(super) left: &'r mut u32,
}

/// A step of the round: a hedge got its permits, or an attempt ended.
enum Step {
    Held(Result<Held, AttemptFailure>),
    Ended {
        attempt: u32,
        cut_by_deadline: bool,
        result: Result<Value, Stop>,
        /// The attempt's span, to record its end on.
        trace: Trace,
    },
}

/// An attempt still running: its number, start and token.
struct Running {
    attempt: u32,
    started: Instant,
    token: CancellationToken,
}

/// The attempts and hedges in flight, and what the round knows of them.
struct Flight<'a> {
    steps: FuturesUnordered<BoxFuture<'a, Step>>,
    running: Vec<Running>,
    /// When the next hedge starts, if one may.
    next_hedge: Option<Instant>,
    /// The number of the attempt that opened the round; later ones are hedges.
    opening: u32,
    /// The latest failure, logged once another attempt ends after it.
    last: Option<LastFailure>,
}

/// Runs the round opened by attempt `*hedges.attempt`, which holds `held` and has
/// been reported started, with hedges beside it; every attempt but the one
/// returned is logged.
pub(super) async fn hedged<O: AttemptObserver + Send>(
    attempts: &Attempts<'_>,
    held: Held,
    hedges: Hedges<'_>,
    log: &mut Vec<AttemptRecord>,
    observer: &mut O,
) -> Result<Value, LastFailure> {
    let Hedges {
        hedging,
        attempt,
        left: hedges_left,
    } = hedges;
    let mut flight = Flight {
        steps: FuturesUnordered::new(),
        running: Vec::with_capacity(2),
        next_hedge: None,
        opening: *attempt,
        last: None,
    };
    flight.launch(attempts, *attempt, held, observer);
    flight.next_hedge = hedge_after(attempts, hedging, *hedges_left);
    loop {
        let step = tokio::select! {
            biased;
            Some(step) = flight.steps.next() => step,
            () = at(flight.next_hedge) => {
                flight.next_hedge = None;
                if attempts.budget.is_none_or(RetryBudget::withdraw) {
                    *hedges_left -= 1;
                    flight.hedge_hold(attempts);
                }
                continue;
            }
        };
        match step {
            Step::Held(Ok(held)) => {
                *attempt += 1;
                observer.hedge_started(*attempt);
                flight.launch(attempts, *attempt, held, observer);
                flight.next_hedge = hedge_after(attempts, hedging, *hedges_left);
            }
            // No room for the hedge in time: it never ran.
            Step::Held(Err(_)) => {}
            Step::Ended {
                attempt: ended,
                cut_by_deadline,
                result,
                trace,
            } => {
                let duration = flight.ended(ended).elapsed();
                match result {
                    Ok(value) => {
                        trace::record_attempt_end(&trace, None);
                        hedging.succeeded(duration);
                        flight.won(ended, millis(duration), log);
                        return Ok(value);
                    }
                    Err(stop) => {
                        let failure =
                            failure_of(stop, ended, cut_by_deadline, attempts.policy, &*observer);
                        note_throttled(attempts.limits, &failure);
                        trace::record_attempt_end(&trace, Some(&failure));
                        observer.attempt_failed(ended, &failure);
                        flight.failed((failure, ended, millis(duration)), log);
                    }
                }
            }
        }
        if flight.steps.is_empty() {
            // Every attempt ended and none succeeded: the last failure is the round's.
            if let Some(last) = flight.last.take() {
                return Err(last);
            }
        }
    }
}

/// When the next hedge starts, from now: none when the call may start no more, or
/// when it would start past the deadline.
fn hedge_after(attempts: &Attempts<'_>, hedging: &Hedging, hedges_left: u32) -> Option<Instant> {
    if hedges_left == 0 {
        return None;
    }
    let start = after(Instant::now(), hedging.delay());
    (!passes(attempts.request.deadline, start)).then_some(start)
}

impl<'a> Flight<'a> {
    /// Starts attempt `attempt`, holding `held` until it ends.
    fn launch<O: AttemptObserver>(
        &mut self,
        round: &Attempts<'a>,
        attempt: u32,
        held: Held,
        observer: &mut O,
    ) {
        let started = Instant::now();
        let (end, cut_by_deadline) = attempt_end(
            started,
            round.policy.attempt_timeout,
            round.request.deadline,
        );
        let token = CancellationToken::new();
        let ctx = CallContext {
            call_id: observer.call_id().clone(),
            attempt,
            deadline: Some(end),
            idempotency_key: round.request.idempotency_key.clone(),
            cancellation: token.clone(),
            progress: observer.progress_sink(attempt, started, round.policy.idle_timeout),
        };
        self.running.push(Running {
            attempt,
            started,
            token,
        });
        let trace = trace::attempt(attempt, attempt != self.opening);
        let run = run_attempt(round.tool, &round.request.input, ctx, end, round.scope);
        let run = trace.instrument(run);
        let superseded = trace::SupersededUnlessEnded::new(&trace);
        self.steps.push(Box::pin(async move {
            let result = run.await;
            superseded.ended();
            drop(held);
            Step::Ended {
                attempt,
                cut_by_deadline,
                result,
                trace,
            }
        }));
    }

    /// Attempt `attempt` ended: forgets it and tells when it started.
    fn ended(&mut self, attempt: u32) -> Instant {
        let index = self
            .running
            .iter()
            .position(|r| r.attempt == attempt)
            .expect("every attempt that ends was launched");
        self.running.swap_remove(index).started
    }

    /// A hedge may start: it waits for its token, room and permits beside the rest.
    fn hedge_hold(&mut self, attempts: &Attempts<'a>) {
        let (limits, scope) = (attempts.limits, attempts.scope);
        let deadline = attempts.request.deadline;
        self.steps.push(Box::pin(async move {
            Step::Held(hold(limits, scope, deadline).await)
        }));
    }

    /// Logs the failure before `failure`, which stays unlogged for the caller to
    /// decide on if no other attempt ends after it.
    fn failed(&mut self, failure: LastFailure, log: &mut Vec<AttemptRecord>) {
        let earlier = self.last.replace(failure);
        self.log_failure(earlier, log);
    }

    /// Logs `failure`, an attempt's that ended before another, if there is one.
    fn log_failure(&self, failure: Option<LastFailure>, log: &mut Vec<AttemptRecord>) {
        if let Some((failure, number, ms)) = failure {
            log_attempt(log, number, failure.kind.as_str(), ms, None);
            mark_hedge(log, number != self.opening);
        }
    }

    /// Attempt `attempt` succeeded after `duration_ms`: logs the failure before it,
    /// its success, and the attempts it supersedes.
    fn won(&mut self, attempt: u32, duration_ms: f64, log: &mut Vec<AttemptRecord>) {
        let earlier = self.last.take();
        self.log_failure(earlier, log);
        log_attempt(log, attempt, "success", duration_ms, None);
        mark_hedge(log, attempt != self.opening);
        self.supersede(log);
    }

    /// Another attempt won: cancels the ones still running and logs them superseded.
    fn supersede(&mut self, log: &mut Vec<AttemptRecord>) {
        let opening = self.opening;
        self.running.sort_by_key(|r| r.attempt);
        for loser in self.running.drain(..) {
            loser.token.cancel();
            log_attempt(
                log,
                loser.attempt,
                SUPERSEDED,
                millis(loser.started.elapsed()),
                None,
            );
            mark_hedge(log, loser.attempt != opening);
        }
    }
}

/// Marks the last logged attempt as a hedge when it was one.
pub(super) fn mark_hedge(log: &mut [AttemptRecord], hedge: bool) {
    if let (true, Some(record)) = (hedge, log.last_mut()) {
        record.hedge = true;
    }
}

/// Waits until `when`, or forever without one.
async fn at(when: Option<Instant>) {
    match when {
        Some(when) => tokio::time::sleep_until(when).await,
        None => std::future::pending().await,
    }
}
