//! Every route, fed arbitrary methods, paths, headers and bodies through
//! `app(state).oneshot` (proptest, structure-aware, a bounded number of cases): each
//! request gets a well-formed answer within a time bound, never a panic, a hang or a
//! 5xx (but the 501 of `/v1/ask` without an assistant); every error is the JSON error
//! shape.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use tower::ServiceExt;

/// Structure-aware JSON: the shapes the API reads, with hostile leaves.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
        Just(json!("echo")),
        Just(json!("slow")),
        Just(json!("flaky")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("calls".to_owned()),
        Just("tool".to_owned()),
        Just("input".to_owned()),
        Just("call_id".to_owned()),
        Just("timeout_ms".to_owned()),
        Just("deadline_ms".to_owned()),
        Just("max_retries".to_owned()),
        Just("idempotency_key".to_owned()),
        Just("concurrency".to_owned()),
        Just("failure_mode".to_owned()),
        Just("question".to_owned()),
        "[a-z_]{0,8}",
    ]
}

/// A call the engine can run quickly: a known tool with small overrides (the engine's
/// own caps on hostile overrides are tested with the engine).
fn call() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("echo"), Just("slow"), Just("flaky"), Just("nope")],
        prop::option::of(json_value()),
        prop::option::of(".{0,6}"),
        prop::option::of(0u64..2000),
        prop::option::of(0u64..5000),
        prop::option::of(0u32..4),
    )
        .prop_map(|(tool, input, id, timeout, deadline, retries)| {
            let mut call = json!({"tool": tool});
            let fields = [
                ("input", input),
                ("call_id", id.map(Value::from)),
                ("timeout_ms", timeout.map(Value::from)),
                ("deadline_ms", deadline.map(Value::from)),
                ("max_retries", retries.map(Value::from)),
            ];
            for (name, value) in fields {
                if let Some(value) = value {
                    call[name] = value;
                }
            }
            call
        })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(call(), 0..6)
            .prop_map(|calls| json!({"calls": calls}).to_string().into_bytes()),
        (prop::collection::vec(call(), 0..4), json_value()).prop_map(|(calls, extra)| {
            json!({"calls": calls, "deadline_ms": extra.clone(), "failure_mode": extra})
                .to_string()
                .into_bytes()
        }),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn path() -> impl Strategy<Value = String> {
    let base = prop_oneof![
        Just("/v1/batches"),
        Just("/v1/batches/b-1"),
        Just("/v1/batches/b-999999999999999999999"),
        Just("/v1/calls/a"),
        Just("/v1/events"),
        Just("/v1/tools"),
        Just("/v1/stats"),
        Just("/v1/ask"),
        Just("/metrics"),
        Just("/healthz"),
        Just("/openapi.json"),
        Just("/"),
        Just("/v1/%FF%FE"),
        Just("//v1/../batches"),
    ];
    let query = prop_oneof![
        Just(String::new()),
        Just("?wait=false".to_owned()),
        Just("?wait=maybe".to_owned()),
        "\\?[a-z=&%0-9]{0,12}",
    ];
    (base, "[a-zA-Z0-9/_-]{0,8}", query).prop_map(|(base, tail, query)| {
        let sep = if tail.is_empty() { "" } else { "/" };
        format!("{base}{sep}{tail}{query}")
    })
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::GET),
        Just(Method::POST),
        Just(Method::DELETE),
        Just(Method::PUT),
        Just(Method::PATCH),
        Just(Method::HEAD),
        Just(Method::OPTIONS),
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop_oneof![
        Just("application/json"),
        Just("application/json; charset=utf-8"),
        Just("text/plain"),
        Just("application/x-www-form-urlencoded"),
    ])
}

fn authorization() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        Just("Bearer tok".to_owned()),
        Just("Bearer  tok ".to_owned()),
        Just("bearer tok".to_owned()),
        Just("Basic dG9rOg==".to_owned()),
        "Bearer [ -~]{0,10}",
    ])
}

#[test]
fn every_route_answers_arbitrary_requests_with_a_clear_status_never_a_panic_or_hang() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let (open, guarded) = runtime.block_on(async {
        (
            toolexec_server::app(common::state()),
            toolexec_server::app(common::state_with(|b| b.api_token(Some("tok".into())))),
        )
    });
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        method(),
        path(),
        content_type(),
        authorization(),
        body(),
        any::<bool>(),
    );
    runner
        .run(
            &strategy,
            |(method, path, content_type, auth, body, with_token)| {
                let app = if with_token { &guarded } else { &open };
                let mut request = Request::builder().method(method.clone()).uri(&path);
                if let Some(content_type) = content_type {
                    request = request.header("content-type", content_type);
                }
                if let Some(auth) = &auth {
                    request = request.header("authorization", auth);
                }
                let Ok(request) = request.body(Body::from(body)) else {
                    return Ok(()); // not a valid HTTP request at all (a bad URI)
                };
                let answered = runtime.block_on(async {
                    tokio::time::timeout(Duration::from_secs(600), async {
                        let response = app.clone().oneshot(request).await.expect("infallible");
                        let status = response.status();
                        let is_stream = response
                            .headers()
                            .get("content-type")
                            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
                        let bytes = if is_stream {
                            Vec::new()
                        } else {
                            response
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes().to_vec())
                                .unwrap_or_default()
                        };
                        (status, bytes)
                    })
                    .await
                });
                let (status, bytes) = answered.map_err(|_| {
                    TestCaseError::fail(format!("{method} {path}: no answer within 600 virtual s"))
                })?;
                // 501: `POST /v1/ask` on a server with no assistant, a clear answer.
                prop_assert!(
                    !status.is_server_error() || status == StatusCode::NOT_IMPLEMENTED,
                    "{method} {path}: {status} {}",
                    String::from_utf8_lossy(&bytes)
                );
                if !status.is_success() && method != Method::HEAD {
                    let body: Value = serde_json::from_slice(&bytes).map_err(|e| {
                        TestCaseError::fail(format!("{method} {path}: {status}, not JSON: {e}"))
                    })?;
                    prop_assert!(body["error"]["code"].is_string(), "{body}");
                    prop_assert!(body["error"]["message"].is_string(), "{body}");
                }
                Ok(())
            },
        )
        .expect("every request is answered");
}
