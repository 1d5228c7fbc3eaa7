//! Every error kind maps to the right final status, and bad calls never panic.

mod common;

use common::{builder, latency, sim};
use serde_json::json;
use toolexec::{CallStatus, ErrorKind, Executor, ToolCall};

async fn run(executor: &Executor, fail_with: &str) -> toolexec::Envelope {
    executor
        .execute(ToolCall::new("t", json!({"fail_with": fail_with})).with_max_retries(0))
        .await
}

#[tokio::test(start_paused = true)]
async fn each_tool_error_kind_ends_with_its_status() {
    let executor = builder().tool(sim("t", latency(1))).build().unwrap();
    let cases = [
        ("invalid_input", ErrorKind::InvalidInput, false),
        ("tool_error", ErrorKind::ToolError, false),
        ("bad_output", ErrorKind::BadOutput, false),
        ("not_found", ErrorKind::NotFound, false),
        ("permission_denied", ErrorKind::PermissionDenied, false),
        ("throttled", ErrorKind::Throttled, true),
        ("transient", ErrorKind::Backend, true),
        ("outcome_unknown", ErrorKind::Backend, true),
    ];
    for (fail_with, kind, retryable) in cases {
        let envelope = run(&executor, fail_with).await;
        assert_eq!(envelope.status, CallStatus::Failed, "{fail_with}");
        assert!(!envelope.success);
        assert!(envelope.result.is_none());
        let error = envelope.error.expect("a failed call has an error");
        assert_eq!(error.kind, kind, "{fail_with}");
        assert_eq!(error.retryable, retryable, "{fail_with}");
    }
}

#[tokio::test(start_paused = true)]
async fn tool_error_carries_the_tools_error_type() {
    let executor = builder().tool(sim("t", latency(1))).build().unwrap();
    let envelope = run(&executor, "tool_error").await;
    assert_eq!(
        envelope.error.unwrap().error_type.as_deref(),
        Some("SimError")
    );
}

#[tokio::test(start_paused = true)]
async fn an_unknown_tool_yields_a_not_found_envelope() {
    let executor = builder().build().unwrap();
    let envelope = executor
        .execute(ToolCall::new("nope", json!({})).with_id("x1"))
        .await;
    assert_eq!(&*envelope.call_id, "x1");
    assert_eq!(&*envelope.tool_name, "nope");
    assert_eq!(envelope.status, CallStatus::Failed);
    assert_eq!(envelope.attempts, 0);
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert!(error.message.contains("nope"));
    assert_eq!(executor.stats().overall.total, 1);
}

#[tokio::test(start_paused = true)]
async fn success_envelope_matches_the_json_contract() {
    let executor = builder().tool(sim("t", latency(20))).build().unwrap();
    let envelope = executor
        .execute(ToolCall::new("t", json!({})).with_id("c-42"))
        .await;
    let json = envelope.to_json();
    assert_eq!(json["call_id"], "c-42");
    assert_eq!(json["tool_name"], "t");
    assert_eq!(json["status"], "success");
    assert_eq!(json["success"], true);
    assert_eq!(json["error"], serde_json::Value::Null);
    assert_eq!(json["attempts"], 1);
    assert_eq!(json["execution_time_ms"], 20.0);
    assert_eq!(json["fallback"], false);
    assert_eq!(
        json["attempt_log"],
        json!([{"attempt": 1, "outcome": "success", "duration_ms": 20.0, "backoff_ms": null}])
    );
    let back: toolexec::Envelope = serde_json::from_value(json).unwrap();
    assert_eq!(back, envelope);
}

#[test]
fn bad_policies_are_rejected_when_the_executor_is_built() {
    let mut policy = common::exact_policy();
    policy.backoff.multiplier = f64::NAN;
    let error = Executor::builder().defaults(policy).build().unwrap_err();
    assert_eq!(error.key, "backoff_multiplier");
    let error = Executor::builder().max_concurrency(0).build().unwrap_err();
    assert_eq!(error.key, "max_concurrency");
    let overrides = toolexec::PolicyOverrides {
        attempt_timeout: Some(std::time::Duration::ZERO),
        ..Default::default()
    };
    let error = Executor::builder()
        .tool_with(
            sim("t", latency(1)),
            toolexec::ToolOptions::default().with_policy(overrides),
        )
        .build()
        .unwrap_err();
    assert_eq!(error.key, "tools.t.attempt_timeout_ms");
    assert!(error.to_string().contains("tools.t.attempt_timeout_ms"));
}
