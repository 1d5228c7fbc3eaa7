//! Bulkheads: a tool's concurrency limit, overall and per input key, with a maximum
//! wait past which a call is turned away. Timed on paused tokio time, to the
//! millisecond.

mod common;

use std::time::Duration;

use common::{builder, latency, ms, sim};
use serde_json::{json, Value};
use tokio::time::Instant;
use toolexec::{
    BackoffPolicy, BatchOptions, BulkheadPolicy, CallPolicy, CallStatus, ErrorKind, Executor,
    Jitter, KeyLimit, PolicyOverrides, ToolCall, ToolOptions, ToolRegistry,
};

fn limited(bulkhead: BulkheadPolicy) -> Executor {
    let mut registry = ToolRegistry::new();
    let options = ToolOptions::default().with_bulkhead(bulkhead);
    registry.register_with(sim("stock", latency(10)), options);
    builder().registry(registry).build().expect("an executor")
}

fn calls(inputs: &[Value]) -> Vec<ToolCall> {
    inputs
        .iter()
        .map(|input| ToolCall::new("stock", input.clone()))
        .collect()
}

fn times(envelopes: &[toolexec::Envelope]) -> Vec<u64> {
    envelopes.iter().map(|e| ms(e.execution_time_ms)).collect()
}

#[tokio::test(start_paused = true)]
async fn a_tool_limit_runs_at_most_that_many_attempts_at_once() {
    let executor = limited(BulkheadPolicy {
        max_concurrent: Some(2),
        ..BulkheadPolicy::default()
    });
    let started = Instant::now();
    let envelopes = executor
        .execute_batch(calls(&vec![json!({}); 5]), BatchOptions::default())
        .await;
    assert!(envelopes.iter().all(|e| e.status == CallStatus::Success));
    assert_eq!(times(&envelopes), [10, 10, 20, 20, 30]);
    assert_eq!(started.elapsed(), Duration::from_millis(30));
}

#[tokio::test(start_paused = true)]
async fn a_call_without_room_within_its_wait_is_rejected_as_concurrency_limited() {
    let executor = limited(BulkheadPolicy {
        max_concurrent: Some(1),
        max_wait: Duration::from_millis(4),
        ..BulkheadPolicy::default()
    });
    let envelopes = executor
        .execute_batch(calls(&[json!({}), json!({})]), BatchOptions::default())
        .await;
    assert_eq!(envelopes[0].status, CallStatus::Success);
    let turned_away = &envelopes[1];
    assert_eq!(turned_away.status, CallStatus::Rejected);
    assert_eq!(
        turned_away.error_kind(),
        Some(ErrorKind::ConcurrencyLimited)
    );
    assert_eq!(turned_away.attempts, 0);
    assert_eq!(ms(turned_away.execution_time_ms), 4);
    let stats = executor.tool_stats("stock").expect("stats");
    assert_eq!(stats.by_status.get(&CallStatus::Rejected), Some(&1));
    assert_eq!(stats.by_error_kind.get("concurrency_limited"), Some(&1));
}

#[tokio::test(start_paused = true)]
async fn a_key_limit_holds_calls_of_one_key_and_lets_other_keys_run() {
    let executor = limited(BulkheadPolicy {
        per_key: Some(KeyLimit {
            field: "warehouse_code".into(),
            max_concurrent: 1,
        }),
        ..BulkheadPolicy::default()
    });
    let inputs = [
        json!({"warehouse_code": "WH001"}),
        json!({"warehouse_code": "WH001"}),
        json!({"warehouse_code": "WH002"}),
        json!({"warehouse_code": "WH001"}),
        json!({}),
    ];
    let envelopes = executor
        .execute_batch(calls(&inputs), BatchOptions::default())
        .await;
    // WH001 one at a time; WH002 and the call without a key at once.
    assert_eq!(times(&envelopes), [10, 20, 10, 30, 10]);
}

#[tokio::test(start_paused = true)]
async fn room_is_given_back_during_a_backoff() {
    let mut registry = ToolRegistry::new();
    let policy = PolicyOverrides {
        max_retries: Some(1),
        ..PolicyOverrides::default()
    };
    let options = ToolOptions::default()
        .with_policy(policy)
        .with_bulkhead(BulkheadPolicy {
            max_concurrent: Some(1),
            ..BulkheadPolicy::default()
        });
    registry.register_with(sim("stock", latency(10)), options);
    let defaults = CallPolicy {
        backoff: BackoffPolicy {
            initial: Duration::from_millis(100),
            jitter: Jitter::None,
            ..BackoffPolicy::default()
        },
        ..common::exact_policy()
    };
    let executor = builder()
        .defaults(defaults)
        .registry(registry)
        .build()
        .expect("an executor");
    let inputs = [
        json!({"fail_with": "backend", "fail_attempts": 1}),
        json!({}),
    ];
    let envelopes = executor
        .execute_batch(calls(&inputs), BatchOptions::default())
        .await;
    // The first call fails at 10 ms and backs off 100 ms; meanwhile the second runs
    // from 10 to 20 ms; the first's retry runs from 110 to 120 ms.
    assert_eq!(envelopes[0].attempts, 2);
    assert_eq!(times(&envelopes), [120, 20]);
}

#[tokio::test(start_paused = true)]
async fn the_call_deadline_ends_a_wait_for_room_as_a_deadline() {
    let executor = limited(BulkheadPolicy {
        max_concurrent: Some(1),
        max_wait: Duration::from_secs(5),
        ..BulkheadPolicy::default()
    });
    let mut second = ToolCall::new("stock", json!({})).with_deadline(Duration::from_millis(6));
    second.call_id = Some("second".into());
    let envelopes = executor
        .execute_batch(
            vec![ToolCall::new("stock", json!({})), second],
            BatchOptions::default(),
        )
        .await;
    assert_eq!(envelopes[1].status, CallStatus::Timeout);
    assert_eq!(envelopes[1].error_kind(), Some(ErrorKind::DeadlineExceeded));
    assert_eq!(ms(envelopes[1].execution_time_ms), 6);
}

#[test]
fn a_bulkhead_that_cannot_work_fails_the_build_naming_the_tool_and_key() {
    let mut registry = ToolRegistry::new();
    let options = ToolOptions::default().with_bulkhead(BulkheadPolicy {
        per_key: Some(KeyLimit {
            field: "warehouse_code".into(),
            max_concurrent: 0,
        }),
        ..BulkheadPolicy::default()
    });
    registry.register_with(sim("stock", latency(1)), options);
    let error = builder().registry(registry).build().expect_err("refused");
    assert_eq!(error.key, "tools.stock.bulkhead.max_concurrent_per_key");
}
