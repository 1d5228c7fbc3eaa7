//! A graceful stop: `drain` lets running batches finish within the grace period,
//! cancels the rest, and meanwhile refuses new work with 503 `shutting_down`;
//! `serve_listener` stops accepting connections at once.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{error_of, get, post_json, send, state_with};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use toolexec_server::{app, drain, AppState, Drained, Limits};

fn state(grace_ms: u64) -> AppState {
    state_with(|b| {
        b.limits(Limits {
            shutdown_grace: Duration::from_millis(grace_ms),
            ..Limits::default()
        })
    })
}

/// A batch of `calls` echo calls that each take `latency_ms`.
fn batch(calls: usize, latency_ms: u64) -> Value {
    let call = json!({"tool": "echo", "input": {"latency_ms": latency_ms}});
    json!({ "calls": vec![call; calls] })
}

/// Submits a batch with `wait=false` and returns its id.
async fn submit(app: &axum::Router, body: &Value) -> String {
    let (status, _, view) = send(app, post_json("/v1/batches?wait=false", body)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{view}");
    view["batch_id"].as_str().expect("batch_id").to_owned()
}

fn statuses(view: &Value) -> Vec<String> {
    view["envelopes"]
        .as_array()
        .expect("envelopes")
        .iter()
        .map(|e| e["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn drain_waits_for_batches_that_finish_within_the_grace() {
    let state = state(10_000);
    let app = app(state.clone());
    let id = submit(&app, &batch(3, 700)).await;
    let started = Instant::now();
    let drained = drain(&state).await;
    assert_eq!(started.elapsed(), Duration::from_millis(700));
    assert_eq!(
        drained,
        Drained {
            finished: 1,
            cancelled: 0,
            unfinished: 0
        }
    );
    let (status, _, view) = send(&app, get(&format!("/v1/batches/{id}"))).await;
    assert_eq!(status, StatusCode::OK, "reads are served while stopping");
    assert_eq!(statuses(&view), ["success"; 3]);
}

#[tokio::test(start_paused = true)]
async fn drain_cancels_the_batches_still_running_when_the_grace_ends() {
    let state = state(300);
    let app = app(state.clone());
    let id = submit(&app, &batch(2, 30_000)).await;
    let started = Instant::now();
    let drained = drain(&state).await;
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    assert_eq!(
        drained,
        Drained {
            finished: 0,
            cancelled: 1,
            unfinished: 0
        }
    );
    let (_, _, view) = send(&app, get(&format!("/v1/batches/{id}"))).await;
    assert_eq!(view["cancelled"], true);
    assert_eq!(statuses(&view), ["cancelled"; 2]);
}

#[tokio::test(start_paused = true)]
async fn a_waiting_request_is_answered_with_the_calls_the_stop_cancelled() {
    let state = state(300);
    let app = app(state.clone());
    let waiting = tokio::spawn({
        let app = app.clone();
        async move { send(&app, post_json("/v1/batches", &batch(2, 30_000))).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    drain(&state).await;
    let (status, _, view) = waiting.await.expect("the request ends");
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(statuses(&view), ["cancelled"; 2]);
}

#[tokio::test(start_paused = true)]
async fn a_zero_grace_cancels_at_once() {
    let state = state(0);
    let app = app(state.clone());
    submit(&app, &batch(1, 30_000)).await;
    let started = Instant::now();
    let drained = drain(&state).await;
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(drained.cancelled, 1);
}

#[tokio::test(start_paused = true)]
async fn end_grace_cancels_the_running_batches_at_once() {
    let state = state(10_000);
    let app = app(state.clone());
    submit(&app, &batch(1, 30_000)).await;
    let hurry = tokio::spawn({
        let state = state.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(120)).await;
            state.end_grace();
        }
    });
    let started = Instant::now();
    let drained = drain(&state).await;
    assert_eq!(started.elapsed(), Duration::from_millis(120));
    assert_eq!(drained.cancelled, 1);
    hurry.await.expect("the second signal");
}

#[tokio::test(start_paused = true)]
async fn while_stopping_new_work_gets_503_shutting_down_and_reads_are_served() {
    let state = state(1_000);
    let app = app(state.clone());
    let id = submit(&app, &batch(1, 30_000)).await;
    let stopping = tokio::spawn({
        let state = state.clone();
        async move { drain(&state).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(state.is_stopping());

    let (status, headers, body) = send(&app, post_json("/v1/batches", &batch(1, 1))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(error_of(&body).0, "shutting_down");
    assert_eq!(headers["connection"], "close");
    let ask = post_json("/v1/ask", &json!({"question": "anything?"}));
    let (status, _, body) = send(&app, ask).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(error_of(&body).0, "shutting_down");

    let (status, _, view) = send(&app, get(&format!("/v1/batches/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["status"], "running");
    assert_eq!(stopping.await.expect("drained").cancelled, 1);
}

#[tokio::test(start_paused = true)]
async fn healthz_answers_503_stopping_while_stopping() {
    let state = state(1_000);
    let app = app(state.clone());
    submit(&app, &batch(1, 30_000)).await;
    let stopping = tokio::spawn({
        let state = state.clone();
        async move { drain(&state).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let (status, _, body) = send(&app, get("/healthz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        json!({"status": "stopping", "tools": 3, "auth": false, "batches": 1})
    );
    stopping.await.expect("drained");
}

#[tokio::test]
async fn openapi_documents_the_503_of_a_stopping_server() {
    let document = serde_json::to_value(toolexec_server::openapi()).expect("JSON");
    for (path, method) in [
        ("/v1/batches", "post"),
        ("/v1/ask", "post"),
        ("/healthz", "get"),
    ] {
        assert!(
            document["paths"][path][method]["responses"]["503"].is_object(),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn a_stopping_server_accepts_no_connection_and_answers_the_open_request() {
    let test = async {
        let state = state(5_000);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(toolexec_server::serve_listener(listener, state, async {
            let _ = stopped.await;
        }));
        let mut open = TcpStream::connect(addr).await.unwrap();
        let body = batch(2, 400).to_string();
        let head = format!(
            "POST /v1/batches HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        open.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = std::time::Instant::now();
        stop.send(()).unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "no connection is accepted once stopping"
        );
        let mut answer = String::new();
        open.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let (_, body) = answer.split_once("\r\n\r\n").unwrap();
        let view: Value = serde_json::from_str(body).unwrap();
        assert_eq!(statuses(&view), ["success"; 2]);
        server.await.unwrap().unwrap();
        let stopped_after = started.elapsed();
        assert!(
            stopped_after < Duration::from_secs(3),
            "stopped once the batch was done: {stopped_after:?}"
        );
    };
    tokio::time::timeout(Duration::from_secs(20), test)
        .await
        .expect("within 20 s");
}
