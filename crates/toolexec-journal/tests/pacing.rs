//! The queue's byte budget, and pacing: a writer that is behind but committing asks
//! calls to wait; a stalled one does not (records drop instead, counted).

mod common;

use std::time::{Duration, Instant};

use common::*;
use rusqlite::Connection;
use toolexec_journal::{JournalConfig, JournalError, JournalRecord};

/// Holds the database's write lock from another connection until dropped.
fn hold_write_lock(dir: &std::path::Path) -> Connection {
    let conn = Connection::open(dir.join("journal.db")).expect("second connection");
    conn.execute_batch("BEGIN EXCLUSIVE").expect("locked");
    conn
}

fn wait_until(mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn big_batch(batch_id: &str, bytes: usize) -> JournalRecord {
    let mut calls = accepted_calls(batch_id, &["echo"]);
    calls[0].input_json = format!("\"{}\"", "x".repeat(bytes));
    accepted_with(batch_id, 1, calls)
}

#[test]
fn a_writer_behind_but_committing_paces_calls_and_a_stalled_one_does_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = JournalConfig {
        queue_capacity: 4,
        max_group: 1,
        ..JournalConfig::default()
    };
    let journal = open(dir.path(), config);
    assert!(!journal.pace(), "an empty queue paces nothing");
    let lock = hold_write_lock(dir.path());
    journal.record(accepted("b-1", 1, &["echo"]));
    wait_until(|| journal.health().queued == 0);
    for n in 2..=4 {
        journal.record(accepted(&format!("b-{n}"), n, &["echo"]));
    }
    // Three queued and one in the writer's hands: more than half of four.
    assert!(journal.is_behind());
    assert!(
        journal.pace(),
        "the writer finished its last group just now"
    );

    // The writer stays stuck on the lock: after a second without a group it counts as
    // stalled, and calls are no longer held for it (the server still refuses new work).
    std::thread::sleep(Duration::from_millis(1_100));
    assert!(journal.is_behind());
    assert!(!journal.pace(), "a stalled writer is not waited for");

    drop(lock);
    journal.flush(WAIT).expect("everything committed");
    assert!(!journal.is_behind());
    assert!(!journal.pace());
    assert_eq!(journal.batches(10, None).expect("listed").len(), 4);
}

#[test]
fn the_byte_budget_drops_records_past_it_but_takes_a_large_record_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = JournalConfig {
        queue_bytes: 10_000,
        max_group: 1,
        ..JournalConfig::default()
    };
    let journal = open(dir.path(), config);
    let lock = hold_write_lock(dir.path());
    journal.record(accepted("b-1", 1, &["echo"]));
    wait_until(|| journal.health().queued == 0);

    // Nothing waits: a record past the whole budget is still taken.
    journal.record(big_batch("b-2", 20_000));
    assert_eq!(journal.health().queued, 1);
    assert!(journal.is_behind(), "its bytes are past half the budget");
    // Anything more would pass the budget: dropped and counted, at once.
    journal.record(accepted("b-3", 3, &["echo"]));
    let health = journal.health();
    assert_eq!((health.queued, health.dropped), (1, 1));

    drop(lock);
    let lost = journal.flush(WAIT).expect_err("one was dropped");
    assert!(
        matches!(lost, JournalError::RecordsLost { count: 1, .. }),
        "{lost}"
    );
    let stored = journal.batch("b-2").expect("read").expect("stored");
    assert_eq!(stored.calls[0].input_json.len(), 20_002);
    assert!(journal.batch("b-3").expect("read").is_none());
    assert!(!journal.is_behind());
}
