//! `GET /healthz`, `GET /metrics`, `GET /openapi.json` and the dashboard at `/`.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{get, post_json, router, send};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn healthz_is_ok() {
    let (status, _, body) = send(&router(), get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"status": "ok", "tools": 3, "auth": false, "batches": 0})
    );
}

#[tokio::test(start_paused = true)]
async fn metrics_count_calls_retries_latency_and_in_flight() {
    let app = router();
    let batch = json!({"calls": [{"tool": "echo"}, {"tool": "flaky"}, {"tool": "echo", "input": {"fail_with": "tool_error"}}]});
    send(&app, post_json("/v1/batches", &batch)).await;
    send(
        &app,
        post_json(
            "/v1/batches?wait=false",
            &json!({"calls": [{"tool": "slow"}]}),
        ),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(10)).await;

    let (status, headers, body) = send(&app, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = body.as_str().expect("text");
    for line in [
        r#"toolexec_calls_total{tool="echo",status="success"} 1"#,
        r#"toolexec_calls_total{tool="echo",status="failed"} 1"#,
        r#"toolexec_calls_total{tool="flaky",status="success"} 1"#,
        r#"toolexec_retries_total{tool="flaky"} 1"#,
        r#"toolexec_attempt_failures_total{tool="echo",kind="tool_error"} 1"#,
        r#"toolexec_call_errors_total{tool="echo",kind="tool_error"} 1"#,
        r#"toolexec_call_duration_seconds_count{tool="echo"} 2"#,
        "toolexec_calls_in_flight 1",
        "toolexec_attempts_running 1",
        "toolexec_max_concurrency 4",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
    assert!(
        text.contains("# TYPE toolexec_call_duration_seconds histogram"),
        "{text}"
    );
    assert!(
        text.contains(r#"toolexec_call_duration_seconds_bucket{tool="echo",le="0.001"}"#),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn openapi_document_lists_every_route() {
    let (status, _, doc) = send(&router(), get("/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/v1/batches",
        "/v1/batches/{id}",
        "/v1/calls/{call_id}",
        "/v1/events",
        "/v1/tools",
        "/v1/stats",
        "/v1/ask",
        "/metrics",
        "/healthz",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let wait = &doc["paths"]["/v1/batches"]["post"]["parameters"][0];
    assert_eq!(
        (&wait["name"], &wait["in"], &wait["required"]),
        (&json!("wait"), &json!("query"), &json!(false))
    );
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["ToolCall"]["properties"]["timeout_ms"].is_object());
    assert!(schemas["ToolCall"]["properties"]["idle_timeout_ms"].is_object());
    assert!(schemas["ErrorBody"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test(start_paused = true)]
async fn dashboard_page_is_served_as_html() {
    let (status, headers, body) = send(&router(), get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = body.as_str().unwrap();
    assert!(page.contains("/v1/events") && page.contains("/v1/stats"));
}

#[tokio::test(start_paused = true)]
async fn metrics_label_unknown_tools_as_unregistered() {
    let state = common::state();
    let app = toolexec_server::app(state.clone());
    let envelope = state
        .executor()
        .execute(toolexec::ToolCall::new("ghost-tool", json!({})))
        .await;
    assert_eq!(envelope.status.as_str(), "failed");
    tokio::time::sleep(Duration::from_millis(10)).await;
    let (_, _, body) = send(&app, get("/metrics")).await;
    let text = body.as_str().unwrap();
    assert!(
        text.contains(r#"toolexec_calls_total{tool="_unregistered",status="failed"} 1"#),
        "{text}"
    );
    assert!(!text.contains("ghost-tool"));
}
