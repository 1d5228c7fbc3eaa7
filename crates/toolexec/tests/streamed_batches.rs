//! The streaming form of a batch: each envelope as its call ends, with its request
//! index, under the same limits, deadlines, failure modes and cancellation.

mod common;

use std::time::Duration;

use common::{arrivals, builder, latency, ms, settle_history, sim};
use futures::{Stream, StreamExt};
use serde_json::json;
use tokio::time::Instant;
use toolexec::{BatchOptions, CallStatus, FailureMode, ToolCall};

fn call(latency_ms: u64) -> ToolCall {
    ToolCall::new("t", json!({ "latency_ms": latency_ms }))
}

fn failing(latency_ms: u64) -> ToolCall {
    ToolCall::new(
        "t",
        json!({ "latency_ms": latency_ms, "fail_with": "tool_error" }),
    )
}

#[tokio::test(start_paused = true)]
async fn envelopes_arrive_as_calls_end_tagged_with_their_request_index() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let calls = vec![call(300), call(100), call(200)];
    let stream = executor.execute_batch_stream(calls, BatchOptions::default());
    assert_eq!(stream.size_hint(), (3, Some(3)));
    use CallStatus::Success;
    assert_eq!(
        arrivals(stream).await,
        [(1, Success, 100), (2, Success, 200), (0, Success, 300)]
    );
}

#[tokio::test(start_paused = true)]
async fn the_first_envelope_is_there_before_the_slowest_call_ends() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let calls = vec![call(10_000), call(50).with_id("quick")];
    let mut stream = executor.execute_batch_stream(calls, BatchOptions::default());
    let start = Instant::now();
    let (index, envelope) = stream.next().await.unwrap();
    assert_eq!((index, &*envelope.call_id), (1, "quick"));
    assert_eq!(start.elapsed(), Duration::from_millis(50));
    assert_eq!(stream.remaining(), 1);
}

#[tokio::test(start_paused = true)]
async fn fail_fast_mid_stream_cancels_the_running_and_the_waiting_calls() {
    let executor = builder()
        .max_concurrency(2)
        .tool(sim("t", latency(0)))
        .build()
        .unwrap();
    let calls = vec![call(100), failing(200), call(5000), call(5000)];
    let options = BatchOptions::default().with_failure_mode(FailureMode::FailFast);
    let mut seen = arrivals(executor.execute_batch_stream(calls, options)).await;
    use CallStatus::*;
    assert_eq!(seen[..2], [(0, Success, 100), (1, Failed, 200)]);
    // The running call and the waiting one end together, in either order.
    seen[2..].sort_unstable();
    assert_eq!(seen[2..], [(2, Cancelled, 200), (3, Cancelled, 200)]);
}

#[tokio::test(start_paused = true)]
async fn tolerate_n_mid_stream_goes_on_until_more_than_n_calls_failed() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let calls = vec![failing(100), failing(200), call(150), call(5000)];
    let options = BatchOptions::default().with_failure_mode(FailureMode::Tolerate(1));
    let seen = arrivals(executor.execute_batch_stream(calls, options)).await;
    use CallStatus::*;
    assert_eq!(
        seen,
        [
            (0, Failed, 100),
            (2, Success, 150),
            (1, Failed, 200),
            (3, Cancelled, 200)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_batch_deadline_ends_the_calls_still_running_mid_stream() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let options = BatchOptions::default().with_deadline(Duration::from_millis(1000));
    let stream = executor.execute_batch_stream(vec![call(100), call(5000)], options);
    use CallStatus::*;
    assert_eq!(
        arrivals(stream).await,
        [(0, Success, 100), (1, Timeout, 1000)]
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_cancels_the_rest_and_records_every_call_once() {
    let executor = builder()
        .max_concurrency(2)
        .tool(sim("t", latency(0)))
        .build()
        .unwrap();
    let calls = vec![call(100), call(10_000), call(10_000), call(10_000)];
    let mut stream = executor.execute_batch_stream(calls, BatchOptions::default());
    let (index, first) = stream.next().await.unwrap();
    assert_eq!((index, first.status), (0, CallStatus::Success));
    // Call 2 took the lane call 0 left; call 3 still waits.
    assert_eq!(executor.in_flight().len(), 3);
    drop(stream);
    settle_history(&executor, 4).await;
    let stats = executor.stats();
    assert_eq!(stats.overall.total, 4, "each call recorded once");
    assert_eq!(stats.overall.by_status[&CallStatus::Success], 1);
    assert_eq!(stats.overall.by_status[&CallStatus::Cancelled], 3);
    assert_eq!(executor.history().len(), 4);
    assert!(executor.in_flight().is_empty());
    assert_eq!(executor.running_attempts(), 0, "permits were released");
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(
        executor.stats().overall.total,
        4,
        "nothing ran on after the drop"
    );
}

#[tokio::test(start_paused = true)]
async fn a_wide_batch_streams_exactly_one_envelope_per_call() {
    let executor = builder()
        .max_concurrency(5000)
        .tool(sim("t", latency(0)))
        .build()
        .unwrap();
    let calls = (0..5000).map(|i| call(1 + i % 7)).collect();
    let mut stream = executor.execute_batch_stream(calls, BatchOptions::default());
    let mut seen = vec![0u32; 5000];
    let mut last_at = Duration::ZERO;
    let start = Instant::now();
    while let Some((index, envelope)) = stream.next().await {
        seen[index] += 1;
        assert!(envelope.success);
        assert_eq!(ms(envelope.execution_time_ms), 1 + index as u64 % 7);
        assert!(start.elapsed() >= last_at, "in the order the calls ended");
        last_at = start.elapsed();
    }
    assert!(seen.iter().all(|&n| n == 1));
    assert_eq!(executor.stats().overall.total, 5000);
}

#[tokio::test(start_paused = true)]
async fn streaming_and_collecting_the_same_batch_give_the_same_envelopes() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let batch = || vec![call(30), failing(10), call(20)];
    let collected = executor
        .execute_batch(batch(), BatchOptions::default())
        .await;
    let mut streamed: Vec<_> = executor
        .execute_batch_stream(batch(), BatchOptions::default())
        .collect()
        .await;
    streamed.sort_by_key(|(index, _)| *index);
    let statuses = |e: &toolexec::Envelope| (e.status, e.attempts, ms(e.execution_time_ms));
    let streamed: Vec<_> = streamed.iter().map(|(_, e)| statuses(e)).collect();
    let collected: Vec<_> = collected.iter().map(statuses).collect();
    assert_eq!(streamed, collected);
}

#[tokio::test(start_paused = true)]
async fn an_empty_batch_streams_nothing() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let stream = executor.execute_batch_stream(Vec::new(), BatchOptions::default());
    assert!(arrivals(stream).await.is_empty());
}
