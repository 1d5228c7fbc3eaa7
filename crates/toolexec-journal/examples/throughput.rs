//! Journals 1,000,000 calls (1,000 batches of 1,000: accepted, started and ended each)
//! and prints how many calls per second were committed.
//!
//! `cargo run --release -p toolexec-journal --example throughput [-- <dir>]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use toolexec_journal::{AcceptedCall, JournalConfig, JournalRecord, SqliteJournal};

const BATCHES: u64 = 1_000;
const CALLS_PER_BATCH: u32 = 1_000;

fn main() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| temp.path().to_owned(), Into::into);
    let config = JournalConfig::default();
    let capacity = config.queue_capacity;
    let journal = SqliteJournal::open(dir.join("throughput.db"), config)?;
    let started = Instant::now();
    for batch in 1..=BATCHES {
        record_batch(&journal, batch, capacity);
    }
    let recorded = started.elapsed();
    journal.flush(Duration::from_secs(600))?;
    let committed = started.elapsed();
    let calls = BATCHES * u64::from(CALLS_PER_BATCH);
    let health = journal.health();
    println!(
        "{calls} calls ({} records) recorded in {:.2} s, committed in {:.2} s: {:.0} calls/s; dropped {}",
        health.written,
        recorded.as_secs_f64(),
        committed.as_secs_f64(),
        calls as f64 / committed.as_secs_f64(),
        health.dropped
    );
    let size = std::fs::metadata(dir.join("throughput.db"))?.len();
    println!("file: {:.1} MB", size as f64 / 1e6);
    journal.close()?;
    Ok(())
}

/// Records one batch, waiting whenever the queue is three-quarters full so that
/// nothing is dropped (the engine produces no faster than its calls run).
fn record_batch(journal: &SqliteJournal, batch: u64, capacity: usize) {
    let batch_id: Arc<str> = format!("b-{batch}").into();
    let at_ms = 1_700_000_000_000 + batch;
    let calls = (0..CALLS_PER_BATCH)
        .map(|index| AcceptedCall {
            index,
            call_id: format!("c-{batch}-{index}"),
            tool: format!("tool_{}", index % 8),
            input_json: format!(r#"{{"sku":"SKU-{index}","quantity":{index},"warehouse":"W1"}}"#),
            idempotency_key: None,
            overrides_json: None,
        })
        .collect();
    journal.record(JournalRecord::BatchAccepted {
        batch_id: batch_id.clone(),
        accepted_at_ms: at_ms,
        redrive_of: None,
        calls,
    });
    for index in 0..CALLS_PER_BATCH {
        while journal.health().queued > capacity / 4 * 3 {
            std::thread::sleep(Duration::from_micros(200));
        }
        journal.record(JournalRecord::CallStarted {
            batch_id: batch_id.clone(),
            index,
            at_ms,
        });
        journal.record(JournalRecord::CallEnded {
            batch_id: batch_id.clone(),
            index,
            tool: format!("tool_{}", index % 8).into(),
            status: "success".into(),
            error_kind: None,
            attempts: 1,
            latency_ms: 1.25,
            ended_at_ms: at_ms + 2,
            fallback: false,
            envelope_json: envelope(batch, index),
        });
    }
    journal.record(JournalRecord::BatchEnded {
        batch_id,
        ended_at_ms: at_ms + 3,
    });
}

fn envelope(batch: u64, index: u32) -> String {
    format!(
        r#"{{"call_id":"c-{batch}-{index}","tool_name":"tool_{}","status":"success","success":true,"result":{{"reorder_point":42.5,"safety_stock":12.0}},"error":null,"attempts":1,"execution_time_ms":1.25,"fallback":false,"attempt_log":[{{"attempt":1,"outcome":"success","duration_ms":1.1,"backoff_ms":null}}]}}"#,
        index % 8
    )
}
