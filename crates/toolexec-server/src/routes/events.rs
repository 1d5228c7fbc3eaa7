//! `GET /v1/events`: the executor's lifecycle events as server-sent events.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{Stream, StreamExt};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// How often an idle stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Streams every lifecycle event from now on. Each SSE event is named after the
/// event's `event` field (`started`, `attempt_started`, `attempt_failed`,
/// `retry_scheduled`, `finished`) and carries it as JSON data. A client too slow to
/// keep up gets a `lagged` event with `{"missed": N}` and the stream goes on. The stream
/// ends when the server shuts down.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "events",
    responses(
        (status = 200, description = "A text/event-stream of lifecycle events", content_type = "text/event-stream", body = String),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 429, description = "Too many event streams open", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn events(
    State(state): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let max = state.limits().max_event_streams;
    let slot =
        StreamSlot::take(state.event_streams(), max).ok_or(ApiError::TooManyStreams { max })?;
    let stream = BroadcastStream::new(state.executor().subscribe()).map(move |received| {
        let _open = &slot;
        let event = match received {
            Ok(event) => {
                let json = serde_json::to_value(&event).unwrap_or_default();
                let name = json["event"].as_str().unwrap_or("event").to_owned();
                Event::default().event(name).data(json.to_string())
            }
            Err(BroadcastStreamRecvError::Lagged(missed)) => Event::default()
                .event("lagged")
                .data(serde_json::json!({ "missed": missed }).to_string()),
        };
        Ok(event)
    });
    let stream = stream.take_until(state.closing().clone().cancelled_owned());
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// One of the open event streams the server allows (`/v1/events` and batch streams
/// alike); freed when the stream is dropped.
pub(crate) struct StreamSlot(Arc<AtomicUsize>);

impl StreamSlot {
    /// A slot, if fewer than `max` streams are open.
    pub(crate) fn take(open: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        open.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < max).then_some(n + 1)
        })
        .ok()
        .map(|_| Self(open.clone()))
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
