//! [`Limits`]: what bounds the server's memory, work and sockets.

use std::time::Duration;

use crate::server_error::ServerError;

/// Limits that keep the server's memory and work bounded, and its sockets defended.
///
/// # Default
///
/// `max_batches: 10_000`, `max_retained_bytes: 256 MiB`, `max_inflight_calls:
/// 100_000`, `max_inflight_bytes: 64 MiB`, `busy_retry_after: 1 s`, `max_body_bytes:
/// 1 MiB`, `max_calls_per_batch: 10_000`, `max_event_streams: 100`, `ask_timeout:
/// 300 s`, `header_read_timeout: 10 s`, `body_read_timeout: 30 s`, `idle_timeout:
/// 60 s`, `max_connections: 1024`, `shutdown_grace: 10 s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Batches kept in memory, running or done; the oldest done ones go first.
    pub max_batches: usize,
    /// Bytes of finished batches kept for `GET /v1/batches/{id}` (their envelopes, as
    /// JSON); past it the oldest finished batch is evicted first.
    pub max_retained_bytes: usize,
    /// Calls of running batches; a batch that would pass it is refused with 429 and
    /// `Retry-After` (unless nothing runs).
    pub max_inflight_calls: usize,
    /// Bytes of running batches (their calls, as JSON); a batch that would pass it is
    /// refused with 429 and `Retry-After` (unless nothing runs).
    pub max_inflight_bytes: usize,
    /// The `Retry-After` of a 429 for work past the budgets (whole seconds, at least 1).
    pub busy_retry_after: Duration,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// The most calls one batch may hold.
    pub max_calls_per_batch: usize,
    /// Event streams (`GET /v1/events`, `GET /v1/batches/{id}/stream`) open at once.
    pub max_event_streams: usize,
    /// How long `POST /v1/ask` waits for the assistant.
    pub ask_timeout: Duration,
    /// How long a client may take to send a request's headers, from its first byte
    /// (or from the connection's opening); past it the connection is closed.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body, once its headers are in;
    /// past it the request is answered 408 and the connection closed.
    pub body_read_timeout: Duration,
    /// How long a connection may stay open with no request in progress.
    pub idle_timeout: Duration,
    /// Connections served at once; more wait in the listener's backlog.
    pub max_connections: usize,
    /// How long a graceful stop lets running batches finish before it cancels them
    /// (see [`crate::drain`]); zero cancels them at once.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_batches: 10_000,
            max_retained_bytes: 256 * 1024 * 1024,
            max_inflight_calls: 100_000,
            max_inflight_bytes: 64 * 1024 * 1024,
            busy_retry_after: Duration::from_secs(1),
            max_body_bytes: 1024 * 1024,
            max_calls_per_batch: 10_000,
            max_event_streams: 100,
            ask_timeout: Duration::from_secs(300),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl Limits {
    pub(crate) fn validate(&self) -> Result<(), ServerError> {
        let checks = [
            ("max_batches", self.max_batches > 0),
            ("max_retained_bytes", self.max_retained_bytes > 0),
            ("max_inflight_calls", self.max_inflight_calls > 0),
            ("max_inflight_bytes", self.max_inflight_bytes > 0),
            ("busy_retry_after", !self.busy_retry_after.is_zero()),
            ("max_body_bytes", self.max_body_bytes > 0),
            ("max_calls_per_batch", self.max_calls_per_batch > 0),
            ("max_event_streams", self.max_event_streams > 0),
            ("ask_timeout", !self.ask_timeout.is_zero()),
            ("header_read_timeout", !self.header_read_timeout.is_zero()),
            ("body_read_timeout", !self.body_read_timeout.is_zero()),
            ("idle_timeout", !self.idle_timeout.is_zero()),
            ("max_connections", self.max_connections > 0),
        ];
        match checks.iter().find(|(_, ok)| !ok) {
            Some((key, _)) => Err(ServerError::InvalidConfig {
                key,
                reason: "must be greater than 0".into(),
            }),
            None => Ok(()),
        }
    }
}
