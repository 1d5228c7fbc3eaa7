//! The routes that read the durable journal: `GET /v1/batches` (listing),
//! `GET /v1/history`, `POST /v1/batches/{id}/redrive`, and batches of earlier
//! processes for `GET /v1/batches/{id}`.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use toolexec::BatchOptions;
use toolexec_journal::{redrive, BatchSummary, HistoryQuery, HistoryRow};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::routes::batch_view::BatchView;
use crate::routes::batches::BatchQuery;
use crate::routes::journal_view::unreadable;
use crate::routes::launch::{self, view_json};
use crate::state::AppState;

/// The most rows one listing or history page returns.
pub const MAX_PAGE: usize = 10_000;

fn journal(state: &AppState) -> Result<&Arc<toolexec_journal::EngineJournal>, ApiError> {
    state.journal().ok_or(ApiError::NoJournal)
}

fn page_size(limit: Option<usize>, field: &str) -> Result<usize, ApiError> {
    match limit.unwrap_or(100) {
        0 => Err(ApiError::invalid(field, "must be at least 1")),
        n if n > MAX_PAGE => Err(ApiError::invalid(
            field,
            format!("must be at most {MAX_PAGE}"),
        )),
        n => Ok(n),
    }
}

/// The query of `GET /v1/batches`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many batches (1 to 10,000; default 100).
    pub limit: Option<usize>,
    /// Only batches accepted before this batch id (the next page).
    pub before: Option<String>,
}

/// A page of journaled batches, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchList {
    /// The batches: id, times, status counts, whether interrupted, what they redrive.
    #[schema(value_type = Vec<Object>)]
    pub batches: Vec<BatchSummary>,
}

/// Journaled batches, newest first, this process's and earlier ones'.
#[utoipa::path(
    get,
    path = "/v1/batches",
    tag = "batches",
    params(ListQuery),
    responses(
        (status = 200, description = "Batches, newest first", body = BatchList),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 422, description = "A bad `limit`", body = ErrorBody),
        (status = 501, description = "The server keeps no journal (`no_journal`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn list_batches(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<BatchList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let limit = page_size(query.limit, "limit")?;
    let batches = journal(&state)?
        .store()
        .batches(limit, query.before.as_deref())
        .map_err(unreadable)?;
    Ok(Json(BatchList { batches }))
}

/// The query of `GET /v1/history`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Only calls of this tool.
    pub tool: Option<String>,
    /// Only calls that ended with this status.
    pub status: Option<String>,
    /// Only calls that ended at or after this time (Unix ms).
    pub since_ms: Option<u64>,
    /// Only calls that ended before this time (Unix ms).
    pub until_ms: Option<u64>,
    /// At most this many calls (1 to 10,000; default 100).
    pub limit: Option<usize>,
}

/// Ended calls, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryPage {
    /// The calls: batch, index, call id, tool, status, error kind, attempts, latency,
    /// end time, fallback.
    #[schema(value_type = Vec<Object>)]
    pub calls: Vec<HistoryRow>,
}

/// The journal's history of ended calls, filtered, newest first.
#[utoipa::path(
    get,
    path = "/v1/history",
    tag = "batches",
    params(HistoryParams),
    responses(
        (status = 200, description = "Ended calls, newest first", body = HistoryPage),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 422, description = "A bad filter; `field` names it", body = ErrorBody),
        (status = 501, description = "The server keeps no journal (`no_journal`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn history(
    State(state): State<AppState>,
    query: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Json<HistoryPage>, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some(status) = &params.status {
        if !toolexec::CallStatus::FINAL
            .iter()
            .any(|s| s.as_str() == status)
        {
            return Err(ApiError::invalid(
                "status",
                format!("`{status}` is not a final status"),
            ));
        }
    }
    for (field, value) in [("since_ms", params.since_ms), ("until_ms", params.until_ms)] {
        if value.is_some_and(|ms| ms > i64::MAX as u64) {
            return Err(ApiError::invalid(
                field,
                "is past the latest time the journal holds",
            ));
        }
    }
    let query = HistoryQuery {
        tool: params.tool,
        status: params.status,
        since_ms: params.since_ms,
        until_ms: params.until_ms,
        limit: page_size(params.limit, "limit")?,
    };
    let calls = journal(&state)?
        .store()
        .history(&query)
        .map_err(unreadable)?;
    Ok(Json(HistoryPage { calls }))
}

/// Re-runs the calls of a journaled batch that ended `failed`, `timeout`, `cancelled`
/// or `interrupted`, as a new batch linked to it (`redrive_of`). A call of a tool that
/// is neither read-only nor idempotent runs again only with an idempotency key; it and
/// calls of tools no longer registered are listed in `skipped` with the reason.
#[utoipa::path(
    post,
    path = "/v1/batches/{id}/redrive",
    tag = "batches",
    params(("id" = String, Path, description = "The journaled batch to redrive"), BatchQuery),
    responses(
        (status = 200, description = "The new batch ran; its view plus `skipped`", body = BatchView),
        (status = 202, description = "The new batch was accepted (`wait=false`)", body = BatchView),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "The journal holds no such batch", body = ErrorBody),
        (status = 422, description = "Nothing to redrive, or the batch is still running", body = ErrorBody),
        (status = 429, description = "The work in flight is at its budget", body = ErrorBody),
        (status = 501, description = "The server keeps no journal (`no_journal`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn redrive_batch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<BatchQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let detail = journal(&state)?
        .store()
        .batch(&id)
        .map_err(unreadable)?
        .ok_or_else(|| ApiError::NotFound(format!("batch `{id}`")))?;
    let plan = redrive::plan(&detail, &state.executor().tools())
        .map_err(|e| ApiError::invalid("id", e.to_string()))?;
    if plan.calls.is_empty() {
        let why = if plan.skipped.is_empty() {
            "no call of it ended failed, timeout, cancelled or interrupted".to_owned()
        } else {
            format!(
                "every call to redrive was skipped: {}",
                plan.skipped[0].reason
            )
        };
        return Err(ApiError::invalid(
            "id",
            format!("nothing to redrive in `{id}`: {why}"),
        ));
    }
    let new_id = state.new_batch_id();
    let options = BatchOptions::default().with_redrive_of(id.as_str());
    let batch = launch::start(&state, new_id, plan.calls, options)?;
    let skipped = serde_json::to_value(&plan.skipped).unwrap_or_default();
    let extend = move |view: BatchView| {
        let mut json = view_json(view);
        json["skipped"] = skipped;
        json
    };
    Ok(launch::respond(&state, &batch, query.wait, extend).await)
}
