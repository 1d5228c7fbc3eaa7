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

/// Ends every unfinished call of an unfinished batch as `interrupted`, and every
/// unfinished batch at `now_ms`, in one transaction.
pub(crate) fn recover(conn: &mut Connection, now_ms: u64) -> rusqlite::Result<RecoveryReport> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let open: Vec<(i64, String, String, Option<i64>, i64)> = tx
        .prepare(
            "SELECT c.key, c.call_id, c.tool,
                 coalesce(c.started_at_ms, (SELECT s.started_at_ms FROM starts AS s
                                            WHERE s.key = c.key)),
                 b.accepted_at_ms
             FROM batches AS b
                 JOIN calls AS c ON c.key BETWEEN b.seq << 32 AND (b.seq << 32) | 4294967295
             WHERE b.ended_at_ms IS NULL
                 AND NOT EXISTS (SELECT 1 FROM ends AS e WHERE e.key = c.key)",
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
            "INSERT INTO ends (key, tool, started_at_ms, status, error_kind, attempts,
                 latency_ms, ended_at_ms, fallback, envelope_json)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, 0, ?8)",
        )?;
        for (key, call_id, tool, started_at_ms, accepted_at_ms) in &open {
            let attempts = u32::from(started_at_ms.is_some());
            let latency_ms = now_ms.saturating_sub(as_u64(*accepted_at_ms)) as f64;
            let envelope = interrupted_envelope(call_id, tool, attempts, latency_ms);
            end.execute(params![
                key,
                tool,
                started_at_ms,
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
