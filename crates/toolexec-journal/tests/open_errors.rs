//! Files that are not journals, and bad settings, are errors that say which.

use std::path::Path;

use toolexec_journal::{JournalConfig, JournalError, SqliteJournal};

fn open_error(path: &Path, config: JournalConfig) -> JournalError {
    SqliteJournal::open(path, config).expect_err("refused")
}

#[test]
fn corrupt_file_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    let mut state: u32 = 0x2545_f491;
    let noise: Vec<u8> = (0..8_192)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    std::fs::write(&path, noise).expect("written");
    let error = open_error(&path, JournalConfig::default());
    assert!(matches!(error, JournalError::Open { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
    assert!(!error.is_retryable());
}

#[test]
fn text_file_is_not_a_journal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "these are notes, not a database\n".repeat(200)).expect("written");
    let error = open_error(&path, JournalConfig::default());
    assert!(error.to_string().contains("notes.txt"), "{error}");
}

#[test]
fn directory_path_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = open_error(dir.path(), JournalConfig::default());
    assert!(
        error
            .to_string()
            .contains(&dir.path().display().to_string()),
        "{error}"
    );
}

#[test]
fn journal_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    drop(SqliteJournal::open(&path, JournalConfig::default()).expect("created"));
    let conn = rusqlite::Connection::open(&path).expect("opened");
    conn.pragma_update(None, "user_version", 99).expect("set");
    drop(conn);
    let error = open_error(&path, JournalConfig::default());
    assert!(
        matches!(error, JournalError::NewerSchema { found: 99, .. }),
        "{error}"
    );
}

#[test]
fn zero_queue_capacity_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = JournalConfig {
        queue_capacity: 0,
        ..JournalConfig::default()
    };
    let error = open_error(&dir.path().join("journal.db"), config);
    assert!(
        matches!(
            error,
            JournalError::InvalidConfig {
                key: "queue_capacity",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn reopening_keeps_the_schema_and_the_pragmas() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    drop(SqliteJournal::open(&path, JournalConfig::default()).expect("created"));
    drop(SqliteJournal::open(&path, JournalConfig::default()).expect("reopened"));
    let conn = rusqlite::Connection::open(&path).expect("opened");
    let pragma = |name: &str| -> String {
        conn.query_row(&format!("PRAGMA {name}"), [], |row| {
            row.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| format!("{v:?}"))
        .expect("pragma")
    };
    assert_eq!(pragma("journal_mode"), "Text(\"wal\")");
    assert_eq!(pragma("auto_vacuum"), "Integer(2)", "incremental");
    assert_eq!(pragma("user_version"), "Integer(3)");
}
