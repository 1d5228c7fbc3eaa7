//! Retention: deleting old ended batches so the journal stays within its age and size
//! limits, then giving the space back to the file system.

use std::time::Duration;

use rusqlite::{params, Connection, TransactionBehavior};

use crate::schema::batch_key_range;

/// Batches looked at per step.
const BATCHES_PER_STEP: i64 = 64;

/// At most about this many calls are deleted per pass, so that one pass holds the
/// writer up for a bounded time (records queue meanwhile); the rest waits for the
/// next pass, which the writer runs right after its next group.
const CALLS_PER_PASS: i64 = 20_000;

/// The limits retention enforces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_bytes: Option<u64>,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pass {
    /// Batches deleted.
    pub(crate) deleted: u64,
    /// Whether the pass stopped at its budget with more to delete.
    pub(crate) more: bool,
}

/// One pass: deletes ended batches (and their calls) that ended before
/// `now_ms - max_age`, then the oldest-ended ones while the live pages use more than
/// `max_bytes`; running batches are never deleted. Afterwards frees the pages
/// (`incremental_vacuum`) and truncates the WAL.
pub(crate) fn enforce(
    conn: &mut Connection,
    limits: Limits,
    now_ms: u64,
) -> rusqlite::Result<Pass> {
    if limits.max_age.is_none() && limits.max_bytes.is_none() {
        return Ok(Pass::default());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut budget = CALLS_PER_PASS;
    let mut pass = Pass::default();
    if let Some(max_age) = limits.max_age {
        let age_ms = u64::try_from(max_age.as_millis()).unwrap_or(u64::MAX);
        let cutoff = i64::try_from(now_ms.saturating_sub(age_ms)).unwrap_or(i64::MAX);
        loop {
            let step = delete_ended(&tx, Some(cutoff), &mut budget, |_| Ok(false))?;
            pass.deleted += step;
            if step == 0 {
                break;
            }
            if budget <= 0 {
                pass.more = true;
                break;
            }
        }
    }
    if let (Some(max_bytes), false) = (limits.max_bytes, pass.more) {
        let fits = |conn: &Connection| Ok(used_bytes(conn)? <= max_bytes);
        while !fits(&tx)? {
            let step = delete_ended(&tx, None, &mut budget, fits)?;
            pass.deleted += step;
            if step == 0 {
                break;
            }
            if budget <= 0 {
                pass.more = !fits(&tx)?;
                break;
            }
        }
    }
    tx.commit()?;
    if pass.deleted > 0 {
        // Each step of incremental_vacuum frees one page: step it to the end.
        let mut vacuum = conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = vacuum.query([])?;
        while rows.next()?.is_some() {}
        drop(rows);
        drop(vacuum);
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    Ok(pass)
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

/// Deletes up to a step of ended batches (those that ended before `ended_before`,
/// when given), oldest end first, one at a time until `done` says so or the `budget`
/// of calls is spent; returns how many.
fn delete_ended(
    conn: &Connection,
    ended_before: Option<i64>,
    budget: &mut i64,
    mut done: impl FnMut(&Connection) -> rusqlite::Result<bool>,
) -> rusqlite::Result<u64> {
    let batches: Vec<(i64, i64)> = conn
        .prepare_cached(
            "SELECT seq, call_count FROM batches
             WHERE ended_at_ms IS NOT NULL AND (?1 IS NULL OR ended_at_ms < ?1)
             ORDER BY ended_at_ms, seq LIMIT ?2",
        )?
        .query_map(params![ended_before, BATCHES_PER_STEP], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut delete_calls = conn.prepare_cached("DELETE FROM calls WHERE key BETWEEN ?1 AND ?2")?;
    let mut delete_starts =
        conn.prepare_cached("DELETE FROM starts WHERE key BETWEEN ?1 AND ?2")?;
    let mut delete_ends = conn.prepare_cached("DELETE FROM ends WHERE key BETWEEN ?1 AND ?2")?;
    let mut delete_batch = conn.prepare_cached("DELETE FROM batches WHERE seq = ?1")?;
    let mut deleted = 0;
    for &(seq, calls) in &batches {
        let (first, last) = batch_key_range(seq);
        delete_calls.execute(params![first, last])?;
        delete_starts.execute(params![first, last])?;
        delete_ends.execute(params![first, last])?;
        delete_batch.execute([seq])?;
        deleted += 1;
        *budget -= calls.max(1);
        if *budget <= 0 || done(conn)? {
            break;
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{call_key, open_connection};

    fn journal_with_old_batches(dir: &std::path::Path, batches: i64, calls: u32) -> Connection {
        let mut conn = open_connection(&dir.join("j.db"), Duration::from_secs(1)).expect("opened");
        let tx = conn.transaction().expect("tx");
        for seq in 1..=batches {
            tx.execute(
                "INSERT INTO batches (seq, id, accepted_at_ms, ended_at_ms, call_count)
                 VALUES (?1, 'b-' || ?1, 1, 2, ?2)",
                params![seq, calls],
            )
            .expect("batch");
            for index in 0..calls {
                tx.execute(
                    "INSERT INTO calls (key, call_id, tool, input_json) VALUES (?1, 'c', 't', '{}')",
                    [call_key(seq, index)],
                )
                .expect("call");
                tx.execute(
                    "INSERT INTO starts (key, started_at_ms) VALUES (?1, 1)",
                    [call_key(seq, index)],
                )
                .expect("start");
                tx.execute(
                    "INSERT INTO ends (key, tool, status, attempts, latency_ms, ended_at_ms,
                         fallback, envelope_json)
                     VALUES (?1, 't', 'success', 1, 1.0, 2, 0, '{}')",
                    [call_key(seq, index)],
                )
                .expect("end");
            }
        }
        tx.commit().expect("committed");
        conn
    }

    #[test]
    fn a_pass_stops_at_its_call_budget_and_the_next_pass_finishes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = journal_with_old_batches(dir.path(), 30, 1_000);
        let limits = Limits {
            max_age: Some(Duration::from_millis(10)),
            max_bytes: None,
        };
        let first = enforce(&mut conn, limits, 1_000).expect("first pass");
        assert_eq!(
            first,
            Pass {
                deleted: 20,
                more: true
            }
        );
        let second = enforce(&mut conn, limits, 1_000).expect("second pass");
        assert_eq!(
            second,
            Pass {
                deleted: 10,
                more: false
            }
        );
        let calls: i64 = conn
            .query_row("SELECT count(*) FROM calls", [], |row| row.get(0))
            .expect("counted");
        assert_eq!(calls, 0);
        let ends: i64 = conn
            .query_row("SELECT count(*) FROM ends", [], |row| row.get(0))
            .expect("counted");
        assert_eq!(ends, 0);
        let starts: i64 = conn
            .query_row("SELECT count(*) FROM starts", [], |row| row.get(0))
            .expect("counted");
        assert_eq!(starts, 0);
    }
}
