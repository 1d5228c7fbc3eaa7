//! Starting a batch (`POST /v1/batches`, a redrive) and answering for it: at once
//! (`202`) or once every call has ended (`200`).

use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use toolexec::{BatchOptions, ToolCall};
use tracing::Instrument;

use crate::batch_store::Batch;
use crate::byte_size::json_size;
use crate::error::ApiError;
use crate::routes::batch_view::BatchView;
use crate::state::AppState;

/// Admits `calls` as batch `id` (the in-flight budgets may refuse it) and runs it as a
/// task of its own, so a client that hangs up does not cancel it; each envelope goes
/// to the batch's feed as its call ends. The batch is
/// journaled under the same id when the executor keeps a journal.
pub(crate) fn start(
    state: &AppState,
    id: String,
    calls: Vec<ToolCall>,
    options: BatchOptions,
) -> Result<Arc<Batch>, ApiError> {
    let names = calls
        .iter()
        .map(|c| (c.call_id.clone().unwrap_or_default(), c.tool.clone()))
        .collect();
    if let Some(journal) = state.journal().filter(|j| j.store().is_behind()) {
        return Err(ApiError::JournalBehind {
            queued: journal.store().health().queued,
            retry_after_secs: 1,
        });
    }
    let redrive_of = options.redrive_of.as_deref().map(str::to_owned);
    let batch = Arc::new(Batch::sized(id, names, json_size(&calls)).redriving(redrive_of));
    state.batches().insert(batch.clone())?;
    let options = options
        .with_cancel(batch.cancel_token())
        .with_batch_id(batch.id.as_str());
    state.watchlist().watch(&batch);
    let runner = state.clone();
    let running = batch.clone();
    tokio::spawn(
        async move {
            let mut ended = runner.executor().execute_batch_stream(calls, options);
            while let Some((index, envelope)) = ended.next().await {
                running.arrived(index, envelope);
            }
            running.finish();
            runner.batches().finished(&running);
            runner.watchlist().unwatch(&running);
        }
        // The batch's span is a child of the request's, even after the request is answered.
        .in_current_span(),
    );
    Ok(batch)
}

/// `200` with every envelope once the batch is done (`wait`), else `202` at once with
/// its `Location`; `extend` adds fields of the route's own to the view.
pub(crate) async fn respond(
    state: &AppState,
    batch: &Batch,
    wait: bool,
    extend: impl FnOnce(BatchView) -> serde_json::Value,
) -> Response {
    if wait {
        batch.wait().await;
        let view = extend(BatchView::of(batch, state));
        return (StatusCode::OK, Json(view)).into_response();
    }
    let location = format!("/v1/batches/{}", batch.id);
    let view = extend(BatchView::of(batch, state));
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response()
}

/// A batch view as JSON, as it is.
pub(crate) fn view_json(view: BatchView) -> serde_json::Value {
    serde_json::to_value(view).unwrap_or_default()
}
