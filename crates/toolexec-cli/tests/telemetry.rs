//! OpenTelemetry end to end: `toolexec run` and `toolexec serve` as child processes
//! export to a real OTLP/HTTP receiver on 127.0.0.1; the spans, their parents and
//! attributes, the tool-duration metric, the trace context that reaches an HTTP
//! endpoint and an MCP server, and the server's request logs are checked as received.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::net::TcpListener;
use std::process::{Output, Stdio};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::process::Command;
use toolexec_test_support::cargo_bin::workspace_binary;
use toolexec_test_support::otlp::{OtlpReceiver, ReceivedSpan};

/// An HTTP endpoint that answers with the trace context its request carried.
async fn trace_echo_peer() -> String {
    let app = Router::new().route(
        "/trace",
        post(|headers: HeaderMap| async move {
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            Json(json!({ "traceparent": header("traceparent") }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/trace")
}

fn config(peer_url: &str) -> String {
    let fixture = workspace_binary("mcp-fixture-server", "mcp-fixture-server");
    format!(
        r#"
[defaults]
backoff_initial_ms = 5
backoff_max_ms = 50
jitter = "none"

[tools.flaky]
backend = "sim"
fail_first = 1

[tools.sleepy]
backend = "sim"
latency_ms = 5000
attempt_timeout_ms = 50
max_retries = 0

[tools.broken]
backend = "sim"
fail_first = 100
max_retries = 0
fallback = {{ note = "cached answer" }}

[tools.peer]
backend = "http"
url = "{peer_url}"

[tools.fixture]
backend = "mcp"
command = "{}"
tools = ["trace_context"]
"#,
        fixture.display()
    )
}

const BATCH: &str = r#"{"calls": [
    {"tool": "flaky", "call_id": "f"},
    {"tool": "sleepy", "call_id": "s"},
    {"tool": "broken", "call_id": "b"},
    {"tool": "peer", "input": {}, "call_id": "p"},
    {"tool": "trace_context", "input": {}, "call_id": "m"}
]}"#;

/// A receiver, a trace-echoing HTTP peer, and a configuration and batch file naming it.
struct Scene {
    receiver: OtlpReceiver,
    dir: tempfile::TempDir,
    config_path: std::path::PathBuf,
    batch: std::path::PathBuf,
}

impl Scene {
    async fn new(batch_text: &str) -> Scene {
        let receiver = OtlpReceiver::start();
        let dir = tempfile::tempdir().unwrap();
        let peer = trace_echo_peer().await;
        let config_path = dir.path().join("toolexec.toml");
        std::fs::write(&config_path, config(&peer)).unwrap();
        let batch = dir.path().join("batch.json");
        std::fs::write(&batch, batch_text).unwrap();
        Scene {
            receiver,
            dir,
            config_path,
            batch,
        }
    }
}

fn named<'a>(spans: &'a [ReceivedSpan], name: &str) -> Vec<&'a ReceivedSpan> {
    spans.iter().filter(|s| s.name == name).collect()
}

fn one<'a>(spans: &'a [ReceivedSpan], name: &str) -> &'a ReceivedSpan {
    let found = named(spans, name);
    assert_eq!(found.len(), 1, "one `{name}` span in {spans:#?}");
    found[0]
}

fn children<'a>(spans: &'a [ReceivedSpan], parent: &ReceivedSpan) -> Vec<&'a ReceivedSpan> {
    let mut found: Vec<_> = spans
        .iter()
        .filter(|s| s.parent_span_id == parent.span_id)
        .collect();
    found.sort_by_key(|s| s.attribute("toolexec.attempt").map(str::to_owned));
    found
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `traceparent` a peer received: (trace id, parent span id).
fn received_context(envelope: &Value) -> (String, String) {
    let traceparent = envelope["result"]["traceparent"]
        .as_str()
        .unwrap_or_else(|| panic!("a traceparent reached the peer: {envelope}"));
    let parts: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(parts.len(), 4, "{traceparent}");
    assert_eq!(parts[0], "00");
    assert_eq!(parts[3], "01", "sampled");
    (parts[1].to_owned(), parts[2].to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_exports_its_spans_and_the_tool_duration_metric_to_an_otlp_receiver() {
    let Scene {
        receiver,
        dir: _dir,
        config_path,
        batch,
    } = Scene::new(BATCH).await;

    let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .arg("run")
        .arg("--file")
        .arg(&batch)
        .arg("--config")
        .arg(&config_path)
        .arg("--json")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())
        .env_remove("OTEL_SERVICE_NAME")
        .env_remove("RUST_LOG")
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "sleepy times out: {}",
        stderr(&out)
    );
    let envelopes: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();

    // The exporters flush when the process ends: everything is there once it exited.
    let spans = receiver.spans();
    let batch_span = one(&spans, "execute_batch");
    assert!(
        batch_span.parent_span_id.is_empty(),
        "the batch is the root"
    );
    assert_eq!(batch_span.attribute("toolexec.batch.calls"), Some("5"));
    assert_eq!(batch_span.service_name, "toolexec");
    let calls = children(&spans, batch_span);
    assert_eq!(calls.len(), 5, "{calls:#?}");
    for call in &calls {
        assert_eq!(call.trace_id, batch_span.trace_id);
        assert_eq!(call.kind, 1, "internal");
        assert_eq!(
            call.attribute("gen_ai.operation.name"),
            Some("execute_tool")
        );
        let tool = call.attribute("gen_ai.tool.name").unwrap();
        assert_eq!(call.name, format!("execute_tool {tool}"));
        assert!(call.attribute("gen_ai.tool.description").is_some());
    }

    // A retry: two attempts, the backoff between them as an event with its reason.
    let flaky = one(&spans, "execute_tool flaky");
    assert_eq!(flaky.attribute("gen_ai.tool.call.id"), Some("f"));
    assert_eq!(flaky.attribute("toolexec.status"), Some("success"));
    assert_eq!(flaky.attribute("toolexec.attempts"), Some("2"));
    assert_eq!(flaky.status_code, 1, "ok");
    let attempts = children(&spans, flaky);
    assert_eq!(attempts.len(), 2, "{attempts:#?}");
    assert_eq!(attempts[0].attribute("toolexec.attempt"), Some("1"));
    assert_eq!(attempts[0].attribute("error.type"), Some("backend"));
    assert_eq!(attempts[0].status_code, 2, "error");
    assert_eq!(attempts[1].attribute("toolexec.outcome"), Some("success"));
    let (event, fields) = &flaky.events[0];
    assert_eq!(event, "retry scheduled");
    assert_eq!(fields["toolexec.retry.next_attempt"], "2");
    assert_eq!(fields["toolexec.retry.reason"], "backend");
    assert_eq!(fields["toolexec.retry.backoff_ms"], "5");

    // A timeout: the call's span ends in error with its type.
    let sleepy = one(&spans, "execute_tool sleepy");
    assert_eq!(sleepy.attribute("error.type"), Some("timeout"));
    assert_eq!(sleepy.attribute("toolexec.status"), Some("timeout"));
    assert_eq!(sleepy.status_code, 2);
    assert_eq!(
        children(&spans, sleepy)[0].attribute("error.type"),
        Some("timeout")
    );

    // A fallback: the call answered, its fallback said why.
    let broken = one(&spans, "execute_tool broken");
    assert_eq!(broken.attribute("toolexec.fallback"), Some("true"));
    assert_eq!(broken.status_code, 1);
    let (event, fields) = &broken.events[0];
    assert_eq!(event, "fallback answered");
    assert_eq!(fields["toolexec.fallback.reason"], "backend");

    // The trace context reached the HTTP endpoint and the MCP server: the parent they
    // were given is their attempt's span.
    for (call_id, tool) in [
        ("p", "execute_tool peer"),
        ("m", "execute_tool trace_context"),
    ] {
        let envelope = envelopes.iter().find(|e| e["call_id"] == call_id).unwrap();
        let (trace_id, parent) = received_context(envelope);
        let call = one(&spans, tool);
        let attempt = children(&spans, call)[0];
        assert_eq!(trace_id, batch_span.trace_id, "{tool}");
        assert_eq!(parent, attempt.span_id, "{tool}");
    }

    // The GenAI duration metric: one value per call, by tool, with the error type.
    let points: Vec<_> = receiver
        .histograms()
        .into_iter()
        .filter(|p| p.metric == "gen_ai.execute_tool.duration")
        .collect();
    let by_tool: HashMap<String, _> = points
        .iter()
        .map(|p| (p.attributes["gen_ai.tool.name"].clone(), p))
        .collect();
    assert_eq!(by_tool.len(), 5, "{points:#?}");
    for point in &points {
        assert_eq!(point.unit, "s");
        assert_eq!(point.count, 1);
        assert_eq!(point.attributes["gen_ai.operation.name"], "execute_tool");
    }
    assert_eq!(
        by_tool["sleepy"]
            .attributes
            .get("error.type")
            .map(String::as_str),
        Some("timeout")
    );
    assert!(by_tool["sleepy"].sum >= 0.05, "{:?}", by_tool["sleepy"]);
    assert_eq!(by_tool["flaky"].attributes.get("error.type"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_endpoint_nothing_is_exported_and_no_trace_context_is_sent() {
    let Scene {
        receiver,
        dir: _dir,
        config_path,
        batch,
    } = Scene::new(r#"{"calls": [{"tool": "peer", "input": {}}]}"#).await;
    let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .args(["run", "--json", "--file"])
        .arg(&batch)
        .arg("--config")
        .arg(&config_path)
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("OTEL_TRACES_EXPORTER")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let envelopes: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(envelopes[0]["result"]["traceparent"], Value::Null);
    assert!(receiver.spans().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incoming_traceparent_is_the_parent_of_the_request_and_its_batch() {
    let receiver = OtlpReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("toolexec.toml");
    std::fs::write(&config_path, "[tools.echo]\nbackend = \"sim\"\n").unwrap();
    let db = dir.path().join("sample.db");
    common::seed_database(&db);
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .args(["--log-format", "json", "serve", "--no-journal", "--addr"])
        .arg(addr.to_string())
        .arg("--config")
        .arg(&config_path)
        .arg("--db")
        .arg(&db)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())
        .env("RUST_LOG", "debug")
        .env_remove(toolexec_server::TOKEN_ENV)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while common::request(addr, "GET /healthz HTTP/1.1", "")
        .await
        .is_none()
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller = "00f067aa0ba902b7";
    let body = r#"{"calls": [{"tool": "echo", "input": {"note": "INPUT-MARKER-7f3a"}}]}"#;
    let response = common::request(
        addr,
        &format!(
            "POST /v1/batches HTTP/1.1\r\ntraceparent: 00-{trace_id}-{caller}-01\r\n\
             Authorization: Bearer TOKEN-MARKER-91c2"
        ),
        body,
    )
    .await
    .unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id().unwrap() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("serve stops on SIGTERM")
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    let spans = receiver.spans();
    let request = one(&spans, "POST /v1/batches");
    assert_eq!(request.kind, 2, "server");
    assert_eq!(request.trace_id, trace_id);
    assert_eq!(request.parent_span_id, caller);
    assert_eq!(request.attribute("http.route"), Some("/v1/batches"));
    assert_eq!(request.attribute("http.response.status_code"), Some("200"));
    let batch = one(&spans, "execute_batch");
    assert_eq!(batch.parent_span_id, request.span_id);
    assert_eq!(batch.trace_id, trace_id);
    let call = one(&spans, "execute_tool echo");
    assert_eq!(call.parent_span_id, batch.span_id);

    // One JSON log line per request, with method, route, status and latency; neither
    // the tool's input nor the caller's token is logged, even at `debug`.
    let logs = stderr(&out);
    let access: Vec<Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| {
            line["target"] == "toolexec_server::request" && line["route"] == "/v1/batches"
        })
        .collect();
    assert_eq!(access.len(), 1, "{logs}");
    assert_eq!(access[0]["method"], "POST");
    assert_eq!(access[0]["status"], 200);
    assert!(access[0]["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(access[0]["level"], "INFO");
    assert!(!logs.contains("INPUT-MARKER-7f3a"), "{logs}");
    assert!(!logs.contains("TOKEN-MARKER-91c2"), "{logs}");
}

#[tokio::test]
async fn a_bad_log_filter_or_format_is_refused_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .args(["tools"])
        .env("RUST_LOG", "toolexec=loud")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("RUST_LOG"), "{}", stderr(&out));
    let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .args(["--log-format", "yaml", "tools"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown log format `yaml`"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_bad_telemetry_table_is_refused_naming_its_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("toolexec.toml");
    std::fs::write(
        &config_path,
        "[telemetry]\nenabled = true\nsample_ratio = 2.0\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .arg("tools")
        .arg("--config")
        .arg(&config_path)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains("toolexec.toml:3: `telemetry.sample_ratio`"),
        "{message}"
    );
    assert!(message.contains("must be 0 to 1"), "{message}");
}
