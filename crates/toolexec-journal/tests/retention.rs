//! Retention deletes old and oversized ended batches, never running ones, never
//! lowers the batch high-water mark, and gives the space back to the file system.

mod common;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use toolexec_journal::{JournalConfig, SqliteJournal};

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as u64
}

/// Retention only when asked (`retain_now`), not on the writer's timer.
fn config(max_age: Option<Duration>, max_bytes: Option<u64>) -> JournalConfig {
    JournalConfig {
        max_age,
        max_bytes,
        retention_interval: Duration::from_secs(3_600),
        ..JournalConfig::default()
    }
}

fn ended_batch(journal: &SqliteJournal, batch_id: &str, at_ms: u64, input_bytes: usize) {
    let mut calls = accepted_calls(batch_id, &["echo", "echo"]);
    for call in &mut calls {
        call.input_json = format!("\"{}\"", "y".repeat(input_bytes));
    }
    journal.record(accepted_with(batch_id, at_ms, calls));
    for index in 0..2 {
        let envelope = envelope(&format!("{batch_id}-c{index}"), "echo", "success", false);
        journal.record(ended(batch_id, index, "success", at_ms + 1, envelope));
    }
    journal.record(batch_ended(batch_id, at_ms + 1));
}

fn ids(journal: &SqliteJournal) -> Vec<String> {
    journal
        .batches(1_000, None)
        .expect("listed")
        .into_iter()
        .map(|b| b.id)
        .collect()
}

fn file_bytes(dir: &Path) -> u64 {
    ["journal.db", "journal.db-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum()
}

fn used_bytes(dir: &Path) -> u64 {
    let conn = rusqlite::Connection::open(dir.join("journal.db")).expect("opened");
    conn.query_row(
        "SELECT (p.page_count - f.freelist_count) * s.page_size
         FROM pragma_page_count() AS p, pragma_freelist_count() AS f, pragma_page_size() AS s",
        [],
        |row| row.get(0),
    )
    .expect("sized")
}

#[test]
fn batches_that_ended_before_max_age_are_deleted_and_running_ones_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), config(Some(Duration::from_secs(3_600)), None));
    let old = now_ms() - 7_200_000;
    ended_batch(&journal, "b-9", old, 10);
    journal.record(accepted("b-2", old, &["echo"]));
    ended_batch(&journal, "b-3", now_ms(), 10);
    journal.flush(WAIT).expect("flushed");

    assert_eq!(journal.retain_now(WAIT).expect("retained"), 1);
    assert_eq!(ids(&journal), ["b-3", "b-2"]);
    assert_eq!(journal.batch("b-9").expect("read"), None);
    assert_eq!(
        journal.next_batch_number().expect("read"),
        10,
        "the high-water mark stays"
    );
    assert_eq!(journal.retain_now(WAIT).expect("retained"), 0);
}

#[test]
fn oldest_ended_batches_go_first_until_the_journal_fits_max_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let max_bytes = 300_000;
    let journal = open(dir.path(), config(None, Some(max_bytes)));
    journal.record(accepted("b-1", 1, &["echo"]));
    for n in 2..=61 {
        ended_batch(&journal, &format!("b-{n}"), 1_000 + n, 10_000);
    }
    journal.flush(WAIT).expect("flushed");
    let before = file_bytes(dir.path());
    assert!(used_bytes(dir.path()) > 1_000_000);

    let deleted = journal.retain_now(WAIT).expect("retained");
    assert!(deleted > 40, "deleted {deleted}");
    assert!(used_bytes(dir.path()) <= max_bytes);
    let kept = ids(&journal);
    assert_eq!(
        kept.last().map(String::as_str),
        Some("b-1"),
        "the running batch stays"
    );
    assert_eq!(kept[0], "b-61", "the newest ended batch stays");
    let kept_ended: Vec<u64> = kept[..kept.len() - 1]
        .iter()
        .map(|id| id[2..].parse().expect("number"))
        .collect();
    let oldest_kept = *kept_ended.iter().min().expect("some kept");
    assert_eq!(
        kept_ended.len() as u64,
        62 - oldest_kept,
        "only the oldest were deleted"
    );
    assert!(
        file_bytes(dir.path()) < before / 2,
        "the file shrank: {before} -> {}",
        file_bytes(dir.path())
    );
    assert_eq!(journal.next_batch_number().expect("read"), 62);
}

#[test]
fn the_writer_enforces_retention_on_its_own_timer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(
        dir.path(),
        JournalConfig {
            max_age: Some(Duration::from_secs(60)),
            retention_interval: Duration::from_millis(20),
            ..JournalConfig::default()
        },
    );
    ended_batch(&journal, "b-1", 1_000, 10);
    journal.flush(WAIT).expect("flushed");
    let deadline = std::time::Instant::now() + WAIT;
    while !ids(&journal).is_empty() {
        assert!(std::time::Instant::now() < deadline, "retention never ran");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(journal.next_batch_number().expect("read"), 2);
}
