//! The engine writing into the SQLite journal: what a batch returns is what the journal
//! holds, byte for byte; a new process continues the batch ids and rebuilds its
//! statistics and history from the journal.

mod common;

use std::sync::Arc;

use common::WAIT;
use serde_json::json;
use toolexec::{BatchOptions, CallStatus, Executor, SimConfig, SimTool, ToolCall};
use toolexec_journal::{EngineJournal, JournalConfig};

fn executor(journal: Arc<EngineJournal>) -> Executor {
    Executor::builder()
        .tool(Arc::new(SimTool::new("echo", SimConfig::default())))
        .journal(journal)
        .build()
        .expect("an executor")
}

#[tokio::test]
async fn a_batch_is_journaled_with_its_inputs_and_envelopes_byte_for_byte() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("journal.db");
    let (journal, report) = EngineJournal::open(&path, JournalConfig::default()).expect("opens");
    assert_eq!(report.calls_interrupted, 0);
    let executor = executor(journal.clone());
    let calls = vec![
        ToolCall::new("echo", json!({"text": "café"})).with_id("a"),
        ToolCall::new("echo", json!({"fail_with": "invalid_input"})),
        ToolCall::new("missing", json!({})),
    ];
    let envelopes = executor.execute_batch(calls, BatchOptions::default()).await;
    journal.flush(WAIT).expect("flushed");

    let store = journal.store();
    let batch = store
        .batch("b-1")
        .expect("readable")
        .expect("journaled as b-1");
    assert_eq!(batch.calls.len(), 3);
    assert_eq!(batch.calls[0].input_json, r#"{"text":"café"}"#);
    for (call, envelope) in batch.calls.iter().zip(&envelopes) {
        assert_eq!(call.call_id, &*envelope.call_id);
        let stored = call.envelope_json.as_deref().expect("ended");
        assert_eq!(stored, serde_json::to_string(envelope).expect("serializes"));
    }
    assert!(batch.summary.ended_at_ms.is_some(), "the batch ended");
}

#[tokio::test]
async fn a_new_process_continues_batch_ids_and_rebuilds_statistics_and_history() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("journal.db");
    let before = {
        let (journal, _) = EngineJournal::open(&path, JournalConfig::default()).expect("opens");
        let executor = executor(journal.clone());
        let calls = (0..4)
            .map(|i| ToolCall::new("echo", json!({"n": i})))
            .chain([ToolCall::new(
                "echo",
                json!({"fail_with": "backend", "fail_attempts": 9}),
            )])
            .collect();
        let _ = executor.execute_batch(calls, BatchOptions::default()).await;
        let _ = executor.execute(ToolCall::new("echo", json!({}))).await;
        journal.flush(WAIT).expect("flushed");
        executor.tool_stats("echo").expect("stats")
    };

    let (journal, _) = EngineJournal::open(&path, JournalConfig::default()).expect("reopens");
    let executor = executor(journal.clone());
    executor.restore(journal.past_calls(1_000).expect("readable"));
    let after = executor.tool_stats("echo").expect("stats");
    assert_eq!(after.total, before.total);
    assert_eq!(after.by_status, before.by_status);
    assert_eq!(after.retries, before.retries);
    assert_eq!(executor.history().len(), 6);
    assert_eq!(
        after.by_status.get(&CallStatus::Failed),
        Some(&1),
        "the failing call is counted as before"
    );

    let _ = executor.execute(ToolCall::new("echo", json!({}))).await;
    journal.flush(WAIT).expect("flushed");
    let newest = journal.store().batches(1, None).expect("readable");
    assert_eq!(newest[0].id, "b-3", "ids go on from the last process's b-2");
}

#[test]
fn a_second_writer_of_the_same_journal_is_refused_until_the_first_is_gone() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("journal.db");
    let (first, _) = EngineJournal::open(&path, JournalConfig::default()).expect("opens");

    let refused = EngineJournal::open(&path, JournalConfig::default()).expect_err("in use");
    assert!(
        matches!(&refused, toolexec_journal::JournalError::InUse { path: p } if *p == path),
        "{refused}"
    );
    assert!(refused.to_string().contains(&path.display().to_string()));
    // Readers need no lock.
    let reader = toolexec_journal::SqliteJournal::open(&path, JournalConfig::default())
        .expect("a reader opens beside the writer");
    drop(reader);

    drop(first);
    let (again, _) = EngineJournal::open(&path, JournalConfig::default()).expect("free again");
    drop(again);
}
