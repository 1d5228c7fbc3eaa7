//! Fallback answers: a static value or a function of the failed envelope.

mod common;

use common::{builder, latency, sim};
use serde_json::json;
use toolexec::{CallStatus, ErrorKind, Fallback, ToolCall, ToolOptions};

fn failing() -> ToolCall {
    ToolCall::new("t", json!({"fail_with": "transient"})).with_max_retries(1)
}

#[tokio::test(start_paused = true)]
async fn a_static_fallback_answers_a_failed_call_and_says_so() {
    let options = ToolOptions::default().with_fallback(Fallback::value(json!({"cached": true})));
    let executor = builder()
        .tool_with(sim("t", latency(5)), options)
        .build()
        .unwrap();
    let envelope = executor.execute(failing()).await;
    assert!(envelope.success);
    assert!(envelope.fallback);
    assert_eq!(
        envelope.status,
        CallStatus::Failed,
        "status tells what happened"
    );
    assert_eq!(envelope.error_kind(), Some(ErrorKind::Backend));
    assert_eq!(envelope.result, Some(json!({"cached": true})));
    assert_eq!(envelope.attempts, 2);
    assert_eq!(executor.tool_stats("t").unwrap().fallbacks, 1);
}

#[tokio::test(start_paused = true)]
async fn a_function_fallback_sees_the_failed_envelope() {
    let fallback = Fallback::function(|failed: &toolexec::Envelope| {
        let kind = failed.error_kind().map(|k| k.to_string());
        let attempts = failed.attempts;
        async move { json!({"degraded": true, "because": kind, "after_attempts": attempts}) }
    });
    let executor = builder()
        .tool_with(
            sim("t", latency(5)),
            ToolOptions::default().with_fallback(fallback),
        )
        .build()
        .unwrap();
    let envelope = executor.execute(failing()).await;
    assert_eq!(
        envelope.result,
        Some(json!({"degraded": true, "because": "backend", "after_attempts": 2}))
    );
}

#[tokio::test(start_paused = true)]
async fn without_a_fallback_the_structured_failure_is_the_answer() {
    let executor = builder().tool(sim("t", latency(5))).build().unwrap();
    let envelope = executor.execute(failing()).await;
    assert!(!envelope.success);
    assert!(!envelope.fallback);
    assert!(envelope.result.is_none());
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Backend);
    assert!(error.message.contains("transient"));
}

#[tokio::test(start_paused = true)]
async fn a_successful_call_does_not_use_the_fallback() {
    let options = ToolOptions::default().with_fallback(Fallback::value(json!("fallback")));
    let executor = builder()
        .tool_with(sim("t", latency(5)), options)
        .build()
        .unwrap();
    let envelope = executor.execute(ToolCall::new("t", json!({}))).await;
    assert!(!envelope.fallback);
    assert_eq!(envelope.result.unwrap()["ok"], true);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_fallback_leaves_the_failure_envelope() {
    let fallback = Fallback::function(|_: &toolexec::Envelope| async { panic!("fallback bug") });
    let executor = builder()
        .tool_with(
            sim("t", latency(5)),
            ToolOptions::default().with_fallback(fallback),
        )
        .build()
        .unwrap();
    let envelope = executor.execute(failing()).await;
    assert!(!envelope.success);
    assert!(!envelope.fallback);
}
