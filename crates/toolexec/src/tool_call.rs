//! A request to call one tool.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One tool call, as written in a batch file (see `docs/CONTRACTS.md`).
///
/// Only `tool` is required. `timeout_ms` bounds each attempt and `deadline_ms` the
/// whole call with its retries; both, and `max_retries`, override the tool's policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
    /// The tool's name.
    pub tool: String,
    /// The tool's input; an empty object when absent.
    #[serde(default = "empty_object")]
    pub input: Value,
    /// The id of the call in its envelope; generated (`c-N`) when absent.
    #[serde(default)]
    pub call_id: Option<String>,
    /// The attempt timeout, in milliseconds.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// The call deadline across retries, in milliseconds.
    #[serde(default)]
    pub deadline_ms: Option<u64>,
    /// Retries after the first attempt.
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// Lets a mutating tool be retried after an outcome-unknown failure.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

impl ToolCall {
    /// A call of `tool` with `input` and the tool's policy.
    pub fn new(tool: impl Into<String>, input: Value) -> Self {
        Self {
            tool: tool.into(),
            input,
            call_id: None,
            timeout_ms: None,
            deadline_ms: None,
            max_retries: None,
            idempotency_key: None,
        }
    }

    /// Sets the call id.
    pub fn with_id(mut self, call_id: impl Into<String>) -> Self {
        self.call_id = Some(call_id.into());
        self
    }

    /// Sets the attempt timeout.
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout_ms = Some(duration_ms(timeout));
        self
    }

    /// Sets the call deadline.
    pub fn with_deadline(mut self, deadline: std::time::Duration) -> Self {
        self.deadline_ms = Some(duration_ms(deadline));
        self
    }

    /// Sets the retry count.
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Sets the idempotency key.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

fn duration_ms(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
