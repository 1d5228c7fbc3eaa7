//! [`ApiJson`]: a JSON body extractor whose failures are [`ApiError`]s naming the
//! offending field.
//!
//! axum's own `Json` answers in plain text and names no path. This one reads the body
//! under the size limit, tells malformed JSON (400) from a body of the wrong shape
//! (422), and names the field with `serde_path_to_error`, as in `calls[2].timeout_ms`.
//! A body that takes longer than [`crate::Limits::body_read_timeout`] to arrive, however
//! steadily it trickles, is answered 408 and its connection closed.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// A request body parsed as JSON into `T`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let timeout = state.limits().body_read_timeout;
        let read = tokio::time::timeout(timeout, Bytes::from_request(req, state));
        let bytes = read.await.map_err(|_| ApiError::RequestTimeout {
            seconds: timeout.as_secs_f64(),
        })?;
        let bytes = bytes.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge {
                    limit: state.limits().max_body_bytes,
                }
            } else {
                ApiError::BadRequest("the request body could not be read".into())
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses `bytes` as JSON into `T`, naming the field of the first error.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            let field = if path == "." { "body".into() } else { path };
            ApiError::invalid(field, strip_position(&inner.to_string()))
        } else {
            ApiError::MalformedJson(inner.to_string())
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    Ok(value)
}

/// serde_json appends ` at line L column C` to data errors; the path says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        n: u32,
    }

    #[test]
    fn wrong_type_names_the_path() {
        let err = parse::<Body>(br#"{"items": [{"n": 1}, {"n": "x"}]}"#).unwrap_err();
        assert_eq!(
            err,
            ApiError::invalid("items[1].n", "invalid type: string \"x\", expected u32")
        );
    }

    #[test]
    fn syntax_error_is_malformed() {
        let err = parse::<Body>(br#"{"items": ["#).unwrap_err();
        assert_eq!(err.code(), "malformed_json");
    }

    #[test]
    fn trailing_garbage_is_malformed() {
        let err = parse::<Body>(br#"{"items": []} x"#).unwrap_err();
        assert_eq!(err.code(), "malformed_json");
    }
}
