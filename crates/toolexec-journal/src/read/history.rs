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
        "SELECT b.id, e.key & 4294967295, c.call_id, e.tool, e.status, e.error_kind,
             e.attempts, e.latency_ms, e.ended_at_ms, e.fallback
         FROM ends AS e
             JOIN calls AS c ON c.key = e.key
             JOIN batches AS b ON b.seq = e.key >> 32
         WHERE (?1 IS NULL OR e.tool = ?1)
             AND (?2 IS NULL OR e.status = ?2)
             AND (?3 IS NULL OR e.ended_at_ms >= ?3)
             AND (?4 IS NULL OR e.ended_at_ms < ?4)
         ORDER BY e.ended_at_ms DESC, e.key DESC
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
                attempts: row.get(6)?,
                latency_ms: row.get(7)?,
                ended_at_ms: as_u64(row.get(8)?),
                fallback: row.get(9)?,
            })
        },
    )?;
    rows.collect()
}
