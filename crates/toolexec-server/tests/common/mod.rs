//! Shared helpers: an executor of sim tools, app states, and request shorthands.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use toolexec::{Executor, SimConfig, SimTool};
use toolexec_server::{app, AppState, AppStateBuilder};
use tower::ServiceExt;

/// Tools: `echo` answers at once, `slow` after 50 ms, `flaky` fails its first attempt.
pub fn executor() -> Executor {
    let sim = |name: &str, config: SimConfig| Arc::new(SimTool::new(name, config));
    Executor::builder()
        .max_concurrency(4)
        .tool(sim("echo", SimConfig::default()))
        .tool(sim(
            "slow",
            SimConfig {
                latency: Duration::from_millis(50),
                ..SimConfig::default()
            },
        ))
        .tool(sim(
            "flaky",
            SimConfig {
                fail_first: 1,
                ..SimConfig::default()
            },
        ))
        .build()
        .expect("valid executor")
}

pub fn state() -> AppState {
    state_with(|b| b)
}

pub fn state_with(configure: impl FnOnce(AppStateBuilder) -> AppStateBuilder) -> AppState {
    configure(AppState::builder(executor()))
        .build()
        .expect("valid state")
}

pub fn router() -> Router {
    app(state())
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .body(Body::empty())
        .expect("valid request")
}

pub fn post_json(uri: &str, body: &Value) -> Request<Body> {
    post_raw(uri, body.to_string())
}

pub fn post_raw(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(body.into())
        .expect("valid request")
}

/// Sends `request` and returns the status, headers and body (JSON, or a JSON string
/// holding the text when the body is not JSON).
pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, headers, body)
}

/// Asserts the JSON error shape and returns `(code, field)`.
pub fn error_of(body: &Value) -> (String, Option<String>) {
    let error = &body["error"];
    assert!(error["message"].is_string(), "no message in {body}");
    (
        error["code"].as_str().expect("code").to_owned(),
        error["field"].as_str().map(str::to_owned),
    )
}
