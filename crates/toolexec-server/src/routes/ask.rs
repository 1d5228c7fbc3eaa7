//! `POST /v1/ask`: a question for the supply-chain assistant.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

/// The body of `POST /v1/ask`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    /// The question, in plain language.
    pub question: String,
}

/// The assistant's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AskResponse {
    /// The question asked.
    pub question: String,
    /// What the assistant returned: its answer and execution summary.
    #[schema(value_type = Object)]
    pub answer: Value,
}

/// Asks the assistant plugged into the server.
#[utoipa::path(
    post,
    path = "/v1/ask",
    tag = "ask",
    request_body = AskRequest,
    responses(
        (status = 200, description = "The answer", body = AskResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 422, description = "Empty question", body = ErrorBody),
        (status = 501, description = "No assistant configured", body = ErrorBody),
        (status = 502, description = "The assistant failed", body = ErrorBody),
        (status = 503, description = "The server is stopping (`shutting_down`); the connection is closed", body = ErrorBody),
        (status = 504, description = "The assistant took too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn ask(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<AskRequest>,
) -> Result<Json<AskResponse>, ApiError> {
    if state.is_stopping() {
        return Err(ApiError::ShuttingDown);
    }
    let asker = state.asker().ok_or(ApiError::AskUnavailable)?.clone();
    let question = request.question.trim().to_owned();
    if question.is_empty() {
        return Err(ApiError::invalid("question", "must not be empty"));
    }
    let limit = state.limits().ask_timeout;
    let answer = tokio::time::timeout(limit, asker(question.clone()))
        .await
        .map_err(|_| ApiError::AskTimeout {
            seconds: limit.as_secs(),
        })?
        .map_err(ApiError::AskFailed)?;
    Ok(Json(AskResponse { question, answer }))
}
