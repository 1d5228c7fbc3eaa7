//! Where a call's records land: a start committed before its end has a row of its own,
//! and calls that end out of order in one group are written in key order; either way
//! every read gives back what was recorded.

mod common;

use common::*;
use toolexec_journal::{HistoryQuery, JournalConfig};

#[test]
fn a_start_committed_before_its_end_is_read_back_and_counts_as_an_attempt_when_interrupted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    journal.record(accepted("b-1", 1_000, &["echo", "echo", "echo"]));
    journal.flush(WAIT).expect("flushed");
    journal.record(started("b-1", 0, 1_001));
    journal.record(started("b-1", 1, 1_002));
    journal.flush(WAIT).expect("flushed");
    journal.record(ended(
        "b-1",
        0,
        "success",
        1_010,
        envelope("b-1-c0", "echo", "success", false),
    ));
    journal.flush(WAIT).expect("flushed");

    let batch = journal.batch("b-1").expect("read").expect("stored");
    let started: Vec<Option<u64>> = batch.calls.iter().map(|c| c.started_at_ms).collect();
    assert_eq!(started, [Some(1_001), Some(1_002), None]);

    let report = journal.recover(2_000).expect("recovered");
    assert_eq!(report.calls_interrupted, 2);
    let batch = journal.batch("b-1").expect("read").expect("stored");
    let attempts_of = |index: usize| -> u64 {
        let envelope: serde_json::Value =
            serde_json::from_str(batch.calls[index].envelope_json.as_deref().expect("ended"))
                .expect("json");
        envelope["attempts"].as_u64().expect("attempts")
    };
    assert_eq!(batch.calls[1].status.as_deref(), Some("interrupted"));
    assert_eq!(attempts_of(1), 1, "started: one attempt");
    assert_eq!(attempts_of(2), 0, "never started");
    assert_eq!(batch.calls[1].started_at_ms, Some(1_002));
    journal.close().expect("closed");
}

#[test]
fn calls_ending_out_of_order_across_groups_are_all_stored_and_read_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    let tools = vec!["echo"; 400];
    journal.record(accepted("b-1", 1_000, &tools));
    journal.flush(WAIT).expect("flushed");
    // Every other call first, highest index first, then the rest in a later group,
    // with a start of its own for some.
    let end = |index: u32, at_ms: u64| {
        let call_id = format!("b-1-c{index}");
        journal.record(ended(
            "b-1",
            index,
            "success",
            at_ms,
            envelope(&call_id, "echo", "success", false),
        ));
    };
    for index in (0..400).rev().filter(|i| i % 2 == 0) {
        end(index, 2_000 + u64::from(index));
    }
    for index in (0..400).filter(|i| i % 4 == 1) {
        journal.record(started("b-1", index, 1_500));
    }
    journal.flush(WAIT).expect("flushed");
    for index in (0..400).rev().filter(|i| i % 2 == 1) {
        end(index, 3_000 + u64::from(index));
    }
    journal.flush(WAIT).expect("flushed");

    let batch = journal.batch("b-1").expect("read").expect("stored");
    assert_eq!(batch.summary.unfinished, 0);
    for (index, call) in (0u32..).zip(&batch.calls) {
        assert_eq!(call.index, index);
        let expected = envelope(&format!("b-1-c{index}"), "echo", "success", false);
        assert_eq!(call.envelope_json.as_deref(), Some(expected.as_str()));
        let started = (index % 4 == 1).then_some(1_500);
        assert_eq!(call.started_at_ms, started, "call {index}");
    }
    let query = HistoryQuery {
        limit: 3,
        ..HistoryQuery::default()
    };
    let newest: Vec<u64> = journal
        .history(&query)
        .expect("history")
        .iter()
        .map(|row| row.ended_at_ms)
        .collect();
    assert_eq!(newest, [3_399, 3_397, 3_395]);
    assert_eq!(journal.health().dropped, 0);
    journal.close().expect("closed");
}

#[test]
fn a_second_end_of_a_call_is_refused_and_counted_and_the_first_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    let tools = vec!["echo"; 40];
    journal.record(accepted("b-1", 1_000, &tools));
    for index in 0..20 {
        let call_id = format!("b-1-c{index}");
        let text = envelope(&call_id, "echo", "success", false);
        journal.record(ended("b-1", index, "success", 1_100, text));
    }
    journal.flush(WAIT).expect("flushed");
    // A full statement's worth of ends and more, two of them second ends.
    for index in 3..23 {
        let call_id = format!("b-1-c{index}");
        let text = envelope(&call_id, "echo", "failed", false);
        journal.record(ended("b-1", index, "failed", 1_200, text));
    }
    let lost = journal.flush(WAIT).expect_err("17 second ends refused");
    assert!(
        matches!(
            lost,
            toolexec_journal::JournalError::RecordsLost { count: 17, .. }
        ),
        "{lost}"
    );
    let batch = journal.batch("b-1").expect("read").expect("stored");
    let statuses: Vec<&str> = batch.calls[..23]
        .iter()
        .map(|c| c.status.as_deref().expect("ended"))
        .collect();
    let mut expected = vec!["success"; 20];
    expected.extend(["failed"; 3]);
    assert_eq!(statuses, expected);
    journal.close().expect("closed");
}

#[test]
fn a_second_start_of_a_call_is_refused_and_counted_and_the_first_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    journal.record(accepted("b-1", 1_000, &["echo"]));
    journal.flush(WAIT).expect("flushed");
    journal.record(started("b-1", 0, 1_001));
    journal.flush(WAIT).expect("flushed");
    journal.record(started("b-1", 0, 1_005));
    let lost = journal.flush(WAIT).expect_err("the second start refused");
    assert!(
        matches!(
            lost,
            toolexec_journal::JournalError::RecordsLost { count: 1, .. }
        ),
        "{lost}"
    );
    let batch = journal.batch("b-1").expect("read").expect("stored");
    assert_eq!(batch.calls[0].started_at_ms, Some(1_001));
    journal.close().expect("closed");
}
