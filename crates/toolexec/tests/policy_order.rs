//! The policies apply in the documented order (docs/POLICIES.md): an attempt takes a
//! rate-limit token, then room in its tool's bulkhead, then an executor permit, and
//! waiting for one holds none of the later ones; the attempt's timeout and idle
//! timeout count from when it starts, after all three. Each test's timings would differ
//! with the order swapped. On paused tokio time.

mod common;

use std::time::Duration;

use common::{builder, latency, ms, sim};
use serde_json::json;
use toolexec::{
    BatchOptions, BulkheadPolicy, Executor, ExecutorConfig, PolicyOverrides, RateLimitPolicy,
    ToolCall, ToolOptions, ToolRegistry,
};

fn executor(registry: ToolRegistry, max_concurrency: usize) -> Executor {
    let config = ExecutorConfig {
        max_concurrency,
        defaults: common::exact_policy(),
        ..ExecutorConfig::default()
    };
    builder()
        .config(config)
        .registry(registry)
        .build()
        .expect("an executor")
}

#[tokio::test(start_paused = true)]
async fn a_call_waiting_for_a_token_holds_no_room_in_the_bulkhead() {
    let mut registry = ToolRegistry::new();
    let options = ToolOptions::default()
        .with_rate_limit(RateLimitPolicy {
            per_second: 10.0,
            burst: 1,
            key: Some("k".into()),
            ..RateLimitPolicy::default()
        })
        .with_bulkhead(BulkheadPolicy {
            max_concurrent: Some(1),
            ..BulkheadPolicy::default()
        });
    registry.register_with(sim("x", latency(50)), options);
    let executor = executor(registry, 10);
    let calls = vec![
        ToolCall::new("x", json!({"k": 1})), // token and room at once: 0-50
        ToolCall::new("x", json!({"k": 1})), // its key's next token at 100: 100-150
        ToolCall::new("x", json!({"k": 2})), // its own token, room when the first ends: 50-100
    ];
    let envelopes = executor.execute_batch(calls, BatchOptions::default()).await;
    let times: Vec<u64> = envelopes.iter().map(|e| ms(e.execution_time_ms)).collect();
    // Room before token would give [50, 150, 200]: the second call would sit in the
    // bulkhead while it waited for its token.
    assert_eq!(times, [50, 150, 100]);
}

#[tokio::test(start_paused = true)]
async fn a_call_waiting_for_room_holds_no_executor_permit() {
    let mut registry = ToolRegistry::new();
    let one_at_a_time = ToolOptions::default().with_bulkhead(BulkheadPolicy {
        max_concurrent: Some(1),
        max_wait: Duration::from_secs(5),
        ..BulkheadPolicy::default()
    });
    registry.register_with(sim("x", latency(50)), one_at_a_time);
    registry.register(sim("y", latency(50)));
    let executor = executor(registry, 2);
    let calls = vec![
        ToolCall::new("x", json!({})), // room and a permit: 0-50
        ToolCall::new("x", json!({})), // waits for room: 50-100
        ToolCall::new("y", json!({})), // the second permit at once: 0-50
    ];
    let envelopes = executor.execute_batch(calls, BatchOptions::default()).await;
    let times: Vec<u64> = envelopes.iter().map(|e| ms(e.execution_time_ms)).collect();
    // A permit before room would give [50, 100, 100]: the waiting call would hold the
    // second permit and keep `y` out.
    assert_eq!(times, [50, 100, 50]);
}

#[tokio::test(start_paused = true)]
async fn the_idle_timeout_counts_from_the_attempt_start_not_from_the_wait_for_a_permit() {
    let mut registry = ToolRegistry::new();
    let options = ToolOptions::default().with_policy(PolicyOverrides {
        idle_timeout: Some(Some(Duration::from_millis(100))),
        ..PolicyOverrides::default()
    });
    // Silent for 80 ms: within the idle timeout once started.
    registry.register_with(sim("x", latency(80)), options);
    let executor = executor(registry, 1);
    let calls = (0..3).map(|_| ToolCall::new("x", json!({}))).collect();
    let envelopes = executor.execute_batch(calls, BatchOptions::default()).await;
    let times: Vec<u64> = envelopes.iter().map(|e| ms(e.execution_time_ms)).collect();
    // Counting from acceptance, the calls waiting 80 and 160 ms for the one permit
    // would be ended by the idle timeout.
    assert_eq!(times, [80, 160, 240]);
    assert!(envelopes.iter().all(|e| e.success));
}
