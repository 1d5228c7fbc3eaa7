//! Idle timeouts and progress through the server: `progress` events on `/v1/events`,
//! `idle_timeouts` in `/v1/stats`, and their counters in `/metrics`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::{get, send};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use toolexec::{
    tool_fn, CallContext, Executor, PolicyOverrides, Progress, ToolCall, ToolOptions, ToolSpec,
};
use toolexec_server::AppState;
use tower::ServiceExt;

/// `stalls` reports progress twice, 10 ms apart, then goes silent past its 100 ms idle
/// timeout; no retries.
fn state() -> AppState {
    let stalls = tool_fn(
        ToolSpec::new("stalls", "two reports, then silence"),
        |_input: Value, ctx: CallContext| async move {
            for step in 1..=2 {
                tokio::time::sleep(Duration::from_millis(10)).await;
                ctx.report_progress(Progress::new(f64::from(step)).with_total(4.0));
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(json!({}))
        },
    );
    let options = ToolOptions::default().with_policy(PolicyOverrides {
        idle_timeout: Some(Some(Duration::from_millis(100))),
        max_retries: Some(0),
        ..PolicyOverrides::default()
    });
    let executor = Executor::builder()
        .tool_with(Arc::new(stalls), options)
        .build()
        .expect("a valid executor");
    AppState::builder(executor).build().expect("a valid state")
}

#[tokio::test(start_paused = true)]
async fn progress_and_idle_timeouts_show_in_events_stats_and_metrics() {
    let state = state();
    let app = toolexec_server::app(state.clone());
    let response = app.clone().oneshot(get("/v1/events")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();

    let envelope = state
        .executor()
        .execute(ToolCall::new("stalls", json!({})).with_id("idle-1"))
        .await;
    assert_eq!(envelope.status.as_str(), "timeout");

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
    let progress: Vec<Value> = text
        .split("\n\n")
        .filter(|block| block.contains("event: progress"))
        .filter_map(|block| block.lines().find_map(|l| l.strip_prefix("data: ")))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect();
    assert_eq!(progress.len(), 2, "{text}");
    assert_eq!(
        progress[1],
        json!({"event": "progress", "call_id": "idle-1", "tool_name": "stalls", "attempt": 1,
               "progress": 2.0, "total": 4.0})
    );
    assert!(text.contains(r#""kind":"idle_timeout""#), "{text}");

    let (_, _, stats) = send(&app, get("/v1/stats")).await;
    assert_eq!(stats["per_tool"]["stalls"]["idle_timeouts"], 1);
    assert_eq!(stats["overall"]["idle_timeouts"], 1);

    tokio::time::sleep(Duration::from_millis(10)).await;
    let (_, _, metrics) = send(&app, get("/metrics")).await;
    let metrics = metrics.as_str().unwrap();
    for line in [
        r#"toolexec_idle_timeouts_total{tool="stalls"} 1"#,
        r#"toolexec_progress_reports_total{tool="stalls"} 2"#,
        r#"toolexec_attempt_failures_total{tool="stalls",kind="idle_timeout"} 1"#,
        r#"toolexec_calls_total{tool="stalls",status="timeout"} 1"#,
    ] {
        assert!(metrics.contains(line), "missing `{line}` in\n{metrics}");
    }
}
