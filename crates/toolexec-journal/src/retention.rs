//! Retention: deleting old ended batches so the journal stays within its age and size
//! limits, then giving the space back to the file system.

use std::time::Duration;

use rusqlite::{params, Connection, TransactionBehavior};

use crate::schema::batch_key_range;

/// Batches deleted per step while the journal is over its size.
const BATCHES_PER_STEP: i64 = 64;

/// The limits retention enforces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_bytes: Option<u64>,
}

/// Deletes ended batches (and their calls) that ended before `now_ms - max_age`, then
/// the oldest-ended ones while the live pages use more than `max_bytes`; running
/// batches are never deleted. Afterwards frees the pages (`incremental_vacuum`) and
/// truncates the WAL. Returns the number of batches deleted.
pub(crate) fn enforce(conn: &mut Connection, limits: Limits, now_ms: u64) -> rusqlite::Result<u64> {
    if limits.max_age.is_none() && limits.max_bytes.is_none() {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut deleted = 0;
    if let Some(max_age) = limits.max_age {
        let age_ms = u64::try_from(max_age.as_millis()).unwrap_or(u64::MAX);
        let cutoff = i64::try_from(now_ms.saturating_sub(age_ms)).unwrap_or(i64::MAX);
        deleted += delete_ended(&tx, Some(cutoff), i64::MAX, |_| Ok(false))?;
    }
    if let Some(max_bytes) = limits.max_bytes {
        let fits = |conn: &Connection| Ok(used_bytes(conn)? <= max_bytes);
        while !fits(&tx)? {
            let step = delete_ended(&tx, None, BATCHES_PER_STEP, fits)?;
            if step == 0 {
                break;
            }
            deleted += step;
        }
    }
    tx.commit()?;
    if deleted > 0 {
        // Each step of incremental_vacuum frees one page: step it to the end.
        let mut vacuum = conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = vacuum.query([])?;
        while rows.next()?.is_some() {}
        drop(rows);
        drop(vacuum);
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    Ok(deleted)
}

/// Bytes used by live pages: `(page_count - freelist_count) * page_size`.
pub(crate) fn used_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT (p.page_count - f.freelist_count) * s.page_size
         FROM pragma_page_count() AS p, pragma_freelist_count() AS f, pragma_page_size() AS s",
        [],
        |row| row.get(0),
    )
}

/// Deletes up to `limit` ended batches (those that ended before `ended_before`, when
/// given), oldest end first, one at a time until `done` says so; returns how many.
fn delete_ended(
    conn: &Connection,
    ended_before: Option<i64>,
    limit: i64,
    mut done: impl FnMut(&Connection) -> rusqlite::Result<bool>,
) -> rusqlite::Result<u64> {
    let seqs: Vec<i64> = conn
        .prepare_cached(
            "SELECT seq FROM batches
             WHERE ended_at_ms IS NOT NULL AND (?1 IS NULL OR ended_at_ms < ?1)
             ORDER BY ended_at_ms, seq LIMIT ?2",
        )?
        .query_map(params![ended_before, limit], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut delete_calls = conn.prepare_cached("DELETE FROM calls WHERE key BETWEEN ?1 AND ?2")?;
    let mut delete_batch = conn.prepare_cached("DELETE FROM batches WHERE seq = ?1")?;
    let mut deleted = 0;
    for &seq in &seqs {
        let (first, last) = batch_key_range(seq);
        delete_calls.execute(params![first, last])?;
        delete_batch.execute([seq])?;
        deleted += 1;
        if done(conn)? {
            break;
        }
    }
    Ok(deleted)
}
