//! Statistics as the dicts of the original design.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use toolexec::{ExecutionStats, StatsSnapshot};

/// One snapshot: `total_executions`, `success_rate`, times in ms, counts by status.
pub(crate) fn snapshot<'py>(py: Python<'py>, s: &StatsSnapshot) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("total_executions", s.total)?;
    dict.set_item("success_rate", s.success_rate)?;
    dict.set_item("avg_execution_time_ms", s.avg_ms)?;
    dict.set_item("p50_execution_time_ms", s.p50_ms)?;
    dict.set_item("p95_execution_time_ms", s.p95_ms)?;
    dict.set_item("p99_execution_time_ms", s.p99_ms)?;
    dict.set_item("max_execution_time_ms", s.max_ms)?;
    dict.set_item("retries", s.retries)?;
    dict.set_item("fallbacks", s.fallbacks)?;
    let by_status = PyDict::new(py);
    for (status, count) in &s.by_status {
        by_status.set_item(status.as_str(), count)?;
    }
    dict.set_item("status_counts", by_status)?;
    dict.set_item("hedges", s.hedges)?;
    dict.set_item("retry_budget_stops", s.retry_budget_stops)?;
    let by_error_kind = PyDict::new(py);
    for (kind, count) in &s.by_error_kind {
        by_error_kind.set_item(kind, count)?;
    }
    dict.set_item("error_counts", by_error_kind)?;
    Ok(dict)
}

/// The overall snapshot, with `by_tool` holding each tool's.
pub(crate) fn execution<'py>(py: Python<'py>, s: &ExecutionStats) -> PyResult<Bound<'py, PyDict>> {
    let dict = snapshot(py, &s.overall)?;
    let by_tool = PyDict::new(py);
    for (name, tool) in &s.per_tool {
        if tool.total > 0 {
            by_tool.set_item(name, snapshot(py, tool)?)?;
        }
    }
    dict.set_item("by_tool", by_tool)?;
    Ok(dict)
}
