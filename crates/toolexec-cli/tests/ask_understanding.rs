//! `toolexec ask` as a newcomer meets it: unknown names refused with exit code 2 and
//! the closest valid names, `--explain` showing the plan and why, and the number asked
//! for on the first line.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn db() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.db");
        let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
            .args(["data", "seed", "--db"])
            .arg(&path)
            .output()
            .unwrap();
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
        .unwrap()
}

#[test]
fn an_unknown_warehouse_alone_exits_2_with_the_closest_names() {
    let out = toolexec(&["ask", "Which SKUs in WH009 must be reordered now?"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("WH009 is not a known warehouse"), "{err}");
    assert!(err.contains("WH003"), "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty(),
        "nothing computed"
    );
}

#[test]
fn explain_prints_the_plan_and_why_each_tool_was_chosen() {
    let out = toolexec(&[
        "ask",
        "--explain",
        "-q",
        "What should WH002 order this week?",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Planned tool calls"), "{text}");
    assert!(
        text.contains("calculate_reorder_points {\"warehouse_code\":\"WH002\"}"),
        "{text}"
    );
    assert!(
        text.contains("why: which SKUs to reorder (asked by \"order this week\")"),
        "{text}"
    );
    assert!(
        !text.contains("optimize_routes"),
        "no agent that was not asked: {text}"
    );
}

#[test]
fn the_first_line_of_the_answer_is_the_number_asked_for() {
    let out = toolexec(&["ask", "-q", "How much safety stock do we need for 99%?"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("Safety stock totals"), "{text}");
    assert!(first.contains("99.0% cycle service level"), "{first}");
}

#[test]
fn json_with_explain_carries_the_plan_and_the_headline() {
    let out = toolexec(&[
        "ask",
        "--json",
        "--explain",
        "What if lead times double at WH001?",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_str(&String::from_utf8_lossy(&out.stdout)).unwrap();
    assert_eq!(doc["plan"]["calls"][0]["tool"], "what_if_reorder");
    assert!(doc["headline"]
        .as_str()
        .unwrap()
        .starts_with("WH001: with lead times x2"));
}
