//! `GET /v1/calls/{call_id}`: the live status of one call.

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Where a call stands.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CallView {
    /// The call's id.
    pub call_id: String,
    /// The tool.
    pub tool_name: String,
    /// `pending`, `running` or `retrying` while in flight; the final status after.
    pub status: String,
    /// Whether the call has ended.
    pub finished: bool,
    /// The attempt running, or attempts made once finished.
    pub attempt: u32,
}

/// The live status of a call in flight, or the final status of one in the history.
#[utoipa::path(
    get,
    path = "/v1/calls/{call_id}",
    tag = "calls",
    params(("call_id" = String, Path, description = "The call's id")),
    responses(
        (status = 200, description = "The call's status", body = CallView),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "Unknown call (or no longer in the history)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn get_call(
    State(state): State<AppState>,
    Path(call_id): Path<String>,
) -> Result<Json<CallView>, ApiError> {
    let live = state
        .executor()
        .call_status(&call_id)
        .ok_or_else(|| ApiError::NotFound(format!("call `{call_id}`")))?;
    Ok(Json(CallView {
        call_id: live.call_id.to_string(),
        tool_name: live.tool_name.to_string(),
        status: live.status.as_str().to_owned(),
        finished: live.status.is_final(),
        attempt: live.attempt,
    }))
}
