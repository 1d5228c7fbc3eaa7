//! What is recorded is read back byte for byte, in listings, details, history and
//! totals, whether a call's records land in one group or in several.

mod common;

use common::*;
use toolexec_journal::{HealthState, HistoryQuery, JournalConfig, SqliteJournal};

/// b-1: every record in its own group (inserts, then updates); b-2: all in one go.
fn recorded_journal(dir: &std::path::Path) -> SqliteJournal {
    let journal = open(dir, JournalConfig::default());
    let step = |record| {
        journal.record(record);
        journal.flush(WAIT).expect("flushed");
    };
    step(accepted("b-1", 1_000, &["echo", "sum"]));
    step(started("b-1", 0, 1_001));
    step(ended(
        "b-1",
        0,
        "success",
        1_010,
        envelope("b-1-c0", "echo", "success", false),
    ));
    step(started("b-1", 1, 1_002));
    step(ended(
        "b-1",
        1,
        "timeout",
        1_020,
        envelope("b-1-c1", "sum", "timeout", true),
    ));
    step(batch_ended("b-1", 1_020));

    journal.record(accepted("b-2", 2_000, &["echo", "echo", "sum"]));
    journal.record(started("b-2", 0, 2_001));
    journal.record(ended(
        "b-2",
        0,
        "failed",
        2_030,
        envelope("b-2-c0", "echo", "failed", false),
    ));
    journal.record(started("b-2", 1, 2_002));
    journal.record(ended(
        "b-2",
        1,
        "success",
        2_040,
        envelope("b-2-c1", "echo", "success", false),
    ));
    journal.record(started("b-2", 2, 2_003));
    journal.flush(WAIT).expect("flushed");
    journal
}

#[test]
fn accepted_started_and_ended_calls_read_back_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = recorded_journal(dir.path());
    for (batch_id, tools) in [
        ("b-1", &["echo", "sum"][..]),
        ("b-2", &["echo", "echo", "sum"][..]),
    ] {
        let detail = journal.batch(batch_id).expect("read").expect("stored");
        let calls = accepted_calls(batch_id, tools);
        assert_eq!(detail.calls.len(), calls.len());
        for (stored, given) in detail.calls.iter().zip(&calls) {
            assert_eq!(stored.index, given.index);
            assert_eq!(stored.call_id, given.call_id);
            assert_eq!(stored.tool, given.tool);
            assert_eq!(stored.input_json, given.input_json);
            assert_eq!(stored.idempotency_key, given.idempotency_key);
            assert_eq!(stored.overrides_json, given.overrides_json);
        }
    }
    let b1 = journal.batch("b-1").expect("read").expect("stored");
    assert_eq!(b1.summary.ended_at_ms, Some(1_020));
    assert_eq!(b1.calls[0].status.as_deref(), Some("success"));
    assert_eq!(
        b1.calls[1].envelope_json.as_deref(),
        Some(envelope("b-1-c1", "sum", "timeout", true).as_str())
    );
    assert_eq!(b1.calls[1].started_at_ms, Some(1_002));

    let b2 = journal.batch("b-2").expect("read").expect("stored");
    assert_eq!(b2.summary.ended_at_ms, None);
    assert_eq!(
        b2.calls[0].envelope_json.as_deref(),
        Some(envelope("b-2-c0", "echo", "failed", false).as_str())
    );
    assert_eq!(b2.calls[2].status, None, "started, not ended");
    assert_eq!(b2.calls[2].started_at_ms, Some(2_003));
    assert_eq!(b2.calls[2].envelope_json, None);
    assert_eq!(journal.batch("b-9").expect("read"), None);
}

#[test]
fn listing_is_newest_first_with_counts_and_pages_with_before() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = recorded_journal(dir.path());
    let all = journal.batches(10, None).expect("listed");
    let ids: Vec<_> = all.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["b-2", "b-1"]);
    assert_eq!(all[0].calls, 3);
    assert_eq!(all[0].unfinished, 1);
    assert_eq!(all[0].counts.get("failed"), Some(&1));
    assert_eq!(all[0].counts.get("success"), Some(&1));
    assert_eq!(all[1].counts.get("timeout"), Some(&1));
    assert_eq!(all[1].accepted_at_ms, 1_000);
    assert!(!all[1].interrupted);

    let first_page = journal.batches(1, None).expect("listed");
    assert_eq!(first_page[0].id, "b-2");
    let second_page = journal.batches(1, Some("b-2")).expect("listed");
    assert_eq!(second_page.len(), 1);
    assert_eq!(second_page[0].id, "b-1");
    assert!(journal.batches(1, Some("b-1")).expect("listed").is_empty());
}

#[test]
fn history_is_newest_first_and_filters_by_tool_status_and_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = recorded_journal(dir.path());
    let query = |tool: Option<&str>, status: Option<&str>, since, until| HistoryQuery {
        tool: tool.map(str::to_owned),
        status: status.map(str::to_owned),
        since_ms: since,
        until_ms: until,
        limit: 100,
    };
    let keys = |rows: Vec<toolexec_journal::HistoryRow>| {
        rows.iter()
            .map(|r| format!("{}/{}", r.batch_id, r.index))
            .collect::<Vec<_>>()
    };
    let all = journal
        .history(&query(None, None, None, None))
        .expect("history");
    assert_eq!(all.len(), 4, "the started-only call is not history");
    assert_eq!(all[0].call_id, "b-2-c1");
    assert_eq!(all[0].ended_at_ms, 2_040);
    assert_eq!(all[0].attempts, 2);
    assert_eq!(all[0].latency_ms, 13.5);
    assert_eq!(all[2].error_kind.as_deref(), Some("timeout"));
    assert_eq!(keys(all), ["b-2/1", "b-2/0", "b-1/1", "b-1/0"]);

    let echo = journal
        .history(&query(Some("echo"), None, None, None))
        .expect("history");
    assert_eq!(keys(echo), ["b-2/1", "b-2/0", "b-1/0"]);
    let success = journal
        .history(&query(None, Some("success"), None, None))
        .expect("history");
    assert_eq!(keys(success), ["b-2/1", "b-1/0"]);
    let since = journal
        .history(&query(None, None, Some(1_020), Some(2_040)))
        .expect("history");
    assert_eq!(keys(since), ["b-2/0", "b-1/1"]);
    let limited = journal.history(&HistoryQuery {
        limit: 1,
        ..query(None, None, None, None)
    });
    assert_eq!(keys(limited.expect("history")), ["b-2/1"]);
}

#[test]
fn tool_totals_count_statuses_attempts_fallbacks_and_latencies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = recorded_journal(dir.path());
    let totals = journal.tool_totals().expect("totals");
    assert_eq!(totals.len(), 2);
    let echo = &totals[0];
    assert_eq!(echo.tool, "echo");
    assert_eq!(echo.calls, 3);
    assert_eq!(echo.attempts, 6);
    assert_eq!(echo.counts.get("success"), Some(&2));
    assert_eq!(echo.counts.get("failed"), Some(&1));
    assert_eq!(echo.fallbacks, 0);
    assert_eq!(echo.latencies_ms, [13.5, 12.5, 12.5]);
    let sum = &totals[1];
    assert_eq!(sum.tool, "sum");
    assert_eq!(sum.calls, 1, "the unfinished sum call is not counted");
    assert_eq!(sum.fallbacks, 1);
    assert_eq!(sum.latencies_ms, [13.5]);
}

#[test]
fn health_is_healthy_and_counts_every_record_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = recorded_journal(dir.path());
    let health = journal.health();
    assert_eq!(health.state, HealthState::Healthy);
    assert_eq!(health.written, 12);
    assert_eq!(health.dropped, 0);
    assert_eq!(health.queued, 0);
    assert_eq!(health.last_error, None);
    journal.close().expect("closed");
}

#[test]
fn dropping_the_journal_lets_the_writer_commit_what_was_queued() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    for n in 1..=200 {
        journal.record(accepted(&format!("b-{n}"), n, &["echo"]));
    }
    drop(journal);
    let reopened = open(dir.path(), JournalConfig::default());
    assert_eq!(reopened.batches(1_000, None).expect("listed").len(), 200);
    assert_eq!(reopened.next_batch_number().expect("read"), 201);
}

#[test]
fn records_for_unknown_batches_or_duplicate_ids_are_refused_and_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    journal.record(accepted("b-1", 1, &["echo"]));
    journal.flush(WAIT).expect("flushed");
    journal.record(accepted("b-1", 2, &["other"]));
    journal.record(ended(
        "b-7",
        0,
        "success",
        3,
        envelope("x", "echo", "success", false),
    ));
    journal.record(started("b-1", 5, 3));
    let lost = journal.flush(WAIT).expect_err("three records refused");
    assert!(
        matches!(
            lost,
            toolexec_journal::JournalError::RecordsLost { count: 3, .. }
        ),
        "{lost}"
    );
    let health = journal.health();
    assert_eq!(health.dropped, 3);
    assert!(health.last_error.expect("noted").contains("refused"));
    assert_eq!(
        journal.batch("b-1").expect("read").expect("kept").calls[0].tool,
        "echo"
    );
}

#[test]
fn the_journal_can_be_shared_between_threads() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<SqliteJournal>();
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = std::sync::Arc::new(open(dir.path(), JournalConfig::default()));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let journal = std::sync::Arc::clone(&journal);
            std::thread::spawn(move || {
                for n in 0..50 {
                    journal.record(accepted(&format!("b-{}", t * 100 + n + 1), 1, &["echo"]));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("joined");
    }
    journal.flush(WAIT).expect("flushed");
    assert_eq!(journal.batches(1_000, None).expect("listed").len(), 200);
    assert_eq!(journal.next_batch_number().expect("read"), 351);
}

#[test]
fn a_time_past_what_sqlite_holds_is_clamped_not_a_lost_group() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    journal.record(accepted("b-1", u64::MAX, &["echo"]));
    journal.record(accepted("b-2", 5, &["echo"]));
    journal.flush(WAIT).expect("nothing lost");
    let listed = journal.batches(10, None).expect("listed");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].accepted_at_ms, i64::MAX as u64);
}

#[test]
fn an_envelope_handed_over_is_stored_as_the_text_its_caller_would_serialize() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path(), JournalConfig::default());
    let texts = [
        envelope("b-9-c0", "echo", "success", false),
        envelope("b-9-c1", "echo", "timeout", false),
    ];
    let envelopes: Vec<toolexec::Envelope> = texts
        .iter()
        .map(|text| serde_json::from_str(text).expect("an envelope"))
        .collect();
    journal.record(accepted("b-9", 9_000, &["echo", "echo"]));
    for (index, envelope) in (0u32..).zip(&envelopes) {
        journal.record(toolexec_journal::JournalRecord::EnvelopeEnded {
            batch_id: "b-9".into(),
            index,
            ended_at_ms: 9_010,
            envelope: std::sync::Arc::new(envelope.clone()),
        });
    }
    journal.flush(WAIT).expect("flushed");

    let batch = journal.batch("b-9").expect("read").expect("stored");
    for (call, envelope) in batch.calls.iter().zip(&envelopes) {
        let caller_text = serde_json::to_string(envelope).expect("serialized");
        assert_eq!(call.envelope_json.as_deref(), Some(caller_text.as_str()));
        assert_eq!(call.status.as_deref(), Some(envelope.status.as_str()));
        assert_eq!(call.tool, "echo");
    }
    let query = HistoryQuery {
        limit: 10,
        ..HistoryQuery::default()
    };
    let history = journal.history(&query).expect("read");
    assert!(history
        .iter()
        .any(|row| row.call_id == "b-9-c1" && row.error_kind.as_deref() == Some("timeout")));
}
