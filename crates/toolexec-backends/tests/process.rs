//! The process backend against real programs: JSON through stdin and stdout, exit
//! codes, output caps, and process groups killed on timeout and cancellation.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{alive, eventually, executor, read_pid, scratch_dir};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use toolexec::{CallContext, CallStatus, ErrorKind, Tool, ToolCall, ToolError};
use toolexec_backends::{BackendConfig, ProcessConfig};

/// A tool that runs `script` with `sh -c` (the test's choice of program: the backend
/// itself never uses a shell).
fn sh(name: &str, script: &str) -> Arc<dyn Tool> {
    ProcessConfig::new("sh", ["-c", script])
        .build(name)
        .expect("a valid process config")
}

fn call(tool: &str) -> ToolCall {
    ToolCall::new(tool, json!({"sku": "A-1"})).with_id(format!("{tool}-1"))
}

#[tokio::test]
async fn input_goes_in_on_stdin_and_json_comes_back_on_stdout() {
    let executor = executor([ProcessConfig::new("cat", Vec::<String>::new())
        .build("echo")
        .unwrap()]);
    let envelope = executor.execute(call("echo")).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(envelope.result, Some(json!({"sku": "A-1"})));
}

#[tokio::test]
async fn exit_code_2_is_invalid_input_with_stderr_as_message() {
    let executor = executor([sh("t", "echo 'sku A-1 is unknown' >&2; exit 2")]);
    let envelope = executor.execute(call("t")).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(
        error.message.contains("sku A-1 is unknown"),
        "{}",
        error.message
    );
    assert_eq!(envelope.attempts, 1, "invalid input is never retried");
}

#[tokio::test]
async fn other_exit_codes_fail_without_retry_and_name_the_code() {
    let executor = executor([sh("t", "echo boom >&2; exit 1")]);
    let envelope = executor.execute(call("t")).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::ToolError);
    assert_eq!(error.error_type.as_deref(), Some("exit code 1"));
    assert_eq!(error.message, "exit code 1: boom");
    assert_eq!(envelope.attempts, 1);
}

#[tokio::test]
async fn ex_tempfail_is_transient_and_the_engine_retries_it() {
    let dir = scratch_dir("tempfail");
    let counter = dir.join("attempts");
    let script = format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; \
         if [ $n -lt 3 ]; then echo busy >&2; exit 75; fi; echo \"{{\\\"attempt\\\": $n}}\"",
        c = counter.display()
    );
    let executor = executor([sh("t", &script)]);
    let envelope = executor.execute(call("t")).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(envelope.result, Some(json!({"attempt": 3})));
    assert_eq!(envelope.attempts, 3);
    let outcomes: Vec<&str> = envelope
        .attempt_log
        .iter()
        .map(|a| a.outcome.as_ref())
        .collect();
    assert_eq!(outcomes, ["backend", "backend", "success"]);
}

#[tokio::test]
async fn output_that_is_not_json_is_bad_output() {
    let executor = executor([sh("t", "echo 'not json'")]);
    let error = executor.execute(call("t")).await.error.unwrap();
    assert_eq!(error.kind, ErrorKind::BadOutput);
}

#[tokio::test]
async fn output_past_the_cap_is_refused_and_the_writer_killed() {
    let mut config = ProcessConfig::new("yes", Vec::<String>::new());
    config.max_output_bytes = 64 * 1024;
    let tool = config.build("yes").unwrap();
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        tool.call(&json!({}), CallContext::detached("c")),
    )
    .await
    .expect("the endless writer was stopped");
    match result {
        Err(ToolError::BadOutput { message }) => {
            assert!(message.contains("max_output_bytes (65536)"), "{message}")
        }
        other => panic!("expected bad output, got {other:?}"),
    }
}

#[tokio::test]
async fn long_stderr_is_cut_in_the_message() {
    let executor = executor([sh("t", "head -c 100000 /dev/zero | tr '\\0' x >&2; exit 1")]);
    let error = executor.execute(call("t")).await.error.unwrap();
    assert!(error.message.len() < 5000, "{} bytes", error.message.len());
    assert!(error.message.ends_with("(more on stderr)"));
}

#[tokio::test]
async fn attempt_timeout_kills_the_whole_process_group() {
    let dir = scratch_dir("timeout");
    let pid_file = dir.join("grandchild.pid");
    let script = format!("sleep 30 & echo $! > {}; wait", pid_file.display());
    let executor = executor([sh("t", &script)]);
    let started = std::time::Instant::now();
    let envelope = executor
        .execute(
            call("t")
                .with_timeout(Duration::from_millis(500))
                .with_max_retries(0),
        )
        .await;
    assert_eq!(envelope.status, CallStatus::Timeout, "{envelope:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let grandchild = read_pid(&pid_file).await;
    assert!(
        eventually(Duration::from_secs(5), || !alive(grandchild)).await,
        "grandchild {grandchild} outlived the attempt"
    );
}

#[tokio::test]
async fn cancellation_kills_the_whole_process_group() {
    let dir = scratch_dir("cancel");
    let pid_file = dir.join("grandchild.pid");
    let script = format!("sleep 30 & echo $! > {}; wait", pid_file.display());
    let executor = executor([sh("t", &script)]);
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let pid_path = pid_file.clone();
    tokio::spawn(async move {
        read_pid(&pid_path).await;
        trigger.cancel();
    });
    let envelope = tokio::time::timeout(
        Duration::from_secs(10),
        executor.execute_cancellable(call("t"), cancel),
    )
    .await
    .expect("the call ended");
    assert_eq!(envelope.status, CallStatus::Cancelled, "{envelope:?}");
    let grandchild = read_pid(&pid_file).await;
    assert!(eventually(Duration::from_secs(5), || !alive(grandchild)).await);
}

#[tokio::test]
async fn a_grandchild_left_behind_by_a_finished_program_is_killed() {
    let dir = scratch_dir("leftover");
    let pid_file = dir.join("grandchild.pid");
    let script = format!(
        "sleep 30 >/dev/null 2>&1 & echo $! > {}; echo '{{}}'",
        pid_file.display()
    );
    let executor = executor([sh("t", &script)]);
    let envelope = executor.execute(call("t")).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    let grandchild = read_pid(&pid_file).await;
    assert!(eventually(Duration::from_secs(5), || !alive(grandchild)).await);
}

#[tokio::test]
async fn the_deadline_in_the_context_is_honoured_outside_an_executor() {
    let tool = sh("t", "sleep 30");
    let mut ctx = CallContext::detached("c");
    ctx.deadline = Some(tokio::time::Instant::now() + Duration::from_millis(200));
    let result = tokio::time::timeout(Duration::from_secs(5), tool.call(&json!({}), ctx))
        .await
        .expect("the backend stopped at its deadline");
    assert!(
        matches!(result, Err(ToolError::OutcomeUnknown { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn secrets_in_the_environment_reach_the_program_but_not_debug_output() {
    std::env::set_var("TOOLEXEC_TEST_PROCESS_TOKEN", "s3cr3t-env");
    let mut config = ProcessConfig::new("sh", ["-c", "printf '{\"token\": \"%s\"}' \"$TOKEN\""]);
    config
        .env
        .insert("TOKEN".into(), "${TOOLEXEC_TEST_PROCESS_TOKEN}".into());
    let tool = config.build_tool("t").unwrap();
    assert!(!format!("{tool:?}").contains("s3cr3t"), "{tool:?}");
    let result = tool.call(&json!({}), CallContext::detached("c")).await;
    assert_eq!(result, Ok(json!({"token": "s3cr3t-env"})));
}

#[test]
fn bad_configuration_names_the_key() {
    let key = |config: ProcessConfig| config.build("t").err().map(|e| e.key);
    assert_eq!(
        key(ProcessConfig::new("", Vec::<String>::new())).as_deref(),
        Some("program")
    );
    assert_eq!(
        key(ProcessConfig::new(
            "no-such-program-xyz",
            Vec::<String>::new()
        ))
        .as_deref(),
        Some("program")
    );
    let mut config = ProcessConfig::new("cat", Vec::<String>::new());
    config
        .env
        .insert("TOKEN".into(), "${TOOLEXEC_TEST_UNSET_VARIABLE}".into());
    assert_eq!(key(config).as_deref(), Some("env.TOKEN"));
    let mut config = ProcessConfig::new("cat", Vec::<String>::new());
    config.max_output_bytes = 0;
    assert_eq!(key(config).as_deref(), Some("max_output_bytes"));
    let mut config = ProcessConfig::new("cat", Vec::<String>::new());
    config.working_dir = Some("/no/such/dir".into());
    assert_eq!(key(config).as_deref(), Some("working_dir"));
}

#[test]
fn a_toml_table_with_an_unknown_key_is_rejected_naming_it() {
    let error =
        toml::from_str::<BackendConfig>("backend = \"process\"\nprogram = \"cat\"\nshell = true\n")
            .unwrap_err();
    assert!(error.to_string().contains("shell"), "{error}");
    let config: BackendConfig =
        toml::from_str("backend = \"process\"\nprogram = \"cat\"\nargs = [\"-u\"]\n").unwrap();
    assert_eq!(config.backend(), "process");
}

/// `sh` with an idle timeout of `idle_ms` and an attempt timeout of 60 s, no retries.
fn sh_idle(name: &str, script: &str, idle_ms: u64) -> (Arc<dyn Tool>, toolexec::ToolOptions) {
    let options = toolexec::ToolOptions::default().with_policy(toolexec::PolicyOverrides {
        idle_timeout: Some(Some(Duration::from_millis(idle_ms))),
        attempt_timeout: Some(Duration::from_secs(60)),
        max_retries: Some(0),
        ..toolexec::PolicyOverrides::default()
    });
    (sh(name, script), options)
}

#[tokio::test]
async fn progress_lines_on_stderr_keep_a_long_run_alive_past_its_idle_timeout() {
    // Twelve steps of 0.1 s: 1.2 s in all, never silent for the 0.6 s idle timeout.
    let script = "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 0.1; \
                  echo \"toolexec-progress {\\\"progress\\\": $i, \\\"total\\\": 12}\" >&2; done; \
                  echo '{\"done\": true}'";
    let (tool, options) = sh_idle("steps", script, 600);
    let executor = toolexec::Executor::builder()
        .tool_with(tool, options)
        .build()
        .unwrap();
    let mut events = executor.subscribe();
    let envelope = executor.execute(call("steps")).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(envelope.result, Some(json!({"done": true})));

    let mut reported = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let toolexec::ExecutionEvent::Progress {
            progress, total, ..
        } = event
        {
            assert_eq!(total, Some(12.0));
            reported.push(progress);
        }
    }
    let expected: Vec<f64> = (1..=12).map(f64::from).collect();
    assert_eq!(reported, expected, "every line, in order");
}

#[tokio::test]
async fn a_silent_program_is_ended_by_its_idle_timeout_and_its_group_killed() {
    let dir = scratch_dir("idle");
    let pid_file = dir.join("pid");
    let script = format!(
        "echo \"toolexec-progress {{\\\"progress\\\": 1}}\" >&2; echo $$ > {}; exec sleep 60",
        pid_file.display()
    );
    let (tool, options) = sh_idle("silent", &script, 300);
    let executor = toolexec::Executor::builder()
        .tool_with(tool, options)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let envelope = executor.execute(call("silent")).await;
    assert_eq!(envelope.status, CallStatus::Timeout, "{envelope:?}");
    assert_eq!(envelope.error_kind(), Some(ErrorKind::IdleTimeout));
    assert!(started.elapsed() < Duration::from_secs(30));
    let pid = read_pid(&pid_file).await;
    assert!(
        eventually(Duration::from_secs(5), || !alive(pid)).await,
        "the idle timeout cancels the attempt, which kills the process group"
    );
}

#[tokio::test]
async fn progress_lines_are_left_out_of_the_error_message_and_malformed_ones_kept() {
    let script = "echo 'toolexec-progress {\"progress\": 1}' >&2; \
                  echo 'toolexec-progress {oops' >&2; echo 'real trouble' >&2; exit 1";
    let executor = executor([sh("t", script)]);
    let envelope = executor.execute(call("t")).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::ToolError);
    assert_eq!(
        error.message,
        "exit code 1: toolexec-progress {oops\nreal trouble"
    );
}
