//! [`LambdaProtocol`]: how a tool's input and a function's answer are framed.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolexec::ToolError;

/// How the input becomes the invocation's event and the payload becomes the result.
///
/// # Default
///
/// [`LambdaProtocol::Raw`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LambdaProtocol {
    /// The input is the event; the response payload is the result.
    #[default]
    Raw,
    /// The protocol of the original system's tool functions (and of this workspace's
    /// `supply-chain-lambda`): the event is `{"tool": NAME, "input": INPUT}`, and the
    /// function answers `{"success": true, "result": ...}` or `{"success": false,
    /// "error": {"kind", "message", "retryable"}}`, whose error kind maps onto
    /// [`ToolError`] as the envelope's kinds do (`invalid_input`, `not_found`,
    /// `permission_denied`, `throttled`, a retryable `backend` or `timeout` is
    /// transient, anything else a failure).
    Structured,
}

impl LambdaProtocol {
    /// The event sent for `input` to a function serving `tool`.
    pub(super) fn event(self, tool: &str, input: &Value) -> Value {
        match self {
            Self::Raw => input.clone(),
            Self::Structured => json!({ "tool": tool, "input": input }),
        }
    }

    /// The result carried by the function's (JSON) answer.
    pub(super) fn result(self, payload: Value) -> Result<Value, ToolError> {
        match self {
            Self::Raw => Ok(payload),
            Self::Structured => unwrap_structured(payload),
        }
    }
}

fn unwrap_structured(payload: Value) -> Result<Value, ToolError> {
    let not_structured = || ToolError::BadOutput {
        message: "the function's answer is not a structured response (no boolean `success`)"
            .to_owned(),
    };
    let Value::Object(mut response) = payload else {
        return Err(not_structured());
    };
    match response.get("success").and_then(Value::as_bool) {
        Some(true) => Ok(response.remove("result").unwrap_or(Value::Null)),
        Some(false) => Err(structured_error(response.remove("error").and_then(
            |e| match e {
                Value::Object(map) => Some(map),
                _ => None,
            },
        ))),
        None => Err(not_structured()),
    }
}

fn structured_error(error: Option<Map<String, Value>>) -> ToolError {
    let error = error.unwrap_or_default();
    let text = |key: &str| error.get(key).and_then(Value::as_str).map(str::to_owned);
    let kind = text("kind").unwrap_or_else(|| "tool_error".to_owned());
    let message = text("message").unwrap_or_else(|| format!("the function reported {kind}"));
    let retryable = error
        .get("retryable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match kind.as_str() {
        "invalid_input" => ToolError::InvalidInput {
            field: text("field"),
            message,
        },
        "not_found" => ToolError::NotFound { message },
        "permission_denied" => ToolError::PermissionDenied { message },
        "throttled" | "rate_limited" => ToolError::Throttled {
            message,
            retry_after: None,
        },
        "bad_output" => ToolError::BadOutput { message },
        "backend" | "timeout" | "deadline_exceeded" if retryable => {
            ToolError::Transient { message }
        }
        "tool_error" => ToolError::Failed {
            error_type: None,
            message,
        },
        _ => ToolError::Failed {
            error_type: Some(kind),
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolexec::ErrorKind;

    #[test]
    fn the_structured_event_names_the_tool() {
        let event = LambdaProtocol::Structured.event("rank_suppliers", &json!({"a": 1}));
        assert_eq!(event, json!({"tool": "rank_suppliers", "input": {"a": 1}}));
        assert_eq!(
            LambdaProtocol::Raw.event("x", &json!({"a": 1})),
            json!({"a": 1})
        );
    }

    #[test]
    fn a_structured_success_is_its_result() {
        let payload = json!({"success": true, "result": {"q": 200}, "error": null});
        assert_eq!(
            LambdaProtocol::Structured.result(payload),
            Ok(json!({"q": 200}))
        );
    }

    #[test]
    fn structured_errors_keep_their_kind() {
        let kind = |error: Value| {
            let payload = json!({"success": false, "error": error});
            LambdaProtocol::Structured
                .result(payload)
                .map_err(|e| e.kind())
        };
        let e = |kind: &str, retryable: bool| json!({"kind": kind, "message": "m", "retryable": retryable});
        assert_eq!(
            kind(e("invalid_input", false)),
            Err(ErrorKind::InvalidInput)
        );
        assert_eq!(kind(e("not_found", false)), Err(ErrorKind::NotFound));
        assert_eq!(kind(e("backend", true)), Err(ErrorKind::Backend));
        assert_eq!(kind(e("tool_error", false)), Err(ErrorKind::ToolError));
        assert_eq!(kind(json!(null)), Err(ErrorKind::ToolError));
    }

    #[test]
    fn an_answer_without_success_is_bad_output() {
        let result = LambdaProtocol::Structured.result(json!({"q": 1}));
        assert_eq!(result.map_err(|e| e.kind()), Err(ErrorKind::BadOutput));
    }
}
