//! The `toolexec` binary end to end: commands, output and exit codes (0 ok, 1 some
//! call failed, 2 bad usage or input with nothing executed).

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// A sample database seeded once for every test of this file.
fn db() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sample.db");
        let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
            .args(["data", "seed", "--db"])
            .arg(&path)
            .output()
            .expect("run toolexec data seed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (dir, path)
    });
    path
}

fn toolexec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .args(args)
        .env("TOOLEXEC_DB", db())
        .env_remove("TOOLEXEC_CONFIG")
        .output()
        .expect("run toolexec")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path.display().to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const SIM_CONFIG: &str = r#"
[defaults]
backoff_initial_ms = 5
backoff_max_ms = 50
jitter = "none"
max_retries = 3

[tools.flaky]
backend = "sim"
latency_ms = 2
fail_first = 2

[tools.echo]
backend = "process"
program = "cat"
"#;

#[test]
fn run_prints_envelopes_in_request_order_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "toolexec.toml", SIM_CONFIG);
    let batch = write(
        dir.path(),
        "batch.json",
        r#"{"calls": [
            {"tool": "flaky", "call_id": "first"},
            {"tool": "echo", "input": {"sku": "FAS-0001"}, "call_id": "second"},
            {"tool": "calculate_reorder_points", "input": {"warehouse_code": "WH001", "skus": ["FAS-0001"]}, "call_id": "third"}
        ]}"#,
    );
    let out = toolexec(&["run", "--file", &batch, "--config", &config, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let envelopes: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let ids: Vec<&str> = envelopes
        .iter()
        .map(|e| e["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["first", "second", "third"]);
    assert_eq!(
        envelopes[0]["attempts"], 3,
        "the flaky sim tool failed twice, then succeeded"
    );
    assert_eq!(envelopes[0]["attempt_log"][0]["backoff_ms"], 5.0);
    assert_eq!(
        envelopes[1]["result"],
        serde_json::json!({"sku": "FAS-0001"}),
        "a real child process answered"
    );
    assert_eq!(envelopes[2]["result"]["items"][0]["sku"], "FAS-0001");
}

#[test]
fn run_exits_1_when_a_call_fails() {
    let dir = tempfile::tempdir().unwrap();
    let batch = write(
        dir.path(),
        "batch.json",
        r#"{"calls": [{"tool": "calculate_reorder_points", "input": {"warehouse_code": "WH999"}}, {"tool": "no_such_tool"}]}"#,
    );
    let out = toolexec(&["run", "--file", &batch, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let envelopes: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(envelopes[0]["error"]["kind"], "not_found");
    assert_eq!(envelopes[1]["error"]["kind"], "not_found");
}

#[test]
fn a_malformed_batch_file_names_the_position_and_field_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"{"calls": [{"tool": "flaky"}, {"tool": "flaky", "timeout_ms": "fast"}]}"#,
            "calls[1].timeout_ms",
        ),
        (
            r#"{"calls": [{"tool": "flaky", "timout_ms": 5}]}"#,
            "calls[0]",
        ),
        (r#"{"calls": [{"input": {}}]}"#, "calls[0]"),
        (
            r#"{"calls": [{"tool": "a", "call_id": "x"}, {"tool": "b", "call_id": "x"}]}"#,
            "calls[1].call_id",
        ),
        (
            r#"{"calls": [{"tool": "a", "input": [1, 2]}]}"#,
            "calls[0].input",
        ),
        (r#"{"calls": [{"tool": "a"}"#, "line 1"),
        (
            r#"{"calls": [{"tool": "flaky", "max_retries": 4294967295}]}"#,
            "calls[0].max_retries: must be at most 100",
        ),
        (
            r#"{"calls": [{"tool": "flaky", "deadline_ms": 18446744073709551615}]}"#,
            "calls[0].deadline_ms: must be at most 86400000",
        ),
    ];
    for (text, expected) in cases {
        let batch = write(dir.path(), "bad.json", text);
        let out = toolexec(&["run", "--file", &batch]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(stderr(&out).contains(expected), "{text}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "nothing ran for {text}");
    }
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(toolexec(&["run"]).status.code(), Some(2));
    assert_eq!(
        toolexec(&["run", "--file", "x.json", "--concurrency", "0"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(toolexec(&["frobnicate"]).status.code(), Some(2));
    let out = toolexec(&["run", "--file", "/nonexistent/batch.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/batch.json"));
}

#[test]
fn tools_lists_built_ins_and_configured_tools_with_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "toolexec.toml", SIM_CONFIG);
    let out = toolexec(&["tools", "--json", "--config", &config]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let specs: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = specs.iter().map(|s| s["name"].as_str().unwrap()).collect();
    for name in [
        "calculate_reorder_points",
        "optimize_routes",
        "rank_suppliers",
        "flaky",
        "echo",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let reorder = specs
        .iter()
        .find(|s| s["name"] == "calculate_reorder_points")
        .unwrap();
    assert_eq!(reorder["input_schema"]["type"], "object");
    assert_eq!(reorder["annotations"]["read_only"], true);
    let table = toolexec(&["tools"]);
    assert!(stdout(&table).contains("optimize_routes"));
}

#[test]
fn config_check_accepts_a_good_file_and_names_the_line_of_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", SIM_CONFIG);
    let out = toolexec(&["config", "check", &good]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("ok"));
    let bad = write(
        dir.path(),
        "bad.toml",
        "[executor]\nmax_concurrency = 4\n\n[tools.x]\nbackend = \"sim\"\nlatncy_ms = 3\n",
    );
    let out = toolexec(&["config", "check", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.toml:6: `tools.x.latncy_ms`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_check_refuses_hedging_a_tool_that_is_not_idempotent_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "hedge.toml",
        "[tools.order]\nbackend = \"http\"\nurl = \"http://127.0.0.1:9/order\"\nmethod = \"POST\"\n\n[tools.order.hedge]\ndelay_ms = 50\n",
    );
    let out = toolexec(&["config", "check", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("hedge.toml:1: `tools.order.hedge`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("read-only or idempotent"),
        "{}",
        stderr(&out)
    );
    let get = file.replace("hedge.toml", "get.toml");
    std::fs::write(
        &get,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("POST", "GET"),
    )
    .unwrap();
    let out = toolexec(&["config", "check", &get]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn config_check_of_a_bad_idle_timeout_exits_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "idle.toml",
        "[tools.x]\nbackend = \"sim\"\nidle_timeout_ms = 90000000\n",
    );
    let out = toolexec(&["config", "check", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("idle.toml:3: `tools.x.idle_timeout_ms`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_check_of_a_huge_event_capacity_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "huge.toml",
        "[executor]\nevent_capacity = 100000000\n",
    );
    let out = toolexec(&["config", "check", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("huge.toml:2: `executor.event_capacity`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ask_answers_the_main_question_with_a_summary_of_the_calls() {
    let out = toolexec(&["ask", "Which SKUs in WH001 must be reordered now?"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("SKUs must be reordered now"), "{text}");
    assert!(
        text.contains("calculate_reorder_points"),
        "the summary lists the calls: {text}"
    );
    assert!(
        stderr(&out).contains("[reorder-WH001] calculate_reorder_points: success"),
        "plain progress lines when piped"
    );
}

#[test]
fn ask_json_is_one_document_with_the_answer_and_envelopes() {
    let out = toolexec(&[
        "ask",
        "--json",
        "Plan tomorrow's delivery routes from WH002",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(doc["answer"].as_str().unwrap().contains("WH002"));
    assert_eq!(doc["envelopes"][0]["tool_name"], "optimize_routes");
    assert_eq!(doc["envelopes"][0]["status"], "success");
    assert_eq!(doc["stats"]["overall"]["total"], 1);
}

#[test]
fn ask_without_a_servable_question_lists_what_it_can_answer() {
    let out = toolexec(&["ask", "what's the weather like?"]);
    assert_eq!(out.status.code(), Some(2));
    let help = stderr(&out);
    assert!(
        help.contains("inventory optimizer") && help.contains("toolexec ask \""),
        "{help}"
    );
}

#[test]
fn data_seed_creates_a_database_at_a_larger_scale() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.db");
    let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .args(["data", "seed", "--scale", "2", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(path.exists());
    assert!(stdout(&out).contains("scale 2"));
    let bad = toolexec(&["data", "seed", "--scale", "0"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn mcp_serve_answers_a_real_mcp_client_through_the_executor() {
    // The client is toolexec's own MCP backend (rmcp), configured to start
    // `toolexec mcp-serve` as a stdio child process and import one of its tools.
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "toolexec.toml",
        &format!(
            r#"
[tools.remote]
backend = "mcp"
command = "{bin}"
args = ["mcp-serve", "--db", "{db}"]
tools = ["calculate_reorder_points", "rank_suppliers"]
prefix = "remote_"
"#,
            bin = env!("CARGO_BIN_EXE_toolexec"),
            db = db().display()
        ),
    );
    let batch = write(
        dir.path(),
        "batch.json",
        r#"{"calls": [
            {"tool": "remote_calculate_reorder_points", "input": {"warehouse_code": "WH002", "skus": ["FAS-0002"]}},
            {"tool": "calculate_reorder_points", "input": {"warehouse_code": "WH002", "skus": ["FAS-0002"]}},
            {"tool": "remote_rank_suppliers", "input": {"method": "voting"}}
        ]}"#,
    );
    let out = toolexec(&["run", "--file", &batch, "--config", &config, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the third call is invalid: {}",
        stderr(&out)
    );
    let envelopes: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(envelopes[0]["status"], "success", "{}", envelopes[0]);
    assert_eq!(
        envelopes[0]["result"]["items"], envelopes[1]["result"]["items"],
        "the MCP server answers what the in-process tool answers"
    );
    assert_eq!(envelopes[2]["status"], "failed");
    let message = envelopes[2]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("method"),
        "the server's invalid-input message came back: {message}"
    );
}

#[test]
fn a_chaos_table_injects_faults_into_a_configured_tool_and_leaves_the_others_alone() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "toolexec.toml",
        r#"
[tools.echo]
backend = "process"
program = "cat"
max_retries = 0

[tools.echo.chaos]
malformed_rate = 1.0

[tools.reorder]
backend = "local"
builtin = "calculate_reorder_points"
max_retries = 1
backoff_initial_ms = 1
jitter = "none"

[tools.reorder.chaos]
error_rate = 1.0
"#,
    );
    let batch = write(
        dir.path(),
        "batch.json",
        r#"{"calls": [
            {"tool": "echo", "input": {"sku": "FAS-0001"}},
            {"tool": "reorder", "input": {"warehouse_code": "WH001", "skus": ["FAS-0001"]}},
            {"tool": "calculate_reorder_points", "input": {"warehouse_code": "WH001", "skus": ["FAS-0001"]}}
        ]}"#,
    );
    let out = toolexec(&["run", "--file", &batch, "--config", &config, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let envelopes: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(envelopes[0]["error"]["kind"], "bad_output");
    assert_eq!(envelopes[1]["error"]["kind"], "backend");
    assert_eq!(
        envelopes[1]["attempts"], 2,
        "the injected failure is retryable"
    );
    let message = envelopes[1]["error"]["message"].as_str().unwrap();
    assert!(message.contains("chaos: injected failure"), "{message}");
    assert_eq!(
        envelopes[2]["status"], "success",
        "the built-in under its own name has no chaos"
    );
}

#[test]
fn a_bulkhead_table_turns_away_a_call_that_finds_no_room() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "toolexec.toml",
        "[tools.slow]\nbackend = \"sim\"\nlatency_ms = 300\n\n[tools.slow.bulkhead]\nmax_concurrent = 1\nmax_wait_ms = 5\n",
    );
    let batch = write(
        dir.path(),
        "batch.json",
        r#"{"calls": [{"tool": "slow"}, {"tool": "slow"}]}"#,
    );
    let out = toolexec(&["run", "--file", &batch, "--config", &config, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let envelopes: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let statuses: Vec<&str> = envelopes
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    let rejected = envelopes
        .iter()
        .find(|e| e["status"] == "rejected")
        .expect("one call found no room");
    assert_eq!(
        rejected["error"]["kind"], "concurrency_limited",
        "{statuses:?}"
    );
    assert_eq!(rejected["attempts"], 0);
    assert!(statuses.contains(&"success"), "{statuses:?}");
}
