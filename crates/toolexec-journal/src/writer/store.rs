//! Writing one merged group in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::ending::Ending;
use super::group::{CallUpdate, Group, NewBatch};
use super::statements::Statements;
use crate::schema::{call_key, BATCH_HIGH_WATER};

/// The cache holds at most this many running batches; past it, it starts over.
const SEQ_CACHE_LIMIT: usize = 100_000;

/// A stored batch as the writer needs it: its `seq` and how many calls it has.
#[derive(Debug, Clone, Copy)]
struct Known {
    seq: i64,
    calls: u32,
}

/// The batches the writer saw accepted and not yet ended, by id, so that a call's
/// start or end needs no lookup.
#[derive(Debug, Default)]
pub(crate) struct SeqCache(HashMap<Arc<str>, Known, RandomState>);

impl SeqCache {
    /// Forgets everything (after a rolled-back group, whose batches do not exist).
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    fn insert(&mut self, batch_id: &Arc<str>, known: Known) {
        if self.0.len() >= SEQ_CACHE_LIMIT {
            self.0.clear();
        }
        self.0.insert(Arc::clone(batch_id), known);
    }
}

/// Writes `group`; returns how many of its records were refused (an unknown batch or
/// call, a batch id already stored). On error nothing of the group is stored.
pub(crate) fn write_group(
    conn: &mut Connection,
    group: &Group,
    seqs: &mut SeqCache,
) -> rusqlite::Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let refused = {
        let mut statements = Statements::prepare(&tx)?;
        write_records(&tx, &mut statements, group, seqs)?
    };
    tx.commit()?;
    Ok(refused)
}

fn write_records(
    conn: &Connection,
    st: &mut Statements<'_>,
    group: &Group,
    seqs: &mut SeqCache,
) -> rusqlite::Result<u64> {
    let mut refused = group.refused;
    let mut high_water = 0;
    for batch in &group.new_batches {
        if insert_batch(conn, st, batch, seqs)? {
            high_water = high_water.max(batch_number(&batch.batch_id).unwrap_or(0));
        } else {
            refused += batch.records;
        }
    }
    for update in &group.updates {
        if !update_call(st, update, seqs)? {
            refused += update.records;
        }
    }
    for (batch_id, ended_at_ms) in &group.batch_ends {
        if st
            .end_batch
            .execute(params![&**batch_id, stored(*ended_at_ms)])?
            == 0
        {
            refused += 1;
        }
        seqs.0.remove(batch_id);
    }
    if high_water > 0 {
        st.raise_high_water
            .execute(params![BATCH_HIGH_WATER, high_water])?;
    }
    Ok(refused)
}

/// A time as stored: SQLite integers are `i64`, and a time past `i64::MAX` ms (a
/// caller's bug) is kept as `i64::MAX` rather than failing the whole group.
fn stored(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// The `N` of a `b-N` batch id.
fn batch_number(batch_id: &str) -> Option<u64> {
    let digits = batch_id.strip_prefix("b-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| i64::try_from(n).is_ok())
}

/// Inserts the batch and its calls; `false` when its id is already stored.
fn insert_batch(
    conn: &Connection,
    st: &mut Statements<'_>,
    batch: &NewBatch,
    seqs: &mut SeqCache,
) -> rusqlite::Result<bool> {
    let inserted = st.insert_batch.execute(params![
        &*batch.batch_id,
        stored(batch.accepted_at_ms),
        batch.ended_at_ms.map(stored),
        batch.redrive_of,
        batch.calls.len()
    ])?;
    if inserted == 0 {
        return Ok(false);
    }
    let seq = conn.last_insert_rowid();
    if batch.ended_at_ms.is_none() {
        let calls = u32::try_from(batch.calls.len()).unwrap_or(u32::MAX);
        seqs.insert(&batch.batch_id, Known { seq, calls });
    }
    for (accepted, call) in batch.accepted.iter().zip(&batch.calls) {
        let key = call_key(seq, accepted.index);
        st.insert_call.execute(params![
            key,
            accepted.call_id,
            accepted.tool,
            accepted.input_json,
            accepted.idempotency_key,
            accepted.overrides_json,
            call.started_at_ms.map(stored),
        ])?;
        if let Some(ending) = &call.ending {
            insert_end(st, key, call.started_at_ms, ending)?;
        }
    }
    Ok(true)
}

/// Stores a call's end; `false` when an end of that call is already stored.
fn insert_end(
    st: &mut Statements<'_>,
    key: i64,
    started_at_ms: Option<u64>,
    ending: &Ending,
) -> rusqlite::Result<bool> {
    let inserted = st.insert_end.execute(params![
        key,
        &*ending.tool,
        started_at_ms.map(stored),
        &*ending.status,
        ending.error_kind.as_deref(),
        ending.attempts,
        ending.latency_ms,
        stored(ending.ended_at_ms),
        ending.fallback,
        ending.envelope_json,
    ])?;
    Ok(inserted > 0)
}

/// Applies the start and end of a call accepted earlier; `false` when it is unknown.
fn update_call(
    st: &mut Statements<'_>,
    update: &CallUpdate,
    seqs: &SeqCache,
) -> rusqlite::Result<bool> {
    let known = match seqs.0.get(&update.batch_id) {
        Some(&known) => known,
        None => match st
            .batch_seq
            .query_row([&*update.batch_id], |row| {
                Ok(Known {
                    seq: row.get(0)?,
                    calls: row.get(1)?,
                })
            })
            .optional()?
        {
            Some(known) => known,
            None => return Ok(false),
        },
    };
    if update.index >= known.calls {
        return Ok(false);
    }
    let key = call_key(known.seq, update.index);
    match &update.ending {
        Some(ending) => insert_end(st, key, update.started_at_ms, ending),
        None => Ok(st
            .start_call
            .execute(params![key, update.started_at_ms.map(stored)])?
            > 0),
    }
}
