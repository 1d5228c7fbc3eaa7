//! `DELETE /v1/batches/{id}`, and admission control: the work in flight has budgets,
//! past which a batch is refused with 429 and `Retry-After`, never for good.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use common::{error_of, get, post_json, send};
use serde_json::{json, Value};
use toolexec::{Executor, SimConfig, SimTool};
use toolexec_server::{app, AppState, Limits};

/// A server whose `long` tool takes an hour, under `limits`.
fn long_app(limits: Limits) -> Router {
    let long = SimTool::new(
        "long",
        SimConfig {
            latency: Duration::from_secs(3600),
            ..SimConfig::default()
        },
    );
    let executor = Executor::builder()
        .max_concurrency(4)
        .tool(Arc::new(long))
        .tool(Arc::new(SimTool::new("echo", SimConfig::default())))
        .build()
        .expect("valid executor");
    app(AppState::builder(executor)
        .limits(limits)
        .build()
        .expect("valid state"))
}

fn delete(uri: &str) -> Request<Body> {
    Request::delete(uri)
        .body(Body::empty())
        .expect("valid request")
}

async fn submit(app: &Router, calls: usize) -> (StatusCode, Value) {
    let calls: Vec<Value> = (0..calls).map(|_| json!({"tool": "long"})).collect();
    let (status, _, view) = send(
        app,
        post_json("/v1/batches?wait=false", &json!({"calls": calls})),
    )
    .await;
    (status, view)
}

#[tokio::test(start_paused = true)]
async fn delete_cancels_a_running_batch_and_every_call_ends_cancelled() {
    let app = long_app(Limits::default());
    let (status, view) = submit(&app, 3).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = view["batch_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(10)).await;

    let (status, _, cancelled) = send(&app, delete(&format!("/v1/batches/{id}"))).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "done");
    assert_eq!(cancelled["cancelled"], true);
    let envelopes = cancelled["envelopes"].as_array().expect("envelopes");
    assert_eq!(envelopes.len(), 3);
    assert!(
        envelopes.iter().all(|e| e["status"] == "cancelled"),
        "{cancelled}"
    );

    let (status, _, again) = send(&app, get(&format!("/v1/batches/{id}"))).await;
    assert_eq!(
        (status, again["status"].clone()),
        (StatusCode::OK, json!("done"))
    );
}

#[tokio::test(start_paused = true)]
async fn delete_of_a_finished_batch_leaves_it_as_it_was() {
    let app = long_app(Limits::default());
    let body = json!({"calls": [{"tool": "echo"}]});
    let (_, _, view) = send(&app, post_json("/v1/batches", &body)).await;
    let id = view["batch_id"].as_str().unwrap();
    let (status, _, after) = send(&app, delete(&format!("/v1/batches/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after["cancelled"], false);
    assert_eq!(after["envelopes"][0]["status"], "success");
}

#[tokio::test(start_paused = true)]
async fn delete_of_an_unknown_batch_is_404() {
    let app = long_app(Limits::default());
    let (status, _, error) = send(&app, delete("/v1/batches/b-404")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&error).0, "not_found");
}

#[tokio::test(start_paused = true)]
async fn work_past_the_inflight_budget_gets_429_with_retry_after_until_a_batch_is_cancelled() {
    let app = long_app(Limits {
        max_inflight_calls: 4,
        busy_retry_after: Duration::from_secs(2),
        ..Limits::default()
    });
    let (status, first) = submit(&app, 3).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let calls: Vec<Value> = (0..2).map(|_| json!({"tool": "long"})).collect();
    let (status, headers, error) = send(
        &app,
        post_json("/v1/batches?wait=false", &json!({"calls": calls})),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_of(&error).0, "too_many_batches");
    assert_eq!(headers["retry-after"], "2");

    let id = first["batch_id"].as_str().unwrap();
    let (status, _, _) = send(&app, delete(&format!("/v1/batches/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = submit(&app, 2).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "the cancelled batch freed its budget"
    );
}

#[tokio::test(start_paused = true)]
async fn a_batch_larger_than_the_inflight_budget_runs_when_nothing_else_does() {
    let app = long_app(Limits {
        max_inflight_calls: 2,
        ..Limits::default()
    });
    let (status, _) = submit(&app, 5).await;
    assert_eq!(status, StatusCode::ACCEPTED, "never locked out for good");
    let (status, _) = submit(&app, 1).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(start_paused = true)]
async fn finished_batches_are_kept_within_the_byte_budget_oldest_evicted_first() {
    let app = long_app(Limits {
        max_retained_bytes: 3000,
        ..Limits::default()
    });
    let mut ids = Vec::new();
    for _ in 0..20 {
        let body = json!({"calls": [{"tool": "echo", "input": {"pad": "x".repeat(200)}}]});
        let (status, _, view) = send(&app, post_json("/v1/batches", &body)).await;
        assert_eq!(status, StatusCode::OK);
        ids.push(view["batch_id"].as_str().unwrap().to_owned());
    }
    let (status, _, _) = send(&app, get(&format!("/v1/batches/{}", ids[0]))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the oldest was evicted");
    let (status, _, _) = send(&app, get(&format!("/v1/batches/{}", ids[19]))).await;
    assert_eq!(status, StatusCode::OK, "the newest is kept");
}

#[tokio::test]
async fn openapi_documents_delete_of_a_batch() {
    let document = serde_json::to_value(toolexec_server::openapi()).unwrap();
    let delete = &document["paths"]["/v1/batches/{id}"]["delete"];
    assert!(delete.is_object(), "{document}");
    assert!(delete["responses"]["200"].is_object());
    let busy = &document["paths"]["/v1/batches"]["post"]["responses"]["429"];
    assert!(busy["headers"]["Retry-After"].is_object(), "{busy}");
}
