//! Rate limits: a token bucket per tool or per input key spaces attempts at its rate
//! after its burst, turns a call away past its wait, and pauses when the tool answers
//! `throttled`. Timed on paused tokio time, to the millisecond.

mod common;

use std::time::Duration;

use common::{builder, latency, ms, sim};
use serde_json::{json, Value};
use tokio::time::Instant;
use toolexec::{
    BatchOptions, CallStatus, Envelope, ErrorKind, Executor, PolicyOverrides, RateLimitPolicy,
    ToolCall, ToolOptions, ToolRegistry,
};

fn limited(rate_limit: RateLimitPolicy) -> Executor {
    let mut registry = ToolRegistry::new();
    // Retries after 1 ms (or the tool's retry-after hint, when longer).
    let fast_retries = PolicyOverrides {
        backoff_initial: Some(Duration::from_millis(1)),
        ..PolicyOverrides::default()
    };
    let options = ToolOptions::default()
        .with_policy(fast_retries)
        .with_rate_limit(rate_limit);
    registry.register_with(sim("api", latency(0)), options);
    builder().registry(registry).build().expect("an executor")
}

async fn batch(executor: &Executor, inputs: &[Value]) -> Vec<Envelope> {
    let calls = inputs
        .iter()
        .map(|input| ToolCall::new("api", input.clone()))
        .collect();
    executor.execute_batch(calls, BatchOptions::default()).await
}

fn times(envelopes: &[Envelope]) -> Vec<u64> {
    envelopes.iter().map(|e| ms(e.execution_time_ms)).collect()
}

#[tokio::test(start_paused = true)]
async fn after_its_burst_a_bucket_spaces_attempts_at_its_rate() {
    let executor = limited(RateLimitPolicy {
        per_second: 10.0,
        burst: 2,
        ..RateLimitPolicy::default()
    });
    let started = Instant::now();
    let envelopes = batch(&executor, &vec![json!({}); 5]).await;
    assert!(envelopes.iter().all(|e| e.status == CallStatus::Success));
    assert_eq!(times(&envelopes), [0, 0, 100, 200, 300]);
    assert_eq!(started.elapsed(), Duration::from_millis(300));
}

#[tokio::test(start_paused = true)]
async fn a_call_that_gets_no_token_within_its_wait_is_rejected_as_rate_limited() {
    let executor = limited(RateLimitPolicy {
        per_second: 1.0,
        burst: 1,
        max_wait: Duration::from_millis(100),
        ..RateLimitPolicy::default()
    });
    let envelopes = batch(&executor, &[json!({}), json!({})]).await;
    assert_eq!(envelopes[0].status, CallStatus::Success);
    let turned_away = &envelopes[1];
    assert_eq!(turned_away.status, CallStatus::Rejected);
    assert_eq!(turned_away.error_kind(), Some(ErrorKind::RateLimited));
    assert_eq!(turned_away.attempts, 0);
    assert_eq!(ms(turned_away.execution_time_ms), 100);
}

#[tokio::test(start_paused = true)]
async fn a_call_turned_away_shows_its_kind_in_the_statistics_and_the_finished_event() {
    let executor = limited(RateLimitPolicy {
        per_second: 1.0,
        burst: 1,
        max_wait: Duration::from_millis(100),
        ..RateLimitPolicy::default()
    });
    let mut events = executor.subscribe();
    batch(&executor, &[json!({}), json!({}), json!({})]).await;
    let stats = executor.tool_stats("api").expect("stats");
    assert_eq!(stats.by_error_kind.get("rate_limited"), Some(&2));
    assert_eq!(stats.by_status.get(&CallStatus::Rejected), Some(&2));
    assert_eq!(
        executor.stats().overall.by_error_kind.get("rate_limited"),
        Some(&2)
    );
    let mut kinds = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let toolexec::ExecutionEvent::Finished { error_kind, .. } = event {
            kinds.push(error_kind);
        }
    }
    kinds.sort_by_key(|k| k.is_some());
    assert_eq!(
        kinds,
        [
            None,
            Some(ErrorKind::RateLimited),
            Some(ErrorKind::RateLimited)
        ]
    );
    let json = serde_json::to_value(&stats).expect("json");
    assert_eq!(json["by_error_kind"]["rate_limited"], 2);
}

#[tokio::test(start_paused = true)]
async fn each_key_has_its_own_bucket_and_calls_without_the_key_are_not_held() {
    let executor = limited(RateLimitPolicy {
        per_second: 10.0,
        burst: 1,
        key: Some("warehouse_code".into()),
        ..RateLimitPolicy::default()
    });
    let inputs = [
        json!({"warehouse_code": "WH001"}),
        json!({"warehouse_code": "WH001"}),
        json!({"warehouse_code": "WH002"}),
        json!({}),
    ];
    let envelopes = batch(&executor, &inputs).await;
    assert_eq!(times(&envelopes), [0, 100, 0, 0]);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_answer_pauses_the_bucket_for_every_call_of_the_tool() {
    let executor = limited(RateLimitPolicy {
        per_second: 1000.0,
        burst: 100,
        ..RateLimitPolicy::default()
    });
    let throttled = ToolCall::new(
        "api",
        json!({"fail_with": "throttled", "fail_attempts": 1, "retry_after_ms": 50}),
    );
    let later = async {
        tokio::time::sleep(Duration::from_millis(10)).await;
        executor.execute(ToolCall::new("api", json!({}))).await
    };
    let (first, second) = tokio::join!(executor.execute(throttled), later);
    // The first call's retry waits out the hint; the second, started at 10 ms, finds
    // the bucket paused until 50 ms.
    assert_eq!(first.status, CallStatus::Success);
    assert_eq!(first.attempts, 2);
    assert_eq!(ms(first.execution_time_ms), 50);
    assert_eq!(second.status, CallStatus::Success);
    assert_eq!(ms(second.execution_time_ms), 40);
}

#[tokio::test(start_paused = true)]
async fn the_call_deadline_ends_a_wait_for_a_token_as_a_deadline() {
    let executor = limited(RateLimitPolicy {
        per_second: 1.0,
        burst: 1,
        max_wait: Duration::from_secs(5),
        ..RateLimitPolicy::default()
    });
    let calls = vec![
        ToolCall::new("api", json!({})),
        ToolCall::new("api", json!({})).with_deadline(Duration::from_millis(30)),
    ];
    let envelopes = executor.execute_batch(calls, BatchOptions::default()).await;
    assert_eq!(envelopes[1].status, CallStatus::Timeout);
    assert_eq!(envelopes[1].error_kind(), Some(ErrorKind::DeadlineExceeded));
    assert_eq!(ms(envelopes[1].execution_time_ms), 30);
}

#[test]
fn a_rate_limit_that_cannot_work_fails_the_build_naming_the_tool_and_key() {
    for (policy, key) in [
        (
            RateLimitPolicy {
                per_second: 0.0,
                ..RateLimitPolicy::default()
            },
            "tools.api.rate_limit.per_second",
        ),
        (
            RateLimitPolicy {
                burst: 0,
                ..RateLimitPolicy::default()
            },
            "tools.api.rate_limit.burst",
        ),
    ] {
        let mut registry = ToolRegistry::new();
        registry.register_with(
            sim("api", latency(0)),
            ToolOptions::default().with_rate_limit(policy),
        );
        let error = builder().registry(registry).build().expect_err("refused");
        assert_eq!(error.key, key);
    }
}
