//! Retries with exponential backoff, on paused time with exact durations.

mod common;

use std::time::Duration;

use common::{builder, latency, ms, sim};
use serde_json::json;
use tokio::time::Instant;
use toolexec::{
    CallStatus, ErrorKind, Jitter, PolicyOverrides, SimConfig, SimTool, ToolAnnotations, ToolCall,
    ToolOptions,
};

#[tokio::test(start_paused = true)]
async fn three_failures_take_exactly_seven_seconds_of_backoff_plus_attempts() {
    let flaky = SimConfig {
        fail_first: 3,
        ..latency(100)
    };
    let executor = builder().tool(sim("flaky", flaky)).build().unwrap();
    let start = Instant::now();
    let envelope = executor.execute(ToolCall::new("flaky", json!({}))).await;

    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(envelope.attempts, 4);
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(4 * 100 + 1000 + 2000 + 4000)
    );
    assert_eq!(ms(envelope.execution_time_ms), 7400);
    let backoffs: Vec<Option<f64>> = envelope.attempt_log.iter().map(|a| a.backoff_ms).collect();
    assert_eq!(backoffs, [Some(1000.0), Some(2000.0), Some(4000.0), None]);
    let outcomes: Vec<&str> = envelope
        .attempt_log
        .iter()
        .map(|a| a.outcome.as_ref())
        .collect();
    assert_eq!(outcomes, ["backend", "backend", "backend", "success"]);
}

#[tokio::test(start_paused = true)]
async fn a_call_that_always_fails_stops_after_max_retries() {
    let broken = SimConfig {
        fail_first: u32::MAX,
        ..latency(10)
    };
    let executor = builder().tool(sim("broken", broken)).build().unwrap();
    let envelope = executor
        .execute(ToolCall::new("broken", json!({})).with_max_retries(2))
        .await;

    assert_eq!(envelope.status, CallStatus::Failed);
    assert_eq!(envelope.attempts, 3);
    assert_eq!(envelope.error_kind(), Some(ErrorKind::Backend));
    assert!(envelope.error.as_ref().unwrap().retryable);
    assert_eq!(ms(envelope.execution_time_ms), 3 * 10 + 1000 + 2000);
}

#[tokio::test(start_paused = true)]
async fn per_tool_backoff_overrides_the_defaults() {
    let overrides = PolicyOverrides {
        backoff_initial: Some(Duration::from_millis(10)),
        backoff_multiplier: Some(3.0),
        max_retries: Some(2),
        ..PolicyOverrides::default()
    };
    let flaky = SimConfig {
        fail_first: 2,
        ..latency(5)
    };
    let executor = builder()
        .tool_with(
            sim("flaky", flaky),
            ToolOptions::default().with_policy(overrides),
        )
        .build()
        .unwrap();
    let envelope = executor.execute(ToolCall::new("flaky", json!({}))).await;
    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(ms(envelope.execution_time_ms), 3 * 5 + 10 + 30);
}

#[tokio::test(start_paused = true)]
async fn throttling_waits_for_the_retry_after_hint() {
    let executor = builder().tool(sim("api", latency(0))).build().unwrap();
    let input = json!({"fail_with": "throttled", "fail_attempts": 1, "retry_after_ms": 5000});
    let envelope = executor.execute(ToolCall::new("api", input)).await;

    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(envelope.attempt_log[0].outcome, "throttled");
    assert_eq!(envelope.attempt_log[0].backoff_ms, Some(5000.0));
    assert_eq!(ms(envelope.execution_time_ms), 5000);
}

#[tokio::test(start_paused = true)]
async fn retry_after_shorter_than_the_backoff_keeps_the_backoff() {
    let executor = builder().tool(sim("api", latency(0))).build().unwrap();
    let input = json!({"fail_with": "throttled", "fail_attempts": 1, "retry_after_ms": 10});
    let envelope = executor.execute(ToolCall::new("api", input)).await;
    assert_eq!(envelope.attempt_log[0].backoff_ms, Some(1000.0));
}

#[tokio::test(start_paused = true)]
async fn invalid_input_is_not_retried() {
    let executor = builder().tool(sim("t", latency(1))).build().unwrap();
    let envelope = executor
        .execute(ToolCall::new("t", json!({"fail_with": "invalid_input"})))
        .await;
    assert_eq!(envelope.status, CallStatus::Failed);
    assert_eq!(envelope.attempts, 1);
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert_eq!(error.field.as_deref(), Some("fail_with"));
    assert!(!error.retryable);
}

fn mutating_hang() -> std::sync::Arc<dyn toolexec::Tool> {
    let tool = SimTool::new(
        "transfer",
        SimConfig {
            hang_every: 1,
            ..SimConfig::default()
        },
    )
    .with_annotations(ToolAnnotations {
        read_only: false,
        idempotent: false,
        destructive: false,
    });
    std::sync::Arc::new(tool)
}

#[tokio::test(start_paused = true)]
async fn mutating_tool_is_not_retried_after_timeout() {
    let executor = builder().tool(mutating_hang()).build().unwrap();
    let call = ToolCall::new("transfer", json!({})).with_timeout(Duration::from_millis(100));
    let envelope = executor.execute(call).await;
    assert_eq!(envelope.status, CallStatus::Timeout);
    assert_eq!(envelope.error_kind(), Some(ErrorKind::Timeout));
    assert_eq!(envelope.attempts, 1);
    assert_eq!(ms(envelope.execution_time_ms), 100);
}

#[tokio::test(start_paused = true)]
async fn mutating_tool_with_idempotency_key_is_retried_after_timeout() {
    let executor = builder().tool(mutating_hang()).build().unwrap();
    let call = ToolCall::new("transfer", json!({}))
        .with_timeout(Duration::from_millis(100))
        .with_max_retries(1)
        .with_idempotency_key("order-7");
    let envelope = executor.execute(call).await;
    assert_eq!(envelope.attempts, 2);
    assert_eq!(ms(envelope.execution_time_ms), 100 + 1000 + 100);
}

#[tokio::test(start_paused = true)]
async fn mutating_tool_is_not_retried_after_outcome_unknown_failure() {
    let tool = SimTool::new("transfer", SimConfig::default()).with_annotations(ToolAnnotations {
        read_only: false,
        idempotent: false,
        destructive: true,
    });
    let executor = builder().tool(std::sync::Arc::new(tool)).build().unwrap();
    let envelope = executor
        .execute(ToolCall::new(
            "transfer",
            json!({"fail_with": "outcome_unknown"}),
        ))
        .await;
    assert_eq!(envelope.attempts, 1);
    let transient = executor
        .execute(ToolCall::new(
            "transfer",
            json!({"fail_with": "transient", "fail_attempts": 1}),
        ))
        .await;
    assert_eq!(
        transient.attempts, 2,
        "a failure before dispatch is safe to retry"
    );
}

#[tokio::test(start_paused = true)]
async fn full_jitter_with_a_seed_is_reproducible_and_bounded() {
    let overrides = PolicyOverrides {
        jitter: Some(Jitter::Full),
        ..PolicyOverrides::default()
    };
    let flaky = SimConfig {
        fail_first: 3,
        ..SimConfig::default()
    };
    let run = || async {
        let executor = builder()
            .tool_with(
                sim("flaky", flaky),
                ToolOptions::default().with_policy(overrides),
            )
            .build()
            .unwrap();
        executor
            .execute(ToolCall::new("flaky", json!({})).with_id("same-id"))
            .await
    };
    let (a, b) = (run().await, run().await);
    assert_eq!(a.attempt_log, b.attempt_log);
    for (i, attempt) in a.attempt_log.iter().take(3).enumerate() {
        let cap = 1000.0 * f64::from(1 << i);
        let backoff = attempt.backoff_ms.unwrap();
        assert!((0.0..=cap).contains(&backoff), "{backoff} > {cap}");
    }
}
