//! One attempt's failure, in the engine's terms.

use std::time::Duration;

use crate::input_schema::SchemaMismatch;
use crate::{CallError, ErrorKind, PolicyError, ToolError};

/// Why an attempt (or the call before any attempt) failed.
#[derive(Debug, Clone)]
pub(crate) struct AttemptFailure {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
    pub(crate) retryable: bool,
    pub(crate) outcome_unknown: bool,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) field: Option<String>,
    pub(crate) error_type: Option<String>,
}

impl AttemptFailure {
    fn new(kind: ErrorKind, message: String, retryable: bool) -> Self {
        Self {
            kind,
            message,
            retryable,
            outcome_unknown: false,
            retry_after: None,
            field: None,
            error_type: None,
        }
    }

    pub(crate) fn from_tool(error: ToolError) -> Self {
        let (kind, retryable) = (error.kind(), error.is_retryable());
        let (outcome_unknown, retry_after) = (error.is_outcome_unknown(), error.retry_after());
        let (message, field, error_type) = error.into_parts();
        Self {
            kind,
            message,
            retryable,
            outcome_unknown,
            retry_after,
            field,
            error_type,
        }
    }

    pub(crate) fn attempt_timeout(timeout: Duration) -> Self {
        let mut failure = Self::new(
            ErrorKind::Timeout,
            format!("attempt timed out after {} ms", timeout.as_millis()),
            true,
        );
        failure.outcome_unknown = true;
        failure
    }

    /// No progress for `idle`: retryable like an attempt timeout, and as an attempt
    /// timeout, the tool may have done its work.
    pub(crate) fn idle_timeout(idle: Duration) -> Self {
        let mut failure = Self::new(
            ErrorKind::IdleTimeout,
            format!("attempt reported no progress for {} ms", idle.as_millis()),
            true,
        );
        failure.outcome_unknown = true;
        failure
    }

    pub(crate) fn deadline(message: String) -> Self {
        Self::new(ErrorKind::DeadlineExceeded, message, false)
    }

    pub(crate) fn cancelled(message: &str) -> Self {
        Self::new(ErrorKind::Cancelled, message.to_owned(), false)
    }

    pub(crate) fn panic(message: String) -> Self {
        Self::new(ErrorKind::Panic, format!("tool panicked: {message}"), false)
    }

    pub(crate) fn engine_fault(message: &str) -> Self {
        Self::new(
            ErrorKind::EngineFault,
            format!("the engine failed while running the call: {message}"),
            false,
        )
    }

    /// A per-call override outside its limits: the call is refused before it runs.
    pub(crate) fn invalid_override(error: &PolicyError) -> Self {
        let mut failure = Self::new(ErrorKind::InvalidInput, error.to_string(), false);
        failure.field = Some(error.key.clone());
        failure
    }

    /// An input that does not fit the tool's schema: refused before the first attempt.
    pub(crate) fn schema_mismatch(mismatch: SchemaMismatch) -> Self {
        let mut failure = Self::new(ErrorKind::InvalidInput, mismatch.message, false);
        failure.field = (!mismatch.field.is_empty()).then_some(mismatch.field);
        failure
    }

    pub(crate) fn not_found(tool: &str) -> Self {
        Self::new(
            ErrorKind::NotFound,
            format!("no tool named `{tool}` is registered"),
            false,
        )
    }

    pub(crate) fn circuit_open(tool: &str, remaining: Duration) -> Self {
        Self::new(
            ErrorKind::CircuitOpen,
            format!(
                "circuit of `{tool}` is open after repeated failures; next probe in {} ms",
                remaining.as_millis()
            ),
            true,
        )
    }

    /// No token in the tool's rate limit within `max_wait`: turned away, not retried.
    pub(crate) fn rate_limited(max_wait: Duration) -> Self {
        Self::new(
            ErrorKind::RateLimited,
            format!(
                "the tool's rate limit had no token within {} ms",
                max_wait.as_millis()
            ),
            true,
        )
    }

    /// No room in the tool's bulkhead within `max_wait`: turned away, not retried.
    pub(crate) fn concurrency_limited(max_wait: Duration) -> Self {
        Self::new(
            ErrorKind::ConcurrencyLimited,
            format!(
                "no room in the tool's concurrency limit within {} ms",
                max_wait.as_millis()
            ),
            true,
        )
    }

    /// Whether this failure says the tool is unwell, for the circuit breaker.
    pub(crate) fn counts_against_circuit(&self) -> Option<bool> {
        match self.kind {
            ErrorKind::Timeout
            | ErrorKind::IdleTimeout
            | ErrorKind::Backend
            | ErrorKind::Throttled
            | ErrorKind::Panic
            | ErrorKind::BadOutput => Some(false),
            _ => None,
        }
    }

    pub(crate) fn into_call_error(self) -> CallError {
        CallError {
            kind: self.kind,
            message: self.message,
            retryable: self.retryable,
            field: self.field,
            error_type: self.error_type,
        }
    }
}

/// The text of a panic payload (`panic!`'s message, or a fixed text when the payload
/// is not a string).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}
