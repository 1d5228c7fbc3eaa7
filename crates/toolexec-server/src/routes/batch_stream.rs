//! `GET /v1/batches/{id}/stream`: a batch's envelopes as its calls end, then a summary,
//! as server-sent events or as NDJSON.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream, StreamExt};
use serde::Serialize;
use tokio::sync::watch;
use toolexec::Envelope;
use utoipa::ToSchema;

use crate::batch_store::Batch;
use crate::error::{ApiError, ErrorBody};
use crate::routes::events::StreamSlot;
use crate::state::AppState;

/// How often an idle SSE stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Envelopes read from the feed at once.
const READ_AT_ONCE: usize = 256;

/// The media type of the NDJSON form.
pub(crate) const NDJSON: &str = "application/x-ndjson";

/// An `envelope` event: one call's envelope as the call ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamEnvelope {
    /// `"envelope"`.
    #[schema(value_type = String)]
    pub event: &'static str,
    /// The call's position in the batch's request (from 0).
    pub index: usize,
    /// The call's envelope (docs/CONTRACTS.md, the envelope).
    #[schema(value_type = Object)]
    pub envelope: Envelope,
}

/// One event of a batch's stream: an envelope, or the summary that ends it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum StreamEvent {
    /// A call ended.
    Envelope(StreamEnvelope),
    /// Every call has ended; the stream ends after it.
    Summary(StreamSummary),
}

/// The `summary` event, last of a batch's stream.
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamSummary {
    /// `"summary"`.
    #[schema(value_type = String)]
    pub event: &'static str,
    /// The batch's id.
    pub batch_id: String,
    /// Whether the batch was cancelled (`DELETE /v1/batches/{id}`).
    pub cancelled: bool,
    /// Calls in the batch.
    pub total: usize,
    /// Calls whose envelope holds an answer (`success: true`).
    pub succeeded: usize,
    /// Calls whose envelope does not.
    pub failed: usize,
    /// Calls by final status.
    pub by_status: BTreeMap<String, usize>,
}

impl StreamEvent {
    /// The event's name: `envelope` or `summary`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Envelope(_) => "envelope",
            Self::Summary(_) => "summary",
        }
    }

    /// The event as one line of JSON.
    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Streams a batch's envelopes as its calls end, each with its index in the request,
/// then a `summary` event; a client that connects late (or after the batch is done)
/// first gets the envelopes already finished, in the order they ended. Server-sent
/// events by default (`event: envelope` / `event: summary`, the JSON as data, the
/// event's place in the stream as its `id`; `Last-Event-ID` resumes after it);
/// NDJSON, one JSON object a line, with `Accept: application/x-ndjson`.
#[utoipa::path(
    get,
    path = "/v1/batches/{id}/stream",
    tag = "batches",
    params(
        ("id" = String, Path, description = "The batch id from `POST /v1/batches`"),
        ("Last-Event-ID" = Option<u64>, Header, description = "SSE: resume after this event"),
    ),
    responses(
        (status = 200, description = "`envelope` events as calls end, then one `summary` event; the stream then ends",
            content(
                (StreamEvent = "text/event-stream"),
                (StreamEvent = "application/x-ndjson"),
            )),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "No such batch in this process (or no longer kept)", body = ErrorBody),
        (status = 429, description = "Too many streams open", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn stream_batch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let batch = state
        .batches()
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(format!("batch `{id}`")))?;
    let max = state.limits().max_event_streams;
    let slot =
        StreamSlot::take(state.event_streams(), max).ok_or(ApiError::TooManyStreams { max })?;
    let closing = state.closing().clone().cancelled_owned();
    let wants = |value: &str| {
        headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains(value))
    };
    if wants(NDJSON) {
        let lines = items(batch, 0).map(move |(_, item)| {
            let _open = &slot;
            let mut line = item.to_json();
            line.push('\n');
            Ok::<_, Infallible>(line)
        });
        let body = Body::from_stream(lines.take_until(closing));
        return Ok(([(header::CONTENT_TYPE, NDJSON)], body).into_response());
    }
    let resume = headers
        .get("last-event-id")
        .and_then(|id| id.to_str().ok()?.trim().parse::<usize>().ok())
        .map_or(0, |last| last.saturating_add(1));
    let events = items(batch, resume).map(move |(place, item)| {
        let _open = &slot;
        let event = Event::default().event(item.name()).id(place.to_string());
        Ok::<_, Infallible>(event.data(item.to_json()))
    });
    let sse =
        Sse::new(events.take_until(closing)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    Ok(sse.into_response())
}

/// Where a reader of a batch's feed stands.
struct Reader {
    batch: Arc<Batch>,
    /// Places in the stream read so far (envelopes, in the order they ended).
    place: usize,
    changes: watch::Receiver<u64>,
    unsent: VecDeque<(usize, Envelope)>,
    ended: bool,
}

/// The batch's items from place `from` on, each with its place: every envelope as
/// `{"event": "envelope", "index", "envelope"}`, then the summary.
fn items(batch: Arc<Batch>, from: usize) -> impl Stream<Item = (usize, StreamEvent)> + Send {
    let changes = batch.feed().subscribe();
    let reader = Reader {
        batch,
        place: from,
        changes,
        unsent: VecDeque::new(),
        ended: false,
    };
    stream::unfold(reader, |mut reader| async move {
        while !reader.ended {
            if let Some((index, envelope)) = reader.unsent.pop_front() {
                let place = reader.place;
                reader.place += 1;
                let item = StreamEvent::Envelope(StreamEnvelope {
                    event: "envelope",
                    index,
                    envelope,
                });
                return Some(((place, item), reader));
            }
            reader.changes.mark_unchanged();
            let read = reader.batch.feed().read_from(reader.place, READ_AT_ONCE);
            if !read.envelopes.is_empty() {
                reader.unsent.extend(read.envelopes);
                continue;
            }
            // The sender lives in the batch, which the reader holds: `changed` fails
            // only if it did not, and then the summary is all that is left to send.
            if read.done || reader.changes.changed().await.is_err() {
                reader.ended = true;
                let summary = summary(&reader.batch);
                return Some(((reader.place, summary), reader));
            }
        }
        None
    })
}

/// The last event of a batch's stream.
fn summary(batch: &Batch) -> StreamEvent {
    let envelopes = batch.envelopes().unwrap_or_default();
    let mut by_status = BTreeMap::new();
    for envelope in envelopes.iter() {
        *by_status
            .entry(envelope.status.as_str().to_owned())
            .or_insert(0) += 1;
    }
    let succeeded = envelopes.iter().filter(|e| e.success).count();
    StreamEvent::Summary(StreamSummary {
        event: "summary",
        batch_id: batch.id.clone(),
        cancelled: batch.is_cancelled(),
        total: batch.calls.len(),
        succeeded,
        failed: envelopes.len() - succeeded,
        by_status,
    })
}
