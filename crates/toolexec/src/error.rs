//! Errors: what a tool reports ([`ToolError`]), the classification every envelope
//! carries ([`ErrorKind`]), and configuration errors ([`PolicyError`]).

use std::borrow::Cow;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The failure a tool reports from one attempt.
///
/// The variant decides whether the engine retries: see [`ToolError::is_retryable`] and
/// [`ToolError::is_outcome_unknown`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ToolError {
    /// The input does not fit the tool's schema or its rules. Never retried.
    InvalidInput {
        /// The offending field, as a JSON path such as `items[2].lead_time_days`.
        field: Option<String>,
        /// What is wrong with it.
        message: String,
    },
    /// Something the input refers to does not exist (a warehouse, a function). Never retried.
    NotFound {
        /// What was not found.
        message: String,
    },
    /// The caller may not do this. Never retried.
    PermissionDenied {
        /// Why.
        message: String,
    },
    /// The backend asked the caller to slow down. Retried, waiting at least `retry_after`.
    Throttled {
        /// The backend's message.
        message: String,
        /// How long the backend asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// A transient failure before the work took effect (connection refused, 503). Retried.
    Transient {
        /// What happened.
        message: String,
    },
    /// The request was dispatched and its outcome is unknown (connection dropped).
    /// Retried only for idempotent tools or calls that carry an idempotency key.
    OutcomeUnknown {
        /// What happened.
        message: String,
    },
    /// The tool ran and reported a failure of its own. Never retried.
    Failed {
        /// The tool's own error type (a Lambda `errorType`, an exception class).
        error_type: Option<String>,
        /// The tool's message.
        message: String,
    },
    /// The tool answered with output the engine cannot use. Never retried.
    BadOutput {
        /// What is wrong with the output.
        message: String,
    },
}

impl ToolError {
    /// An [`ToolError::InvalidInput`] naming `field`.
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// A [`ToolError::Failed`] with no error type.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed {
            error_type: None,
            message: message.into(),
        }
    }

    /// A [`ToolError::Transient`].
    pub fn transient(message: impl Into<String>) -> Self {
        Self::Transient {
            message: message.into(),
        }
    }

    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Throttled { .. } | Self::Transient { .. } | Self::OutcomeUnknown { .. }
        )
    }

    /// Whether the work may have taken effect although the attempt failed.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown { .. })
    }

    /// The backend's requested wait before the next attempt, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// What [`std::fmt::Display`] writes before the tool's own message; the one place
    /// both `Display` and [`Self::into_parts`] take it from.
    fn prefix(&self) -> Cow<'static, str> {
        match self {
            Self::InvalidInput { field: Some(f), .. } => format!("invalid input at `{f}`: ").into(),
            Self::InvalidInput { field: None, .. } => "invalid input: ".into(),
            Self::NotFound { .. } => "not found: ".into(),
            Self::PermissionDenied { .. } => "permission denied: ".into(),
            Self::Throttled { .. } => "throttled: ".into(),
            Self::Transient { .. } => "transient failure: ".into(),
            Self::OutcomeUnknown { .. } => "outcome unknown: ".into(),
            Self::Failed {
                error_type: Some(t),
                ..
            } => format!("{t}: ").into(),
            Self::Failed {
                error_type: None, ..
            } => "".into(),
            Self::BadOutput { .. } => "bad output: ".into(),
        }
    }

    /// The tool's own message.
    fn message(&self) -> &str {
        match self {
            Self::InvalidInput { message, .. }
            | Self::NotFound { message }
            | Self::PermissionDenied { message }
            | Self::Throttled { message, .. }
            | Self::Transient { message }
            | Self::OutcomeUnknown { message }
            | Self::Failed { message, .. }
            | Self::BadOutput { message } => message,
        }
    }

    /// The message as [`std::fmt::Display`] writes it, with the field and the error
    /// type, built by moving the tool's message rather than by formatting: a retried
    /// call converts one error per failed attempt.
    pub(crate) fn into_parts(self) -> (String, Option<String>, Option<String>) {
        let prefix = self.prefix();
        let (mut message, field, error_type) = match self {
            Self::InvalidInput { field, message } => (message, field, None),
            Self::Failed {
                error_type,
                message,
            } => (message, None, error_type),
            Self::NotFound { message }
            | Self::PermissionDenied { message }
            | Self::Throttled { message, .. }
            | Self::Transient { message }
            | Self::OutcomeUnknown { message }
            | Self::BadOutput { message } => (message, None, None),
        };
        message.insert_str(0, &prefix);
        (message, field, error_type)
    }

    /// The envelope classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::PermissionDenied { .. } => ErrorKind::PermissionDenied,
            Self::Throttled { .. } => ErrorKind::Throttled,
            Self::Transient { .. } | Self::OutcomeUnknown { .. } => ErrorKind::Backend,
            Self::Failed { .. } => ErrorKind::ToolError,
            Self::BadOutput { .. } => ErrorKind::BadOutput,
        }
    }
}

/// `<what went wrong>: <the tool's message>`, e.g. `transient failure: 503`.
impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.prefix(), self.message())
    }
}

impl std::error::Error for ToolError {}

/// The classification of a failed call, as written in the envelope's `error.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// No tool of that name is registered.
    NotFound,
    /// The input was rejected.
    InvalidInput,
    /// The caller may not do this.
    PermissionDenied,
    /// An attempt ran past its attempt timeout.
    Timeout,
    /// An attempt reported no progress for its idle timeout
    /// ([`CallPolicy::idle_timeout`](crate::CallPolicy::idle_timeout)).
    IdleTimeout,
    /// The call or batch deadline stopped the call.
    DeadlineExceeded,
    /// The call was cancelled (fail-fast batch, dropped batch, explicit cancel).
    Cancelled,
    /// The tool's circuit breaker is open.
    CircuitOpen,
    /// A local rate limit refused the call.
    RateLimited,
    /// The tool's concurrency limit (its bulkhead) had no room within its wait.
    ConcurrencyLimited,
    /// The backend throttled the call.
    Throttled,
    /// A transport or backend failure.
    Backend,
    /// The tool ran and reported a failure of its own.
    ToolError,
    /// The tool panicked.
    Panic,
    /// The tool's output could not be used.
    BadOutput,
    /// The engine itself failed while running the call (a bug in toolexec, not in the
    /// tool); what the tool did is unknown.
    EngineFault,
    /// The process running the call ended before the call did (read back from a
    /// journal); whether the tool's work happened is unknown.
    Interrupted,
}

impl ErrorKind {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::InvalidInput => "invalid_input",
            Self::PermissionDenied => "permission_denied",
            Self::Timeout => "timeout",
            Self::IdleTimeout => "idle_timeout",
            Self::DeadlineExceeded => "deadline_exceeded",
            Self::Cancelled => "cancelled",
            Self::CircuitOpen => "circuit_open",
            Self::RateLimited => "rate_limited",
            Self::ConcurrencyLimited => "concurrency_limited",
            Self::Throttled => "throttled",
            Self::Backend => "backend",
            Self::ToolError => "tool_error",
            Self::Panic => "panic",
            Self::BadOutput => "bad_output",
            Self::EngineFault => "engine_fault",
            Self::Interrupted => "interrupted",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy or executor setting that cannot work, named by its configuration key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid `{key}`: {reason}")]
pub struct PolicyError {
    /// The configuration key, as written in `toolexec.toml` (`backoff_multiplier`).
    pub key: String,
    /// Why the value cannot work.
    pub reason: String,
}

impl PolicyError {
    /// A new error for `key`.
    pub fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ToolError;

    #[test]
    fn parts_carry_the_displayed_message_field_and_error_type() {
        let errors = [
            ToolError::invalid_input("items[2].qty", "must be positive"),
            ToolError::InvalidInput {
                field: None,
                message: "not an object".into(),
            },
            ToolError::NotFound {
                message: "WH9".into(),
            },
            ToolError::PermissionDenied {
                message: "no".into(),
            },
            ToolError::Throttled {
                message: "slow down".into(),
                retry_after: None,
            },
            ToolError::transient("503"),
            ToolError::OutcomeUnknown {
                message: "dropped".into(),
            },
            ToolError::Failed {
                error_type: Some("ValueError".into()),
                message: "bad".into(),
            },
            ToolError::Failed {
                error_type: None,
                message: "bad".into(),
            },
            ToolError::BadOutput {
                message: "not JSON".into(),
            },
        ];
        for error in errors {
            let displayed = error.to_string();
            let (field, error_type) = match &error {
                ToolError::InvalidInput { field, .. } => (field.clone(), None),
                ToolError::Failed { error_type, .. } => (None, error_type.clone()),
                _ => (None, None),
            };
            assert_eq!(error.into_parts(), (displayed, field, error_type));
        }
    }
}
