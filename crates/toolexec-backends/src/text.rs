//! Shared handling of text and JSON that backends answer with.

use serde_json::Value;
use toolexec::ToolError;

/// Cuts `text` to at most `max` bytes on a character boundary, saying how much was cut.
pub(crate) fn truncate_text(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} more bytes)", &text[..end], text.len() - end)
}

/// Parses a JSON document a backend answered with, or says why it is unusable.
pub(crate) fn parse_json_output(bytes: &[u8], what: &str) -> Result<Value, ToolError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|e| ToolError::BadOutput {
        message: format!(
            "{what} is not JSON ({e}): {}",
            truncate_text(&String::from_utf8_lossy(bytes), 200)
        ),
    })
}

/// An error and its sources, joined by `: `.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_text("abc", 5), "abc");
        assert_eq!(truncate_text("héllo", 2), "h... (5 more bytes)");
    }

    #[test]
    fn blank_output_is_null_and_garbage_is_bad_output() {
        assert_eq!(parse_json_output(b" \n", "x"), Ok(Value::Null));
        let kind = parse_json_output(b"nope", "x").map_err(|e| e.kind());
        assert_eq!(kind, Err(toolexec::ErrorKind::BadOutput));
    }
}
