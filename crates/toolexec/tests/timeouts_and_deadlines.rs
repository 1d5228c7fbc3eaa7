//! Attempt timeouts, call deadlines and the time left handed to tools.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{builder, latency, ms, sim};
use serde_json::json;
use toolexec::{tool_fn, CallStatus, ErrorKind, SimConfig, ToolCall, ToolSpec};

fn hanging() -> SimConfig {
    SimConfig {
        hang_every: 1,
        ..SimConfig::default()
    }
}

#[tokio::test(start_paused = true)]
async fn a_tool_that_never_returns_is_ended_by_its_attempt_timeout() {
    let executor = builder().tool(sim("hang", hanging())).build().unwrap();
    let call = ToolCall::new("hang", json!({}))
        .with_timeout(Duration::from_millis(50))
        .with_max_retries(2);
    let envelope = executor.execute(call).await;

    assert_eq!(envelope.status, CallStatus::Timeout);
    assert_eq!(envelope.error_kind(), Some(ErrorKind::Timeout));
    assert_eq!(envelope.attempts, 3);
    assert_eq!(ms(envelope.execution_time_ms), 3 * 50 + 1000 + 2000);
    assert!(envelope.attempt_log.iter().all(|a| a.duration_ms == 50.0));
}

#[tokio::test(start_paused = true)]
async fn a_retry_whose_backoff_would_pass_the_deadline_is_not_started() {
    let broken = SimConfig {
        fail_first: u32::MAX,
        ..latency(100)
    };
    let executor = builder().tool(sim("broken", broken)).build().unwrap();
    let call = ToolCall::new("broken", json!({})).with_deadline(Duration::from_millis(2500));
    let envelope = executor.execute(call).await;

    // attempt 1 (100) + backoff 1000 + attempt 2 (100) = 1200; the next backoff of
    // 2000 ms would end at 3200 > 2500, so the call stops at 1200 ms.
    assert_eq!(envelope.status, CallStatus::Timeout);
    assert_eq!(envelope.attempts, 2);
    assert_eq!(ms(envelope.execution_time_ms), 1200);
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::DeadlineExceeded);
    assert!(error.message.contains("deadline"), "{}", error.message);
    assert!(error.message.contains("backend") || error.message.contains("transient"));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_cuts_a_running_attempt_short() {
    let executor = builder()
        .tool(sim("slow", latency(10_000)))
        .build()
        .unwrap();
    let call = ToolCall::new("slow", json!({}))
        .with_timeout(Duration::from_secs(30))
        .with_deadline(Duration::from_millis(700));
    let envelope = executor.execute(call).await;
    assert_eq!(envelope.status, CallStatus::Timeout);
    assert_eq!(envelope.error_kind(), Some(ErrorKind::DeadlineExceeded));
    assert_eq!(envelope.attempts, 1);
    assert_eq!(ms(envelope.execution_time_ms), 700);
}

#[tokio::test(start_paused = true)]
async fn the_tool_sees_the_time_left_before_its_deadline() {
    let probe = tool_fn(
        ToolSpec::new("probe", "reports its time left"),
        |_, ctx| async move {
            let left = ctx.remaining().unwrap_or_default();
            Ok(json!({"remaining_ms": left.as_millis() as u64, "attempt": ctx.attempt}))
        },
    );
    let executor = builder().tool(Arc::new(probe)).build().unwrap();
    let clamped = executor
        .execute(
            ToolCall::new("probe", json!({}))
                .with_timeout(Duration::from_secs(5))
                .with_deadline(Duration::from_millis(1500)),
        )
        .await;
    assert_eq!(clamped.result.unwrap()["remaining_ms"], 1500);
    let unclamped = executor
        .execute(ToolCall::new("probe", json!({})).with_timeout(Duration::from_secs(5)))
        .await;
    assert_eq!(unclamped.result.unwrap()["remaining_ms"], 5000);
}

#[tokio::test(start_paused = true)]
async fn an_attempt_timeout_cancels_the_attempts_token() {
    let (tx, rx) = tokio::sync::oneshot::channel::<u64>();
    let tx = Arc::new(parking_lot::Mutex::new(Some(tx)));
    let watcher = tool_fn(
        ToolSpec::new("watcher", "waits for cancellation"),
        move |_, ctx| {
            let tx = tx.clone();
            async move {
                let start = tokio::time::Instant::now();
                tokio::spawn(async move {
                    ctx.cancellation.cancelled().await;
                    if let Some(tx) = tx.lock().take() {
                        let _ = tx.send(start.elapsed().as_millis() as u64);
                    }
                });
                std::future::pending::<()>().await;
                Ok(json!(null))
            }
        },
    );
    let executor = builder().tool(Arc::new(watcher)).build().unwrap();
    let envelope = executor
        .execute(
            ToolCall::new("watcher", json!({}))
                .with_timeout(Duration::from_millis(250))
                .with_max_retries(0),
        )
        .await;
    assert_eq!(envelope.status, CallStatus::Timeout);
    assert_eq!(rx.await.unwrap(), 250);
}

#[tokio::test(start_paused = true)]
async fn the_attempt_after_a_timeout_gets_a_fresh_token() {
    let seen = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let record = seen.clone();
    let flaky = tool_fn(
        ToolSpec::new("flaky", "hangs on its first attempt"),
        move |_, ctx| {
            record.lock().push(ctx.cancellation.is_cancelled());
            async move {
                if ctx.attempt == 1 {
                    std::future::pending::<()>().await;
                }
                Ok(json!(ctx.cancellation.is_cancelled()))
            }
        },
    );
    let executor = builder().tool(Arc::new(flaky)).build().unwrap();
    let envelope = executor
        .execute(ToolCall::new("flaky", json!({})).with_timeout(Duration::from_millis(100)))
        .await;
    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(envelope.attempts, 2);
    assert_eq!(
        envelope.result,
        Some(json!(false)),
        "not the timed-out token"
    );
    assert_eq!(*seen.lock(), [false, false]);
}
