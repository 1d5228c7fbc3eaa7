//! `toolexec run --stream`: one JSON envelope a line as each call ends, the exit codes
//! of `run` without it.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

const CONFIG: &str = r#"
[defaults]
max_retries = 0

[tools.quick]
backend = "sim"
latency_ms = 1

[tools.slow]
backend = "sim"
latency_ms = 1500
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path.display().to_string()
}

/// A sample database created once for every test of this file.
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
        assert!(out.status.success());
        (dir, path)
    });
    path
}

fn toolexec() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_toolexec"));
    command
        .env("TOOLEXEC_DB", db())
        .env_remove("TOOLEXEC_CONFIG");
    command
}

/// Runs `toolexec run --stream` and returns each stdout line with when it arrived, and
/// the exit code.
fn run_streamed(batch: &str) -> (Vec<(Value, Duration)>, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "toolexec.toml", CONFIG);
    let batch = write(dir.path(), "batch.json", batch);
    let start = Instant::now();
    let mut child = toolexec()
        .args([
            "run", "--stream", "--quiet", "--file", &batch, "--config", &config,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|line| {
            let line = line.unwrap();
            let json = serde_json::from_str(&line).unwrap_or_else(|_| panic!("JSON: {line}"));
            (json, start.elapsed())
        })
        .collect();
    (lines, child.wait().unwrap().code())
}

#[test]
fn run_stream_prints_each_envelope_as_its_call_ends_and_exits_0() {
    let (lines, code) = run_streamed(
        r#"{"calls": [
            {"tool": "slow", "call_id": "slow"},
            {"tool": "quick", "call_id": "quick"}
        ]}"#,
    );
    assert_eq!(code, Some(0));
    let ids: Vec<&Value> = lines.iter().map(|(e, _)| &e["call_id"]).collect();
    assert_eq!(ids, ["quick", "slow"], "in the order the calls ended");
    assert!(lines.iter().all(|(e, _)| e["status"] == "success"));
    let (first, last) = (lines[0].1, lines[1].1);
    assert!(
        last.saturating_sub(first) >= Duration::from_millis(700),
        "the first line came {first:?} in, the last {last:?}: not printed as it ended"
    );
}

#[test]
fn run_stream_exits_1_when_a_call_fails_after_printing_every_envelope() {
    let (lines, code) = run_streamed(
        r#"{"calls": [
            {"tool": "quick", "call_id": "ok"},
            {"tool": "quick", "call_id": "bad", "input": {"fail_with": "tool_error"}},
            {"tool": "no_such_tool", "call_id": "missing"}
        ]}"#,
    );
    assert_eq!(code, Some(1));
    let mut statuses: Vec<(String, String)> = lines
        .iter()
        .map(|(e, _)| {
            (
                e["call_id"].as_str().unwrap().into(),
                e["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            ("bad".into(), "failed".into()),
            ("missing".into(), "failed".into()),
            ("ok".into(), "success".into())
        ]
    );
}

#[test]
fn run_stream_and_json_together_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let batch = write(
        dir.path(),
        "batch.json",
        r#"{"calls": [{"tool": "quick"}]}"#,
    );
    let out = toolexec()
        .args(["run", "--stream", "--json", "--file", &batch])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
