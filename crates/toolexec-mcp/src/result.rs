//! An [`Envelope`] as a `tools/call` result.

use rmcp::model::{CallToolResult, ContentBlock, MetaObject};
use serde_json::{json, Value};
use toolexec::Envelope;

/// The `_meta` key under which every result carries the call's id, status, attempts,
/// fallback flag and duration.
pub const CALL_META_KEY: &str = "toolexec/call";

/// The result of a finished call.
///
/// A successful envelope (the tool's answer or a fallback's) gives its `result` as
/// structured content and as JSON text. A failed one gives `isError: true`, a first
/// text block `"{kind}: {message}"`, and the whole envelope as structured content and
/// as a second text block, so a client that reads only text still sees everything.
pub(crate) fn call_result(envelope: &Envelope) -> CallToolResult {
    let mut result = if envelope.success {
        CallToolResult::structured(envelope.result.clone().unwrap_or(Value::Null))
    } else {
        let json = envelope.to_json();
        let mut result = CallToolResult::error(vec![
            ContentBlock::text(failure_text(envelope)),
            ContentBlock::text(json.to_string()),
        ]);
        result.structured_content = Some(json);
        result
    };
    let mut meta = MetaObject::new();
    meta.0
        .insert(CALL_META_KEY.to_owned(), call_summary(envelope));
    result.meta = Some(meta);
    result
}

/// `"{kind}: {message}"`, or the status when the envelope has no error.
fn failure_text(envelope: &Envelope) -> String {
    match &envelope.error {
        Some(error) => format!("{}: {}", error.kind, error.message),
        None => format!("{}: the call did not succeed", envelope.status),
    }
}

fn call_summary(envelope: &Envelope) -> Value {
    json!({
        "call_id": envelope.call_id,
        "status": envelope.status,
        "attempts": envelope.attempts,
        "fallback": envelope.fallback,
        "execution_time_ms": envelope.execution_time_ms,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use toolexec::{CallError, CallStatus, ErrorKind};

    use super::*;

    fn envelope(success: bool) -> Envelope {
        Envelope {
            call_id: Arc::from("mcp-7"),
            tool_name: Arc::from("sim"),
            status: if success {
                CallStatus::Success
            } else {
                CallStatus::Failed
            },
            success,
            result: success.then(|| json!({"ok": true})),
            error: (!success).then(|| CallError {
                kind: ErrorKind::InvalidInput,
                message: "sku is empty".to_owned(),
                retryable: false,
                field: Some("sku".to_owned()),
                error_type: None,
            }),
            attempts: 1,
            execution_time_ms: 1.5,
            fallback: false,
            attempt_log: Vec::new(),
        }
    }

    #[test]
    fn success_is_structured_content_and_json_text() {
        let result = call_result(&envelope(true));
        assert_eq!(result.is_error, Some(false));
        assert_eq!(result.structured_content, Some(json!({"ok": true})));
        let text = result.content[0].as_text().expect("text").text.clone();
        assert_eq!(
            serde_json::from_str::<Value>(&text).ok(),
            Some(json!({"ok": true}))
        );
        let meta = result.meta.expect("meta");
        assert_eq!(meta.0[CALL_META_KEY]["call_id"], "mcp-7");
    }

    #[test]
    fn failure_is_error_with_kind_message_and_envelope() {
        let failed = envelope(false);
        let result = call_result(&failed);
        assert_eq!(result.is_error, Some(true));
        let text = result.content[0].as_text().expect("text").text.clone();
        assert_eq!(text, "invalid_input: sku is empty");
        assert_eq!(result.structured_content, Some(failed.to_json()));
    }
}
