//! A request to call one tool.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::policy::call_policy::{check_duration, check_retries};
use crate::PolicyError;
use std::time::Duration;

/// One tool call, as written in a batch file (see `docs/CONTRACTS.md`).
///
/// Only `tool` is required. `timeout_ms` bounds each attempt, `idle_timeout_ms` each
/// attempt's silence (time without a progress report) and `deadline_ms` the whole
/// call with its retries; they, and `max_retries`, override the tool's policy.
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
    /// The idle timeout of each attempt, in milliseconds (absent from the JSON when
    /// not set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_ms: Option<u64>,
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
    #[must_use]
    pub fn new(tool: impl Into<String>, input: Value) -> Self {
        Self {
            tool: tool.into(),
            input,
            call_id: None,
            timeout_ms: None,
            idle_timeout_ms: None,
            deadline_ms: None,
            max_retries: None,
            idempotency_key: None,
        }
    }

    /// Sets the call id.
    #[must_use]
    pub fn with_id(mut self, call_id: impl Into<String>) -> Self {
        self.call_id = Some(call_id.into());
        self
    }

    /// Sets the attempt timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout_ms = Some(duration_ms(timeout));
        self
    }

    /// Sets the idle timeout of each attempt.
    #[must_use]
    pub fn with_idle_timeout(mut self, idle: std::time::Duration) -> Self {
        self.idle_timeout_ms = Some(duration_ms(idle));
        self
    }

    /// Sets the call deadline.
    #[must_use]
    pub fn with_deadline(mut self, deadline: std::time::Duration) -> Self {
        self.deadline_ms = Some(duration_ms(deadline));
        self
    }

    /// Sets the retry count.
    #[must_use]
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Sets the idempotency key.
    #[must_use]
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// The longest `tool`, `call_id` and `idempotency_key` a call may carry, in bytes: the
/// history and the live status keep a call's name and id, so their size bounds what a
/// retained record costs.
pub const MAX_NAME_BYTES: usize = 256;

impl ToolCall {
    /// Checks the call's overrides against the limits every policy obeys (see
    /// [`CallPolicy`](crate::CallPolicy#limits)), naming the first field outside them:
    /// `timeout_ms`, `idle_timeout_ms` and `deadline_ms` from 1 ms to one day, `max_retries` up to 100;
    /// and its `tool`, `call_id` and `idempotency_key` against [`MAX_NAME_BYTES`].
    /// The executor refuses a call with bad overrides (`failed / invalid_input`, not
    /// retried); entry points (batch files, the HTTP API) refuse it before it is
    /// accepted.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let names = [
            ("tool", Some(&self.tool)),
            ("call_id", self.call_id.as_ref()),
            ("idempotency_key", self.idempotency_key.as_ref()),
        ];
        for (field, value) in names {
            if let Some(value) = value.filter(|v| v.len() > MAX_NAME_BYTES) {
                return Err(PolicyError::new(
                    field,
                    format!(
                        "must be at most {MAX_NAME_BYTES} bytes, got {}",
                        value.len()
                    ),
                ));
            }
        }
        if let Some(ms) = self.timeout_ms {
            check_duration("timeout_ms", Duration::from_millis(ms))?;
        }
        if let Some(ms) = self.idle_timeout_ms {
            check_duration("idle_timeout_ms", Duration::from_millis(ms))?;
        }
        if let Some(ms) = self.deadline_ms {
            check_duration("deadline_ms", Duration::from_millis(ms))?;
        }
        if let Some(retries) = self.max_retries {
            check_retries("max_retries", retries)?;
        }
        Ok(())
    }
}

/// Whole milliseconds, at least 1 for a duration that is not zero.
fn duration_ms(duration: std::time::Duration) -> u64 {
    let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 && !duration.is_zero() {
        1
    } else {
        ms
    }
}
