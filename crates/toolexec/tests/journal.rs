//! The executor writes each batch and call down in its journal as they are accepted,
//! start and end: every call's envelope exactly as the caller gets it, and the batch's
//! end once every call has ended, even when the batch is dropped.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{builder, latency, sim};
use parking_lot::Mutex;
use serde_json::json;
use toolexec::{BatchOptions, CallStatus, Envelope, ErrorKind, Journal, JournalBatch, ToolCall};

/// What the journal was told, in order.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Accepted {
        batch: JournalBatch,
        calls: Vec<(String, String)>,
    },
    Started(String, u64),
    Ended(String, u64, Box<Envelope>),
    BatchEnded(String),
}

#[derive(Debug, Default)]
struct Recorder {
    entries: Mutex<Vec<Entry>>,
    ids: AtomicU64,
}

impl Recorder {
    fn entries(&self) -> Vec<Entry> {
        self.entries.lock().clone()
    }

    fn ended(&self) -> Vec<(u64, Envelope)> {
        let entries = self.entries();
        entries
            .into_iter()
            .filter_map(|e| match e {
                Entry::Ended(_, index, envelope) => Some((index, *envelope)),
                _ => None,
            })
            .collect()
    }
}

impl Journal for Recorder {
    fn new_batch_id(&self) -> Arc<str> {
        format!("j-{}", self.ids.fetch_add(1, Ordering::SeqCst) + 1).into()
    }

    fn batch_accepted(&self, batch: &JournalBatch, calls: &[ToolCall]) {
        let calls = (0u64..)
            .zip(calls)
            .map(|(i, c)| (batch.call_id(i, c).to_string(), c.tool.clone()))
            .collect();
        self.entries.lock().push(Entry::Accepted {
            batch: batch.clone(),
            calls,
        });
    }

    fn call_started(&self, batch_id: &Arc<str>, index: u64) {
        self.entries
            .lock()
            .push(Entry::Started(batch_id.to_string(), index));
    }

    fn call_ended(&self, batch_id: &Arc<str>, index: u64, envelope: &Envelope) {
        let entry = Entry::Ended(batch_id.to_string(), index, Box::new(envelope.clone()));
        self.entries.lock().push(entry);
    }

    fn batch_ended(&self, batch_id: &Arc<str>) {
        self.entries
            .lock()
            .push(Entry::BatchEnded(batch_id.to_string()));
    }
}

fn journaled() -> (toolexec::Executor, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let executor = builder()
        .tool(sim("slow", latency(10)))
        .journal(recorder.clone())
        .build()
        .expect("an executor");
    (executor, recorder)
}

#[tokio::test(start_paused = true)]
async fn a_batch_is_journaled_accepted_then_each_call_started_and_ended_then_the_batch_ended() {
    let (executor, journal) = journaled();
    let calls = vec![
        ToolCall::new("slow", json!({})).with_id("first"),
        ToolCall::new("slow", json!({})),
        ToolCall::new("missing", json!({})).with_id("nowhere"),
    ];
    let options = BatchOptions::default().with_batch_id("b-7");
    let envelopes = executor.execute_batch(calls, options).await;

    let entries = journal.entries();
    let Entry::Accepted { batch, calls } = &entries[0] else {
        panic!("the batch comes first: {entries:?}");
    };
    assert_eq!(&*batch.id, "b-7");
    assert_eq!(batch.redrive_of, None);
    // The call without an id is journaled under the id its envelope carries.
    assert_eq!(calls[1].0, &*envelopes[1].call_id);
    assert_eq!(calls[0], ("first".to_owned(), "slow".to_owned()));
    assert_eq!(entries.last(), Some(&Entry::BatchEnded("b-7".into())));
    let batch_ends = entries
        .iter()
        .filter(|e| matches!(e, Entry::BatchEnded(_)))
        .count();
    assert_eq!(batch_ends, 1);

    let started: Vec<u64> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Started(_, index) => Some(*index),
            _ => None,
        })
        .collect();
    // The unknown tool never starts, but it ends.
    assert_eq!(started, [0, 1]);
    let mut ended = journal.ended();
    ended.sort_by_key(|(index, _)| *index);
    let journaled: Vec<Envelope> = ended.into_iter().map(|(_, e)| e).collect();
    assert_eq!(journaled, envelopes);
    assert_eq!(journaled[2].error_kind(), Some(ErrorKind::NotFound));
}

#[tokio::test(start_paused = true)]
async fn a_batch_without_an_id_gets_one_from_the_journal_and_a_redrive_names_its_source() {
    let (executor, journal) = journaled();
    let calls = vec![ToolCall::new("slow", json!({}))];
    let options = BatchOptions::default().with_redrive_of("b-1");
    let _ = executor.execute_batch(calls, options).await;
    let Entry::Accepted { batch, .. } = &journal.entries()[0] else {
        panic!("accepted first");
    };
    assert_eq!(&*batch.id, "j-1");
    assert_eq!(batch.redrive_of.as_deref(), Some("b-1"));
}

#[tokio::test(start_paused = true)]
async fn a_lone_call_is_journaled_as_a_batch_of_one() {
    let (executor, journal) = journaled();
    let envelope = executor.execute(ToolCall::new("slow", json!({}))).await;
    let entries = journal.entries();
    assert_eq!(entries.len(), 4, "{entries:?}");
    assert!(matches!(&entries[0], Entry::Accepted { calls, .. } if calls.len() == 1));
    assert_eq!(entries[1], Entry::Started("j-1".into(), 0));
    assert_eq!(
        entries[2],
        Entry::Ended("j-1".into(), 0, Box::new(envelope))
    );
    assert_eq!(entries[3], Entry::BatchEnded("j-1".into()));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_batch_journals_every_call_as_cancelled_and_the_batch_as_ended() {
    let recorder = Arc::new(Recorder::default());
    let executor = builder()
        .max_concurrency(2)
        .tool(sim("slow", latency(1_000)))
        .journal(recorder.clone())
        .build()
        .expect("an executor");
    let calls: Vec<ToolCall> = (0..5).map(|_| ToolCall::new("slow", json!({}))).collect();
    let batch = executor.execute_batch(calls, BatchOptions::default().with_batch_id("b-9"));
    let outcome = tokio::time::timeout(Duration::from_millis(100), batch).await;
    assert!(outcome.is_err(), "the batch was still running");
    // The lanes' tasks see their abort on their next poll.
    common::settle_history(&executor, 5).await;

    let ended = recorder.ended();
    assert_eq!(ended.len(), 5, "{:?}", recorder.entries());
    for (_, envelope) in &ended {
        assert_eq!(envelope.status, CallStatus::Cancelled);
    }
    let mut indices: Vec<u64> = ended.iter().map(|(index, _)| *index).collect();
    indices.sort_unstable();
    assert_eq!(indices, [0, 1, 2, 3, 4]);
    assert_eq!(
        recorder.entries().last(),
        Some(&Entry::BatchEnded("b-9".into()))
    );
}

#[tokio::test(start_paused = true)]
async fn an_executor_without_a_journal_leaves_calls_as_they_were() {
    let executor = builder()
        .tool(sim("slow", latency(10)))
        .build()
        .expect("an executor");
    let envelope = executor.execute(ToolCall::new("slow", json!({}))).await;
    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(&*envelope.call_id, "c-0");
}

#[tokio::test(start_paused = true)]
async fn a_journaled_fed_batch_is_accepted_whole_before_any_call_starts() {
    let (executor, journal) = journaled();
    let first = vec![ToolCall::new("slow", json!({})).with_id("a")];
    let (mut stream, mut feed) =
        executor.execute_batch_stream_fed(3, first, BatchOptions::default());
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let rest = ["b", "c"].map(|id| ToolCall::new("slow", json!({})).with_id(id));
        feed.send(rest.into()).expect("the batch takes them");
    });
    let start = tokio::time::Instant::now();
    let mut ended = Vec::new();
    while let Some((index, envelope)) = futures::StreamExt::next(&mut stream).await {
        ended.push((index, envelope.status, start.elapsed()));
    }
    ended.sort_by_key(|e| e.0);
    let at = Duration::from_millis(60);
    assert_eq!(
        ended,
        [0, 1, 2].map(|i| (i, CallStatus::Success, at)).to_vec(),
        "no call started before the last arrived at 50 ms"
    );
    let entries = journal.entries();
    let Entry::Accepted { calls, .. } = &entries[0] else {
        panic!("the batch comes first: {entries:?}");
    };
    let ids: Vec<&str> = calls.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
}
