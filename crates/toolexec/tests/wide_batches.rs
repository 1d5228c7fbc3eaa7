//! Batches whose lanes far outnumber the runtime's workers, where one lane task runs
//! many calls at once: the same guarantees as a task per call (order, limits, permits
//! lent during backoff, failure modes, nothing lost when the batch is dropped).
//!
//! `#[tokio::test]` runs on one worker, so any batch of more than 64 concurrent calls
//! takes this path.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{builder, latency, ms, settle_history, sim};
use serde_json::json;
use tokio::time::Instant;
use toolexec::{BatchOptions, CallStatus, ErrorKind, FailureMode, SimConfig, ToolCall};

fn calls(tool: &str, count: usize, first_id: usize) -> Vec<ToolCall> {
    (first_id..first_id + count)
        .map(|i| ToolCall::new(tool, json!({})).with_id(format!("c{i}")))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn calls_waiting_for_a_wide_lane_run_in_waves_in_request_order_under_the_limit() {
    let executor = Arc::new(
        builder()
            .max_concurrency(200)
            .tool(sim("t", latency(100)))
            .build()
            .unwrap(),
    );
    let watcher = executor.clone();
    let peak = tokio::spawn(async move {
        let mut peak = 0;
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            peak = peak.max(watcher.running_attempts());
        }
        peak
    });
    let start = Instant::now();
    let envelopes = executor
        .execute_batch(calls("t", 1_000, 0), BatchOptions::default())
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(500));
    assert_eq!(peak.await.unwrap(), 200, "the limit was used and kept");
    for (i, envelope) in envelopes.iter().enumerate() {
        assert_eq!(*envelope.call_id, format!("c{i}"));
        assert_eq!(envelope.status, CallStatus::Success);
        let wave = i as u64 / 200 + 1;
        assert_eq!(ms(envelope.execution_time_ms), wave * 100, "call {i}");
    }
    assert_eq!(executor.history().len(), 1_000);
}

#[tokio::test(start_paused = true)]
async fn a_wide_batch_whose_calls_all_start_at_once_ends_in_one_latency() {
    let executor = builder()
        .max_concurrency(5_000)
        .tool(sim("t", latency(100)))
        .build()
        .unwrap();
    let start = Instant::now();
    let envelopes = executor
        .execute_batch(calls("t", 5_000, 0), BatchOptions::default())
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(100));
    assert_eq!(envelopes.len(), 5_000);
    assert!(envelopes.iter().all(|e| e.success && e.attempts == 1));
    assert_eq!(*envelopes[4_999].call_id, *"c4999");
}

#[tokio::test(start_paused = true)]
async fn a_call_of_a_wide_batch_in_backoff_lends_its_permit_to_a_waiting_call() {
    let flaky = SimConfig {
        fail_first: 1,
        ..latency(100)
    };
    let executor = builder()
        .max_concurrency(100)
        .tool(sim("flaky", flaky))
        .tool(sim("steady", latency(100)))
        .build()
        .unwrap();
    let mut batch = calls("flaky", 100, 0);
    batch.extend(calls("steady", 200, 100));
    let start = Instant::now();
    let envelopes = executor.execute_batch(batch, BatchOptions::default()).await;
    // The flaky calls fail at 100 ms and back off for 1 s; meanwhile the steady calls
    // run in two waves, 100-200 and 200-300; the flaky calls retry at 1,100-1,200.
    assert_eq!(start.elapsed(), Duration::from_millis(1_200));
    for envelope in &envelopes[..100] {
        assert_eq!(ms(envelope.execution_time_ms), 1_200);
        assert_eq!(envelope.attempts, 2);
    }
    for envelope in &envelopes[100..200] {
        assert_eq!(ms(envelope.execution_time_ms), 200);
    }
    for envelope in &envelopes[200..] {
        assert_eq!(ms(envelope.execution_time_ms), 300);
    }
}

#[tokio::test(start_paused = true)]
async fn fail_fast_in_a_wide_batch_cancels_every_other_call() {
    let executor = builder()
        .max_concurrency(300)
        .tool(sim("t", latency(5_000)))
        .build()
        .unwrap();
    let mut batch = calls("t", 300, 0);
    batch[150] = ToolCall::new("t", json!({"latency_ms": 100, "fail_with": "tool_error"}));
    let start = Instant::now();
    let envelopes = executor
        .execute_batch(
            batch,
            BatchOptions::default().with_failure_mode(FailureMode::FailFast),
        )
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(100));
    assert_eq!(envelopes[150].status, CallStatus::Failed);
    let cancelled = envelopes
        .iter()
        .filter(|e| e.error_kind() == Some(ErrorKind::Cancelled))
        .count();
    assert_eq!(cancelled, 299);
}

#[tokio::test(start_paused = true)]
async fn dropping_a_wide_batch_records_every_call_running_or_waiting_as_cancelled() {
    let executor = builder()
        .max_concurrency(200)
        .tool(sim("t", latency(10_000)))
        .build()
        .unwrap();
    let batch = executor.execute_batch(calls("t", 500, 0), BatchOptions::default());
    let outcome = tokio::time::timeout(Duration::from_millis(100), batch).await;
    assert!(outcome.is_err());
    settle_history(&executor, 500).await;
    let records = executor.history().recent(1_000);
    assert_eq!(records.len(), 500);
    assert!(records.iter().all(|r| r.status == CallStatus::Cancelled));
    let attempted = records.iter().filter(|r| r.attempts == 1).count();
    assert_eq!(
        attempted, 200,
        "the running calls; the waiting ones never ran"
    );
    assert!(executor.in_flight().is_empty());
    assert_eq!(executor.running_attempts(), 0, "permits were released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_two_workers_a_wide_batch_answers_every_call_in_request_order() {
    let executor = builder()
        .max_concurrency(1_000)
        .tool(sim("t", latency(1)))
        .build()
        .unwrap();
    let envelopes = executor
        .execute_batch(calls("t", 20_000, 0), BatchOptions::default())
        .await;
    assert_eq!(envelopes.len(), 20_000);
    for (i, envelope) in envelopes.iter().enumerate() {
        assert_eq!(*envelope.call_id, format!("c{i}"));
        assert!(envelope.success, "call {i}: {:?}", envelope.error);
    }
    let stats = executor.stats();
    assert_eq!(stats.overall.by_status[&CallStatus::Success], 20_000);
}

#[tokio::test(start_paused = true)]
async fn dropping_a_wide_batch_before_its_lanes_ever_ran_records_every_call_as_cancelled() {
    let executor = builder()
        .max_concurrency(300)
        .tool(sim("t", latency(100)))
        .build()
        .unwrap();
    let mut batch = Box::pin(executor.execute_batch(calls("t", 300, 0), BatchOptions::default()));
    // One poll spawns the lanes; on this one-worker runtime none has run yet.
    assert!(futures::poll!(batch.as_mut()).is_pending());
    assert_eq!(executor.in_flight().len(), 300, "all announced as pending");
    drop(batch);
    settle_history(&executor, 300).await;
    let records = executor.history().recent(1_000);
    assert_eq!(records.len(), 300);
    assert!(records
        .iter()
        .all(|r| r.status == CallStatus::Cancelled && r.attempts == 0));
    assert!(executor.in_flight().is_empty());
}
