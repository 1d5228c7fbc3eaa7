//! Writing one merged group in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Statement, TransactionBehavior};

use super::ending::Ending;
use super::group::{Group, NewBatch};
use super::rows::Rows;
use super::statements::Statements;
use crate::accepted::AcceptedCallRef;
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
struct SeqCache(HashMap<Arc<str>, Known, RandomState>);

impl SeqCache {
    fn insert(&mut self, batch_id: &Arc<str>, known: Known) {
        if self.0.len() >= SEQ_CACHE_LIMIT {
            self.0.clear();
        }
        self.0.insert(Arc::clone(batch_id), known);
    }
}

/// What the writer keeps from one group to the next besides its connection.
#[derive(Debug, Default)]
pub(crate) struct Store {
    seqs: SeqCache,
    /// The group's calls to write once sorted, emptied after each group: it keeps its
    /// room, so that a group's thousands of calls cost no large allocation and free.
    pending: Vec<Pending>,
}

/// A call of the group to write after its batches: its end (with its start, when the
/// group has it), or its start alone.
#[derive(Debug, Clone, Copy)]
struct Pending {
    key: i64,
    from: PendingFrom,
}

/// Where a [`Pending`] call is in its group.
#[derive(Debug, Clone, Copy)]
enum PendingFrom {
    /// A call of a batch accepted in the group: `new_batches[batch].calls[call]`.
    NewCall { batch: u32, call: u32 },
    /// A call accepted in an earlier group: `updates[at]`.
    Update { at: u32 },
}

impl Store {
    /// Forgets the batches it knows (after a rolled-back group, whose batches do not
    /// exist).
    pub(crate) fn forget(&mut self) {
        self.seqs.0.clear();
    }

    /// Writes `group`; returns how many of its records were refused (an unknown batch
    /// or call, a batch id already stored). On error nothing of the group is stored.
    pub(crate) fn write_group(
        &mut self,
        conn: &mut Connection,
        group: &Group,
    ) -> rusqlite::Result<u64> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        self.pending.clear();
        let refused = {
            let mut statements = Statements::prepare(&tx)?;
            self.write_records(&tx, &mut statements, group)?
        };
        tx.commit()?;
        Ok(refused)
    }

    fn write_records(
        &mut self,
        conn: &Connection,
        st: &mut Statements<'_>,
        group: &Group,
    ) -> rusqlite::Result<u64> {
        let mut refused = group.refused;
        let mut high_water = 0;
        for (at, batch) in (0u32..).zip(&group.new_batches) {
            if self.insert_batch(conn, st, at, batch)? {
                high_water = high_water.max(batch_number(&batch.batch_id).unwrap_or(0));
            } else {
                refused += batch.records;
            }
        }
        for (at, update) in (0u32..).zip(&group.updates) {
            match known_call(st, &update.batch_id, update.index, &self.seqs)? {
                Some(key) => self.pending.push(Pending {
                    key,
                    from: PendingFrom::Update { at },
                }),
                None => refused += update.records,
            }
        }
        // In key order, each table's rows go in one after the other at their B-tree's
        // right edge instead of into pages already full (calls end a little out of
        // order, and a page split to make room costs more than the row).
        self.pending.sort_by_key(|p| p.key);
        refused += write_pending(st, group, &self.pending)?;
        for (batch_id, ended_at_ms) in &group.batch_ends {
            if st
                .end_batch
                .execute(params![&**batch_id, stored(*ended_at_ms)])?
                == 0
            {
                refused += 1;
            }
            self.seqs.0.remove(batch_id);
        }
        if high_water > 0 {
            st.raise_high_water
                .execute(params![BATCH_HIGH_WATER, high_water])?;
        }
        Ok(refused)
    }

    /// Inserts the batch and its calls, and queues the ends of those that ended in the
    /// group; `false` when its id is already stored.
    fn insert_batch(
        &mut self,
        conn: &Connection,
        st: &mut Statements<'_>,
        at: u32,
        batch: &NewBatch,
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
            self.seqs.insert(&batch.batch_id, Known { seq, calls });
        }
        let mut rows = Rows::new(&mut st.insert_calls, bind_call);
        let calls = batch.accepted.iter().zip(&batch.calls);
        for (position, (accepted, call)) in (0u32..).zip(calls) {
            let key = call_key(seq, accepted.index);
            rows.push((key, accepted, call.started_at_ms))?;
            if call.ending.is_some() {
                self.pending.push(Pending {
                    key,
                    from: PendingFrom::NewCall {
                        batch: at,
                        call: position,
                    },
                });
            }
        }
        // A call already stored (its batch id was not, so it never is) stays as it was.
        rows.finish()?;
        Ok(true)
    }
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

/// Writes the group's ends (with their starts, when the group has them) and its
/// starts alone; returns how many were refused: a second start or end of a call (one
/// committed in an earlier group is kept) counts as one record refused, even with a
/// start the group had merged into that end.
fn write_pending(
    st: &mut Statements<'_>,
    group: &Group,
    pending: &[Pending],
) -> rusqlite::Result<u64> {
    let mut starts = Rows::new(&mut st.insert_starts, bind_start);
    let mut ends = Rows::new(&mut st.insert_ends, bind_end);
    let (mut start_rows, mut end_rows) = (0, 0);
    for p in pending {
        let (started_at_ms, ending) = match p.from {
            PendingFrom::NewCall { batch, call } => {
                let call = &group.new_batches[batch as usize].calls[call as usize];
                (call.started_at_ms, call.ending.as_ref())
            }
            PendingFrom::Update { at } => {
                let update = &group.updates[at as usize];
                (update.started_at_ms, update.ending.as_ref())
            }
        };
        match ending {
            Some(ending) => {
                ends.push(EndRow {
                    key: p.key,
                    started_at_ms,
                    ending,
                    envelope_json: group.texts.get(ending.envelope),
                })?;
                end_rows += 1;
            }
            None => {
                starts.push((p.key, started_at_ms))?;
                start_rows += 1;
            }
        }
    }
    let written = starts.finish()? + ends.finish()?;
    Ok((start_rows + end_rows - written) as u64)
}

/// An end's row, its envelope's text taken from the group.
struct EndRow<'g> {
    key: i64,
    started_at_ms: Option<u64>,
    ending: &'g Ending,
    envelope_json: &'g [u8],
}

fn bind_end(st: &mut Statement<'_>, first: usize, row: &EndRow<'_>) -> rusqlite::Result<()> {
    let ending = row.ending;
    st.raw_bind_parameter(first, row.key)?;
    st.raw_bind_parameter(first + 1, &*ending.tool)?;
    st.raw_bind_parameter(first + 2, row.started_at_ms.map(stored))?;
    st.raw_bind_parameter(first + 3, &*ending.status)?;
    st.raw_bind_parameter(first + 4, ending.error_kind.as_deref())?;
    st.raw_bind_parameter(first + 5, ending.attempts)?;
    st.raw_bind_parameter(first + 6, ending.latency_ms)?;
    st.raw_bind_parameter(first + 7, stored(ending.ended_at_ms))?;
    st.raw_bind_parameter(first + 8, ending.fallback)?;
    let text = ToSqlOutput::Borrowed(ValueRef::Text(row.envelope_json));
    st.raw_bind_parameter(first + 9, text)
}

fn bind_start(
    st: &mut Statement<'_>,
    first: usize,
    row: &(i64, Option<u64>),
) -> rusqlite::Result<()> {
    st.raw_bind_parameter(first, row.0)?;
    st.raw_bind_parameter(first + 1, row.1.map(stored))
}

fn bind_call(
    st: &mut Statement<'_>,
    first: usize,
    row: &(i64, AcceptedCallRef<'_>, Option<u64>),
) -> rusqlite::Result<()> {
    let (key, call, started_at_ms) = row;
    st.raw_bind_parameter(first, key)?;
    st.raw_bind_parameter(first + 1, call.call_id)?;
    st.raw_bind_parameter(first + 2, call.tool)?;
    st.raw_bind_parameter(first + 3, call.input_json)?;
    st.raw_bind_parameter(first + 4, call.idempotency_key)?;
    st.raw_bind_parameter(first + 5, call.overrides_json)?;
    st.raw_bind_parameter(first + 6, started_at_ms.map(stored))
}

/// The key of call `index` of a batch accepted in an earlier group; `None` when the
/// batch is unknown or has no such call.
fn known_call(
    st: &mut Statements<'_>,
    batch_id: &Arc<str>,
    index: u32,
    seqs: &SeqCache,
) -> rusqlite::Result<Option<i64>> {
    let known = match seqs.0.get(batch_id) {
        Some(&known) => known,
        None => match st
            .batch_seq
            .query_row([&**batch_id], |row| {
                Ok(Known {
                    seq: row.get(0)?,
                    calls: row.get(1)?,
                })
            })
            .optional()?
        {
            Some(known) => known,
            None => return Ok(None),
        },
    };
    Ok((index < known.calls).then(|| call_key(known.seq, index)))
}
