//! `POST /v1/batches`, `GET /v1/batches/{id}` and `DELETE /v1/batches/{id}`: run a
//! batch, wait for it or poll it, cancel it.

use std::collections::HashSet;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use toolexec::{BatchOptions, FailureMode, ToolCall};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::openapi::ToolCallSchema;
use crate::routes::batch_view::BatchView;
use crate::routes::{journal_view, launch};
use crate::state::AppState;

/// The body of `POST /v1/batches`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The calls, in the batch-file shape of the CLI.
    #[schema(value_type = Vec<ToolCallSchema>)]
    pub calls: Vec<ToolCall>,
    /// The longest the whole batch may take, in milliseconds.
    #[serde(default)]
    pub deadline_ms: Option<u64>,
    /// The most calls of this batch attempted at once, below the executor's limit.
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// What failures do to the rest of the batch; `collect_all` when absent.
    #[serde(default)]
    pub failure_mode: Option<FailureModeRequest>,
}

/// A failure mode: `"collect_all"`, `"fail_fast"`, or `{"tolerate": N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = FailureMode)]
pub enum FailureModeRequest {
    /// Run every call whatever happens to the others.
    CollectAll,
    /// Cancel the calls still running at the first failure.
    FailFast,
    /// Cancel the calls still running once more than N have failed.
    Tolerate(usize),
}

impl From<FailureModeRequest> for FailureMode {
    fn from(mode: FailureModeRequest) -> Self {
        match mode {
            FailureModeRequest::CollectAll => FailureMode::CollectAll,
            FailureModeRequest::FailFast => FailureMode::FailFast,
            FailureModeRequest::Tolerate(n) => FailureMode::Tolerate(n),
        }
    }
}

/// The query of `POST /v1/batches`.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// Wait for every envelope (`true`, the default) or answer `202` with the batch id
    /// at once (`false`).
    #[serde(default = "default_wait")]
    #[param(required = false, default = true)]
    pub wait: bool,
}

fn default_wait() -> bool {
    true
}

/// Runs a batch of tool calls.
#[utoipa::path(
    post,
    path = "/v1/batches",
    tag = "batches",
    params(BatchQuery),
    request_body = BatchRequest,
    responses(
        (status = 200, description = "The batch ran; every envelope, in request order", body = BatchView),
        (status = 202, description = "The batch was accepted (`wait=false`); poll its `batch_id`", body = BatchView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Invalid input; `field` names it, e.g. `calls[2].timeout_ms`", body = ErrorBody),
        (status = 429, description = "The work in flight is at its budget (`too_many_batches`), or the journal's writer is behind (`journal_behind`); retry after `Retry-After` seconds", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))),
        (status = 503, description = "The server is stopping (`shutting_down`); the connection is closed", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_batch(
    State(state): State<AppState>,
    query: Result<Query<BatchQuery>, QueryRejection>,
    ApiJson(request): ApiJson<BatchRequest>,
) -> Result<Response, ApiError> {
    if state.is_stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let id = state.new_batch_id();
    let (calls, options) = validate(request, &id, &state)?;
    let batch = launch::start(&state, id, calls, options)?;
    Ok(launch::respond(&state, &batch, query.wait, launch::view_json).await)
}

/// Checks what serde cannot (known tools, positive durations, unique ids), gives every
/// call an id, and builds the batch options.
fn validate(
    request: BatchRequest,
    batch_id: &str,
    state: &AppState,
) -> Result<(Vec<ToolCall>, BatchOptions), ApiError> {
    let limits = state.limits();
    if request.calls.len() > limits.max_calls_per_batch {
        return Err(ApiError::invalid(
            "calls",
            format!(
                "at most {} calls per batch, got {}",
                limits.max_calls_per_batch,
                request.calls.len()
            ),
        ));
    }
    let known: HashSet<String> = state
        .executor()
        .tools()
        .into_iter()
        .map(|t| t.name)
        .collect();
    let mut ids = HashSet::new();
    let mut calls = request.calls;
    for (i, call) in calls.iter_mut().enumerate() {
        if !known.contains(&call.tool) {
            return Err(ApiError::invalid(
                format!("calls[{i}].tool"),
                format!("unknown tool `{}`; GET /v1/tools lists them", call.tool),
            ));
        }
        // The engine's own limits on per-call overrides, named as the body names them.
        call.validate()
            .map_err(|e| ApiError::invalid(format!("calls[{i}].{}", e.key), e.reason))?;
        let id = call
            .call_id
            .get_or_insert_with(|| format!("{batch_id}-{i}"));
        if id.is_empty() {
            return Err(ApiError::invalid(
                format!("calls[{i}].call_id"),
                "must not be empty",
            ));
        }
        if !ids.insert(id.clone()) {
            return Err(ApiError::invalid(
                format!("calls[{i}].call_id"),
                format!("`{id}` is used by an earlier call of this batch"),
            ));
        }
    }
    positive(request.deadline_ms, || "deadline_ms".into())?;
    let mut options = BatchOptions::default();
    if let Some(ms) = request.deadline_ms {
        options = options.with_deadline(Duration::from_millis(ms));
    }
    if let Some(limit) = request.concurrency {
        if limit == 0 {
            return Err(ApiError::invalid("concurrency", "must be at least 1"));
        }
        options = options.with_max_concurrency(limit);
    }
    if let Some(mode) = request.failure_mode {
        options = options.with_failure_mode(mode.into());
    }
    Ok((calls, options))
}

fn positive(value: Option<u64>, field: impl FnOnce() -> String) -> Result<(), ApiError> {
    match value {
        Some(0) => Err(ApiError::invalid(field(), "must be at least 1 ms")),
        _ => Ok(()),
    }
}

/// A batch's status, with every envelope once it is done.
#[utoipa::path(
    get,
    path = "/v1/batches/{id}",
    tag = "batches",
    params(("id" = String, Path, description = "The batch id from `POST /v1/batches`")),
    responses(
        (status = 200, description = "The batch", body = BatchView),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "No such batch (or no longer kept)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn get_batch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<BatchView>, ApiError> {
    if let Some(batch) = state.batches().get(&id) {
        return Ok(Json(BatchView::of(&batch, &state)));
    }
    // A batch of an earlier process, or one no longer kept in memory.
    journal_view::batch_view(&state, &id)?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("batch `{id}`")))
}

/// How long `DELETE /v1/batches/{id}` waits for a cancelled batch's envelopes.
const CANCEL_WAIT: Duration = Duration::from_secs(5);

/// Cancels a running batch: calls not finished end `cancelled`.
#[utoipa::path(
    delete,
    path = "/v1/batches/{id}",
    tag = "batches",
    params(("id" = String, Path, description = "The batch id from `POST /v1/batches`")),
    responses(
        (status = 200, description = "The batch is done (cancelled, or it had finished already); every envelope", body = BatchView),
        (status = 202, description = "Cancelled, but some calls have not ended within 5 s; poll the batch", body = BatchView),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "No such batch (or no longer kept)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn cancel_batch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let batch = state
        .batches()
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(format!("batch `{id}`")))?;
    if !batch.is_done() {
        batch.cancel();
    }
    let done = tokio::time::timeout(CANCEL_WAIT, batch.wait())
        .await
        .is_ok();
    let status = if done {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(BatchView::of(&batch, &state))).into_response())
}
