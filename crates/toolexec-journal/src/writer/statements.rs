//! The writer's prepared statements, taken once per group from the connection's cache.

use rusqlite::{CachedStatement, Connection};

/// Every statement a group may run.
pub(crate) struct Statements<'c> {
    pub(crate) insert_batch: CachedStatement<'c>,
    pub(crate) insert_call: CachedStatement<'c>,
    pub(crate) batch_seq: CachedStatement<'c>,
    pub(crate) insert_start: CachedStatement<'c>,
    pub(crate) insert_end: CachedStatement<'c>,
    pub(crate) end_batch: CachedStatement<'c>,
    pub(crate) raise_high_water: CachedStatement<'c>,
}

impl<'c> Statements<'c> {
    pub(crate) fn prepare(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            insert_batch: conn.prepare_cached(
                "INSERT INTO batches (id, accepted_at_ms, ended_at_ms, redrive_of, call_count)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            )?,
            insert_call: conn.prepare_cached(
                "INSERT INTO calls (key, call_id, tool, input_json, idempotency_key,
                     overrides_json, started_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (key) DO NOTHING",
            )?,
            batch_seq: conn.prepare_cached("SELECT seq, call_count FROM batches WHERE id = ?1")?,
            insert_start: conn.prepare_cached(
                "INSERT INTO starts (key, started_at_ms) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET started_at_ms = excluded.started_at_ms",
            )?,
            insert_end: conn.prepare_cached(
                "INSERT INTO ends (key, tool, started_at_ms, status, error_kind, attempts,
                     latency_ms, ended_at_ms, fallback, envelope_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (key) DO NOTHING",
            )?,
            end_batch: conn.prepare_cached(
                "UPDATE batches SET ended_at_ms = ?2 WHERE id = ?1 AND ended_at_ms IS NULL",
            )?,
            raise_high_water: conn
                .prepare_cached("UPDATE meta SET value = max(value, ?2) WHERE key = ?1")?,
        })
    }
}
