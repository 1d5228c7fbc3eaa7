//! Turning a failed `Invoke` into a [`ToolError`].

use std::time::Duration;

use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::operation::invoke::InvokeError;
use serde_json::Value;
use toolexec::ToolError;

use crate::text::{error_chain, truncate_text};

type RawResponse = aws_sdk_lambda::config::http::HttpResponse;

/// The error a function reported: its `errorType` and `errorMessage`.
pub(super) fn function_error(body: &[u8]) -> ToolError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    ToolError::Failed {
        error_type: field("errorType"),
        message: field("errorMessage")
            .unwrap_or_else(|| truncate_text(String::from_utf8_lossy(body).trim(), 1024)),
    }
}

/// The error a failed `Invoke` of `function` stands for.
pub(super) fn invoke_error(function: &str, error: SdkError<InvokeError, RawResponse>) -> ToolError {
    let detail = error_chain(&error);
    match &error {
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            let body = context.raw().body().bytes().unwrap_or_default().to_vec();
            service_error(function, context.err(), status, &body)
        }
        SdkError::DispatchFailure(failure) => {
            let message = format!("cannot reach the Lambda API: {detail}");
            let not_sent = failure.is_timeout()
                || failure.as_connector_error().is_some_and(|e| {
                    chain_has(e, |io| {
                        matches!(
                            io.kind(),
                            std::io::ErrorKind::ConnectionRefused
                                | std::io::ErrorKind::AddrNotAvailable
                                | std::io::ErrorKind::NotFound
                        )
                    })
                });
            if not_sent {
                ToolError::Transient { message }
            } else {
                ToolError::OutcomeUnknown { message }
            }
        }
        SdkError::ConstructionFailure(_) => {
            ToolError::invalid_input("input", format!("cannot build the request: {detail}"))
        }
        _ => ToolError::OutcomeUnknown {
            message: format!("no usable answer from the Lambda API: {detail}"),
        },
    }
}

fn service_error(function: &str, error: &InvokeError, status: u16, body: &[u8]) -> ToolError {
    if is_function_error_body(body) {
        // The local emulator reports a function error as a 500 carrying the error body.
        return function_error(body);
    }
    let code = error.code().unwrap_or_default();
    let message = format!(
        "{function}: {}{}",
        if code.is_empty() {
            format!("HTTP {status}")
        } else {
            code.to_owned()
        },
        error
            .message()
            .map(|m| format!(": {m}"))
            .unwrap_or_default()
    );
    if let InvokeError::TooManyRequestsException(throttle) = error {
        return ToolError::Throttled {
            message,
            retry_after: throttle
                .retry_after_seconds()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
        };
    }
    match code {
        "ResourceNotFoundException" => return ToolError::NotFound { message },
        "InvalidRequestContentException"
        | "RequestTooLargeException"
        | "UnsupportedMediaTypeException"
        | "InvalidParameterValueException"
        | "SerializedRequestEntityTooLargeException" => {
            return ToolError::InvalidInput {
                field: None,
                message,
            }
        }
        "AccessDeniedException"
        | "KMSAccessDeniedException"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "ExpiredTokenException" => return ToolError::PermissionDenied { message },
        "ServiceException" => return ToolError::OutcomeUnknown { message },
        _ => {}
    }
    let before_the_function_ran = [
        "ResourceNotReady",
        "ResourceConflict",
        "EC2",
        "ENI",
        "EFS",
        "Subnet",
        "SnapStartNotReady",
    ];
    if before_the_function_ran.iter().any(|p| code.starts_with(p)) {
        return ToolError::Transient { message };
    }
    match status {
        429 => ToolError::Throttled {
            message,
            retry_after: None,
        },
        404 => ToolError::NotFound { message },
        401 | 403 => ToolError::PermissionDenied { message },
        400 | 413 | 415 => ToolError::InvalidInput {
            field: None,
            message,
        },
        500..=599 => ToolError::OutcomeUnknown { message },
        _ => ToolError::Failed {
            error_type: (!code.is_empty()).then(|| code.to_owned()),
            message,
        },
    }
}

fn is_function_error_body(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.as_object()
                .map(|o| o.contains_key("errorType") || o.contains_key("errorMessage"))
        })
        .unwrap_or(false)
}

fn chain_has(
    error: &(dyn std::error::Error + 'static),
    test: impl Fn(&std::io::Error) -> bool,
) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.downcast_ref::<std::io::Error>().is_some_and(&test) {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_error_carries_type_and_message() {
        let error =
            function_error(br#"{"errorType": "StockoutError", "errorMessage": "no stock"}"#);
        assert_eq!(
            error,
            ToolError::Failed {
                error_type: Some("StockoutError".into()),
                message: "no stock".into()
            }
        );
    }

    #[test]
    fn an_unstructured_function_error_keeps_its_text() {
        let error = function_error(b"Unhandled");
        assert_eq!(error.to_string(), "Unhandled");
    }
}
