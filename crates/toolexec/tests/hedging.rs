//! Hedging: an attempt of a read-only or idempotent tool that is slow to answer gets a
//! second one beside it after a delay; the first success wins and the other is
//! cancelled; hedges are bounded per call, paid for by the retry budget, logged and
//! counted. On paused tokio time, with exact durations.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{builder, ms};
use serde_json::{json, Value};
use toolexec::{
    tool_fn, BatchOptions, CallContext, ExecutionEvent, Executor, HedgeDelay, HedgePolicy,
    RetryBudget, RetryBudgetPolicy, Tool, ToolAnnotations, ToolCall, ToolError, ToolOptions,
    ToolSpec,
};

const FAST_MS: u64 = 10;
const SLOW_MS: u64 = 1_000;

/// A tool whose attempts take `FAST_MS`, except those listed in the input's `slow`
/// (attempt numbers), which take `SLOW_MS`, and those in `fail`, which fail
/// transiently after `FAST_MS`. Counts the attempts whose token was cancelled.
fn scripted(name: &str, annotations: ToolAnnotations, cancelled: Arc<AtomicU32>) -> Arc<dyn Tool> {
    let spec = ToolSpec::new(name, "scripted latency").with_annotations(annotations);
    Arc::new(tool_fn(spec, move |input: Value, ctx: CallContext| {
        let cancelled = cancelled.clone();
        async move {
            let listed = |key: &str| {
                input[key]
                    .as_array()
                    .is_some_and(|list| list.iter().any(|a| a.as_u64() == Some(ctx.attempt.into())))
            };
            let wait = if listed("slow") { SLOW_MS } else { FAST_MS };
            // Work outside the future (a remote request) watches the token.
            let token = ctx.cancellation.clone();
            tokio::spawn(async move {
                token.cancelled().await;
                cancelled.fetch_add(1, Ordering::SeqCst);
            });
            tokio::time::sleep(Duration::from_millis(wait)).await;
            if listed("fail") {
                Err(ToolError::transient("connection reset"))
            } else {
                Ok(json!({"attempt": ctx.attempt}))
            }
        }
    }))
}

fn fixed(delay_ms: u64, max_hedges: u32) -> HedgePolicy {
    HedgePolicy {
        delay: HedgeDelay::Fixed(Duration::from_millis(delay_ms)),
        max_hedges,
    }
}

fn hedged(policy: HedgePolicy) -> (Executor, Arc<AtomicU32>) {
    let cancelled = Arc::new(AtomicU32::new(0));
    let tool = scripted("lookup", ToolAnnotations::read_only(), cancelled.clone());
    let executor = builder()
        .max_concurrency(100)
        .tool_with(tool, ToolOptions::default().with_hedge(policy))
        .build()
        .expect("an executor");
    (executor, cancelled)
}

fn call(input: Value) -> ToolCall {
    ToolCall::new("lookup", input)
}

/// The batch's 99th percentile latency in whole milliseconds, from its envelopes.
fn p99(latencies: &mut [u64]) -> u64 {
    latencies.sort_unstable();
    latencies[(latencies.len() * 99).div_ceil(100) - 1]
}

#[tokio::test(start_paused = true)]
async fn hedging_cuts_the_tail_to_the_hedge_delay_plus_the_fast_latency() {
    // One first attempt in ten is slow.
    let calls = || {
        (0..100)
            .map(|i| {
                call(if i % 10 == 0 {
                    json!({"slow": [1]})
                } else {
                    json!({})
                })
            })
            .collect::<Vec<_>>()
    };
    let plain = builder()
        .max_concurrency(100)
        .tool(scripted(
            "lookup",
            ToolAnnotations::read_only(),
            Arc::default(),
        ))
        .build()
        .expect("an executor");
    let (executor, cancelled) = hedged(fixed(50, 1));

    let without = plain.execute_batch(calls(), BatchOptions::default()).await;
    let with = executor
        .execute_batch(calls(), BatchOptions::default())
        .await;

    let mut slow: Vec<u64> = without.iter().map(|e| ms(e.execution_time_ms)).collect();
    let mut cut: Vec<u64> = with.iter().map(|e| ms(e.execution_time_ms)).collect();
    assert_eq!(p99(&mut slow), SLOW_MS);
    assert_eq!(p99(&mut cut), 50 + FAST_MS);
    assert!(with.iter().all(|e| e.success));
    let stats = executor.tool_stats("lookup").expect("stats");
    assert_eq!((stats.hedges, stats.retries), (10, 0));
    tokio::task::yield_now().await;
    assert_eq!(
        cancelled.load(Ordering::SeqCst),
        10,
        "each slow first attempt"
    );
}

#[tokio::test(start_paused = true)]
async fn the_first_success_wins_and_the_slow_attempt_is_logged_superseded() {
    let (executor, cancelled) = hedged(fixed(50, 1));
    let envelope = executor.execute(call(json!({"slow": [1]}))).await;
    assert!(envelope.success);
    assert_eq!(envelope.result, Some(json!({"attempt": 2})));
    assert_eq!(ms(envelope.execution_time_ms), 60);
    assert_eq!(envelope.attempts, 2);
    let log: Vec<(u32, &str, u64, bool)> = envelope
        .attempt_log
        .iter()
        .map(|r| (r.attempt, &*r.outcome, ms(r.duration_ms), r.hedge))
        .collect();
    assert_eq!(
        log,
        vec![(2, "success", 10, true), (1, "superseded", 60, false)]
    );
    tokio::task::yield_now().await;
    assert_eq!(cancelled.load(Ordering::SeqCst), 1);
    let json = serde_json::to_value(&envelope).expect("json");
    assert_eq!(json["attempt_log"][0]["hedge"], true);
    assert!(
        json["attempt_log"][1].get("hedge").is_none(),
        "absent when false"
    );
}

#[tokio::test(start_paused = true)]
async fn a_fast_answer_starts_no_hedge() {
    let (executor, _) = hedged(fixed(50, 1));
    let envelope = executor.execute(call(json!({}))).await;
    assert_eq!((envelope.attempts, ms(envelope.execution_time_ms)), (1, 10));
    assert_eq!(executor.tool_stats("lookup").expect("stats").hedges, 0);
}

#[tokio::test(start_paused = true)]
async fn at_most_max_hedges_start_one_delay_apart() {
    let (executor, _) = hedged(fixed(50, 2));
    let mut events = executor.subscribe();
    let envelope = executor.execute(call(json!({"slow": [1, 2, 3]}))).await;
    // Attempts start at 0, 50 and 100 ms; the first, slow like all, answers at 1 s.
    assert_eq!(ms(envelope.execution_time_ms), SLOW_MS);
    assert_eq!(envelope.result, Some(json!({"attempt": 1})));
    let log: Vec<(u32, &str, u64)> = envelope
        .attempt_log
        .iter()
        .map(|r| (r.attempt, &*r.outcome, ms(r.duration_ms)))
        .collect();
    assert_eq!(
        log,
        vec![
            (1, "success", 1_000),
            (2, "superseded", 950),
            (3, "superseded", 900)
        ]
    );
    let mut hedges = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let ExecutionEvent::AttemptStarted { attempt, hedge, .. } = event {
            hedges.push((attempt, hedge));
        }
    }
    assert_eq!(hedges, vec![(1, false), (2, true), (3, true)]);
    assert_eq!(executor.tool_stats("lookup").expect("stats").hedges, 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_attempt_waits_for_the_hedge_still_running() {
    let (executor, _) = hedged(fixed(5, 1));
    // Attempt 1 fails at 10 ms; the hedge started at 5 ms answers at 15 ms.
    let envelope = executor.execute(call(json!({"fail": [1]}))).await;
    assert!(envelope.success);
    assert_eq!(ms(envelope.execution_time_ms), 15);
    let log: Vec<(u32, &str, bool)> = envelope
        .attempt_log
        .iter()
        .map(|r| (r.attempt, &*r.outcome, r.hedge))
        .collect();
    assert_eq!(log, vec![(1, "backend", false), (2, "success", true)]);
}

#[tokio::test(start_paused = true)]
async fn when_every_attempt_of_a_round_fails_the_retry_policy_decides() {
    let (executor, _) = hedged(fixed(5, 1));
    // Round 1: attempt 1 fails at 10 ms, the hedge (2) at 15 ms; backoff 1 s; round 2:
    // attempt 3 answers at 1,025 ms. The hedge does not use up a retry.
    let envelope = executor.execute(call(json!({"fail": [1, 2]}))).await;
    assert!(envelope.success);
    assert_eq!(ms(envelope.execution_time_ms), 1_025);
    let log: Vec<(u32, &str, Option<u64>, bool)> = envelope
        .attempt_log
        .iter()
        .map(|r| (r.attempt, &*r.outcome, r.backoff_ms.map(ms), r.hedge))
        .collect();
    assert_eq!(
        log,
        vec![
            (1, "backend", None, false),
            (2, "backend", Some(1_000), true),
            (3, "success", None, false)
        ]
    );
    let stats = executor.tool_stats("lookup").expect("stats");
    assert_eq!((stats.hedges, stats.retries), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_hedge_the_retry_budget_cannot_pay_for_is_not_started() {
    let budget = RetryBudget::new(RetryBudgetPolicy {
        min_per_second: 0,
        retry_ratio: 0.0,
        ..RetryBudgetPolicy::default()
    })
    .expect("a budget");
    let tool = scripted("lookup", ToolAnnotations::read_only(), Arc::default());
    let options = ToolOptions::default()
        .with_hedge(fixed(50, 1))
        .with_retry_budget(budget);
    let executor = builder()
        .tool_with(tool, options)
        .build()
        .expect("an executor");
    let envelope = executor.execute(call(json!({"slow": [1]}))).await;
    assert_eq!(
        (envelope.attempts, ms(envelope.execution_time_ms)),
        (1, SLOW_MS)
    );
}

#[tokio::test(start_paused = true)]
async fn a_percentile_delay_follows_the_tools_observed_latency() {
    let (executor, _) = hedged(HedgePolicy {
        delay: HedgeDelay::Percentile {
            percentile: 95.0,
            min_samples: 20,
            initial: Duration::from_millis(300),
        },
        max_hedges: 1,
    });
    // Before 20 successes, the initial delay: hedge at 300 ms, answer at 310 ms.
    let early = executor.execute(call(json!({"slow": [1]}))).await;
    assert_eq!(ms(early.execution_time_ms), 310);
    let warm: Vec<ToolCall> = (0..20).map(|_| call(json!({}))).collect();
    let warmed = executor.execute_batch(warm, BatchOptions::default()).await;
    assert!(warmed.iter().all(|e| e.success));
    // Now the 95th percentile of its successes, 10 ms: answer at 20 ms.
    let late = executor.execute(call(json!({"slow": [1]}))).await;
    assert_eq!(ms(late.execution_time_ms), 20);
}

#[test]
fn hedging_a_tool_that_is_not_idempotent_is_refused_when_the_executor_is_built() {
    let mutating = ToolAnnotations {
        idempotent: false,
        ..ToolAnnotations::default()
    };
    let tool = scripted("transfer", mutating, Arc::default());
    let error = Executor::builder()
        .tool_with(tool, ToolOptions::default().with_hedge(fixed(50, 1)))
        .build()
        .expect_err("refused");
    assert_eq!(error.key, "tools.transfer.hedge");
    assert!(
        error.reason.contains("read-only or idempotent"),
        "{}",
        error.reason
    );
}

#[test]
fn a_bad_hedge_policy_is_refused_naming_its_key() {
    let tool = scripted("lookup", ToolAnnotations::read_only(), Arc::default());
    let error = Executor::builder()
        .tool_with(tool, ToolOptions::default().with_hedge(fixed(50, 0)))
        .build()
        .expect_err("refused");
    assert_eq!(error.key, "tools.lookup.hedge.max_hedges");
}
