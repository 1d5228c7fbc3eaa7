//! The MCP backend against the workspace's rmcp fixture server, over stdio and over
//! streamable HTTP: import, results, isError, invalid params, progress and the idle
//! timeout, and cancellation reaching the server on timeout and on cancel.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use common::{alive, eventually, executor, scratch_dir};
use serde_json::json;
use tokio::io::AsyncBufReadExt;
use tokio_util::sync::CancellationToken;
use toolexec::{
    CallStatus, ErrorKind, ExecutionEvent, Executor, PolicyOverrides, Tool, ToolAnnotations,
    ToolCall, ToolOptions,
};
use toolexec_backends::{McpConfig, McpServer};
use toolexec_test_support::cargo_bin::workspace_binary;

fn fixture() -> PathBuf {
    workspace_binary("mcp-fixture-server", "mcp-fixture-server")
}

/// A stdio config of the fixture that records cancellations in `log`.
fn stdio_config(log: &Path) -> McpConfig {
    let mut config = McpConfig::stdio(fixture().display().to_string(), Vec::<String>::new());
    config
        .env
        .insert("MCP_FIXTURE_LOG".into(), log.display().to_string());
    config
}

async fn connect(config: &McpConfig) -> McpServer {
    config
        .connect("fixture")
        .await
        .expect("the fixture server connects")
}

fn log_has(log: &Path, word: &str) -> bool {
    std::fs::read_to_string(log).is_ok_and(|text| text.lines().any(|l| l.starts_with(word)))
}

fn slow(steps: u32, step_ms: u64) -> ToolCall {
    ToolCall::new("slow", json!({"steps": steps, "step_ms": step_ms}))
}

#[tokio::test]
async fn tools_list_imports_names_descriptions_schemas_and_annotations() {
    let dir = scratch_dir("mcp-import");
    let server = connect(&stdio_config(&dir.join("log"))).await;
    let mut specs: Vec<_> = server.tools().iter().map(|t| t.spec().clone()).collect();
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "crash",
            "echo",
            "fail",
            "reject",
            "slow",
            "stall",
            "trace_context"
        ]
    );
    let echo = &specs[1];
    let slow = &specs[4];
    assert_eq!(slow.annotations, ToolAnnotations::read_only());
    assert_eq!(echo.description, "Sends the text back.");
    assert_eq!(echo.input_schema["properties"]["text"]["type"], "string");
    assert_eq!(echo.annotations, ToolAnnotations::read_only());
    let fail = &specs[2];
    assert!(fail.annotations.is_mutating() && fail.annotations.destructive);
    let crash = &specs[0];
    assert!(
        crash.annotations.is_mutating(),
        "no hints: MCP's defaults apply"
    );
}

#[tokio::test]
async fn a_call_returns_the_structured_result() {
    let dir = scratch_dir("mcp-echo");
    let server = connect(&stdio_config(&dir.join("log"))).await;
    let executor = executor(server.tools());
    let envelope = executor
        .execute(ToolCall::new("echo", json!({"text": "hi"})))
        .await;
    assert_eq!(envelope.result, Some(json!({"text": "hi"})), "{envelope:?}");
}

#[tokio::test]
async fn is_error_is_a_failure_that_is_not_retried() {
    let dir = scratch_dir("mcp-fail");
    let server = connect(&stdio_config(&dir.join("log"))).await;
    let executor = executor(server.tools());
    let envelope = executor.execute(ToolCall::new("fail", json!({}))).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::ToolError);
    assert_eq!(error.message, "the fixture failed on purpose");
    assert_eq!(envelope.attempts, 1);
}

#[tokio::test]
async fn invalid_params_errors_and_non_object_input_are_invalid_input() {
    let dir = scratch_dir("mcp-invalid");
    let server = connect(&stdio_config(&dir.join("log"))).await;
    let executor = executor(server.tools());
    let envelope = executor.execute(ToolCall::new("reject", json!({}))).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput, "{error:?}");
    assert!(
        error.message.contains("sku must not be empty"),
        "{}",
        error.message
    );
    assert_eq!(envelope.attempts, 1);
    let envelope = executor.execute(ToolCall::new("echo", json!([1, 2]))).await;
    assert_eq!(envelope.error.unwrap().kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn arguments_that_do_not_fit_the_advertised_schema_are_refused_before_the_server_is_called() {
    // The engine enforces the schema the server advertised in `tools/list`, so the call
    // never reaches the server: invalid input naming the field, no attempt.
    let dir = scratch_dir("mcp-bad-args");
    let server = connect(&stdio_config(&dir.join("log"))).await;
    let executor = executor(server.tools());
    let envelope = executor
        .execute(ToolCall::new("echo", json!({"text": 5})))
        .await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput, "{error:?}");
    assert_eq!(error.field.as_deref(), Some("text"), "{}", error.message);
    assert!(error.message.contains("string"), "{}", error.message);
    assert_eq!(envelope.attempts, 0);
}

#[tokio::test]
async fn progress_notifications_reset_the_idle_timeout() {
    let dir = scratch_dir("mcp-progress");
    let log = dir.join("log");
    let mut config = stdio_config(&log);
    config.idle_timeout_ms = 400;
    let server = connect(&config).await;
    let executor = executor(server.tools());

    // Six steps of 150 ms: 900 ms in all, but never 400 ms without progress.
    let envelope = executor.execute(slow(6, 150)).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(envelope.result, Some(json!({"steps": 6})));

    // One silent step of 1.5 s: the idle timeout ends it and tells the server.
    let envelope = executor.execute(slow(1, 1500).with_max_retries(0)).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Backend, "{error:?}");
    assert!(
        error.message.contains("no result or progress for 400 ms"),
        "{}",
        error.message
    );
    assert!(eventually(Duration::from_secs(3), || log_has(&log, "cancelled")).await);
}

#[tokio::test]
async fn an_attempt_timeout_sends_the_cancellation_to_the_server() {
    let dir = scratch_dir("mcp-timeout");
    let log = dir.join("log");
    let server = connect(&stdio_config(&log)).await;
    let executor = executor(server.tools());
    let started = std::time::Instant::now();
    let envelope = executor
        .execute(
            slow(50, 100)
                .with_timeout(Duration::from_millis(300))
                .with_max_retries(0),
        )
        .await;
    assert_eq!(envelope.status, CallStatus::Timeout, "{envelope:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        eventually(Duration::from_secs(3), || log_has(&log, "cancelled")).await,
        "the server saw notifications/cancelled and stopped"
    );
    assert!(!log_has(&log, "completed"));
}

#[tokio::test]
async fn a_read_only_tool_is_retried_after_a_timeout() {
    let dir = scratch_dir("mcp-retry");
    let log = dir.join("log");
    let server = connect(&stdio_config(&log)).await;
    let executor = executor(server.tools());
    let envelope = executor
        .execute(
            slow(50, 100)
                .with_timeout(Duration::from_millis(250))
                .with_max_retries(1),
        )
        .await;
    assert_eq!(envelope.status, CallStatus::Timeout, "{envelope:?}");
    assert_eq!(envelope.attempts, 2, "slow is read-only: safe to retry");
    let cancelled = || {
        std::fs::read_to_string(&log)
            .map(|text| text.lines().filter(|l| l.starts_with("cancelled")).count())
            .unwrap_or_default()
    };
    assert!(
        eventually(Duration::from_secs(3), || cancelled() == 2).await,
        "each abandoned attempt was cancelled on the server"
    );
}

#[tokio::test]
async fn cancelling_the_call_sends_the_cancellation_to_the_server() {
    let dir = scratch_dir("mcp-cancel");
    let log = dir.join("log");
    let server = connect(&stdio_config(&log)).await;
    let executor = executor(server.tools());
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let envelope = executor.execute_cancellable(slow(50, 100), cancel).await;
    assert_eq!(envelope.status, CallStatus::Cancelled, "{envelope:?}");
    assert!(eventually(Duration::from_secs(3), || log_has(&log, "cancelled")).await);
}

#[tokio::test]
async fn a_crashed_server_fails_the_call_and_is_restarted_for_the_next() {
    let dir = scratch_dir("mcp-crash");
    let server = connect(&stdio_config(&dir.join("log"))).await;
    let first_pid = server.process_id().unwrap();
    let executor = executor(server.tools());
    let envelope = executor.execute(ToolCall::new("crash", json!({}))).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Backend, "{error:?}");
    assert_eq!(
        envelope.attempts, 1,
        "crash is mutating: not retried after an unknown outcome"
    );
    assert!(eventually(Duration::from_secs(5), || !alive(first_pid)).await);
    let envelope = executor
        .execute(ToolCall::new("echo", json!({"text": "again"})).with_max_retries(1))
        .await;
    assert_eq!(
        envelope.result,
        Some(json!({"text": "again"})),
        "{envelope:?}"
    );
    let second_pid = server.process_id().unwrap();
    assert_ne!(first_pid, second_pid, "a new server process");
    assert!(alive(second_pid));
}

#[tokio::test]
async fn the_tools_filter_and_prefix_choose_and_rename_tools() {
    let dir = scratch_dir("mcp-filter");
    let mut config = stdio_config(&dir.join("log"));
    config.tools = Some(vec!["echo".into()]);
    config.prefix = Some("fx_".into());
    let server = connect(&config).await;
    let names: Vec<String> = server
        .tools()
        .iter()
        .map(|t| t.spec().name.clone())
        .collect();
    assert_eq!(names, ["fx_echo"]);
    let executor = executor(server.tools());
    let envelope = executor
        .execute(ToolCall::new("fx_echo", json!({"text": "x"})))
        .await;
    assert!(envelope.success, "{envelope:?}");

    config.tools = Some(vec!["echo".into(), "nope".into()]);
    let error = config.connect("fixture").await.unwrap_err();
    assert_eq!(error.key, "tools");
    assert!(error.reason.contains("`nope`"), "{}", error.reason);
}

#[tokio::test]
async fn dropping_the_tools_stops_a_stdio_server() {
    let dir = scratch_dir("mcp-drop");
    let server = connect(&stdio_config(&dir.join("log"))).await;
    let pid = server.process_id().unwrap();
    assert!(alive(pid));
    let tools: Vec<Arc<dyn Tool>> = server.tools();
    drop(server);
    drop(tools);
    assert!(eventually(Duration::from_secs(5), || !alive(pid)).await);
}

/// The fixture serving streamable HTTP on 127.0.0.1, killed when dropped.
async fn http_fixture(log: &Path) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(fixture())
        .args(["--http", "127.0.0.1:0"])
        .env("MCP_FIXTURE_LOG", log)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the fixture server starts");
    let stdout = child.stdout.take().expect("a piped stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("the fixture starts")
        .expect("stdout is readable")
        .expect("the fixture prints its address");
    let url = line
        .strip_prefix("listening on ")
        .expect("the address line")
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn a_streamable_http_server_is_called_and_cancelled() {
    let dir = scratch_dir("mcp-http");
    let log = dir.join("log");
    let (_server_process, url) = http_fixture(&log).await;
    let server = McpConfig::http(url).connect("fixture").await.unwrap();
    let executor = executor(server.tools());
    let envelope = executor
        .execute(ToolCall::new("echo", json!({"text": "over http"})))
        .await;
    assert_eq!(
        envelope.result,
        Some(json!({"text": "over http"})),
        "{envelope:?}"
    );
    let envelope = executor.execute(ToolCall::new("fail", json!({}))).await;
    assert_eq!(envelope.error.unwrap().kind, ErrorKind::ToolError);
    let envelope = executor
        .execute(
            slow(50, 100)
                .with_timeout(Duration::from_millis(300))
                .with_max_retries(0),
        )
        .await;
    assert_eq!(envelope.status, CallStatus::Timeout);
    assert!(eventually(Duration::from_secs(3), || log_has(&log, "cancelled")).await);
}

#[tokio::test]
async fn bad_configuration_names_the_key() {
    let key = |config: McpConfig| async move { config.connect("t").await.err().map(|e| e.key) };
    let mut neither = McpConfig::http("http://127.0.0.1:1/mcp");
    neither.url = None;
    assert_eq!(key(neither).await.as_deref(), Some("command"));
    let mut both = McpConfig::http("http://127.0.0.1:1/mcp");
    both.command = Some("x".into());
    assert_eq!(key(both).await.as_deref(), Some("url"));
    assert_eq!(
        key(McpConfig::http("127.0.0.1:1/mcp")).await.as_deref(),
        Some("url")
    );
    let missing = McpConfig::stdio("/no/such/mcp-server", Vec::<String>::new());
    assert_eq!(key(missing).await.as_deref(), Some("command"));
    let not_mcp = McpConfig::stdio("true", Vec::<String>::new());
    assert_eq!(key(not_mcp).await.as_deref(), Some("command"));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut refused = McpConfig::http(format!("http://{addr}/mcp"));
    refused.connect_timeout_ms = 3000;
    assert_eq!(key(refused).await.as_deref(), Some("url"));
    let mut zero = McpConfig::stdio("x", Vec::<String>::new());
    zero.connect_timeout_ms = 0;
    assert_eq!(key(zero).await.as_deref(), Some("connect_timeout_ms"));
    let error = toml::from_str::<toolexec_backends::BackendConfig>(
        "backend = \"mcp\"\ncommand = \"x\"\ntransport = \"stdio\"\n",
    )
    .unwrap_err();
    assert!(error.to_string().contains("transport"), "{error}");
}

/// An executor whose tools have the engine's idle timeout `idle_ms` (the backend's own
/// is off in the config), no retries.
fn idle_executor(tools: Vec<Arc<dyn Tool>>, idle_ms: u64) -> Executor {
    let options = ToolOptions::default().with_policy(PolicyOverrides {
        idle_timeout: Some(Some(Duration::from_millis(idle_ms))),
        max_retries: Some(0),
        ..PolicyOverrides::default()
    });
    tools
        .into_iter()
        .fold(Executor::builder(), |b, t| b.tool_with(t, options.clone()))
        .build()
        .expect("a valid executor")
}

#[tokio::test]
async fn progress_notifications_reset_the_engine_idle_timeout_and_become_progress_events() {
    let dir = scratch_dir("mcp-engine-progress");
    let mut config = stdio_config(&dir.join("log"));
    config.idle_timeout_ms = 0;
    let server = connect(&config).await;
    let executor = idle_executor(server.tools(), 600);
    let mut events = executor.subscribe();

    // Eight steps of 150 ms: 1.2 s in all, never 600 ms without progress.
    let envelope = executor.execute(slow(8, 150)).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");

    let mut reported = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let ExecutionEvent::Progress {
            progress,
            total,
            message,
            attempt,
            ..
        } = event
        {
            assert_eq!((attempt, total), (1, Some(8.0)));
            assert_eq!(message.as_deref(), Some(&*format!("step {progress} of 8")));
            reported.push(progress);
        }
    }
    let expected: Vec<f64> = (1..=8).map(f64::from).collect();
    assert_eq!(reported, expected, "every notification, in order");
}

#[tokio::test]
async fn a_server_that_goes_silent_is_ended_by_the_engine_idle_timeout_and_told_to_stop() {
    let dir = scratch_dir("mcp-engine-idle");
    let log = dir.join("log");
    let mut config = stdio_config(&log);
    config.idle_timeout_ms = 0;
    let server = connect(&config).await;
    let executor = idle_executor(server.tools(), 400);

    let call = ToolCall::new("stall", json!({"steps": 2, "step_ms": 100}));
    let started = std::time::Instant::now();
    let envelope = executor.execute(call).await;
    assert_eq!(envelope.status, CallStatus::Timeout, "{envelope:?}");
    assert_eq!(envelope.error_kind(), Some(ErrorKind::IdleTimeout));
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        eventually(Duration::from_secs(3), || log_has(
            &log,
            "stalled-cancelled"
        ))
        .await,
        "the server saw notifications/cancelled"
    );
}
