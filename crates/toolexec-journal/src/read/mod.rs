//! Queries on the stored journal: listings, history and statistics.

mod batches;
mod history;
mod totals;

pub use batches::{BatchDetail, BatchSummary, CallDetail};
pub use history::{HistoryQuery, HistoryRow};
pub use totals::{ToolTotals, LATENCY_WINDOW};

pub(crate) use batches::{batch, batches, next_batch_number};
pub(crate) use history::history;
pub(crate) use totals::tool_totals;

/// Reads a stored integer as `u64` (the journal stores only non-negative ones).
pub(crate) fn as_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}
