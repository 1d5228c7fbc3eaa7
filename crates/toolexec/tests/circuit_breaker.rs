//! The circuit breaker stops calling a broken tool, then probes it.

mod common;

use std::time::Duration;

use common::{exact_policy, latency, sim};
use serde_json::json;
use toolexec::policy::CircuitState;
use toolexec::{CallStatus, CircuitPolicy, ErrorKind, Executor, Fallback, ToolCall, ToolOptions};

fn executor(fallback: Option<Fallback>) -> Executor {
    let mut policy = exact_policy();
    policy.max_retries = 0;
    policy.circuit = CircuitPolicy {
        failure_threshold: 3,
        open_for: Duration::from_secs(10),
    };
    let options = ToolOptions {
        fallback,
        ..ToolOptions::default()
    };
    Executor::builder()
        .defaults(policy)
        .tool_with(sim("t", latency(5)), options)
        .build()
        .expect("valid policy")
}

fn broken_call() -> ToolCall {
    ToolCall::new("t", json!({"fail_with": "transient"}))
}

#[tokio::test(start_paused = true)]
async fn an_open_circuit_rejects_calls_without_attempting_them() {
    let executor = executor(None);
    for _ in 0..3 {
        let _ = executor.execute(broken_call()).await;
    }
    assert_eq!(executor.circuit_state("t"), Some(CircuitState::Open));
    let rejected = executor.execute(ToolCall::new("t", json!({}))).await;
    assert_eq!(rejected.status, CallStatus::Rejected);
    assert_eq!(rejected.attempts, 0);
    assert_eq!(rejected.error_kind(), Some(ErrorKind::CircuitOpen));

    tokio::time::sleep(Duration::from_secs(10)).await;
    let probe = executor.execute(ToolCall::new("t", json!({}))).await;
    assert_eq!(probe.status, CallStatus::Success);
    assert_eq!(executor.circuit_state("t"), Some(CircuitState::Closed));
}

#[tokio::test(start_paused = true)]
async fn invalid_input_does_not_open_the_circuit() {
    let executor = executor(None);
    for _ in 0..5 {
        let _ = executor
            .execute(ToolCall::new("t", json!({"fail_with": "invalid_input"})))
            .await;
    }
    assert_eq!(executor.circuit_state("t"), Some(CircuitState::Closed));
}

#[tokio::test(start_paused = true)]
async fn a_fallback_answers_a_rejected_call() {
    let executor = executor(Some(Fallback::value(json!("stale"))));
    for _ in 0..3 {
        let _ = executor.execute(broken_call()).await;
    }
    let envelope = executor.execute(ToolCall::new("t", json!({}))).await;
    assert_eq!(envelope.status, CallStatus::Rejected);
    assert!(envelope.success && envelope.fallback);
    assert_eq!(envelope.result, Some(json!("stale")));
}

#[tokio::test(start_paused = true)]
async fn calls_rejected_during_a_probe_do_not_let_a_second_probe_through() {
    let executor = executor(None);
    for _ in 0..3 {
        let _ = executor.execute(broken_call()).await;
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    let prober = executor.clone();
    let probe = tokio::spawn(async move {
        prober
            .execute(ToolCall::new("t", json!({"latency_ms": 1000})))
            .await
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    for _ in 0..2 {
        let during = executor.execute(ToolCall::new("t", json!({}))).await;
        assert_eq!(during.status, CallStatus::Rejected, "one probe at a time");
        assert_eq!(during.attempts, 0);
    }
    assert_eq!(probe.await.unwrap().status, CallStatus::Success);
    assert_eq!(executor.circuit_state("t"), Some(CircuitState::Closed));
}

#[tokio::test(start_paused = true)]
async fn calls_of_a_batch_waiting_for_a_permit_see_the_circuit_their_predecessors_opened() {
    let mut policy = exact_policy();
    policy.max_retries = 0;
    policy.circuit = CircuitPolicy {
        failure_threshold: 3,
        open_for: Duration::from_secs(10),
    };
    let executor = Executor::builder()
        .max_concurrency(1)
        .defaults(policy)
        .tool(sim("t", latency(5)))
        .build()
        .expect("valid policy");
    let envelopes = executor
        .execute_batch(vec![broken_call(); 5], toolexec::BatchOptions::default())
        .await;
    let statuses: Vec<CallStatus> = envelopes.iter().map(|e| e.status).collect();
    use CallStatus::{Failed, Rejected};
    assert_eq!(statuses, [Failed, Failed, Failed, Rejected, Rejected]);
    assert_eq!(
        envelopes[4].attempts, 0,
        "the broken tool was not called again"
    );
}
