//! What comes from outside is hostile: a peer's retry-after hint, per-call overrides,
//! and code that panics outside a tool's attempt. On paused time, exact durations.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{builder, ms};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use tokio::time::Instant;
use toolexec::{
    tool_fn, CallContext, CallPolicy, CallStatus, ErrorKind, ExecutionEvent, Tool, ToolCall,
    ToolError, ToolSpec,
};

/// A tool that is throttled on its first attempt with `retry_after`, then answers.
fn throttled_once(retry_after: Duration) -> Arc<dyn Tool> {
    let calls = Arc::new(AtomicU32::new(0));
    Arc::new(tool_fn(
        ToolSpec::new("throttled", "throttled once"),
        move |_input, _ctx| {
            let calls = calls.clone();
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(ToolError::Throttled {
                        message: "slow down".into(),
                        retry_after: Some(retry_after),
                    })
                } else {
                    Ok(json!("done"))
                }
            }
        },
    ))
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_of_u64_max_seconds_waits_the_60_second_cap_and_never_panics() {
    let tool = throttled_once(Duration::from_secs(u64::MAX));
    let executor = builder().tool(tool).build().unwrap();
    let start = Instant::now();
    let envelope = executor
        .execute(ToolCall::new("throttled", json!({})))
        .await;

    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(envelope.attempts, 2);
    assert_eq!(envelope.attempt_log[0].backoff_ms, Some(60_000.0));
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn the_retry_after_cap_is_a_policy_key() {
    let tool = throttled_once(Duration::from_secs(999_999));
    let policy = CallPolicy {
        max_retry_after: Duration::from_secs(5),
        ..common::exact_policy()
    };
    let executor = toolexec::Executor::builder()
        .defaults(policy)
        .tool(tool)
        .build()
        .unwrap();
    let start = Instant::now();
    let envelope = executor
        .execute(ToolCall::new("throttled", json!({})))
        .await;

    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_that_would_pass_the_deadline_ends_the_call_at_once() {
    let tool = throttled_once(Duration::from_secs(30));
    let executor = builder().tool(tool).build().unwrap();
    let start = Instant::now();
    let envelope = executor
        .execute(ToolCall::new("throttled", json!({})).with_deadline(Duration::from_secs(10)))
        .await;

    assert_eq!(envelope.status, CallStatus::Timeout);
    assert_eq!(envelope.error_kind(), Some(ErrorKind::DeadlineExceeded));
    assert_eq!(envelope.attempts, 1);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[test]
fn a_policy_past_its_limits_is_refused_naming_the_key() {
    let cases = [
        (
            CallPolicy {
                attempt_timeout: Duration::from_secs(2 * 24 * 3600),
                ..CallPolicy::default()
            },
            "attempt_timeout_ms",
        ),
        (
            CallPolicy {
                call_deadline: Some(Duration::MAX),
                ..CallPolicy::default()
            },
            "deadline_ms",
        ),
        (
            CallPolicy {
                max_retries: 101,
                ..CallPolicy::default()
            },
            "max_retries",
        ),
        (
            CallPolicy {
                max_retry_after: Duration::MAX,
                ..CallPolicy::default()
            },
            "max_retry_after_ms",
        ),
    ];
    for (policy, key) in cases {
        let error = policy.validate().unwrap_err();
        assert_eq!(error.key, key, "{error}");
    }
}

#[tokio::test(start_paused = true)]
async fn per_call_overrides_past_their_limits_are_refused_naming_the_field_and_never_run() {
    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    let tool = tool_fn(ToolSpec::new("count", "counts"), move |_input, _ctx| {
        counted.fetch_add(1, Ordering::SeqCst);
        async { Ok(Value::Null) }
    });
    let executor = builder().tool(Arc::new(tool)).build().unwrap();
    let cases = [
        (
            ToolCall::new("count", json!({})).with_max_retries(u32::MAX),
            "max_retries",
        ),
        (
            ToolCall {
                timeout_ms: Some(u64::MAX),
                ..ToolCall::new("count", json!({}))
            },
            "timeout_ms",
        ),
        (
            ToolCall {
                timeout_ms: Some(0),
                ..ToolCall::new("count", json!({}))
            },
            "timeout_ms",
        ),
        (
            ToolCall {
                deadline_ms: Some(u64::MAX),
                ..ToolCall::new("count", json!({}))
            },
            "deadline_ms",
        ),
    ];
    for (call, field) in cases {
        assert_eq!(call.validate().unwrap_err().key, field);
        let envelope = executor.execute(call).await;
        assert_eq!(envelope.status, CallStatus::Failed);
        assert_eq!(envelope.error_kind(), Some(ErrorKind::InvalidInput));
        let error = envelope.error.unwrap();
        assert_eq!(error.field.as_deref(), Some(field));
        assert!(!error.retryable);
        assert_eq!(envelope.attempts, 0);
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    let stats = executor.stats();
    assert_eq!(stats.overall.total, 4);
    assert_eq!(stats.overall.by_status.get(&CallStatus::Failed), Some(&4));
}

/// A tool whose spec panics once its first attempt has failed: the panic happens on
/// the engine's side of the call (the retry decision reads the spec), outside the
/// attempt that catches the tool's own panics.
struct SpecPanics {
    spec: ToolSpec,
    attempts: AtomicU32,
}

impl Tool for SpecPanics {
    fn spec(&self) -> &ToolSpec {
        if self.attempts.load(Ordering::SeqCst) > 0 {
            panic!("spec exploded");
        }
        &self.spec
    }

    fn call<'a>(
        &'a self,
        _input: &'a Value,
        _ctx: CallContext,
    ) -> BoxFuture<'a, Result<Value, ToolError>> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Err(ToolError::transient("flaky")) })
    }
}

#[tokio::test(start_paused = true)]
async fn a_panic_outside_the_tools_attempt_is_an_engine_fault_that_every_record_agrees_with() {
    let tool = SpecPanics {
        spec: ToolSpec::new("fragile", "its spec panics"),
        attempts: AtomicU32::new(0),
    };
    let executor = builder().tool(Arc::new(tool)).build().unwrap();
    let mut events = executor.subscribe();
    let envelope = executor
        .execute(ToolCall::new("fragile", json!({})).with_id("f-1"))
        .await;

    assert_eq!(envelope.status, CallStatus::Failed);
    assert_eq!(envelope.error_kind(), Some(ErrorKind::EngineFault));
    assert!(envelope
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("spec exploded"));
    assert_eq!(envelope.attempts, 1);
    assert_eq!(ms(envelope.execution_time_ms), 0);

    let record = executor.history().find("f-1").expect("recorded");
    assert_eq!(record.status, CallStatus::Failed);
    assert_eq!(record.error_kind, Some(ErrorKind::EngineFault));
    assert_eq!(record.attempts, 1);
    let stats = executor.tool_stats("fragile").unwrap();
    assert_eq!(stats.by_status.get(&CallStatus::Failed), Some(&1));
    assert_eq!(
        stats
            .by_status
            .get(&CallStatus::Cancelled)
            .copied()
            .unwrap_or(0),
        0
    );
    let finished = loop {
        match events.recv().await.unwrap() {
            event @ ExecutionEvent::Finished { .. } => break event,
            _ => continue,
        }
    };
    let ExecutionEvent::Finished {
        status, attempts, ..
    } = finished
    else {
        unreachable!()
    };
    assert_eq!((status, attempts), (CallStatus::Failed, 1));
}

#[tokio::test(start_paused = true)]
async fn a_batch_answers_a_call_the_engine_failed_and_runs_the_others() {
    let tool = SpecPanics {
        spec: ToolSpec::new("fragile", "its spec panics"),
        attempts: AtomicU32::new(0),
    };
    let executor = builder()
        .tool(Arc::new(tool))
        .tool(common::sim("ok", common::latency(5)))
        .build()
        .unwrap();
    let calls = vec![
        ToolCall::new("ok", json!({})),
        ToolCall::new("fragile", json!({})),
        ToolCall::new("ok", json!({})),
    ];
    let envelopes = executor
        .execute_batch(calls, toolexec::BatchOptions::default())
        .await;
    let kinds: Vec<_> = envelopes.iter().map(|e| e.error_kind()).collect();
    assert_eq!(kinds, [None, Some(ErrorKind::EngineFault), None]);
    assert_eq!(executor.stats().overall.total, 3);
}

#[test]
fn names_and_ids_longer_than_256_bytes_are_refused_by_validate_naming_the_field() {
    let long = "x".repeat(toolexec::MAX_NAME_BYTES + 1);
    let fits = "x".repeat(toolexec::MAX_NAME_BYTES);
    assert_eq!(
        ToolCall::new(&fits, json!({})).with_id(&fits).validate(),
        Ok(())
    );
    let field = |call: ToolCall| call.validate().unwrap_err().key;
    assert_eq!(field(ToolCall::new(&long, json!({}))), "tool");
    assert_eq!(
        field(ToolCall::new("t", json!({})).with_id(&long)),
        "call_id"
    );
    assert_eq!(
        field(ToolCall::new("t", json!({})).with_idempotency_key(&long)),
        "idempotency_key"
    );
}
