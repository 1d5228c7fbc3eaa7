//! A full disk, a full queue and a writer held up by a lock: `record` never blocks,
//! losses are counted, health says so, and it heals.

mod common;

use std::time::{Duration, Instant};

use common::*;
use rusqlite::Connection;
use toolexec_journal::{HealthState, JournalConfig, JournalError, JournalRecord};

fn big_batch(batch_id: &str, bytes: usize) -> JournalRecord {
    let mut calls = accepted_calls(batch_id, &["echo"]);
    calls[0].input_json = format!("\"{}\"", "x".repeat(bytes));
    accepted_with(batch_id, 1, calls)
}

#[test]
fn full_disk_degrades_health_counts_losses_and_heals_when_space_returns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = JournalConfig {
        max_page_count: Some(12),
        ..JournalConfig::default()
    };
    let journal = open(dir.path(), config);
    let started = Instant::now();
    for n in 1..=5 {
        journal.record(big_batch(&format!("b-{n}"), 200_000));
    }
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "record returned at once"
    );
    let lost = journal.flush(WAIT).expect_err("the disk is full");
    assert!(
        matches!(lost, JournalError::RecordsLost { count: 5, .. }),
        "{lost}"
    );
    let health = journal.health();
    assert_eq!(health.dropped, 5);
    assert_eq!(health.written, 0);
    let error = health.last_error.expect("the error is kept");
    assert!(error.contains("full"), "{error}");
    assert!(matches!(&health.state, HealthState::Degraded { reason } if reason.contains("full")));

    journal.record(big_batch("b-6", 200_000));
    assert!(journal.flush(WAIT).is_err(), "still full is still lost");
    assert_eq!(journal.health().dropped, 6);

    journal.set_max_page_count(100_000).expect("sent");
    journal.record(big_batch("b-7", 200_000));
    journal.flush(WAIT).expect("space is back");
    let health = journal.health();
    assert_eq!(health.state, HealthState::Healthy);
    assert_eq!(health.written, 1);
    assert_eq!(health.dropped, 6);
    let ids: Vec<_> = journal
        .batches(10, None)
        .expect("listed")
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(ids, ["b-7"]);
}

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

#[test]
fn full_queue_drops_and_counts_records_without_blocking() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One record per group: once the writer has taken the first record it is stuck
    // on the lock and takes nothing more.
    let config = JournalConfig {
        queue_capacity: 4,
        max_group: 1,
        ..JournalConfig::default()
    };
    let journal = open(dir.path(), config);
    let lock = hold_write_lock(dir.path());
    journal.record(accepted("b-1", 1, &["echo"]));
    wait_until(|| journal.health().queued == 0);

    let started = Instant::now();
    for n in 2..=11 {
        journal.record(accepted(&format!("b-{n}"), n, &["echo"]));
    }
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "record returned at once"
    );
    let health = journal.health();
    assert_eq!(health.queued, 4);
    assert_eq!(health.dropped, 6);
    assert!(matches!(health.state, HealthState::Degraded { .. }));

    lock.execute_batch("COMMIT").expect("released");
    let lost = journal.flush(WAIT).expect_err("six were dropped");
    assert!(
        matches!(lost, JournalError::RecordsLost { count: 6, .. }),
        "{lost}"
    );
    assert_eq!(journal.batches(100, None).expect("listed").len(), 5);

    journal.record(accepted("b-12", 12, &["echo"]));
    journal
        .flush(WAIT)
        .expect("nothing lost since the last flush");
    assert_eq!(journal.health().state, HealthState::Healthy);
}

#[test]
fn flush_returns_a_timeout_error_while_the_writer_is_held_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    let lock = hold_write_lock(dir.path());
    journal.record(accepted("b-1", 1, &["echo"]));
    let started = Instant::now();
    let error = journal
        .flush(Duration::from_millis(100))
        .expect_err("held up");
    assert!(
        matches!(error, JournalError::FlushTimeout { .. }),
        "{error}"
    );
    assert!(error.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2), "did not hang");
    lock.execute_batch("COMMIT").expect("released");
    journal
        .flush(WAIT)
        .expect("committed once the lock is gone");
    assert_eq!(journal.batches(10, None).expect("listed").len(), 1);
}

#[test]
fn dropping_the_journal_does_not_hang_on_a_held_up_writer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    let lock = hold_write_lock(dir.path());
    journal.record(accepted("b-1", 1, &["echo"]));
    let started = Instant::now();
    drop(journal);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(4), "drop waited {waited:?}");
    lock.execute_batch("COMMIT").expect("released");
}
