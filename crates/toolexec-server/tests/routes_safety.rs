//! Auth, the body limit, and JSON errors for every failure.

mod common;

use axum::http::{Request, StatusCode};
use common::{error_of, get, post_json, post_raw, router, send, state_with};
use serde_json::json;
use toolexec_server::app;

fn with_token() -> axum::Router {
    app(state_with(|b| b.api_token(Some("s3cret".into()))))
}

fn authed(uri: &str, token: &str) -> Request<axum::body::Body> {
    Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("valid request")
}

#[tokio::test(start_paused = true)]
async fn protected_routes_need_the_token() {
    let app = with_token();
    for uri in [
        "/v1/tools",
        "/v1/stats",
        "/v1/events",
        "/v1/calls/x",
        "/v1/batches/b-1",
        "/metrics",
    ] {
        let (status, headers, body) = send(&app, get(uri)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(error_of(&body).0, "unauthorized");
        assert!(headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
        let (status, _, _) = send(&app, authed(uri, "wrong")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri} with a wrong token");
    }
    let (status, _, _) = send(&app, post_json("/v1/batches", &json!({"calls": []}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(&app, authed("/v1/tools", "s3cret")).await;
    assert_eq!(status, StatusCode::OK);
    let lower = Request::get("/v1/tools")
        .header("authorization", "bearer s3cret")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(send(&app, lower).await.0, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn health_openapi_and_dashboard_are_public() {
    let app = with_token();
    for uri in ["/healthz", "/openapi.json", "/"] {
        assert_eq!(send(&app, get(uri)).await.0, StatusCode::OK, "{uri}");
    }
}

#[tokio::test(start_paused = true)]
async fn malformed_json_is_400() {
    let (status, _, body) = send(&router(), post_raw("/v1/batches", "{\"calls\": [")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&body).0, "malformed_json");
}

#[tokio::test(start_paused = true)]
async fn oversized_body_is_413() {
    let app = app(state_with(|b| b.max_body_bytes(1024)));
    let big = json!({"calls": [{"tool": "echo", "input": {"pad": "x".repeat(2048)}}]});
    let (status, _, body) = send(&app, post_json("/v1/batches", &big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(&body).0, "payload_too_large");
}

#[tokio::test(start_paused = true)]
async fn unknown_route_is_404_and_wrong_method_is_405_both_json() {
    let (status, _, body) = send(&router(), get("/v2/nothing")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&body).0, "not_found");
    let put = axum::http::Request::put("/v1/tools")
        .body(axum::body::Body::empty())
        .expect("a request");
    let (status, _, body) = send(&router(), put).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_of(&body).0, "method_not_allowed");
}

#[tokio::test(start_paused = true)]
async fn axums_own_rejections_are_json_too() {
    let (status, _, body) = send(&router(), get("/v1/calls/%FF%FE")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&body).0, "bad_request");
}

#[tokio::test(start_paused = true)]
async fn errors_leak_no_internals() {
    let (_, _, body) = send(&router(), post_raw("/v1/batches", "nope")).await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains("src/") && !message.contains("panicked"),
        "{message}"
    );
}
