//! Turning a `tools/call` answer, or its failure, into a result or a [`ToolError`].

use rmcp::model::{CallToolResult, ContentBlock, ErrorCode};
use rmcp::ServiceError;
use serde_json::{json, Value};
use toolexec::ToolError;

use crate::text::truncate_text;

/// The value of a result, or `Failed` when the server set `isError`.
pub(super) fn tool_result(result: CallToolResult) -> Result<Value, ToolError> {
    let text = texts(&result.content);
    if result.is_error == Some(true) {
        let message = match (&text, &result.structured_content) {
            (Some(text), _) => truncate_text(text, 4096),
            (None, Some(value)) => truncate_text(&value.to_string(), 4096),
            (None, None) => "the tool reported an error".to_owned(),
        };
        return Err(ToolError::Failed {
            error_type: None,
            message,
        });
    }
    if let Some(value) = result.structured_content {
        return Ok(value);
    }
    match text {
        Some(text) => Ok(serde_json::from_str(&text).unwrap_or_else(|_| json!({ "text": text }))),
        None if result.content.is_empty() => Ok(Value::Null),
        None => serde_json::to_value(&result.content)
            .map(|content| json!({ "content": content }))
            .map_err(|e| ToolError::BadOutput {
                message: format!("the tool's content cannot be read: {e}"),
            }),
    }
}

/// The text blocks joined by newlines, when every block is text.
fn texts(content: &[ContentBlock]) -> Option<String> {
    let parts: Option<Vec<&str>> = content
        .iter()
        .map(|block| block.as_text().map(|t| t.text.as_str()))
        .collect();
    parts.filter(|p| !p.is_empty()).map(|p| p.join("\n"))
}

/// The error for a request that could not be sent.
pub(super) fn send_error(server: &str, error: &ServiceError) -> ToolError {
    ToolError::Transient {
        message: format!("cannot send to MCP server `{server}`: {error}"),
    }
}

/// The error for a request sent to `server` that did not end in a result.
pub(super) fn response_error(server: &str, error: ServiceError) -> ToolError {
    match error {
        ServiceError::McpError(data) => {
            let message = format!("MCP server `{server}`: {}", data.message);
            match data.code {
                ErrorCode::INVALID_PARAMS => ToolError::InvalidInput {
                    field: None,
                    message,
                },
                ErrorCode::METHOD_NOT_FOUND | ErrorCode::RESOURCE_NOT_FOUND => {
                    ToolError::NotFound { message }
                }
                code => ToolError::Failed {
                    error_type: Some(format!("MCP error {}", code.0)),
                    message,
                },
            }
        }
        ServiceError::Timeout { timeout } => ToolError::OutcomeUnknown {
            message: format!(
                "MCP server `{server}` sent no result or progress for {} ms; the request was cancelled",
                timeout.as_millis()
            ),
        },
        ServiceError::UnexpectedResponse => ToolError::BadOutput {
            message: format!("MCP server `{server}` answered tools/call with another kind of result"),
        },
        other => ToolError::OutcomeUnknown {
            message: format!("lost MCP server `{server}` while waiting for the result: {other}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_content_is_the_result() {
        let result = CallToolResult::structured(json!({"a": 1}));
        assert_eq!(tool_result(result), Ok(json!({"a": 1})));
    }

    #[test]
    fn json_text_is_parsed_and_other_text_wrapped() {
        let json_text = CallToolResult::success(vec![ContentBlock::text("[1, 2]")]);
        assert_eq!(tool_result(json_text), Ok(json!([1, 2])));
        let plain = CallToolResult::success(vec![ContentBlock::text("hello")]);
        assert_eq!(tool_result(plain), Ok(json!({"text": "hello"})));
    }

    #[test]
    fn is_error_is_a_failure_with_the_text() {
        let result = CallToolResult::error(vec![ContentBlock::text("no such sku")]);
        assert_eq!(
            tool_result(result),
            Err(ToolError::Failed {
                error_type: None,
                message: "no such sku".into()
            })
        );
    }
}
