//! `GET /healthz` and `GET /metrics`: for load balancers and Prometheus.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use toolexec_journal::JournalHealth;
use utoipa::ToSchema;

use crate::error::ErrorBody;
use crate::state::AppState;

/// The answer of `GET /healthz`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `stopping` once a graceful stop has begun (then with status 503, so
    /// that load balancers send no more work).
    pub status: String,
    /// Registered tools.
    pub tools: usize,
    /// Whether the `/v1` routes require a bearer token.
    pub auth: bool,
    /// Batches kept in memory.
    pub batches: usize,
    /// The journal's health (`state`: `healthy` or `degraded` with a `reason`;
    /// `queued`, `written`, `dropped`, `last_error`); absent without a journal.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub journal: Option<JournalHealth>,
}

/// Liveness and readiness; needs no token.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "ops",
    responses(
        (status = 200, description = "The server is up", body = Health),
        (status = 503, description = "The server is stopping (status `stopping`); it takes no new work", body = Health),
    )
)]
pub(crate) async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (code, status) = if state.is_stopping() {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping")
    } else {
        (StatusCode::OK, "ok")
    };
    let health = Health {
        status: status.into(),
        tools: state.executor().tools().len(),
        auth: state.api_token().is_some(),
        batches: state.batches().len(),
        journal: state.journal().map(|j| j.store().health()),
    };
    (code, Json(health))
}

/// Prometheus metrics in the text exposition format: `toolexec_calls_total{tool,status}`,
/// `toolexec_attempts_total`, `toolexec_attempt_failures_total{tool,kind}`,
/// `toolexec_retries_total`, `toolexec_fallbacks_total`,
/// `toolexec_call_duration_seconds` (histogram, by tool), and the gauges
/// `toolexec_calls_in_flight`, `toolexec_attempts_running`, `toolexec_max_concurrency`.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "ops",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.monitor().render(
            state.executor(),
            state.journal().map(|j| j.store().health()).as_ref(),
        ),
    )
}
