//! `toolexec ask` while it works: each agent's findings as soon as that agent is done
//! (on stderr, or as NDJSON with `--json --stream`); the final answer keeps its order.

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
        assert!(out.status.success());
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

const REVIEW: &str = "Full supply-chain review of WH001";

#[test]
fn ask_json_stream_sends_each_agent_as_a_line_then_the_answer() {
    let out = toolexec(&["ask", "--json", "--stream", REVIEW]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["agent", "agent", "agent", "answer"]);
    let mut agents: Vec<&str> = lines[..3]
        .iter()
        .map(|l| l["agent"].as_str().unwrap())
        .collect();
    agents.sort_unstable();
    assert_eq!(
        agents,
        [
            "inventory optimizer",
            "logistics optimizer",
            "supplier analyzer"
        ]
    );
    let answer = &lines[3];
    let fixed: Vec<&Value> = answer["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["agent"])
        .collect();
    assert_eq!(
        fixed,
        [
            "inventory optimizer",
            "logistics optimizer",
            "supplier analyzer"
        ],
        "the final answer keeps its fixed order"
    );
    let streamed: usize = lines[..3]
        .iter()
        .map(|l| l["envelopes"].as_array().unwrap().len())
        .sum();
    assert_eq!(streamed, answer["envelopes"].as_array().unwrap().len());
    assert!(lines[..3]
        .iter()
        .all(|l| !l["lines"].as_array().unwrap().is_empty()));
    assert!(answer["answer"].as_str().unwrap().contains("WH001"));
}

#[test]
fn ask_shows_each_agents_findings_on_stderr_and_the_answer_on_stdout() {
    let out = toolexec(&["ask", REVIEW]);
    assert_eq!(out.status.code(), Some(0));
    let live = String::from_utf8_lossy(&out.stderr);
    for agent in [
        "inventory optimizer",
        "logistics optimizer",
        "supplier analyzer",
    ] {
        assert!(live.contains(&format!("{agent} is done (")), "{live}");
    }
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(answer.contains("Tool calls"), "{answer}");
    assert!(
        !answer.contains(" is done ("),
        "stdout holds the answer only"
    );
}

#[test]
fn ask_quiet_shows_no_findings_while_it_works() {
    let out = toolexec(&["ask", "--quiet", REVIEW]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(" is done ("));
}

#[test]
fn ask_stream_without_json_is_bad_usage() {
    let out = toolexec(&["ask", "--stream", REVIEW]);
    assert_eq!(out.status.code(), Some(2));
}
