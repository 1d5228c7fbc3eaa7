//! Records and envelopes for the journal's tests.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::time::Duration;

use toolexec_journal::{AcceptedCall, JournalConfig, JournalRecord, SqliteJournal};

/// A generous wait for the writer in tests.
pub const WAIT: Duration = Duration::from_secs(10);

/// Opens a journal at `dir/journal.db` with `config`.
pub fn open(dir: &Path, config: JournalConfig) -> SqliteJournal {
    SqliteJournal::open(dir.join("journal.db"), config).expect("journal opens")
}

/// A batch accepted at `at_ms` with one call per tool, call ids `<batch>-c<i>`.
pub fn accepted(batch_id: &str, at_ms: u64, tools: &[&str]) -> JournalRecord {
    accepted_with(batch_id, at_ms, accepted_calls(batch_id, tools))
}

/// A batch accepted at `at_ms` with `calls`.
pub fn accepted_with(batch_id: &str, at_ms: u64, calls: Vec<AcceptedCall>) -> JournalRecord {
    JournalRecord::BatchAccepted {
        batch_id: batch_id.into(),
        accepted_at_ms: at_ms,
        redrive_of: None,
        calls: calls.into(),
    }
}

/// One call per tool, call ids `<batch>-c<i>`, every other one with an idempotency
/// key and the others with overrides.
pub fn accepted_calls(batch_id: &str, tools: &[&str]) -> Vec<AcceptedCall> {
    tools
        .iter()
        .enumerate()
        .map(|(i, tool)| AcceptedCall {
            index: i as u32,
            call_id: format!("{batch_id}-c{i}"),
            tool: (*tool).to_owned(),
            input_json: format!("{{\"n\": {i}, \"text\": \"caf\\u00e9 ☕\"}}"),
            idempotency_key: (i % 2 == 0).then(|| format!("key-{batch_id}-{i}")),
            overrides_json: (i % 2 == 1).then(|| r#"{"timeout_ms":250}"#.to_owned()),
        })
        .collect()
}

/// A call's start.
pub fn started(batch_id: &str, index: u32, at_ms: u64) -> JournalRecord {
    JournalRecord::CallStarted {
        batch_id: batch_id.into(),
        index,
        at_ms,
    }
}

/// An envelope in the engine's compact shape.
pub fn envelope(call_id: &str, tool: &str, status: &str, fallback: bool) -> String {
    let success = status == "success" || fallback;
    let error = if status == "success" {
        "null".to_owned()
    } else {
        format!(r#"{{"kind":"{status}","message":"it {status}","retryable":true}}"#)
    };
    format!(
        r#"{{"call_id":"{call_id}","tool_name":"{tool}","status":"{status}","success":{success},"result":{{"value":1.50}},"error":{error},"attempts":2,"execution_time_ms":12.5,"fallback":{fallback},"attempt_log":[{{"attempt":1,"outcome":"timeout","duration_ms":5.0,"backoff_ms":1.0}}]}}"#
    )
}

/// A call's end with `envelope_json` (its tool and fallback flag read from it, as the
/// engine would give them).
pub fn ended(
    batch_id: &str,
    index: u32,
    status: &str,
    at_ms: u64,
    envelope_json: String,
) -> JournalRecord {
    let envelope: serde_json::Value =
        serde_json::from_str(&envelope_json).unwrap_or(serde_json::Value::Null);
    JournalRecord::CallEnded {
        batch_id: batch_id.into(),
        index,
        tool: envelope["tool_name"].as_str().unwrap_or("unknown").into(),
        status: status.to_owned().into(),
        error_kind: (status != "success").then(|| status.to_owned().into()),
        attempts: 2,
        latency_ms: 12.5 + f64::from(index),
        ended_at_ms: at_ms,
        fallback: envelope["fallback"].as_bool().unwrap_or(false),
        envelope_json,
    }
}

/// A batch's end.
pub fn batch_ended(batch_id: &str, at_ms: u64) -> JournalRecord {
    JournalRecord::BatchEnded {
        batch_id: batch_id.into(),
        ended_at_ms: at_ms,
    }
}
