//! `GET /v1/calls/{call_id}`.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{error_of, get, post_json, router, send};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn call_status_is_live_then_final() {
    let app = router();
    let body = json!({"calls": [{"tool": "slow", "call_id": "live-1"}]});
    let (status, _, _) = send(&app, post_json("/v1/batches?wait=false", &body)).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    tokio::time::sleep(Duration::from_millis(10)).await;
    let (status, _, call) = send(&app, get("/v1/calls/live-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        call,
        json!({"call_id": "live-1", "tool_name": "slow", "status": "running", "finished": false, "attempt": 1})
    );

    tokio::time::sleep(Duration::from_millis(100)).await;
    let (_, _, call) = send(&app, get("/v1/calls/live-1")).await;
    assert_eq!(call["status"], "success");
    assert_eq!(call["finished"], true);
}

#[tokio::test(start_paused = true)]
async fn unknown_call_is_404() {
    let (status, _, error) = send(&router(), get("/v1/calls/nobody")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&error).0, "not_found");
}
