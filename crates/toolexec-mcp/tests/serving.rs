//! The serve functions end cleanly: stdio-like serving when the client hangs up,
//! HTTP serving on shutdown even with a session open and a call in flight.

mod common;

use std::time::Duration;

use common::{attempt_started, bounded, call, executor, finished, Harness, Via};
use rmcp::model::{ClientRequest, Request};
use rmcp::service::PeerRequestOptions;
use serde_json::json;
use toolexec::CallStatus;
use toolexec_mcp::McpServeError;

#[tokio::test]
async fn serve_io_returns_ok_when_the_client_disconnects() {
    let harness = Harness::start(Via::Pipe, executor()).await;
    harness.finish().await;
}

#[tokio::test]
async fn serve_io_reports_a_client_that_never_initializes() {
    let (server_end, client_end) = tokio::io::duplex(1024);
    let (reader, writer) = tokio::io::split(server_end);
    drop(client_end);
    let served = bounded(toolexec_mcp::serve_io(executor(), reader, writer)).await;
    let error = served.expect_err("no handshake, no session");
    assert!(matches!(error, McpServeError::Initialize(_)), "{error:?}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn serve_http_stops_on_shutdown_with_a_session_open_and_cancels_its_calls() {
    let executor = executor();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/mcp", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(toolexec_mcp::serve_http(
        listener,
        executor.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let transport = rmcp::transport::StreamableHttpClientTransport::from_uri(url);
    let client = bounded(rmcp::ServiceExt::serve((), transport))
        .await
        .expect("initialized");
    let mut events = executor.subscribe();
    let request =
        ClientRequest::CallToolRequest(Request::new(call("sim", json!({"latency_ms": 60_000}))));
    let handle = bounded(
        client
            .peer()
            .send_request_with_option(request, PeerRequestOptions::no_options()),
    )
    .await
    .expect("sent");
    attempt_started(&mut events).await;

    let _ = stop.send(());
    let served = bounded(server).await.expect("no panic");
    assert!(served.is_ok(), "{served:?}");
    let (_, status) = finished(&mut events, &handle.id.to_string()).await;
    assert_eq!(status, CallStatus::Cancelled);
    drop(client);
}

/// rmcp gives a call still running when the client closes its end 5 s to finish and
/// send its response (a client may close stdin and still read stdout), then cancels
/// it. Paused time works here because the pipe is in memory.
#[tokio::test(start_paused = true)]
async fn a_call_still_running_when_the_client_hangs_up_is_cancelled_after_5_s() {
    let harness = Harness::start(Via::Pipe, executor()).await;
    let mut events = harness.executor.subscribe();
    let request =
        ClientRequest::CallToolRequest(Request::new(call("sim", json!({"latency_ms": 60_000}))));
    let handle = bounded(
        harness
            .client
            .peer()
            .send_request_with_option(request, PeerRequestOptions::no_options()),
    )
    .await
    .expect("sent");
    attempt_started(&mut events).await;

    let request_id = handle.id.to_string();
    drop(handle);
    let executor = harness.executor.clone();
    let hung_up = tokio::time::Instant::now();
    harness.finish().await;
    let (_, status) = finished(&mut events, &request_id).await;
    assert_eq!(status, CallStatus::Cancelled);
    assert_eq!(hung_up.elapsed(), Duration::from_secs(5));
    assert_eq!(executor.in_flight(), Vec::new());
}
