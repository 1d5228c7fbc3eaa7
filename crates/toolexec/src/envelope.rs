//! The result envelope: exactly one per call, whatever happens (see `docs/CONTRACTS.md`).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ErrorKind;

/// Where a call stands. The first three are live states; the rest are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// Accepted, waiting for a permit.
    Pending,
    /// An attempt is running.
    Running,
    /// Waiting out the backoff before the next attempt.
    Retrying,
    /// The tool answered.
    Success,
    /// The call failed.
    Failed,
    /// An attempt timeout or a deadline ended the call.
    Timeout,
    /// The call was cancelled.
    Cancelled,
    /// The call was never attempted (circuit open, rate limited).
    Rejected,
    /// The process running the call ended before the call did (a crash, a kill); the
    /// journal says so when it is read again. Whether the tool's work happened is
    /// unknown.
    Interrupted,
}

impl CallStatus {
    /// Every final status, in a fixed order.
    pub const FINAL: [CallStatus; 6] = [
        CallStatus::Success,
        CallStatus::Failed,
        CallStatus::Timeout,
        CallStatus::Cancelled,
        CallStatus::Rejected,
        CallStatus::Interrupted,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Retrying => "retrying",
            Self::Success => "success",
            Self::Failed => "failed",
            Self::Timeout => "timeout",
            Self::Cancelled => "cancelled",
            Self::Rejected => "rejected",
            Self::Interrupted => "interrupted",
        }
    }

    /// Whether the call has ended.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Pending | Self::Running | Self::Retrying)
    }

    /// The final status a call ends with when its last failure is of `kind`.
    pub fn for_failure(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Timeout | ErrorKind::IdleTimeout | ErrorKind::DeadlineExceeded => {
                Self::Timeout
            }
            ErrorKind::Cancelled => Self::Cancelled,
            ErrorKind::CircuitOpen | ErrorKind::RateLimited | ErrorKind::ConcurrencyLimited => {
                Self::Rejected
            }
            ErrorKind::Interrupted => Self::Interrupted,
            _ => Self::Failed,
        }
    }
}

impl std::fmt::Display for CallStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallError {
    /// The classification.
    pub kind: ErrorKind,
    /// A message for people.
    pub message: String,
    /// Whether calling again later may succeed.
    pub retryable: bool,
    /// The offending input field, for `invalid_input`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The tool's own error type, for `tool_error` (a Lambda `errorType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
}

/// What one attempt did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// The attempt number, from 1.
    pub attempt: u32,
    /// `success` or the error kind of the failure (borrowed from the engine's own
    /// names, so recording an attempt allocates nothing for it).
    pub outcome: Cow<'static, str>,
    /// How long the attempt ran.
    pub duration_ms: f64,
    /// The backoff before the next attempt, when there was one.
    pub backoff_ms: Option<f64>,
    /// What stopped a retry the failure allowed (`"retry_budget"`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_stopped_by: Option<Cow<'static, str>>,
    /// Whether the attempt was a hedge, started beside a slow one (absent when not).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hedge: bool,
}

/// The result of one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The call's id.
    pub call_id: Arc<str>,
    /// The tool the call asked for.
    pub tool_name: Arc<str>,
    /// What happened to the real call.
    pub status: CallStatus,
    /// Whether `result` holds an answer (the tool's or a fallback's).
    pub success: bool,
    /// The answer.
    pub result: Option<Value>,
    /// Why the real call did not succeed.
    pub error: Option<CallError>,
    /// Attempts made.
    pub attempts: u32,
    /// Time from accepting the call to its envelope.
    pub execution_time_ms: f64,
    /// Whether `result` came from a fallback.
    pub fallback: bool,
    /// One record per attempt.
    pub attempt_log: Vec<AttemptRecord>,
}

impl Envelope {
    /// The envelope's JSON form.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The error's kind, if the call failed.
    pub fn error_kind(&self) -> Option<ErrorKind> {
        self.error.as_ref().map(|e| e.kind)
    }
}

pub(crate) fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
