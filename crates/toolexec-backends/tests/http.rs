//! The HTTP backend against an axum server on 127.0.0.1: status codes, Retry-After,
//! size caps, dropped connections, refused connections, timeouts and secrets.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use common::{eventually, executor};
use serde_json::{json, Value};
use toolexec::{CallStatus, ErrorKind, Tool, ToolAnnotations, ToolCall};
use toolexec_backends::{BackendConfig, HttpConfig};

#[derive(Default)]
struct Counters {
    flaky_calls: AtomicUsize,
    slow_started: AtomicUsize,
    slow_dropped: AtomicUsize,
}

/// Counts a handler future dropped before it finished (the client went away).
struct DropCounter(Arc<Counters>, bool);

impl Drop for DropCounter {
    fn drop(&mut self) {
        if !self.1 {
            self.0.slow_dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn app(counters: Arc<Counters>) -> Router {
    Router::new()
        .route(
            "/echo",
            post(|Json(body): Json<Value>| async move { Json(body) }),
        )
        .route(
            "/whoami",
            get(
                |headers: HeaderMap, Query(query): Query<HashMap<String, String>>| async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    Json(json!({
                        "authorization": header("authorization"),
                        "idempotency_key": header("idempotency-key"),
                        "query": query,
                    }))
                },
            ),
        )
        .route("/status/{code}", post(status))
        .route("/echo-auth-401", post(echo_auth_401))
        .route("/flaky", post(flaky))
        .route("/big", post(|| async { "x".repeat(1 << 20) }))
        .route("/text", post(|| async { "not json" }))
        .route("/slow", post(slow))
        .with_state(counters)
}

async fn status(Path(code): Path<u16>, Query(q): Query<HashMap<String, String>>) -> Response {
    let status = StatusCode::from_u16(code).expect("a status code");
    let body = Json(json!({"message": format!("the server says {code}")}));
    match q.get("retry_after") {
        Some(seconds) => (status, [("retry-after", seconds.clone())], body).into_response(),
        None => (status, body).into_response(),
    }
}

/// A peer that quotes the request's `Authorization` header in its error body.
async fn echo_auth_401(headers: HeaderMap) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = Json(json!({"message": format!("bad credentials: {auth}")}));
    (StatusCode::UNAUTHORIZED, body).into_response()
}

async fn flaky(State(counters): State<Arc<Counters>>) -> Response {
    if counters.flaky_calls.fetch_add(1, Ordering::SeqCst) == 0 {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [("retry-after", "1")],
            "busy",
        )
            .into_response()
    } else {
        Json(json!({"ok": true})).into_response()
    }
}

async fn slow(State(counters): State<Arc<Counters>>) -> Json<Value> {
    counters.slow_started.fetch_add(1, Ordering::SeqCst);
    let mut guard = DropCounter(counters, false);
    tokio::time::sleep(Duration::from_secs(10)).await;
    guard.1 = true;
    Json(json!({"slow": true}))
}

async fn serve() -> (SocketAddr, Arc<Counters>) {
    let counters = Arc::new(Counters::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port on 127.0.0.1");
    let addr = listener.local_addr().expect("a local address");
    let router = app(counters.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (addr, counters)
}

fn tool(name: &str, url: String) -> Arc<dyn Tool> {
    HttpConfig::new(url)
        .build(name)
        .expect("a valid HTTP config")
}

fn call(name: &str) -> ToolCall {
    ToolCall::new(name, json!({"sku": "A-1"})).with_id(format!("{name}-1"))
}

#[tokio::test]
async fn json_goes_out_and_comes_back() {
    let (addr, _) = serve().await;
    let executor = executor([tool("echo", format!("http://{addr}/echo"))]);
    let envelope = executor.execute(call("echo")).await;
    assert_eq!(envelope.result, Some(json!({"sku": "A-1"})), "{envelope:?}");
}

#[tokio::test]
async fn get_sends_the_input_as_query_and_secrets_come_from_the_environment() {
    std::env::set_var("TOOLEXEC_TEST_HTTP_TOKEN", "s3cr3t-token");
    let (addr, _) = serve().await;
    let config: HttpConfig = toml::from_str(&format!(
        "method = \"GET\"\nurl = \"http://{addr}/whoami\"\nheaders = {{ Authorization = \"Bearer ${{TOOLEXEC_TEST_HTTP_TOKEN}}\" }}\n"
    ))
    .unwrap();
    let whoami_tool = config.build_tool("whoami").unwrap();
    assert!(
        !format!("{whoami_tool:?}").contains("s3cr3t"),
        "Debug shows no secret"
    );
    let mut denied_config = config.clone();
    denied_config.method = "POST".into();
    denied_config.url = format!("http://{addr}/status/401");
    let denied = denied_config.build("denied").unwrap();
    let executor = executor([Arc::new(whoami_tool) as Arc<dyn Tool>, denied]);

    let envelope = executor
        .execute(call("whoami").with_idempotency_key("order-7"))
        .await;
    let result = envelope.result.unwrap();
    assert_eq!(
        result["authorization"], "Bearer [redacted]",
        "the peer saw the secret and echoed it; the tool scrubbed it"
    );
    assert_eq!(result["query"], json!({"sku": "A-1"}));
    assert_eq!(result["idempotency_key"], "order-7");

    let envelope = executor.execute(call("denied")).await;
    assert_eq!(
        envelope.error.as_ref().unwrap().kind,
        ErrorKind::PermissionDenied
    );
    let text = serde_json::to_string(&envelope).unwrap();
    assert!(
        !text.contains("s3cr3t"),
        "the envelope carries no secret: {text}"
    );
}

#[tokio::test]
async fn client_errors_map_to_their_kinds_and_are_not_retried() {
    let (addr, _) = serve().await;
    let cases = [
        (400, ErrorKind::InvalidInput),
        (422, ErrorKind::InvalidInput),
        (401, ErrorKind::PermissionDenied),
        (403, ErrorKind::PermissionDenied),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::ToolError),
    ];
    let tools = cases
        .iter()
        .map(|(code, _)| tool(&format!("s{code}"), format!("http://{addr}/status/{code}")));
    let executor = executor(tools);
    for (code, kind) in cases {
        let envelope = executor.execute(call(&format!("s{code}"))).await;
        let error = envelope.error.unwrap();
        assert_eq!(error.kind, kind, "HTTP {code}");
        assert!(!error.retryable, "HTTP {code}");
        assert!(
            error.message.contains(&format!("the server says {code}")),
            "{}",
            error.message
        );
        assert_eq!(envelope.attempts, 1, "HTTP {code}");
    }
}

#[tokio::test]
async fn server_errors_are_transient_and_retried() {
    let (addr, _) = serve().await;
    let executor = executor([tool("s500", format!("http://{addr}/status/500"))]);
    let envelope = executor.execute(call("s500").with_max_retries(2)).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Backend);
    assert!(error.retryable);
    assert_eq!(envelope.attempts, 3);
}

#[tokio::test]
async fn throttling_is_retried_after_the_retry_after_delay() {
    let (addr, counters) = serve().await;
    let executor = executor([tool("flaky", format!("http://{addr}/flaky"))]);
    let envelope = executor.execute(call("flaky")).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(envelope.attempts, 2);
    assert_eq!(envelope.attempt_log[0].outcome, "throttled");
    assert!(
        envelope.attempt_log[0].backoff_ms.unwrap() >= 1000.0,
        "Retry-After: 1 outweighs the 10 ms backoff: {:?}",
        envelope.attempt_log[0]
    );
    assert_eq!(counters.flaky_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_429_is_throttled_and_retryable() {
    let (addr, _) = serve().await;
    let executor = executor([tool(
        "s429",
        format!("http://{addr}/status/429?retry_after=7"),
    )]);
    let envelope = executor.execute(call("s429").with_max_retries(0)).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert!(error.retryable);
}

#[tokio::test]
async fn responses_past_the_cap_and_non_json_are_bad_output() {
    let (addr, _) = serve().await;
    let mut capped = HttpConfig::new(format!("http://{addr}/big"));
    capped.max_response_bytes = 1000;
    let executor = executor([
        capped.build("big").unwrap(),
        tool("text", format!("http://{addr}/text")),
    ]);
    let error = executor.execute(call("big")).await.error.unwrap();
    assert_eq!(error.kind, ErrorKind::BadOutput);
    assert!(
        error.message.contains("max_response_bytes (1000)"),
        "{}",
        error.message
    );
    let error = executor.execute(call("text")).await.error.unwrap();
    assert_eq!(error.kind, ErrorKind::BadOutput);
}

#[tokio::test]
async fn a_refused_connection_is_transient_and_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let executor = executor([tool("gone", format!("http://{addr}/echo"))]);
    let envelope = executor.execute(call("gone").with_max_retries(2)).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Backend);
    assert!(
        error.message.contains("connection failed"),
        "{}",
        error.message
    );
    assert_eq!(envelope.attempts, 3);
}

/// A server that reads each request and closes the connection without answering.
async fn hang_up_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port on 127.0.0.1");
    let addr = listener.local_addr().expect("a local address");
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buffer).await;
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    (addr, requests)
}

#[tokio::test]
async fn a_dropped_connection_is_outcome_unknown_and_a_mutating_tool_is_not_retried() {
    let (addr, requests) = hang_up_server().await;
    let mut mutating = HttpConfig::new(format!("http://{addr}/orders"));
    mutating.annotations = Some(ToolAnnotations {
        read_only: false,
        idempotent: false,
        destructive: false,
    });
    let executor = executor([mutating.build("place_order").unwrap()]);
    let envelope = executor
        .execute(call("place_order").with_max_retries(3))
        .await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Backend);
    assert!(
        error.message.starts_with("outcome unknown"),
        "{}",
        error.message
    );
    assert_eq!(
        envelope.attempts, 1,
        "not retried: the order may have been placed"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1);

    let keyed = executor
        .execute(
            call("place_order")
                .with_max_retries(2)
                .with_idempotency_key("order-7"),
        )
        .await;
    assert_eq!(keyed.attempts, 3, "an idempotency key makes the retry safe");
}

#[tokio::test]
async fn an_attempt_timeout_drops_the_request_and_the_server_sees_it_go() {
    let (addr, counters) = serve().await;
    let executor = executor([tool("slow", format!("http://{addr}/slow"))]);
    let started = std::time::Instant::now();
    let envelope = executor
        .execute(
            call("slow")
                .with_timeout(Duration::from_millis(300))
                .with_max_retries(0),
        )
        .await;
    assert_eq!(envelope.status, CallStatus::Timeout, "{envelope:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(counters.slow_started.load(Ordering::SeqCst), 1);
    assert!(
        eventually(Duration::from_secs(3), || counters
            .slow_dropped
            .load(Ordering::SeqCst)
            == 1)
        .await,
        "the server's handler was stopped when the client went away"
    );
}

#[test]
fn bad_configuration_names_the_key() {
    let key = |config: HttpConfig| config.build("t").err().map(|e| e.key);
    assert_eq!(key(HttpConfig::new("not a url")).as_deref(), Some("url"));
    assert_eq!(
        key(HttpConfig::new("ftp://example.invalid/x")).as_deref(),
        Some("url")
    );
    let mut config = HttpConfig::new("http://127.0.0.1:1/x");
    config.method = "BREW".into();
    assert_eq!(key(config).as_deref(), Some("method"));
    let mut config = HttpConfig::new("http://127.0.0.1:1/x");
    config.max_response_bytes = 0;
    assert_eq!(key(config).as_deref(), Some("max_response_bytes"));
    let mut config = HttpConfig::new("http://127.0.0.1:1/x");
    config
        .headers
        .insert("X-Token".into(), "${TOOLEXEC_TEST_UNSET_VARIABLE}".into());
    let error = config.build("t").err().unwrap();
    assert_eq!(error.key, "headers.X-Token");
    assert!(error.reason.contains("TOOLEXEC_TEST_UNSET_VARIABLE"));
    let mut config = HttpConfig::new("http://127.0.0.1:1/x");
    config.headers.insert("Bad Header".into(), "v".into());
    assert_eq!(key(config).as_deref(), Some("headers.Bad Header"));
    let error =
        toml::from_str::<BackendConfig>("backend = \"http\"\nurl = \"http://x\"\ntimeout = 5\n")
            .unwrap_err();
    assert!(error.to_string().contains("timeout"), "{error}");
}

/// Calls `tool` once, outside any executor, and returns its error.
async fn error_of_one_call(tool: &Arc<dyn Tool>) -> toolexec::ToolError {
    tool.call(&json!({}), toolexec::CallContext::detached("direct"))
        .await
        .expect_err("the peer answers with an error")
}

#[tokio::test]
async fn retry_after_u64_max_is_a_capped_wait_not_an_overflow() {
    let (addr, _) = serve().await;
    let huge = tool(
        "huge",
        format!("http://{addr}/status/429?retry_after=18446744073709551615"),
    );
    let error = error_of_one_call(&huge).await;
    assert_eq!(error.kind(), ErrorKind::Throttled);
    assert_eq!(
        error.retry_after(),
        Some(toolexec_backends::MAX_RETRY_AFTER)
    );
    let digits = tool(
        "digits",
        format!("http://{addr}/status/503?retry_after=99999999999999999999999999"),
    );
    let error = error_of_one_call(&digits).await;
    assert_eq!(
        error.retry_after(),
        Some(toolexec_backends::MAX_RETRY_AFTER)
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_the_wait_until_then() {
    let (addr, _) = serve().await;
    let at = std::time::SystemTime::now() + Duration::from_secs(120);
    let date = httpdate::fmt_http_date(at)
        .replace(' ', "%20")
        .replace(',', "%2C");
    let dated = tool(
        "dated",
        format!("http://{addr}/status/429?retry_after={date}"),
    );
    let wait = error_of_one_call(&dated)
        .await
        .retry_after()
        .expect("the date is read");
    assert!(
        (Duration::from_secs(100)..=Duration::from_secs(120)).contains(&wait),
        "{wait:?}"
    );
    let past = tool(
        "past",
        format!(
            "http://{addr}/status/429?retry_after=Sun%2C%2006%20Nov%201994%2008%3A49%3A37%20GMT"
        ),
    );
    assert_eq!(
        error_of_one_call(&past).await.retry_after(),
        Some(Duration::ZERO)
    );
}

#[tokio::test]
async fn a_secret_echoed_in_an_error_body_is_redacted_from_the_envelope() {
    std::env::set_var("TOOLEXEC_TEST_ECHOED_TOKEN", "echoed-s3cr3t");
    let (addr, _) = serve().await;
    let mut config = HttpConfig::new(format!("http://{addr}/echo-auth-401"));
    config.headers.insert(
        "Authorization".into(),
        "Bearer ${TOOLEXEC_TEST_ECHOED_TOKEN}".into(),
    );
    let executor = executor([config.build("leaky").unwrap()]);
    let envelope = executor.execute(call("leaky")).await;
    let error = envelope.error.as_ref().expect("a 401");
    assert_eq!(error.kind, ErrorKind::PermissionDenied);
    assert!(
        error.message.contains("bad credentials: Bearer [redacted]"),
        "{}",
        error.message
    );
    let everything = format!(
        "{}{:?}{:?}",
        serde_json::to_string(&envelope).unwrap(),
        executor.stats(),
        executor.history().recent(10)
    );
    assert!(!everything.contains("echoed-s3cr3t"), "{everything}");
}

#[tokio::test]
async fn a_post_is_not_resent_after_an_outcome_unknown_failure_by_default() {
    let (addr, requests) = hang_up_server().await;
    let post = HttpConfig::new(format!("http://{addr}/orders"));
    let mut put = HttpConfig::new(format!("http://{addr}/orders/7"));
    put.method = "PUT".into();
    let executor = executor([post.build("post").unwrap(), put.build("put").unwrap()]);
    let envelope = executor.execute(call("post").with_max_retries(2)).await;
    assert_eq!(envelope.attempts, 1, "POST is not idempotent");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    let envelope = executor.execute(call("put").with_max_retries(2)).await;
    assert_eq!(envelope.attempts, 3, "PUT is idempotent");
}

#[test]
fn a_whitespace_bearer_token_is_refused_when_the_tool_is_built() {
    std::env::set_var("TOOLEXEC_TEST_BLANK_TOKEN", "   ");
    let mut config = HttpConfig::new("http://127.0.0.1:1/x");
    config.headers.insert(
        "Authorization".into(),
        "Bearer ${TOOLEXEC_TEST_BLANK_TOKEN}".into(),
    );
    let error = config.build("t").err().expect("refused");
    assert_eq!(error.key, "headers.Authorization");
    assert!(error.reason.contains("only whitespace"), "{}", error.reason);
}
