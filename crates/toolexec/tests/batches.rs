//! Parallel batches: order, concurrency, deadlines, failure modes, cancellation.

mod common;

use std::time::Duration;

use common::{builder, latency, ms, settle_history, sim};
use serde_json::json;
use tokio::time::Instant;
use toolexec::{BatchOptions, CallStatus, ErrorKind, FailureMode, SimConfig, ToolCall};

fn calls(tool: &str, latencies: &[u64]) -> Vec<ToolCall> {
    latencies
        .iter()
        .enumerate()
        .map(|(i, ms)| ToolCall::new(tool, json!({"latency_ms": ms})).with_id(format!("c{i}")))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn results_come_back_in_request_order() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let start = Instant::now();
    let envelopes = executor
        .execute_batch(calls("t", &[300, 100, 200]), BatchOptions::default())
        .await;
    let ids: Vec<&str> = envelopes.iter().map(|e| &*e.call_id).collect();
    assert_eq!(ids, ["c0", "c1", "c2"]);
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(300),
        "the calls ran in parallel"
    );
}

#[tokio::test(start_paused = true)]
async fn concurrency_limit_queues_the_extra_calls() {
    let executor = builder()
        .max_concurrency(2)
        .tool(sim("t", latency(100)))
        .build()
        .unwrap();
    let start = Instant::now();
    let envelopes = executor
        .execute_batch(calls("t", &[100; 5]), BatchOptions::default())
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(300));
    assert!(envelopes.iter().all(|e| e.status == CallStatus::Success));
}

#[tokio::test(start_paused = true)]
async fn a_permit_is_not_held_during_backoff() {
    let flaky = SimConfig {
        fail_first: 1,
        ..latency(100)
    };
    let executor = builder()
        .max_concurrency(1)
        .tool(sim("flaky", flaky))
        .tool(sim("steady", latency(100)))
        .build()
        .unwrap();
    let batch = vec![
        ToolCall::new("flaky", json!({})),
        ToolCall::new("steady", json!({})),
    ];
    let start = Instant::now();
    let envelopes = executor.execute_batch(batch, BatchOptions::default()).await;
    // flaky 0-100 fails, backs off 100-1100; steady runs 100-200 in that gap;
    // flaky retries 1100-1200.
    assert_eq!(ms(envelopes[1].execution_time_ms), 200);
    assert_eq!(ms(envelopes[0].execution_time_ms), 1200);
    assert_eq!(start.elapsed(), Duration::from_millis(1200));
}

#[tokio::test(start_paused = true)]
async fn batch_concurrency_limit_applies_within_the_batch() {
    let executor = builder()
        .max_concurrency(100)
        .tool(sim("t", latency(100)))
        .build()
        .unwrap();
    let start = Instant::now();
    let _ = executor
        .execute_batch(
            calls("t", &[100; 6]),
            BatchOptions::default().with_max_concurrency(3),
        )
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(200));
}

#[tokio::test(start_paused = true)]
async fn batch_deadline_ends_running_calls_and_answers_every_call() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let start = Instant::now();
    let envelopes = executor
        .execute_batch(
            calls("t", &[100, 5000, 9000]),
            BatchOptions::default().with_deadline(Duration::from_millis(1000)),
        )
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(1000));
    assert_eq!(envelopes.len(), 3);
    assert_eq!(envelopes[0].status, CallStatus::Success);
    for envelope in &envelopes[1..] {
        assert_eq!(envelope.status, CallStatus::Timeout);
        assert_eq!(envelope.error_kind(), Some(ErrorKind::DeadlineExceeded));
        assert_eq!(ms(envelope.execution_time_ms), 1000);
    }
}

#[tokio::test(start_paused = true)]
async fn batch_deadline_also_ends_calls_still_waiting_for_a_permit() {
    let executor = builder()
        .max_concurrency(1)
        .tool(sim("t", latency(0)))
        .build()
        .unwrap();
    let envelopes = executor
        .execute_batch(
            calls("t", &[800, 800]),
            BatchOptions::default().with_deadline(Duration::from_millis(500)),
        )
        .await;
    assert_eq!(envelopes[0].attempts, 1);
    assert_eq!(envelopes[1].attempts, 0, "never got a permit");
    assert!(envelopes.iter().all(|e| e.status == CallStatus::Timeout));
}

#[tokio::test(start_paused = true)]
async fn fail_fast_cancels_the_rest_at_the_first_failure() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let mut batch = calls("t", &[5000, 5000]);
    batch.push(ToolCall::new(
        "t",
        json!({"latency_ms": 100, "fail_with": "tool_error"}),
    ));
    let start = Instant::now();
    let envelopes = executor
        .execute_batch(
            batch,
            BatchOptions::default().with_failure_mode(FailureMode::FailFast),
        )
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(100));
    assert_eq!(envelopes[2].status, CallStatus::Failed);
    for envelope in &envelopes[..2] {
        assert_eq!(envelope.status, CallStatus::Cancelled);
        assert_eq!(envelope.error_kind(), Some(ErrorKind::Cancelled));
    }
}

#[tokio::test(start_paused = true)]
async fn tolerate_n_cancels_only_after_more_than_n_failures() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let failing =
        |ms: u64| ToolCall::new("t", json!({"latency_ms": ms, "fail_with": "tool_error"}));
    let batch = vec![
        failing(100),
        failing(200),
        ToolCall::new("t", json!({"latency_ms": 250})),
        failing(300),
        ToolCall::new("t", json!({"latency_ms": 5000})),
    ];
    let envelopes = executor
        .execute_batch(
            batch,
            BatchOptions::default().with_failure_mode(FailureMode::Tolerate(2)),
        )
        .await;
    let statuses: Vec<CallStatus> = envelopes.iter().map(|e| e.status).collect();
    use CallStatus::*;
    assert_eq!(statuses, [Failed, Failed, Success, Failed, Cancelled]);
    assert_eq!(ms(envelopes[4].execution_time_ms), 300);
}

#[tokio::test(start_paused = true)]
async fn collect_all_runs_every_call_despite_failures() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let mut batch = vec![ToolCall::new("t", json!({"fail_with": "tool_error"}))];
    batch.extend(calls("t", &[100, 200]));
    let envelopes = executor.execute_batch(batch, BatchOptions::default()).await;
    assert_eq!(envelopes[1].status, CallStatus::Success);
    assert_eq!(envelopes[2].status, CallStatus::Success);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_batch_future_cancels_its_calls_and_records_them() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let batch = executor.execute_batch(calls("t", &[10_000, 10_000]), BatchOptions::default());
    let outcome = tokio::time::timeout(Duration::from_millis(100), batch).await;
    assert!(outcome.is_err());
    tokio::task::yield_now().await;
    settle_history(&executor, 2).await;
    let records = executor.history().recent(10);
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.status == CallStatus::Cancelled));
    assert!(executor.in_flight().is_empty());
    assert_eq!(executor.running_attempts(), 0, "permits were released");
    let stats = executor.stats();
    assert_eq!(stats.overall.by_status[&CallStatus::Cancelled], 2);
}

#[tokio::test(start_paused = true)]
async fn an_external_token_cancels_the_batch() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let token = tokio_util::sync::CancellationToken::new();
    let canceller = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        canceller.cancel();
    });
    let envelopes = executor
        .execute_batch(
            calls("t", &[100, 5000]),
            BatchOptions::default().with_cancel(token),
        )
        .await;
    assert_eq!(envelopes[0].status, CallStatus::Success);
    assert_eq!(envelopes[1].status, CallStatus::Cancelled);
    assert_eq!(ms(envelopes[1].execution_time_ms), 400);
}

#[tokio::test(start_paused = true)]
async fn dropping_a_batch_records_the_calls_still_waiting_for_a_permit() {
    let executor = builder()
        .max_concurrency(1)
        .tool(sim("t", latency(0)))
        .build()
        .unwrap();
    let batch = executor.execute_batch(calls("t", &[10_000; 3]), BatchOptions::default());
    assert_eq!(
        executor.in_flight().len(),
        0,
        "nothing runs before it is polled"
    );
    let outcome = tokio::time::timeout(Duration::from_millis(100), batch).await;
    assert!(outcome.is_err());
    settle_history(&executor, 3).await;
    let records = executor.history().recent(10);
    assert_eq!(
        records.len(),
        3,
        "the running call and the two waiting ones"
    );
    assert!(records.iter().all(|r| r.status == CallStatus::Cancelled));
    let attempts: Vec<u32> = records.iter().map(|r| r.attempts).collect();
    assert_eq!(
        attempts.iter().sum::<u32>(),
        1,
        "only one call ever started"
    );
    assert!(executor.in_flight().is_empty());
    assert_eq!(executor.running_attempts(), 0);
}
