//! `GET /v1/tools` and `GET /v1/stats`.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{get, post_json, router, send};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn tools_lists_specs_sorted_by_name() {
    let (status, _, body) = send(&router(), get("/v1/tools")).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["echo", "flaky", "slow"]);
    assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
    assert_eq!(body["tools"][0]["annotations"]["read_only"], true);
}

#[tokio::test(start_paused = true)]
async fn stats_report_per_tool_rates_in_flight_and_recent_failures() {
    let app = router();
    let batch = json!({"calls": [
        {"tool": "echo"},
        {"tool": "echo", "call_id": "bad", "input": {"fail_with": "tool_error"}},
        {"tool": "flaky"}
    ]});
    send(&app, post_json("/v1/batches", &batch)).await;
    send(
        &app,
        post_json(
            "/v1/batches?wait=false",
            &json!({"calls": [{"tool": "slow", "call_id": "s"}]}),
        ),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(10)).await;

    let (status, _, stats) = send(&app, get("/v1/stats")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stats["overall"]["total"], 3);
    assert_eq!(stats["per_tool"]["echo"]["total"], 2);
    assert_eq!(stats["per_tool"]["echo"]["success_rate"], 0.5);
    assert_eq!(stats["per_tool"]["flaky"]["retries"], 1);
    assert!(stats["per_tool"]["echo"]["p95_ms"].is_number());
    assert_eq!(stats["in_flight"][0]["call_id"], "s");
    assert_eq!(stats["running_attempts"], 1);
    assert_eq!(stats["max_concurrency"], 4);
    let failure = &stats["recent_failures"][0];
    assert_eq!(failure["call_id"], "bad");
    assert_eq!(failure["status"], "failed");
    assert_eq!(failure["error_kind"], "tool_error");
    assert!(failure["message"]
        .as_str()
        .unwrap()
        .contains("scripted tool_error"));
}
