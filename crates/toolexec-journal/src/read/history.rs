//! The history of ended calls, filtered.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::as_u64;

/// Which ended calls [`SqliteJournal::history`](crate::SqliteJournal::history) returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryQuery {
    /// Only calls to this tool.
    pub tool: Option<String>,
    /// Only calls with this status.
    pub status: Option<String>,
    /// Only calls that ended at or after this time (Unix ms).
    pub since_ms: Option<u64>,
    /// Only calls that ended before this time (Unix ms).
    pub until_ms: Option<u64>,
    /// At most this many rows.
    pub limit: usize,
}

/// One ended call in the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    /// Its batch.
    pub batch_id: String,
    /// Its index in the batch.
    pub index: u32,
    /// Its call id.
    pub call_id: String,
    /// Its tool.
    pub tool: String,
    /// Its final status.
    pub status: String,
    /// Its error kind, when it did not succeed.
    pub error_kind: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Time from acceptance to envelope (ms).
    pub latency_ms: f64,
    /// When it ended (Unix ms).
    pub ended_at_ms: u64,
    /// Whether its result came from a fallback.
    pub fallback: bool,
}

/// Ended calls matching `query`, newest end first.
pub(crate) fn history(
    conn: &Connection,
    query: &HistoryQuery,
) -> rusqlite::Result<Vec<HistoryRow>> {
    let mut statement = conn.prepare_cached(
        "SELECT b.id, c.key & 4294967295, c.call_id, c.tool, c.status, c.error_kind,
             c.attempts, c.latency_ms, c.ended_at_ms, c.fallback
         FROM calls AS c JOIN batches AS b ON b.seq = c.key >> 32
         WHERE c.ended_at_ms IS NOT NULL
             AND (?1 IS NULL OR c.tool = ?1)
             AND (?2 IS NULL OR c.status = ?2)
             AND (?3 IS NULL OR c.ended_at_ms >= ?3)
             AND (?4 IS NULL OR c.ended_at_ms < ?4)
         ORDER BY c.ended_at_ms DESC, c.key DESC
         LIMIT ?5",
    )?;
    let rows = statement.query_map(
        params![
            query.tool,
            query.status,
            query.since_ms,
            query.until_ms,
            query.limit
        ],
        |row| {
            Ok(HistoryRow {
                batch_id: row.get(0)?,
                index: row.get(1)?,
                call_id: row.get(2)?,
                tool: row.get(3)?,
                status: row.get(4)?,
                error_kind: row.get(5)?,
                attempts: row.get::<_, Option<u32>>(6)?.unwrap_or(0),
                latency_ms: row.get::<_, Option<f64>>(7)?.unwrap_or(0.0),
                ended_at_ms: as_u64(row.get(8)?),
                fallback: row.get::<_, Option<bool>>(9)?.unwrap_or(false),
            })
        },
    )?;
    rows.collect()
}
