//! Per-tool totals, to rebuild statistics after a restart.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};
use serde::Serialize;

use super::as_u64;

/// How many of a tool's latest latencies [`ToolTotals::latencies_ms`] holds.
pub const LATENCY_WINDOW: usize = 10_000;

/// What the journal holds about one tool's ended calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolTotals {
    /// The tool.
    pub tool: String,
    /// Ended calls by status.
    pub counts: BTreeMap<String, u64>,
    /// All ended calls.
    pub calls: u64,
    /// Attempts over all ended calls.
    pub attempts: u64,
    /// Calls whose result came from a fallback (as the envelope's `fallback` says).
    pub fallbacks: u64,
    /// Latencies (ms) of up to [`LATENCY_WINDOW`] of the latest ended calls, newest
    /// first; interrupted calls are left out (their latency is the outage, not the
    /// tool's).
    pub latencies_ms: Vec<f64>,
}

/// Totals for every tool with an ended call, by tool name.
pub(crate) fn tool_totals(conn: &Connection) -> rusqlite::Result<Vec<ToolTotals>> {
    let mut by_tool: BTreeMap<String, ToolTotals> = BTreeMap::new();
    let mut statement = conn.prepare_cached(
        "SELECT tool, status, count(*), total(attempts), total(fallback)
         FROM ends GROUP BY tool, status",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            as_u64(row.get(2)?),
            row.get::<_, f64>(3)?,
            row.get::<_, f64>(4)?,
        ))
    })?;
    for row in rows {
        let (tool, status, count, attempts, fallbacks) = row?;
        let totals = by_tool.entry(tool.clone()).or_insert_with(|| ToolTotals {
            tool,
            counts: BTreeMap::new(),
            calls: 0,
            attempts: 0,
            fallbacks: 0,
            latencies_ms: Vec::new(),
        });
        totals.counts.insert(status, count);
        totals.calls += count;
        totals.attempts += attempts as u64;
        totals.fallbacks += fallbacks as u64;
    }
    let mut latencies = conn.prepare_cached(
        "SELECT latency_ms FROM ends
         WHERE tool = ?1 AND status <> 'interrupted'
         ORDER BY ended_at_ms DESC, key DESC LIMIT ?2",
    )?;
    for totals in by_tool.values_mut() {
        totals.latencies_ms = latencies
            .query_map(params![totals.tool, LATENCY_WINDOW], |row| {
                row.get::<_, f64>(0)
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(by_tool.into_values().collect())
}
