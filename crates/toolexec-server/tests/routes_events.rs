//! `GET /v1/events`: server-sent events of the lifecycle stream.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{post_json, router, send};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

#[tokio::test(start_paused = true)]
async fn events_stream_a_batch_lifecycle_as_json() {
    let app = router();
    let response = app
        .clone()
        .oneshot(common::get("/v1/events"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();

    let batch = json!({"calls": [{"tool": "flaky", "call_id": "ev-1"}]});
    let (status, _, _) = send(&app, post_json("/v1/batches", &batch)).await;
    assert_eq!(status, StatusCode::OK);

    let mut text = String::new();
    let read = async {
        while !text.contains("event: finished") {
            let frame = body.frame().await.expect("stream open").expect("frame");
            if let Ok(data) = frame.into_data() {
                text.push_str(&String::from_utf8_lossy(&data));
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("finished event within 5 s");

    let events: Vec<(String, Value)> = text
        .split("\n\n")
        .filter_map(|block| {
            let name = block.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((name.to_owned(), serde_json::from_str(data).ok()?))
        })
        .collect();
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "started",
            "attempt_started",
            "attempt_failed",
            "retry_scheduled",
            "attempt_started",
            "finished"
        ]
    );
    let (_, finished) = events.last().unwrap();
    assert_eq!(finished["call_id"], "ev-1");
    assert_eq!(finished["status"], "success");
    assert_eq!(finished["attempts"], 2);
}

#[tokio::test(start_paused = true)]
async fn event_streams_are_limited_and_freed_when_closed() {
    let app = toolexec_server::app(common::state_with(|b| {
        b.limits(toolexec_server::Limits {
            max_event_streams: 1,
            ..Default::default()
        })
    }));
    let first = app
        .clone()
        .oneshot(common::get("/v1/events"))
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let (status, _, body) = send(&app, common::get("/v1/events")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(common::error_of(&body).0, "too_many_streams");
    drop(first);
    let again = app
        .clone()
        .oneshot(common::get("/v1/events"))
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
}
