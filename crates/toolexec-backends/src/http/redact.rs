//! Keeping secrets out of what a tool returns.
//!
//! The values an HTTP tool resolves from `${ENV}` references in its headers are
//! secrets. A peer may echo them back (an error body quoting the request's
//! `Authorization` header, a debugging endpoint returning its headers), and whatever
//! the tool returns reaches envelopes, events, statistics and logs. So every message
//! and every string of a result is scrubbed here, before the tool returns, and the
//! secret is replaced by [`REDACTED`].

use std::sync::Arc;

use serde_json::Value;
use toolexec::ToolError;

/// What a secret is replaced by.
pub const REDACTED: &str = "[redacted]";

/// Values shorter than this are not scrubbed: they would match everywhere, and are no
/// secret worth the name.
const MIN_SECRET_LEN: usize = 4;

/// The secret values of one tool, longest first (so that a secret containing another
/// is scrubbed whole).
#[derive(Clone, Default)]
pub(super) struct Secrets(Arc<[String]>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values)", self.0.len())
    }
}

impl Secrets {
    /// The secrets among `values`; short and repeated values are left out.
    pub(super) fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut values: Vec<String> = values
            .into_iter()
            .filter(|v| v.len() >= MIN_SECRET_LEN)
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Self(values.into())
    }

    /// Whether there is nothing to scrub.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub(super) fn scrub(&self, text: &mut String) {
        for secret in self.0.iter() {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), REDACTED);
            }
        }
    }

    /// Scrubs every string and key of a result.
    pub(super) fn scrub_value(&self, value: &mut Value) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(text) => self.scrub(text),
            Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_value(v)),
            Value::Object(map) => {
                let leaks = map
                    .keys()
                    .any(|k| self.0.iter().any(|s| k.contains(s.as_str())));
                if leaks {
                    let entries = std::mem::take(map);
                    for (mut key, v) in entries {
                        self.scrub(&mut key);
                        map.insert(key, v);
                    }
                }
                map.values_mut().for_each(|v| self.scrub_value(v));
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// `error` with every secret scrubbed from its messages.
    pub(super) fn scrub_error(&self, mut error: ToolError) -> ToolError {
        if self.is_empty() {
            return error;
        }
        match &mut error {
            ToolError::InvalidInput { field, message } => {
                self.scrub(message);
                if let Some(field) = field {
                    self.scrub(field);
                }
            }
            ToolError::Failed {
                error_type,
                message,
            } => {
                self.scrub(message);
                if let Some(error_type) = error_type {
                    self.scrub(error_type);
                }
            }
            ToolError::NotFound { message }
            | ToolError::PermissionDenied { message }
            | ToolError::Throttled { message, .. }
            | ToolError::Transient { message }
            | ToolError::OutcomeUnknown { message }
            | ToolError::BadOutput { message } => self.scrub(message),
            other => {
                // A variant added to the engine later: keep its text, scrubbed, as a
                // failure of the tool rather than risk a leak.
                let mut message = other.to_string();
                self.scrub(&mut message);
                return ToolError::Failed {
                    error_type: None,
                    message,
                };
            }
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secrets() -> Secrets {
        Secrets::new(["s3cr3t-token".to_owned(), "abc".to_owned()])
    }

    #[test]
    fn secrets_in_error_messages_are_redacted() {
        let error = ToolError::PermissionDenied {
            message: "HTTP 401: bad token Bearer s3cr3t-token".into(),
        };
        let scrubbed = secrets().scrub_error(error);
        assert_eq!(
            scrubbed.to_string(),
            "permission denied: HTTP 401: bad token Bearer [redacted]"
        );
    }

    #[test]
    fn secrets_in_results_are_redacted_in_strings_and_keys() {
        let mut value = json!({"echo": ["x s3cr3t-token y"], "s3cr3t-token": 1, "n": 7});
        secrets().scrub_value(&mut value);
        assert_eq!(
            value,
            json!({"echo": ["x [redacted] y"], "[redacted]": 1, "n": 7})
        );
    }

    #[test]
    fn short_values_are_not_treated_as_secrets() {
        let mut text = "abc".to_owned();
        secrets().scrub(&mut text);
        assert_eq!(text, "abc");
    }

    #[test]
    fn a_secret_containing_another_is_redacted_whole() {
        let secrets = Secrets::new(["token".to_owned(), "my-token-value".to_owned()]);
        let mut text = "got my-token-value".to_owned();
        secrets.scrub(&mut text);
        assert_eq!(text, "got [redacted]");
    }
}
