//! `GET /v1/batches/{id}/stream`: each envelope as its call ends, then a summary, as
//! server-sent events or NDJSON; with `oneshot` on paused time, and over a real socket.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use common::{error_of, get, post_json, router, send};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tower::ServiceExt;

/// Starts `calls` with `wait=false` and returns the batch id.
async fn start(app: &Router, calls: Value) -> String {
    let (status, _, view) = send(
        app,
        post_json("/v1/batches?wait=false", &json!({ "calls": calls })),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{view}");
    view["batch_id"].as_str().expect("a batch id").to_owned()
}

/// The stream's SSE events as `(name, id, data)`, each with the virtual milliseconds
/// since the request when its frame arrived.
async fn sse(app: &Router, request: Request<Body>) -> Vec<(String, String, Value, u64)> {
    let start = Instant::now();
    let response = app.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let mut events = Vec::new();
    let mut text = String::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.expect("frame").into_data() else {
            continue;
        };
        text.push_str(&String::from_utf8_lossy(&data));
        while let Some((block, rest)) = text.split_once("\n\n") {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or_default()
                    .to_owned()
            };
            let data = serde_json::from_str(&field("data: ")).unwrap_or(Value::Null);
            let at = start.elapsed().as_millis() as u64;
            events.push((field("event: "), field("id: "), data, at));
            text = rest.to_owned();
        }
    }
    events
}

fn stream_of(id: &str) -> Request<Body> {
    get(&format!("/v1/batches/{id}/stream"))
}

#[tokio::test(start_paused = true)]
async fn sse_sends_each_envelope_as_its_call_ends_then_a_summary() {
    let app = router();
    let calls = json!([
        {"tool": "slow", "call_id": "late", "input": {"latency_ms": 300}},
        {"tool": "echo", "call_id": "first"},
        {"tool": "slow", "call_id": "middle", "input": {"latency_ms": 100}},
    ]);
    let id = start(&app, calls).await;
    let events = sse(&app, stream_of(&id)).await;
    let seen: Vec<(&str, &str, Value, Value, u64)> = events
        .iter()
        .map(|(name, place, data, at)| {
            let call = data["envelope"]["call_id"].clone();
            (
                name.as_str(),
                place.as_str(),
                data["index"].clone(),
                call,
                *at,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("envelope", "0", json!(1), json!("first"), 0),
            ("envelope", "1", json!(2), json!("middle"), 100),
            ("envelope", "2", json!(0), json!("late"), 300),
            ("summary", "3", Value::Null, Value::Null, 300),
        ]
    );
    let summary = &events[3].2;
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["batch_id"], id.as_str());
    assert_eq!(
        (&summary["total"], &summary["succeeded"], &summary["failed"]),
        (&json!(3), &json!(3), &json!(0))
    );
    assert_eq!(summary["by_status"], json!({"success": 3}));
    assert_eq!(events[0].2["envelope"]["status"], "success");
}

#[tokio::test(start_paused = true)]
async fn a_late_client_first_gets_the_envelopes_already_finished() {
    let app = router();
    let calls = json!([
        {"tool": "slow", "call_id": "long", "input": {"latency_ms": 1000}},
        {"tool": "echo", "call_id": "quick"},
    ]);
    let id = start(&app, calls).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let events = sse(&app, stream_of(&id)).await;
    let seen: Vec<(&str, Value, u64)> = events
        .iter()
        .map(|(name, _, data, at)| (name.as_str(), data["envelope"]["call_id"].clone(), *at))
        .collect();
    assert_eq!(
        seen,
        [
            ("envelope", json!("quick"), 0),
            ("envelope", json!("long"), 600),
            ("summary", Value::Null, 600)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_client_of_a_finished_batch_gets_every_envelope_and_can_resume() {
    let app = router();
    let body =
        json!({"calls": [{"tool": "echo", "call_id": "a"}, {"tool": "slow", "call_id": "b"}]});
    let (status, _, view) = send(&app, post_json("/v1/batches", &body)).await;
    assert_eq!(status, StatusCode::OK);
    let id = view["batch_id"].as_str().unwrap();
    let all = sse(&app, stream_of(id)).await;
    let names: Vec<&str> = all.iter().map(|(name, ..)| name.as_str()).collect();
    assert_eq!(names, ["envelope", "envelope", "summary"]);
    let resumed = Request::get(format!("/v1/batches/{id}/stream"))
        .header("last-event-id", "0")
        .body(Body::empty())
        .unwrap();
    let rest = sse(&app, resumed).await;
    let rest: Vec<(&str, &str)> = rest
        .iter()
        .map(|(n, p, ..)| (n.as_str(), p.as_str()))
        .collect();
    assert_eq!(rest, [("envelope", "1"), ("summary", "2")]);
}

#[tokio::test(start_paused = true)]
async fn accept_ndjson_streams_one_json_object_a_line() {
    let app = router();
    let calls = json!([
        {"tool": "slow", "call_id": "s", "input": {"latency_ms": 200}},
        {"tool": "flaky", "call_id": "f", "max_retries": 0},
    ]);
    let id = start(&app, calls).await;
    let request = Request::get(format!("/v1/batches/{id}/stream"))
        .header("accept", "application/x-ndjson")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        (
            &lines[0]["event"],
            &lines[0]["index"],
            &lines[0]["envelope"]["status"]
        ),
        (&json!("envelope"), &json!(1), &json!("failed"))
    );
    assert_eq!(lines[1]["envelope"]["call_id"], "s");
    assert_eq!(lines[2]["event"], "summary");
    assert_eq!(
        (&lines[2]["succeeded"], &lines[2]["failed"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(lines[2]["by_status"], json!({"failed": 1, "success": 1}));
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_batch_streams_its_cancelled_calls_and_says_so() {
    let app = router();
    let calls = json!([{"tool": "slow", "call_id": "x", "input": {"latency_ms": 10000}}]);
    let id = start(&app, calls).await;
    let canceller = app.clone();
    let cancel_id = id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let delete = Request::delete(format!("/v1/batches/{cancel_id}"))
            .body(Body::empty())
            .unwrap();
        send(&canceller, delete).await;
    });
    let events = sse(&app, stream_of(&id)).await;
    assert_eq!(events[0].2["envelope"]["status"], "cancelled");
    assert_eq!(events[0].3, 100);
    assert_eq!(events[1].2["cancelled"], true);
}

#[tokio::test(start_paused = true)]
async fn streaming_an_unknown_batch_is_404() {
    let (status, _, body) = send(&router(), stream_of("b-404")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&body).0, "not_found");
}

#[tokio::test(start_paused = true)]
async fn the_stream_needs_the_token_when_one_is_set() {
    let app = toolexec_server::app(common::state_with(|b| b.api_token(Some("tok".into()))));
    let (status, _, _) = send(&app, stream_of("b-1")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(start_paused = true)]
async fn openapi_documents_the_stream_in_both_forms() {
    let document = serde_json::to_value(toolexec_server::openapi()).unwrap();
    let stream = &document["paths"]["/v1/batches/{id}/stream"]["get"];
    let content = &stream["responses"]["200"]["content"];
    assert!(content["text/event-stream"].is_object(), "{stream}");
    assert!(content["application/x-ndjson"].is_object(), "{stream}");
    assert!(stream["responses"]["404"].is_object());
    let schemas = &document["components"]["schemas"];
    assert!(schemas["StreamSummary"]["properties"]["by_status"].is_object());
    assert!(schemas["StreamEnvelope"]["properties"]["index"].is_object());
}

/// Sends `GET path` with `accept` and returns each JSON line of the body with the real
/// time it arrived at, and the whole response, once the server ends it.
async fn over_socket(
    addr: SocketAddr,
    path: &str,
    accept: &str,
) -> (Vec<(String, Duration)>, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let start = std::time::Instant::now();
    let mut raw = String::new();
    let mut whole = String::new();
    let mut lines = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).await.expect("read");
        if read == 0 {
            break;
        }
        raw.push_str(&String::from_utf8_lossy(&buffer[..read]));
        whole.push_str(&String::from_utf8_lossy(&buffer[..read]));
        // Chunk sizes and the head are not JSON; each JSON line is kept when it arrives.
        while let Some((line, rest)) = raw.split_once("\r\n") {
            if line.starts_with('{') {
                for json in line.split('\n').filter(|l| !l.is_empty()) {
                    lines.push((json.to_owned(), start.elapsed()));
                }
            }
            raw = rest.to_owned();
        }
    }
    (lines, whole)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_over_a_real_socket_arrives_as_the_calls_end() {
    let test = async {
        let state = common::state();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(toolexec_server::serve_listener(
            listener,
            state,
            std::future::pending(),
        ));
        let app_calls = json!({"calls": [
            {"tool": "slow", "call_id": "slow", "input": {"latency_ms": 1500}},
            {"tool": "echo", "call_id": "echo"},
        ]})
        .to_string();
        let mut post = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /v1/batches?wait=false HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{app_calls}",
            app_calls.len()
        );
        post.write_all(head.as_bytes()).await.unwrap();
        let mut answer = String::new();
        post.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
        let id = answer
            .split("\"batch_id\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a batch id")
            .to_owned();

        let path = format!("/v1/batches/{id}/stream");
        let (lines, _) = over_socket(addr, &path, "application/x-ndjson").await;
        let parsed: Vec<Value> = lines
            .iter()
            .map(|(line, _)| serde_json::from_str(line).expect("JSON line"))
            .collect();
        let calls: Vec<&Value> = parsed.iter().map(|v| &v["envelope"]["call_id"]).collect();
        assert_eq!(calls, [&json!("echo"), &json!("slow"), &Value::Null]);
        assert_eq!(parsed[2]["event"], "summary");
        let (first, last) = (lines[0].1, lines[2].1);
        assert!(
            last.saturating_sub(first) >= Duration::from_millis(700),
            "the first envelope came {first:?} in, the summary {last:?}: not streamed"
        );

        let (_, sse) = over_socket(addr, &path, "text/event-stream").await;
        assert!(
            sse.to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
            "{sse}"
        );
        assert_eq!(sse.matches("event: envelope").count(), 2, "{sse}");
        assert_eq!(sse.matches("event: summary").count(), 1, "{sse}");
        server.abort();
    };
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("within 30 s");
}
