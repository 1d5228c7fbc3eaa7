//! `GET /v1/tools` and `GET /v1/stats`: what can be called and how calls went.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use toolexec::{LiveStatus, StatsSnapshot, ToolSpec};
use utoipa::ToSchema;

use crate::error::ErrorBody;
use crate::monitor::FailureRecord;
use crate::state::AppState;

/// Failures listed by `GET /v1/stats`.
const FAILURES_SHOWN: usize = 50;

/// The registered tools.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ToolsView {
    /// Every tool's name, description, input JSON Schema and annotations, by name.
    #[schema(value_type = Vec<Object>)]
    pub tools: Vec<ToolSpec>,
}

/// Lists the registered tools.
#[utoipa::path(
    get,
    path = "/v1/tools",
    tag = "tools",
    responses(
        (status = 200, description = "The tools", body = ToolsView),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn list_tools(State(state): State<AppState>) -> Json<ToolsView> {
    Json(ToolsView {
        tools: state.executor().tools(),
    })
}

/// Statistics, what is in flight, and the recent failures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatsView {
    /// Every call: totals by status, success rate, retries, fallbacks, latency
    /// (`avg_ms`, `p50_ms`, `p95_ms`, `p99_ms`, `max_ms`).
    #[schema(value_type = Object)]
    pub overall: StatsSnapshot,
    /// The same, per registered tool.
    #[schema(value_type = BTreeMap<String, Object>)]
    pub per_tool: BTreeMap<String, StatsSnapshot>,
    /// Calls in flight now: `call_id`, `tool_name`, `status`, `attempt`.
    #[schema(value_type = Vec<Object>)]
    pub in_flight: Vec<LiveStatus>,
    /// Attempts holding a concurrency permit now.
    pub running_attempts: usize,
    /// The executor's concurrency limit.
    pub max_concurrency: usize,
    /// The newest failures, newest first, with the error of their last attempt.
    pub recent_failures: Vec<FailureRecord>,
}

/// Execution statistics overall and per tool, calls in flight, recent failures.
#[utoipa::path(
    get,
    path = "/v1/stats",
    tag = "stats",
    responses(
        (status = 200, description = "The statistics", body = StatsView),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn stats(State(state): State<AppState>) -> Json<StatsView> {
    let executor = state.executor();
    let stats = executor.stats();
    let mut in_flight = executor.in_flight();
    in_flight.sort_by(|a, b| a.call_id.cmp(&b.call_id));
    Json(StatsView {
        overall: stats.overall,
        per_tool: stats.per_tool,
        in_flight,
        running_attempts: executor.running_attempts(),
        max_concurrency: executor.max_concurrency(),
        recent_failures: state.monitor().recent_failures(FAILURES_SHOWN),
    })
}
