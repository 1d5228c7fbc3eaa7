//! Journals written by earlier schemas open with this build. The first schema kept
//! ends in the `calls` rows: they move to the `ends` table once, byte for byte. The
//! second kept every start in `calls`: those stay, and later starts go to `starts`.
//! Every read and recovery works on the old rows as on new ones.

use rusqlite::{params, Connection};
use toolexec_journal::{HistoryQuery, JournalConfig, SqliteJournal};

/// The first schema, as the journal's first release created it.
const SCHEMA_V1: &str = "
PRAGMA page_size = 8192;
PRAGMA auto_vacuum = INCREMENTAL;
PRAGMA journal_mode = WAL;
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('batch_high_water', 2);
CREATE TABLE batches (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, accepted_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER, interrupted INTEGER NOT NULL DEFAULT 0, redrive_of TEXT,
    call_count INTEGER NOT NULL);
CREATE INDEX batches_by_end ON batches (ended_at_ms);
CREATE TABLE calls (
    key INTEGER PRIMARY KEY, call_id TEXT NOT NULL, tool TEXT NOT NULL,
    input_json TEXT NOT NULL, idempotency_key TEXT, overrides_json TEXT,
    started_at_ms INTEGER, status TEXT, error_kind TEXT, attempts INTEGER,
    latency_ms REAL, ended_at_ms INTEGER, fallback INTEGER, envelope_json TEXT);
CREATE INDEX calls_by_end ON calls (ended_at_ms);
PRAGMA user_version = 1;
";

/// An envelope exactly as the first release stored it (odd spacing on purpose: it
/// must come back byte for byte).
const ENDED_ENVELOPE: &str = r#"{"call_id":"c-1","tool_name":"echo","status":"failed", "success":true,"result":{"v":1},"error":{"kind":"tool_error","message":"no","retryable":false},"attempts":2,"execution_time_ms":12.5,"fallback":true,"attempt_log":[]}"#;

fn all() -> HistoryQuery {
    HistoryQuery {
        limit: 100,
        ..HistoryQuery::default()
    }
}

fn first_release_journal(path: &std::path::Path) {
    let conn = Connection::open(path).expect("opened");
    conn.execute_batch(SCHEMA_V1).expect("v1 schema");
    // b-1 ended; b-2 was running when its process died: one call ended, one did not.
    conn.execute(
        "INSERT INTO batches (seq, id, accepted_at_ms, ended_at_ms, call_count)
         VALUES (1, 'b-1', 1000, 1100, 1), (2, 'b-2', 2000, NULL, 2)",
        [],
    )
    .expect("batches");
    let insert = "INSERT INTO calls (key, call_id, tool, input_json, started_at_ms, status,
                       error_kind, attempts, latency_ms, ended_at_ms, fallback, envelope_json)
                  VALUES (?1, ?2, 'echo', '{\"n\": 1}', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    let ended = params![
        1_i64 << 32,
        "c-1",
        1010,
        "failed",
        "tool_error",
        2,
        12.5,
        1050,
        1,
        ENDED_ENVELOPE
    ];
    conn.execute(insert, ended).expect("an ended call");
    let second_ended = params![
        2_i64 << 32,
        "c-2",
        2010,
        "success",
        None::<String>,
        1,
        3.0,
        2020,
        0,
        r#"{"status":"success"}"#
    ];
    conn.execute(insert, second_ended).expect("an ended call");
    conn.execute(
        "INSERT INTO calls (key, call_id, tool, input_json, started_at_ms)
         VALUES (?1, 'c-3', 'echo', '{}', 2015)",
        [(2_i64 << 32) | 1],
    )
    .expect("a running call");
}

#[test]
fn a_first_release_journal_opens_with_its_ends_intact_and_recovers_its_running_calls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    first_release_journal(&path);

    let journal = SqliteJournal::open(&path, JournalConfig::default()).expect("migrated");
    let version: u32 = Connection::open(&path)
        .expect("opened")
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("a version");
    assert_eq!(version, 3);

    let b1 = journal.batch("b-1").expect("read").expect("stored");
    assert_eq!(b1.calls[0].envelope_json.as_deref(), Some(ENDED_ENVELOPE));
    assert_eq!(b1.calls[0].status.as_deref(), Some("failed"));
    assert_eq!(b1.calls[0].started_at_ms, Some(1010));
    assert_eq!(b1.calls[0].input_json, r#"{"n": 1}"#);
    assert_eq!(b1.summary.unfinished, 0);

    let history = journal.history(&all()).expect("history");
    let failed = history
        .iter()
        .find(|row| row.call_id == "c-1")
        .expect("c-1");
    assert_eq!((failed.attempts, failed.fallback), (2, true));
    assert_eq!(failed.error_kind.as_deref(), Some("tool_error"));

    let report = journal.recover(3_000).expect("recovered");
    assert_eq!(report.calls_interrupted, 1);
    let b2 = journal.batch("b-2").expect("read").expect("stored");
    assert_eq!(b2.calls[0].status.as_deref(), Some("success"));
    assert_eq!(b2.calls[1].status.as_deref(), Some("interrupted"));
    assert_eq!(b2.calls[1].started_at_ms, Some(2015));
    assert!(b2.summary.interrupted);
    assert_eq!(journal.next_batch_number().expect("a number"), 3);
    journal.close().expect("closed");
}

#[test]
fn opening_a_migrated_journal_again_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    first_release_journal(&path);
    SqliteJournal::open(&path, JournalConfig::default())
        .expect("migrated")
        .close()
        .expect("closed");
    let journal = SqliteJournal::open(&path, JournalConfig::default()).expect("reopened");
    let rows = journal.history(&all()).expect("history");
    assert_eq!(rows.len(), 2);
    journal.close().expect("closed");
}

/// The second schema, as the journal's second release created it.
const SCHEMA_V2: &str = "
PRAGMA page_size = 8192;
PRAGMA auto_vacuum = INCREMENTAL;
PRAGMA journal_mode = WAL;
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('batch_high_water', 1);
CREATE TABLE batches (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, accepted_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER, interrupted INTEGER NOT NULL DEFAULT 0, redrive_of TEXT,
    call_count INTEGER NOT NULL);
CREATE INDEX batches_by_end ON batches (ended_at_ms);
CREATE TABLE calls (
    key INTEGER PRIMARY KEY, call_id TEXT NOT NULL, tool TEXT NOT NULL,
    input_json TEXT NOT NULL, idempotency_key TEXT, overrides_json TEXT,
    started_at_ms INTEGER);
CREATE TABLE ends (
    key INTEGER PRIMARY KEY, tool TEXT NOT NULL, started_at_ms INTEGER,
    status TEXT NOT NULL, error_kind TEXT, attempts INTEGER NOT NULL,
    latency_ms REAL NOT NULL, ended_at_ms INTEGER NOT NULL, fallback INTEGER NOT NULL,
    envelope_json TEXT NOT NULL);
CREATE INDEX ends_by_end ON ends (ended_at_ms);
INSERT INTO batches (seq, id, accepted_at_ms, ended_at_ms, call_count)
    VALUES (1, 'b-1', 1000, NULL, 3);
INSERT INTO calls (key, call_id, tool, input_json, started_at_ms) VALUES
    (4294967296, 'c-0', 'echo', '{}', 1001),
    (4294967297, 'c-1', 'echo', '{}', 1002),
    (4294967298, 'c-2', 'echo', '{}', NULL);
INSERT INTO ends (key, tool, started_at_ms, status, attempts, latency_ms, ended_at_ms,
                  fallback, envelope_json)
    VALUES (4294967296, 'echo', NULL, 'success', 1, 9.0, 1010, 0, '{\"status\":\"success\"}');
PRAGMA user_version = 2;
";

#[test]
fn a_second_release_journal_keeps_its_starts_and_takes_new_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    Connection::open(&path)
        .expect("opened")
        .execute_batch(SCHEMA_V2)
        .expect("v2 schema");

    let journal = SqliteJournal::open(&path, JournalConfig::default()).expect("migrated");
    let b1 = journal.batch("b-1").expect("read").expect("stored");
    let started: Vec<Option<u64>> = b1.calls.iter().map(|c| c.started_at_ms).collect();
    assert_eq!(started, [Some(1001), Some(1002), None]);
    assert_eq!(
        b1.calls[0].envelope_json.as_deref(),
        Some(r#"{"status":"success"}"#)
    );

    journal.record(toolexec_journal::JournalRecord::CallStarted {
        batch_id: "b-1".into(),
        index: 2,
        at_ms: 1003,
    });
    journal
        .flush(std::time::Duration::from_secs(10))
        .expect("flushed");
    let report = journal.recover(3_000).expect("recovered");
    assert_eq!(report.calls_interrupted, 2);
    let b1 = journal.batch("b-1").expect("read").expect("stored");
    assert_eq!(b1.calls[2].started_at_ms, Some(1003));
    for call in &b1.calls[1..] {
        assert_eq!(call.status.as_deref(), Some("interrupted"));
        assert!(call
            .envelope_json
            .as_deref()
            .expect("ended")
            .contains(r#""attempts":1"#));
    }
    let version: u32 = Connection::open(&path)
        .expect("opened")
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("a version");
    assert_eq!(version, 3);
    journal.close().expect("closed");
}
