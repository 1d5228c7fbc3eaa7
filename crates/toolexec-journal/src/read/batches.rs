//! Batch listings and details, and the next batch number.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::as_u64;
use crate::schema::{batch_key_range, BATCH_HIGH_WATER};

/// A batch as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchSummary {
    /// Its id.
    pub id: String,
    /// When it was accepted (Unix ms).
    pub accepted_at_ms: u64,
    /// When it ended (Unix ms); `None` while it runs.
    pub ended_at_ms: Option<u64>,
    /// Whether recovery ended it because the process stopped before it did.
    pub interrupted: bool,
    /// The batch it redrives, if any.
    pub redrive_of: Option<String>,
    /// How many calls it has.
    pub calls: u32,
    /// Ended calls by status.
    pub counts: BTreeMap<String, u64>,
    /// Calls not ended.
    pub unfinished: u64,
}

/// A batch with every call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchDetail {
    /// The batch.
    pub summary: BatchSummary,
    /// Its calls, by index.
    pub calls: Vec<CallDetail>,
}

/// One call of a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallDetail {
    /// Its index in the batch.
    pub index: u32,
    /// Its call id.
    pub call_id: String,
    /// The tool it asks for.
    pub tool: String,
    /// Its input, byte for byte as recorded.
    pub input_json: String,
    /// Its idempotency key.
    pub idempotency_key: Option<String>,
    /// Its overrides, byte for byte as recorded.
    pub overrides_json: Option<String>,
    /// When its first attempt started (Unix ms), when known.
    pub started_at_ms: Option<u64>,
    /// Its final status; `None` while it has not ended.
    pub status: Option<String>,
    /// Its envelope, byte for byte as recorded; `None` while it has not ended.
    pub envelope_json: Option<String>,
}

const SUMMARY_COLUMNS: &str =
    "seq, id, accepted_at_ms, ended_at_ms, interrupted, redrive_of, call_count";

/// Batches newest first, `limit` of them, starting after `before` when given (an
/// unknown `before` lists nothing).
pub(crate) fn batches(
    conn: &Connection,
    limit: usize,
    before: Option<&str>,
) -> rusqlite::Result<Vec<BatchSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM batches
         WHERE ?2 IS NULL OR seq < (SELECT seq FROM batches WHERE id = ?2)
         ORDER BY seq DESC LIMIT ?1"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![limit, before], summary_row)?;
    let mut summaries = Vec::new();
    for row in rows {
        let (seq, mut summary) = row?;
        fill_counts(conn, seq, &mut summary)?;
        summaries.push(summary);
    }
    Ok(summaries)
}

/// One batch with its calls.
pub(crate) fn batch(conn: &Connection, id: &str) -> rusqlite::Result<Option<BatchDetail>> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM batches WHERE id = ?1");
    let Some((seq, mut summary)) = conn
        .prepare_cached(&sql)?
        .query_row([id], summary_row)
        .optional()?
    else {
        return Ok(None);
    };
    fill_counts(conn, seq, &mut summary)?;
    let (first, last) = batch_key_range(seq);
    let mut statement = conn.prepare_cached(
        "SELECT c.key & 4294967295, c.call_id, c.tool, c.input_json, c.idempotency_key,
             c.overrides_json, coalesce(c.started_at_ms, s.started_at_ms, e.started_at_ms),
             e.status, e.envelope_json
         FROM calls AS c
             LEFT JOIN starts AS s ON s.key = c.key
             LEFT JOIN ends AS e ON e.key = c.key
         WHERE c.key BETWEEN ?1 AND ?2 ORDER BY c.key",
    )?;
    let calls = statement
        .query_map(params![first, last], |row| {
            Ok(CallDetail {
                index: row.get(0)?,
                call_id: row.get(1)?,
                tool: row.get(2)?,
                input_json: row.get(3)?,
                idempotency_key: row.get(4)?,
                overrides_json: row.get(5)?,
                started_at_ms: row.get::<_, Option<i64>>(6)?.map(as_u64),
                status: row.get(7)?,
                envelope_json: row.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(BatchDetail { summary, calls }))
}

/// One more than the largest `N` of the `b-N` batch ids ever committed (kept in the
/// meta table, so retention does not lower it).
pub(crate) fn next_batch_number(conn: &Connection) -> rusqlite::Result<u64> {
    let high: i64 = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([BATCH_HIGH_WATER], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    Ok(as_u64(high).saturating_add(1))
}

fn summary_row(row: &Row<'_>) -> rusqlite::Result<(i64, BatchSummary)> {
    Ok((
        row.get(0)?,
        BatchSummary {
            id: row.get(1)?,
            accepted_at_ms: as_u64(row.get(2)?),
            ended_at_ms: row.get::<_, Option<i64>>(3)?.map(as_u64),
            interrupted: row.get(4)?,
            redrive_of: row.get(5)?,
            calls: row.get(6)?,
            counts: BTreeMap::new(),
            unfinished: 0,
        },
    ))
}

fn fill_counts(conn: &Connection, seq: i64, summary: &mut BatchSummary) -> rusqlite::Result<()> {
    let (first, last) = batch_key_range(seq);
    let mut statement = conn.prepare_cached(
        "SELECT status, count(*) FROM ends WHERE key BETWEEN ?1 AND ?2 GROUP BY status",
    )?;
    let rows = statement.query_map(params![first, last], |row| {
        Ok((row.get::<_, String>(0)?, as_u64(row.get(1)?)))
    })?;
    let mut ended = 0;
    for row in rows {
        let (status, count) = row?;
        ended += count;
        summary.counts.insert(status, count);
    }
    summary.unfinished = u64::from(summary.calls).saturating_sub(ended);
    Ok(())
}
