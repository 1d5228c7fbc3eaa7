//! The writer is a background thread: on Linux it runs at the configured nice value
//! (10 by default), so the threads running calls come first when the cores are busy.
#![cfg(target_os = "linux")]

mod common;

use common::*;
use toolexec_journal::{JournalConfig, JournalError};

/// The nice values of this process's threads named `toolexec-journal`
/// (`/proc/self/task/*/stat`, field 19).
fn writer_nice_values() -> Vec<i32> {
    let mut values = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").expect("tasks") {
        let dir = task.expect("a task").path();
        let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        // The kernel keeps 15 bytes of a thread's name.
        if name.trim() != &"toolexec-journal"[..15] {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
        // Fields after the parenthesized name, which may hold spaces.
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let nice = after_name
            .split_whitespace()
            .nth(16)
            .expect("the nice field");
        values.push(nice.parse().expect("a number"));
    }
    values
}

#[test]
fn the_writer_runs_at_its_configured_nice_value_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    journal.flush(WAIT).expect("the writer is running");
    assert_eq!(writer_nice_values(), [10]);
    journal.close().expect("closed");

    let config = JournalConfig {
        writer_niceness: 15,
        ..JournalConfig::default()
    };
    let journal = open(dir.path(), config);
    journal.flush(WAIT).expect("the writer is running");
    assert_eq!(writer_nice_values(), [15]);
    journal.close().expect("closed");

    let config = JournalConfig {
        writer_niceness: 20,
        ..JournalConfig::default()
    };
    let refused = toolexec_journal::SqliteJournal::open(dir.path().join("j2.db"), config)
        .expect_err("out of range");
    assert!(
        matches!(
            refused,
            JournalError::InvalidConfig {
                key: "writer_niceness",
                ..
            }
        ),
        "{refused}"
    );
}
