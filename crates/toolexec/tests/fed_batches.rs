//! A fed batch: it starts with its first calls and takes the rest while it runs, in
//! request order, under the same limits as any batch.

mod common;

use std::time::Duration;

use common::{arrivals, builder, latency, sim};
use futures::StreamExt;
use serde_json::json;
use tokio::time::sleep;
use toolexec::{BatchFeed, BatchOptions, BatchStream, CallStatus, ErrorKind, ToolCall};

fn call(latency_ms: u64) -> ToolCall {
    ToolCall::new("t", json!({ "latency_ms": latency_ms }))
}

fn calls(n: usize, latency_ms: u64) -> Vec<ToolCall> {
    (0..n).map(|_| call(latency_ms)).collect()
}

/// Every item of `stream` (see [`arrivals`]), sorted by index.
async fn sorted_arrivals(stream: BatchStream) -> Vec<(usize, CallStatus, u64)> {
    let mut seen = arrivals(stream).await;
    seen.sort_unstable();
    seen
}

/// Sends each of `sends` (a delay, then that many calls of `latency_ms`) in turn.
fn feed_later(mut feed: BatchFeed, sends: Vec<(u64, usize)>, latency_ms: u64) {
    tokio::spawn(async move {
        for (delay, n) in sends {
            sleep(Duration::from_millis(delay)).await;
            feed.send(calls(n, latency_ms))
                .expect("the batch takes them");
        }
    });
}

#[tokio::test(start_paused = true)]
async fn calls_sent_while_the_batch_runs_start_as_they_arrive_and_keep_their_index() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let (stream, feed) =
        executor.execute_batch_stream_fed(4, calls(2, 100), BatchOptions::default());
    feed_later(feed, vec![(30, 1), (20, 1)], 100);
    use CallStatus::Success;
    assert_eq!(
        sorted_arrivals(stream).await,
        [
            (0, Success, 100),
            (1, Success, 100),
            (2, Success, 130),
            (3, Success, 150)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_that_arrives_after_every_earlier_one_ended_still_runs() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let (stream, feed) =
        executor.execute_batch_stream_fed(3, calls(1, 10), BatchOptions::default());
    feed_later(feed, vec![(50, 1), (50, 1)], 10);
    use CallStatus::Success;
    assert_eq!(
        sorted_arrivals(stream).await,
        [(0, Success, 10), (1, Success, 60), (2, Success, 110)]
    );
}

#[tokio::test(start_paused = true)]
async fn a_fed_batch_runs_no_more_calls_at_once_than_its_limit() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let options = BatchOptions::default().with_max_concurrency(3);
    let (stream, feed) = executor.execute_batch_stream_fed(8, calls(2, 100), options);
    feed_later(feed, vec![(0, 6)], 100);
    let ends: Vec<u64> = sorted_arrivals(stream).await.iter().map(|a| a.2).collect();
    assert_eq!(ends, [100, 100, 100, 200, 200, 200, 300, 300]);
}

#[tokio::test(start_paused = true)]
async fn calls_the_feed_never_sent_are_answered_cancelled_and_the_stream_ends() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let (mut stream, mut feed) =
        executor.execute_batch_stream_fed(4, calls(1, 10), BatchOptions::default());
    feed.send(calls(1, 10)).unwrap();
    drop(feed);
    let mut seen = Vec::new();
    while let Some((index, envelope)) = stream.next().await {
        seen.push((index, envelope));
    }
    seen.sort_by_key(|s| s.0);
    let statuses: Vec<_> = seen.iter().map(|(i, e)| (*i, e.status)).collect();
    use CallStatus::{Cancelled, Success};
    assert_eq!(
        statuses,
        [(0, Success), (1, Success), (2, Cancelled), (3, Cancelled)]
    );
    let error = seen[2].1.error.as_ref().unwrap();
    assert_eq!(error.kind, ErrorKind::Cancelled);
    assert_eq!(
        error.message,
        "the batch's feed closed after 2 of 4 calls: this call was never sent"
    );
    // Only the calls that ran are in the history.
    assert_eq!(executor.history().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn dropping_a_fed_batch_tells_its_feed_the_batch_is_gone() {
    let executor = builder().tool(sim("t", latency(0))).build().unwrap();
    let (stream, mut feed) =
        executor.execute_batch_stream_fed(2, calls(1, 10), BatchOptions::default());
    drop(stream);
    assert_eq!(feed.send(calls(1, 10)), Err(toolexec::FeedError::BatchGone));
}

#[tokio::test(start_paused = true)]
async fn a_wide_fed_batch_runs_its_waves_at_its_limit_whenever_the_calls_arrive() {
    let executor = builder()
        .max_concurrency(1_000)
        .tool(sim("t", latency(0)))
        .build()
        .unwrap();
    let (stream, feed) =
        executor.execute_batch_stream_fed(5_000, calls(1_000, 10), BatchOptions::default());
    // Two chunks before the first wave ends, one after the lanes ran dry, one more.
    feed_later(
        feed,
        vec![(0, 1_000), (5, 1_000), (30, 1_000), (0, 1_000)],
        10,
    );
    let seen = sorted_arrivals(stream).await;
    assert!(seen.iter().all(|s| s.1 == CallStatus::Success));
    let mut per_end = std::collections::BTreeMap::new();
    for (_, _, at) in &seen {
        *per_end.entry(*at).or_insert(0) += 1;
    }
    let waves: Vec<(u64, i32)> = per_end.into_iter().collect();
    assert_eq!(
        waves,
        [
            (10, 1_000),
            (20, 1_000),
            (30, 1_000),
            (45, 1_000),
            (55, 1_000)
        ]
    );
}
