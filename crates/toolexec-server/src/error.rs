//! Every failure the API answers, mapped to a status code and a JSON body.
//!
//! As in axum's error-handling example, handlers return [`ApiError`] and the mapping to
//! HTTP lives in one place. The body is always
//! `{"error": {"code": "...", "message": "..."}}` (plus `field` for invalid input), and
//! [`ApiError::Internal`] never shows its detail to the client: it is logged instead.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A failed request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The body is not well-formed JSON (400 `malformed_json`).
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// A query string that cannot be read (400 `bad_request`).
    #[error("{0}")]
    BadRequest(String),
    /// The bearer token is missing or wrong (401 `unauthorized`).
    #[error("a valid bearer token is required (Authorization: Bearer <token>)")]
    Unauthorized,
    /// No such route or resource (404 `not_found`).
    #[error("{0} not found")]
    NotFound(String),
    /// The route exists but not for this method (405 `method_not_allowed`).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The body did not arrive within the body-read timeout (408 `request_timeout`);
    /// the connection is closed.
    #[error("the request body did not arrive within {seconds} s")]
    RequestTimeout {
        /// The limit, in seconds.
        seconds: f64,
    },
    /// The body is larger than the server accepts (413 `payload_too_large`).
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Well-formed JSON that does not fit the request's shape or rules
    /// (422 `invalid_input`).
    #[error("invalid `{field}`: {message}")]
    InvalidInput {
        /// Where, as a JSON path such as `calls[2].timeout_ms`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The work in flight is at its budget (429 `too_many_batches`, with
    /// `Retry-After`): too many calls or bytes in running batches, or the store full of
    /// running batches.
    #[error(
        "the server is busy: {running} batches ({running_calls} calls) are running; retry \
         after {retry_after_secs} s, or cancel a batch with DELETE /v1/batches/{{id}}"
    )]
    TooManyBatches {
        /// Batches running now.
        running: usize,
        /// Calls of the running batches.
        running_calls: usize,
        /// The `Retry-After` sent, in seconds.
        retry_after_secs: u64,
    },
    /// As many event streams are open as the server allows (429 `too_many_streams`).
    #[error("{max} event streams are open; close one first")]
    TooManyStreams {
        /// The limit.
        max: usize,
    },
    /// `POST /v1/ask` without an assistant configured (501 `not_implemented`).
    #[error("no assistant is configured on this server")]
    AskUnavailable,
    /// The assistant answered with an error (502 `ask_failed`); the message is the
    /// assistant's own, written for users.
    #[error("{0}")]
    AskFailed(String),
    /// The assistant did not answer in time (504 `timeout`).
    #[error("the assistant did not answer within {seconds} s")]
    AskTimeout {
        /// The limit, in seconds.
        seconds: u64,
    },
    /// The journal's writer is behind (more than half its queue waits): new work waits
    /// until it catches up (429 `journal_behind`, with `Retry-After`), so that nothing
    /// is lost.
    #[error("the journal is {queued} records behind; retry after {retry_after_secs} s")]
    JournalBehind {
        /// Records waiting for the writer.
        queued: usize,
        /// The `Retry-After` sent, in seconds.
        retry_after_secs: u64,
    },
    /// A route that reads the journal on a server that keeps none (501 `no_journal`).
    #[error("this server keeps no journal (it was started with --no-journal)")]
    NoJournal,
    /// The server is stopping and takes no new work (503 `shutting_down`, with
    /// `Connection: close`); reads are still answered until it has stopped.
    #[error("the server is stopping and takes no new work; retry elsewhere or once it restarts")]
    ShuttingDown,
    /// A fault of the server itself (500 `internal`); the detail is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// An [`ApiError::InvalidInput`] at `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidInput { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyBatches { .. }
            | Self::TooManyStreams { .. }
            | Self::JournalBehind { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::AskUnavailable | Self::NoJournal => StatusCode::NOT_IMPLEMENTED,
            Self::AskFailed(_) => StatusCode::BAD_GATEWAY,
            Self::AskTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            Self::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code in the body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "malformed_json",
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RequestTimeout { .. } => "request_timeout",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::InvalidInput { .. } => "invalid_input",
            Self::TooManyBatches { .. } => "too_many_batches",
            Self::TooManyStreams { .. } => "too_many_streams",
            Self::AskUnavailable => "not_implemented",
            Self::NoJournal => "no_journal",
            Self::JournalBehind { .. } => "journal_behind",
            Self::AskFailed(_) => "ask_failed",
            Self::AskTimeout { .. } => "timeout",
            Self::ShuttingDown => "shutting_down",
            Self::Internal(_) => "internal",
        }
    }

    /// The body sent to the client.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
                field: match self {
                    Self::InvalidInput { field, .. } => Some(field.clone()),
                    _ => None,
                },
            },
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The code, message and (for invalid input) field of an error.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `malformed_json`, `bad_request`, `unauthorized`, `not_found`,
    /// `method_not_allowed`, `request_timeout`, `payload_too_large`, `invalid_input`,
    /// `too_many_batches`,
    /// `too_many_streams`,
    /// `journal_behind`, `not_implemented`, `no_journal`, `ask_failed`, `timeout`, `shutting_down`, `internal`.
    pub code: String,
    /// A message for people.
    pub message: String,
    /// The offending field as a JSON path, for `invalid_input`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(detail = %detail, "internal error answered with 500");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if matches!(self, Self::Unauthorized) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"toolexec\""),
            );
        }
        if matches!(self, Self::RequestTimeout { .. } | Self::ShuttingDown) {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        let retry_after_secs = match self {
            Self::TooManyBatches {
                retry_after_secs, ..
            }
            | Self::JournalBehind {
                retry_after_secs, ..
            } => Some(retry_after_secs),
            Self::TooManyStreams { .. } => Some(1),
            _ => None,
        };
        if let Some(seconds) = retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Turns any error response that is not JSON yet (a rejection axum answers itself, such
/// as a path that is not valid UTF-8) into the JSON error shape, keeping its status.
pub(crate) async fn ensure_json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "error",
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: status
                .canonical_reason()
                .unwrap_or("request failed")
                .to_lowercase(),
            field: None,
        },
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut json = Json(body).into_response();
    json.headers_mut().extend(parts.headers);
    (parts.status, json).into_response()
}

/// The answer to a request no route matches.
pub(crate) async fn route_not_found() -> ApiError {
    ApiError::NotFound("route".into())
}

/// The answer to a known route asked with the wrong method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
