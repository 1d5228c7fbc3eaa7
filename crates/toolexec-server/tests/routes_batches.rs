//! `POST /v1/batches` and `GET /v1/batches/{id}`.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{error_of, get, post_json, router, send, state_with};
use serde_json::json;
use toolexec_server::app;

#[tokio::test(start_paused = true)]
async fn batch_waits_and_returns_envelopes_in_request_order() {
    let app = router();
    let body = json!({"calls": [
        {"tool": "slow", "call_id": "a"},
        {"tool": "echo"},
        {"tool": "flaky", "call_id": "c"}
    ]});
    let (status, _, view) = send(&app, post_json("/v1/batches", &body)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["status"], "done");
    assert_eq!(view["total"], 3);
    assert_eq!(view["completed"], 3);
    let envelopes = view["envelopes"].as_array().expect("envelopes");
    let ids: Vec<&str> = envelopes
        .iter()
        .map(|e| e["call_id"].as_str().unwrap())
        .collect();
    let batch_id = view["batch_id"].as_str().unwrap();
    assert_eq!(ids, ["a", &format!("{batch_id}-1"), "c"]);
    assert!(envelopes.iter().all(|e| e["success"] == true));
    assert_eq!(envelopes[2]["attempts"], 2, "flaky is retried once");
    assert_eq!(envelopes[0]["tool_name"], "slow");
}

#[tokio::test(start_paused = true)]
async fn wait_false_answers_202_at_once_and_the_batch_can_be_polled() {
    let app = router();
    let body = json!({"calls": [{"tool": "slow", "call_id": "s1"}]});
    let (status, headers, view) = send(&app, post_json("/v1/batches?wait=false", &body)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(view["status"], "running");
    assert!(view["envelopes"].is_null());
    let id = view["batch_id"].as_str().unwrap().to_owned();
    assert_eq!(headers["location"], format!("/v1/batches/{id}").as_str());

    tokio::time::sleep(Duration::from_millis(10)).await;
    let (_, _, running) = send(&app, get(&format!("/v1/batches/{id}"))).await;
    assert_eq!(running["status"], "running");
    assert_eq!(running["calls"][0]["status"], "running");
    assert_eq!(running["completed"], 0);

    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, _, done) = send(&app, get(&format!("/v1/batches/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["status"], "done");
    assert_eq!(done["envelopes"][0]["status"], "success");
}

#[tokio::test(start_paused = true)]
async fn a_running_batch_shows_calls_that_finished_so_far() {
    let app = router();
    let body = json!({"calls": [{"tool": "echo", "call_id": "quick"}, {"tool": "slow", "call_id": "long"}]});
    let (_, _, view) = send(&app, post_json("/v1/batches?wait=false", &body)).await;
    let id = view["batch_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(10)).await;

    let (_, _, running) = send(&app, get(&format!("/v1/batches/{id}"))).await;
    assert_eq!(running["status"], "running");
    assert_eq!(running["completed"], 1);
    let quick = &running["calls"][0];
    assert_eq!(
        (&quick["status"], &quick["success"], &quick["attempt"]),
        (&json!("success"), &json!(true), &json!(1))
    );
    assert!(quick["execution_time_ms"].is_number());
    assert_eq!(running["calls"][1]["status"], "running");
    assert!(running["calls"][1].get("success").is_none());
}

#[tokio::test(start_paused = true)]
async fn batch_deadline_and_failure_mode_are_applied() {
    let app = router();
    let body = json!({
        "calls": [{"tool": "slow"}, {"tool": "echo"}],
        "deadline_ms": 20,
        "concurrency": 1,
        "failure_mode": "fail_fast"
    });
    let (status, _, view) = send(&app, post_json("/v1/batches", &body)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["envelopes"][0]["status"], "timeout");
    let tolerate = json!({"calls": [{"tool": "echo"}], "failure_mode": {"tolerate": 2}});
    let (status, _, _) = send(&app, post_json("/v1/batches", &tolerate)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn invalid_calls_are_422_naming_position_and_field() {
    let app = router();
    let cases = [
        (
            json!({"calls": [{"tool": "echo"}, {"tool": "echo"}, {"tool": "echo", "timeout_ms": "x"}]}),
            "calls[2].timeout_ms",
        ),
        (
            json!({"calls": [{"tool": "echo", "timeout_ms": 0}]}),
            "calls[0].timeout_ms",
        ),
        (
            json!({"calls": [{"tool": "echo", "max_retries": 4_294_967_295u64}]}),
            "calls[0].max_retries",
        ),
        (
            json!({"calls": [{"tool": "echo"}, {"tool": "echo", "deadline_ms": u64::MAX}]}),
            "calls[1].deadline_ms",
        ),
        (
            json!({"calls": [{"tool": "echo"}, {"tool": "nope"}]}),
            "calls[1].tool",
        ),
        (
            json!({"calls": [{"tool": "echo", "bogus": 1}]}),
            "calls[0].bogus",
        ),
        (json!({"calls": [{"input": {}}]}), "calls[0]"),
        (
            json!({"calls": [{"tool": "echo", "call_id": "x"}, {"tool": "echo", "call_id": "x"}]}),
            "calls[1].call_id",
        ),
        (
            json!({"calls": [{"tool": "echo", "call_id": "x".repeat(257)}]}),
            "calls[0].call_id",
        ),
        (
            json!({"calls": [{"tool": "echo", "idempotency_key": "k".repeat(257)}]}),
            "calls[0].idempotency_key",
        ),
        (json!({"calls": [], "deadline_ms": 0}), "deadline_ms"),
        (json!({"calls": [], "concurrency": 0}), "concurrency"),
        (
            json!({"calls": [], "failure_mode": "sometimes"}),
            "failure_mode",
        ),
        (json!({"calls": "all"}), "calls"),
        (json!([]), "body"),
    ];
    for (body, field) in cases {
        let (status, _, error) = send(&app, post_json("/v1/batches", &body)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} -> {error}"
        );
        assert_eq!(
            error_of(&error),
            ("invalid_input".into(), Some(field.into())),
            "{body}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn too_many_calls_are_refused() {
    let app = app(state_with(|b| {
        b.limits(toolexec_server::Limits {
            max_calls_per_batch: 2,
            ..Default::default()
        })
    }));
    let body = json!({"calls": [{"tool": "echo"}, {"tool": "echo"}, {"tool": "echo"}]});
    let (status, _, error) = send(&app, post_json("/v1/batches", &body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&error).1.as_deref(), Some("calls"));
}

#[tokio::test(start_paused = true)]
async fn store_keeps_only_the_newest_batches() {
    let app = app(state_with(|b| b.max_batches(2)));
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (_, _, view) = send(
            &app,
            post_json("/v1/batches", &json!({"calls": [{"tool": "echo"}]})),
        )
        .await;
        ids.push(view["batch_id"].as_str().unwrap().to_owned());
    }
    let (status, _, error) = send(&app, get(&format!("/v1/batches/{}", ids[0]))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&error).0, "not_found");
    for id in &ids[1..] {
        let (status, _, _) = send(&app, get(&format!("/v1/batches/{id}"))).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test(start_paused = true)]
async fn a_full_store_of_running_batches_answers_429() {
    let app = app(state_with(|b| b.max_batches(1)));
    let slow = json!({"calls": [{"tool": "slow"}]});
    let (status, _, _) = send(&app, post_json("/v1/batches?wait=false", &slow)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _, error) = send(&app, post_json("/v1/batches?wait=false", &slow)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_of(&error).0, "too_many_batches");
}

#[tokio::test(start_paused = true)]
async fn unknown_batch_is_404() {
    let (status, _, error) = send(&router(), get("/v1/batches/b-999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&error).0, "not_found");
}

#[tokio::test(start_paused = true)]
async fn bad_wait_query_is_400() {
    let body = json!({"calls": []});
    let (status, _, error) = send(&router(), post_json("/v1/batches?wait=maybe", &body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&error).0, "bad_request");
}
