//! Turning an HTTP response, or its absence, into a result or a [`ToolError`].

use std::time::{Duration, SystemTime};

use reqwest::header::RETRY_AFTER;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use toolexec::ToolError;

use super::retry_after::parse_retry_after;
use crate::text::{error_chain, parse_json_output, truncate_text};

/// The most of an error body quoted in an error message.
const ERROR_BODY_QUOTE: usize = 512;

/// Reads a successful response's JSON body, refusing more than `max_bytes`.
pub(super) async fn read_json(response: Response, max_bytes: u64) -> Result<Value, ToolError> {
    let body = read_capped(response, max_bytes).await?;
    parse_json_output(&body, "the response body")
}

/// The error a non-2xx response stands for.
pub(super) async fn status_error(response: Response) -> ToolError {
    let status = response.status();
    let retry_after = retry_after(&response);
    let body = read_capped(response, ERROR_BODY_QUOTE as u64 * 8)
        .await
        .map(|b| error_detail(&b))
        .unwrap_or_default();
    let message = if body.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {body}")
    };
    classify_status(status, message, retry_after)
}

/// The error for `status`, carrying `message`.
pub(super) fn classify_status(
    status: StatusCode,
    message: String,
    retry_after: Option<Duration>,
) -> ToolError {
    match status.as_u16() {
        429 | 503 => ToolError::Throttled {
            message,
            retry_after,
        },
        400 | 413 | 422 => ToolError::InvalidInput {
            field: None,
            message,
        },
        401 | 403 => ToolError::PermissionDenied { message },
        404 | 410 => ToolError::NotFound { message },
        408 | 500..=599 => ToolError::Transient { message },
        code => ToolError::Failed {
            error_type: Some(format!("HTTP {code}")),
            message,
        },
    }
}

/// The error for a request that got no response.
pub(super) fn send_error(error: &reqwest::Error) -> ToolError {
    let message = error_chain(error);
    if error.is_connect() {
        ToolError::Transient {
            message: format!("connection failed: {message}"),
        }
    } else if error.is_builder() {
        ToolError::invalid_input("input", message)
    } else {
        ToolError::OutcomeUnknown {
            message: format!("no response after sending the request: {message}"),
        }
    }
}

/// The response's `Retry-After`, in delta seconds or as an HTTP date (read against the
/// wall clock now), capped at [`super::MAX_RETRY_AFTER`].
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

async fn read_capped(mut response: Response, max_bytes: u64) -> Result<Vec<u8>, ToolError> {
    let too_big = |size: u64| ToolError::BadOutput {
        message: format!(
            "the response body ({size} bytes or more) exceeds max_response_bytes ({max_bytes})"
        ),
    };
    if let Some(length) = response.content_length().filter(|&l| l > max_bytes) {
        return Err(too_big(length));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| ToolError::OutcomeUnknown {
            message: format!(
                "the connection failed while reading the response: {}",
                error_chain(&e)
            ),
        })?
    {
        if body.len() as u64 + chunk.len() as u64 > max_bytes {
            return Err(too_big(body.len() as u64 + chunk.len() as u64));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The most useful part of an error body: a JSON `message` or `error`, else the text.
fn error_detail(body: &[u8]) -> String {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        for key in ["message", "error", "detail", "errorMessage"] {
            if let Some(Value::String(text)) = map.get(key) {
                return truncate_text(text, ERROR_BODY_QUOTE);
            }
        }
    }
    truncate_text(String::from_utf8_lossy(body).trim(), ERROR_BODY_QUOTE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(code: u16) -> toolexec::ErrorKind {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
        classify_status(status, String::new(), None).kind()
    }

    #[test]
    fn status_codes_map_onto_error_kinds() {
        use toolexec::ErrorKind::*;
        assert_eq!(kind(429), Throttled);
        assert_eq!(kind(503), Throttled);
        assert_eq!(kind(400), InvalidInput);
        assert_eq!(kind(422), InvalidInput);
        assert_eq!(kind(401), PermissionDenied);
        assert_eq!(kind(403), PermissionDenied);
        assert_eq!(kind(404), NotFound);
        assert_eq!(kind(500), Backend);
        assert_eq!(kind(502), Backend);
        assert_eq!(kind(409), ToolError);
    }

    #[test]
    fn error_detail_prefers_a_json_message() {
        assert_eq!(error_detail(br#"{"message": "bad sku"}"#), "bad sku");
        assert_eq!(error_detail(b"  plain text \n"), "plain text");
    }
}
