//! The writer's prepared statements, taken once per group from the connection's cache.

use std::sync::LazyLock;

use rusqlite::{CachedStatement, Connection};

use super::rows::{Insert, InsertSql};

/// Every statement a group may run.
pub(crate) struct Statements<'c> {
    pub(crate) insert_batch: CachedStatement<'c>,
    pub(crate) batch_seq: CachedStatement<'c>,
    pub(crate) end_batch: CachedStatement<'c>,
    pub(crate) raise_high_water: CachedStatement<'c>,
    /// Calls as accepted (columns in [`CALL_COLUMNS`]' order).
    pub(crate) insert_calls: Insert<'c>,
    /// Starts that came after their call's acceptance and before its end.
    pub(crate) insert_starts: Insert<'c>,
    /// Ends (columns in [`END_COLUMNS`]' order).
    pub(crate) insert_ends: Insert<'c>,
}

/// The columns of a call's row, in the order they are bound.
pub(crate) const CALL_COLUMNS: [&str; 7] = [
    "key",
    "call_id",
    "tool",
    "input_json",
    "idempotency_key",
    "overrides_json",
    "started_at_ms",
];

/// The columns of an end's row, in the order they are bound.
pub(crate) const END_COLUMNS: [&str; 10] = [
    "key",
    "tool",
    "started_at_ms",
    "status",
    "error_kind",
    "attempts",
    "latency_ms",
    "ended_at_ms",
    "fallback",
    "envelope_json",
];

static INSERT_CALLS: LazyLock<InsertSql> = LazyLock::new(|| InsertSql::new("calls", &CALL_COLUMNS));

/// A second start of a call is left out: the first is when its first attempt started.
static INSERT_STARTS: LazyLock<InsertSql> =
    LazyLock::new(|| InsertSql::new("starts", &["key", "started_at_ms"]));

static INSERT_ENDS: LazyLock<InsertSql> = LazyLock::new(|| InsertSql::new("ends", &END_COLUMNS));

impl<'c> Statements<'c> {
    pub(crate) fn prepare(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            insert_batch: conn.prepare_cached(
                "INSERT INTO batches (id, accepted_at_ms, ended_at_ms, redrive_of, call_count)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            )?,
            batch_seq: conn.prepare_cached("SELECT seq, call_count FROM batches WHERE id = ?1")?,
            end_batch: conn.prepare_cached(
                "UPDATE batches SET ended_at_ms = ?2 WHERE id = ?1 AND ended_at_ms IS NULL",
            )?,
            raise_high_water: conn
                .prepare_cached("UPDATE meta SET value = max(value, ?2) WHERE key = ?1")?,
            insert_calls: Insert::prepare(conn, &INSERT_CALLS)?,
            insert_starts: Insert::prepare(conn, &INSERT_STARTS)?,
            insert_ends: Insert::prepare(conn, &INSERT_ENDS)?,
        })
    }
}
