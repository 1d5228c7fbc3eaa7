//! The Lambda backend's error mapping through the real AWS SDK, against an axum stub
//! of the Lambda Invoke API on 127.0.0.1 (answers the emulator cannot give: throttling,
//! AWS-style function errors, service and permission errors), and proof that the
//! SDK's own retries are off, so the engine alone decides.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use common::executor;
use serde_json::{json, Value};
use toolexec::{CallContext, CallStatus, ErrorKind, Tool, ToolCall, ToolError};
use toolexec_backends::{BackendConfig, LambdaConfig, LAMBDA_SYNC_PAYLOAD_LIMIT};

#[derive(Default)]
struct Requests {
    total: AtomicUsize,
    flaky: AtomicUsize,
}

fn aws_error(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).expect("a status code");
    let body = json!({"Type": "User", "message": message}).to_string();
    (status, [("x-amzn-errortype", code.to_owned())], body).into_response()
}

async fn invoke(
    State(requests): State<Arc<Requests>>,
    Path(function): Path<String>,
    body: Bytes,
) -> Response {
    requests.total.fetch_add(1, Ordering::SeqCst);
    match function.as_str() {
        "echo" => (StatusCode::OK, body).into_response(),
        "function-error" => (
            StatusCode::OK,
            [("x-amz-function-error", "Unhandled")],
            r#"{"errorType": "StockoutError", "errorMessage": "no stock for A-1"}"#,
        )
            .into_response(),
        "throttled" => {
            let mut response = aws_error(429, "TooManyRequestsException", "Rate exceeded");
            response
                .headers_mut()
                .insert("retry-after", "7".parse().expect("a header"));
            response
        }
        "flaky" if requests.flaky.fetch_add(1, Ordering::SeqCst) == 0 => {
            let mut response = aws_error(429, "TooManyRequestsException", "Rate exceeded");
            response
                .headers_mut()
                .insert("retry-after", "1".parse().expect("a header"));
            response
        }
        "flaky" => (StatusCode::OK, r#"{"ok": true}"#).into_response(),
        "missing" => aws_error(404, "ResourceNotFoundException", "Function not found"),
        "denied" => aws_error(403, "AccessDeniedException", "not authorized"),
        "too-large" => aws_error(413, "RequestTooLargeException", "too large"),
        "not-ready" => aws_error(502, "EC2ThrottledException", "EC2 throttled"),
        "service" => aws_error(500, "ServiceException", "internal error"),
        "not-json" => (StatusCode::OK, "plain text").into_response(),
        _ => aws_error(400, "InvalidParameterValueException", "unexpected function"),
    }
}

async fn serve() -> (SocketAddr, Arc<Requests>) {
    let requests = Arc::new(Requests::default());
    let router = Router::new()
        .route("/2015-03-31/functions/{function}/invocations", post(invoke))
        .with_state(requests.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port on 127.0.0.1");
    let addr = listener.local_addr().expect("a local address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (addr, requests)
}

async fn lambda(function: &str, addr: SocketAddr) -> Arc<dyn Tool> {
    LambdaConfig::new(function)
        .with_endpoint_url(format!("http://{addr}"))
        .build(function)
        .await
        .expect("a valid Lambda config")
}

async fn error_of(function: &str, addr: SocketAddr) -> ToolError {
    let tool = lambda(function, addr).await;
    tool.call(&json!({"sku": "A-1"}), CallContext::detached("c"))
        .await
        .expect_err("the invocation fails")
}

#[tokio::test]
async fn a_successful_invocation_returns_the_payload() {
    let (addr, _) = serve().await;
    let executor = executor([lambda("echo", addr).await]);
    let envelope = executor
        .execute(ToolCall::new("echo", json!({"sku": "A-1"})))
        .await;
    assert_eq!(envelope.result, Some(json!({"sku": "A-1"})), "{envelope:?}");
}

#[tokio::test]
async fn an_aws_function_error_is_a_failure_with_its_type_and_message() {
    let (addr, _) = serve().await;
    let error = error_of("function-error", addr).await;
    assert_eq!(
        error,
        ToolError::Failed {
            error_type: Some("StockoutError".into()),
            message: "no stock for A-1".into()
        }
    );
}

#[tokio::test]
async fn service_errors_map_onto_error_kinds() {
    let (addr, _) = serve().await;
    match error_of("throttled", addr).await {
        ToolError::Throttled { retry_after, .. } => {
            assert_eq!(retry_after, Some(std::time::Duration::from_secs(7)))
        }
        other => panic!("expected throttled, got {other:?}"),
    }
    let kind = |e: ToolError| (e.kind(), e.is_retryable(), e.is_outcome_unknown());
    assert_eq!(
        kind(error_of("missing", addr).await),
        (ErrorKind::NotFound, false, false)
    );
    assert_eq!(
        kind(error_of("denied", addr).await),
        (ErrorKind::PermissionDenied, false, false)
    );
    assert_eq!(
        kind(error_of("too-large", addr).await),
        (ErrorKind::InvalidInput, false, false)
    );
    assert_eq!(
        kind(error_of("not-ready", addr).await),
        (ErrorKind::Backend, true, false)
    );
    assert_eq!(
        kind(error_of("service", addr).await),
        (ErrorKind::Backend, true, true)
    );
    assert_eq!(
        kind(error_of("not-json", addr).await),
        (ErrorKind::BadOutput, false, false)
    );
}

#[tokio::test]
async fn the_sdk_does_not_retry_so_the_engine_alone_decides() {
    let (addr, requests) = serve().await;
    let executor = executor([lambda("service", addr).await, lambda("flaky", addr).await]);

    let envelope = executor
        .execute(ToolCall::new("service", json!({})).with_max_retries(0))
        .await;
    assert_eq!(envelope.status, CallStatus::Failed);
    assert_eq!(
        requests.total.load(Ordering::SeqCst),
        1,
        "one attempt, one request"
    );

    let envelope = executor.execute(ToolCall::new("flaky", json!({}))).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(envelope.attempts, 2);
    assert_eq!(envelope.attempt_log[0].outcome, "throttled");
    assert!(
        envelope.attempt_log[0].backoff_ms.unwrap_or_default() >= 1000.0,
        "Retry-After honoured"
    );
    assert_eq!(
        requests.flaky.load(Ordering::SeqCst),
        2,
        "two attempts, two requests"
    );
}

#[tokio::test]
async fn a_payload_over_the_sync_limit_is_refused_before_sending() {
    let (addr, requests) = serve().await;
    let tool = lambda("echo", addr).await;
    let big = json!({"blob": "x".repeat(LAMBDA_SYNC_PAYLOAD_LIMIT)});
    let error = tool
        .call(&big, CallContext::detached("c"))
        .await
        .expect_err("too big");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("6291456"), "{error}");
    assert_eq!(requests.total.load(Ordering::SeqCst), 0, "nothing was sent");
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = listener.local_addr().expect("a local address");
    drop(listener);
    let error = error_of("echo", addr).await;
    assert!(matches!(error, ToolError::Transient { .. }), "{error:?}");
}

#[tokio::test]
async fn bad_configuration_names_the_key() {
    let key = |config: LambdaConfig| async move { config.build("t").await.err().map(|e| e.key) };
    assert_eq!(
        key(LambdaConfig::new("")).await.as_deref(),
        Some("function_name")
    );
    assert_eq!(
        key(LambdaConfig::new("has space")).await.as_deref(),
        Some("function_name")
    );
    let config = LambdaConfig::new("f").with_endpoint_url("127.0.0.1:9000");
    assert_eq!(key(config).await.as_deref(), Some("endpoint_url"));
    let mut config = LambdaConfig::new("f");
    config.remote_tool = Some("rank_suppliers".into());
    assert_eq!(key(config).await.as_deref(), Some("remote_tool"));
    let mut config = LambdaConfig::new("f");
    config.qualifier = Some(String::new());
    assert_eq!(key(config).await.as_deref(), Some("qualifier"));
    let error = toml::from_str::<BackendConfig>(
        "backend = \"lambda\"\nfunction_name = \"f\"\nprotocol = \"grpc\"\n",
    )
    .expect_err("an unknown protocol");
    assert!(error.to_string().contains("grpc"), "{error}");
    let config: BackendConfig = toml::from_str(
        "backend = \"lambda\"\nfunction_name = \"inventory_optimizer\"\nendpoint_url = \"http://127.0.0.1:9000\"\n",
    )
    .expect("the example of docs/CONTRACTS.md parses");
    assert_eq!(config.backend(), "lambda");
    let error = toml::from_str::<BackendConfig>(
        "backend = \"lambda\"\nfunction_name = \"f\"\nretries = 3\n",
    )
    .expect_err("an unknown key");
    assert!(error.to_string().contains("retries"), "{error}");
    let value: Value = json!({"backend": "lambda"});
    let error =
        serde_json::from_value::<BackendConfig>(value).expect_err("function_name is required");
    assert!(error.to_string().contains("function_name"), "{error}");
}
