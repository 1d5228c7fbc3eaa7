//! A journal that falls behind paces calls: a call about to start waits while the
//! journal asks it to, at most `JOURNAL_PACE_MAX`, never past its deadline, and not once
//! its batch is cancelled. Timed on paused tokio time, to the millisecond.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{builder, latency, ms, sim};
use parking_lot::Mutex;
use serde_json::json;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use toolexec::{
    BatchOptions, CallStatus, Envelope, Executor, Journal, JournalBatch, ToolCall, JOURNAL_PACE_MAX,
};

/// A journal that asks calls to wait until a given instant (forever when `None`).
#[derive(Debug)]
struct Pacer {
    until: Mutex<Option<Instant>>,
}

impl Pacer {
    fn until(until: Option<Instant>) -> Arc<Self> {
        Arc::new(Self {
            until: Mutex::new(until),
        })
    }
}

impl Journal for Pacer {
    fn new_batch_id(&self) -> Arc<str> {
        "b-1".into()
    }
    fn batch_accepted(&self, _: &JournalBatch, _: &[ToolCall]) {}
    fn call_started(&self, _: &Arc<str>, _: u64) {}
    fn call_ended(&self, _: &Arc<str>, _: u64, _: &Envelope) {}
    fn batch_ended(&self, _: &Arc<str>) {}
    fn pace(&self) -> bool {
        self.until.lock().is_none_or(|until| Instant::now() < until)
    }
}

fn paced(journal: Arc<Pacer>) -> Executor {
    builder()
        .tool(sim("fast", latency(10)))
        .journal(journal)
        .build()
        .expect("an executor")
}

#[tokio::test(start_paused = true)]
async fn a_call_waits_while_the_journal_paces_and_starts_the_moment_it_stops() {
    let executor = paced(Pacer::until(Some(
        Instant::now() + Duration::from_millis(30),
    )));
    let started = Instant::now();
    let envelope = executor.execute(ToolCall::new("fast", json!({}))).await;
    assert_eq!(envelope.status, CallStatus::Success);
    // 30 ms waiting for the journal, then the tool's 10 ms.
    assert_eq!(started.elapsed(), Duration::from_millis(40));
    assert_eq!(ms(envelope.execution_time_ms), 40);
    assert_eq!(envelope.attempts, 1);
}

#[tokio::test(start_paused = true)]
async fn a_journal_that_never_catches_up_holds_a_call_at_most_the_pace_maximum() {
    let executor = paced(Pacer::until(None));
    let started = Instant::now();
    let envelope = executor.execute(ToolCall::new("fast", json!({}))).await;
    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(
        started.elapsed(),
        JOURNAL_PACE_MAX + Duration::from_millis(10)
    );
}

#[tokio::test(start_paused = true)]
async fn pacing_never_waits_past_the_call_deadline() {
    let executor = paced(Pacer::until(None));
    let started = Instant::now();
    let call = ToolCall::new("fast", json!({})).with_deadline(Duration::from_millis(200));
    let envelope = executor.execute(call).await;
    assert_eq!(started.elapsed(), Duration::from_millis(200));
    assert_eq!(envelope.status, CallStatus::Timeout);
    assert_eq!(ms(envelope.execution_time_ms), 200);
}

#[tokio::test(start_paused = true)]
async fn a_batch_cancelled_while_its_calls_are_paced_ends_them_at_once() {
    let executor = paced(Pacer::until(None));
    let cancel = CancellationToken::new();
    let later = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        later.cancel();
    });
    let started = Instant::now();
    let calls = vec![
        ToolCall::new("fast", json!({})),
        ToolCall::new("fast", json!({})),
    ];
    let envelopes = executor
        .execute_batch(calls, BatchOptions::default().with_cancel(cancel))
        .await;
    assert_eq!(started.elapsed(), Duration::from_millis(50));
    for envelope in envelopes {
        assert_eq!(envelope.status, CallStatus::Cancelled);
        assert_eq!(envelope.attempts, 0);
    }
}

#[tokio::test(start_paused = true)]
async fn a_journal_that_does_not_pace_adds_no_wait() {
    let executor = paced(Pacer::until(Some(Instant::now())));
    let started = Instant::now();
    let envelope = executor.execute(ToolCall::new("fast", json!({}))).await;
    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(started.elapsed(), Duration::from_millis(10));
}
