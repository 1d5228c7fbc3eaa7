//! Live status per call id and the broadcast stream of lifecycle events.

mod common;

use std::time::Duration;

use common::{builder, latency, sim};
use serde_json::json;
use toolexec::{BatchOptions, CallStatus, ExecutionEvent, SimConfig, ToolCall};

#[tokio::test(start_paused = true)]
async fn live_status_moves_from_pending_to_running_to_retrying() {
    let flaky = SimConfig {
        fail_first: 1,
        ..latency(100)
    };
    let executor = builder()
        .max_concurrency(1)
        .tool(sim("flaky", flaky))
        .build()
        .unwrap();
    let batch = vec![
        ToolCall::new("flaky", json!({})).with_id("a"),
        ToolCall::new("flaky", json!({})).with_id("b"),
    ];
    let runner = executor.clone();
    let handle =
        tokio::spawn(async move { runner.execute_batch(batch, BatchOptions::default()).await });

    tokio::time::sleep(Duration::from_millis(50)).await;
    let a = executor.call_status("a").unwrap();
    let b = executor.call_status("b").unwrap();
    let running = if a.status == CallStatus::Running {
        (a, b)
    } else {
        (b, a)
    };
    assert_eq!(
        (running.0.status, running.0.attempt),
        (CallStatus::Running, 1)
    );
    assert_eq!(
        (running.1.status, running.1.attempt),
        (CallStatus::Pending, 0)
    );

    tokio::time::sleep(Duration::from_millis(100)).await;
    let first = executor.call_status(&running.0.call_id).unwrap();
    assert_eq!((first.status, first.attempt), (CallStatus::Retrying, 2));
    assert_eq!(executor.in_flight().len(), 2);

    let envelopes = handle.await.unwrap();
    assert!(envelopes.iter().all(|e| e.success));
    assert!(executor.in_flight().is_empty());
    let done = executor.call_status("a").unwrap();
    assert_eq!((done.status, done.attempt), (CallStatus::Success, 2));
}

#[tokio::test(start_paused = true)]
async fn every_subscriber_sees_the_whole_lifecycle_in_order() {
    let flaky = SimConfig {
        fail_first: 1,
        ..latency(10)
    };
    let executor = builder().tool(sim("flaky", flaky)).build().unwrap();
    let mut first = executor.subscribe();
    let mut second = executor.subscribe();
    let _ = executor
        .execute(ToolCall::new("flaky", json!({})).with_id("x"))
        .await;

    let mut names = Vec::new();
    while let Ok(event) = first.try_recv() {
        assert_eq!(event.call_id(), "x");
        let value = serde_json::to_value(&event).unwrap();
        names.push(value["event"].as_str().unwrap().to_owned());
        if let ExecutionEvent::RetryScheduled {
            delay_ms,
            next_attempt,
            ..
        } = event
        {
            assert_eq!((delay_ms, next_attempt), (1000.0, 2));
        }
        if let ExecutionEvent::Finished {
            status,
            attempts,
            execution_time_ms,
            ..
        } = event
        {
            assert_eq!(
                (status, attempts, execution_time_ms),
                (CallStatus::Success, 2, 1020.0)
            );
        }
    }
    assert_eq!(
        names,
        [
            "started",
            "attempt_started",
            "attempt_failed",
            "retry_scheduled",
            "attempt_started",
            "finished"
        ]
    );
    let mut count = 0;
    while second.try_recv().is_ok() {
        count += 1;
    }
    assert_eq!(count, 6);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_call_id_has_no_status() {
    let executor = builder().tool(sim("t", latency(1))).build().unwrap();
    assert!(executor.call_status("never").is_none());
}

#[tokio::test(start_paused = true)]
async fn calls_sharing_an_id_each_stay_in_flight_until_they_end() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let call = |ms: u64| ToolCall::new("t", json!({"latency_ms": ms})).with_id("same");
    let first = executor.clone();
    let short = tokio::spawn(async move { first.execute(call(100)).await });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let second = executor.clone();
    let long = tokio::spawn(async move { second.execute(call(300)).await });

    tokio::time::sleep(Duration::from_millis(40)).await;
    let in_flight = executor.in_flight();
    assert_eq!(in_flight.len(), 2, "both calls named `same`: {in_flight:?}");
    assert!(in_flight.iter().all(|s| s.status == CallStatus::Running));

    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(short.await.unwrap().success);
    let in_flight = executor.in_flight();
    assert_eq!(in_flight.len(), 1, "the longer call is still running");
    let status = executor.call_status("same").unwrap();
    assert_eq!(
        status.status,
        CallStatus::Running,
        "the running call, not the finished one"
    );

    assert!(long.await.unwrap().success);
    assert!(executor.in_flight().is_empty());
}
