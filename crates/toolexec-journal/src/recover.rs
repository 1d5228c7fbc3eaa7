//! Crash recovery: ending what the last process left running.

use rusqlite::{params, Connection, TransactionBehavior};
use serde::Serialize;

use crate::read::as_u64;

/// What [`SqliteJournal::recover`](crate::SqliteJournal::recover) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RecoveryReport {
    /// Calls with no end, now `interrupted`.
    pub calls_interrupted: u64,
    /// Batches with no end, now ended and flagged interrupted.
    pub batches_interrupted: u64,
}

/// The envelope of an interrupted call: the engine's envelope shape, field for field.
#[derive(Serialize)]
struct InterruptedEnvelope<'a> {
    call_id: &'a str,
    tool_name: &'a str,
    status: &'static str,
    success: bool,
    result: Option<()>,
    error: InterruptedError,
    attempts: u32,
    execution_time_ms: f64,
    fallback: bool,
    attempt_log: [(); 0],
}

#[derive(Serialize)]
struct InterruptedError {
    kind: &'static str,
    message: &'static str,
    retryable: bool,
}

/// The status and error kind recovery gives unfinished calls.
pub const INTERRUPTED: &str = "interrupted";

/// Ends every unfinished call as `interrupted` and every unfinished batch at `now_ms`,
/// in one transaction.
pub(crate) fn recover(conn: &mut Connection, now_ms: u64) -> rusqlite::Result<RecoveryReport> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let open: Vec<(i64, String, String, Option<i64>, i64)> = tx
        .prepare(
            "SELECT c.key, c.call_id, c.tool, c.started_at_ms, b.accepted_at_ms
             FROM calls AS c JOIN batches AS b ON b.seq = c.key >> 32
             WHERE c.ended_at_ms IS NULL",
        )?
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    {
        let mut end = tx.prepare(
            "UPDATE calls SET status = ?2, error_kind = ?2, attempts = ?3, latency_ms = ?4,
                 ended_at_ms = ?5, fallback = 0, envelope_json = ?6
             WHERE key = ?1",
        )?;
        for (key, call_id, tool, started_at_ms, accepted_at_ms) in &open {
            let attempts = u32::from(started_at_ms.is_some());
            let latency_ms = now_ms.saturating_sub(as_u64(*accepted_at_ms)) as f64;
            let envelope = interrupted_envelope(call_id, tool, attempts, latency_ms);
            end.execute(params![
                key,
                INTERRUPTED,
                attempts,
                latency_ms,
                now_ms,
                envelope
            ])?;
        }
    }
    let batches = tx.execute(
        "UPDATE batches SET ended_at_ms = ?1, interrupted = 1 WHERE ended_at_ms IS NULL",
        [now_ms],
    )?;
    tx.commit()?;
    Ok(RecoveryReport {
        calls_interrupted: open.len() as u64,
        batches_interrupted: batches as u64,
    })
}

fn interrupted_envelope(call_id: &str, tool: &str, attempts: u32, latency_ms: f64) -> String {
    let envelope = InterruptedEnvelope {
        call_id,
        tool_name: tool,
        status: INTERRUPTED,
        success: false,
        result: None,
        error: InterruptedError {
            kind: INTERRUPTED,
            message: "the process ended before the call did",
            retryable: true,
        },
        attempts,
        execution_time_ms: latency_ms,
        fallback: false,
        attempt_log: [],
    };
    serde_json::to_string(&envelope).unwrap_or_default()
}
