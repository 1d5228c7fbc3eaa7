//! `toolexec ask --backend lambda --endpoint-url URL`: the same agents with their tools
//! as the three supply-chain Lambda functions, served by the cargo-lambda emulator on
//! 127.0.0.1 (one binary per group, so one emulator serves all three function names).
//! Set `TOOLEXEC_SKIP_LAMBDA_EMULATOR=1` to skip it on a machine without PyPI.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use toolexec_test_support::emulator::{install_cargo_lambda, Emulator};

fn ask(args: &[&str], db: &std::path::Path) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .arg("ask")
        .args(args)
        .env("TOOLEXEC_DB", db)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_agents_answer_through_the_lambda_functions_as_they_do_in_process() {
    if std::env::var_os("TOOLEXEC_SKIP_LAMBDA_EMULATOR").is_some() {
        eprintln!("skipped: TOOLEXEC_SKIP_LAMBDA_EMULATOR is set");
        return;
    }
    install_cargo_lambda().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let local_db = dir.path().join("local.db");
    let emulator = Emulator::start(
        "crates/supply-chain-lambda/Cargo.toml",
        &[(
            "SUPPLY_CHAIN_DB",
            dir.path().join("lambda.db").display().to_string(),
        )],
        dir.path().join("emulator.log"),
    );
    let question = "Full supply-chain review of WH001";
    let lambda = [
        "--json",
        "--backend",
        "lambda",
        "--endpoint-url",
        &emulator.endpoint,
        question,
    ];

    // The emulator builds each function on its first invocation; the engine's retries
    // carry the first calls, and a cold build may take minutes on two cores.
    let started = Instant::now();
    let (code, remote, stderr) = loop {
        let (code, doc, stderr) = ask(&lambda, &local_db);
        if code == Some(0) || started.elapsed() > Duration::from_secs(900) {
            break (code, doc, stderr);
        }
        eprintln!(
            "not all functions answered yet ({:?}): retrying",
            started.elapsed()
        );
    };
    assert_eq!(code, Some(0), "{stderr}\n{}", emulator.log_tail());

    let (code, local, stderr) = ask(&["--json", question], &local_db);
    assert_eq!(code, Some(0), "{stderr}");
    let results = |doc: &Value| -> Vec<(String, Value)> {
        doc["envelopes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["tool_name"] != "optimize_routes")
            .map(|e| {
                (
                    e["tool_name"].as_str().unwrap().to_owned(),
                    e["result"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(remote["envelopes"].as_array().unwrap().len(), 6);
    assert_eq!(
        results(&remote),
        results(&local),
        "the functions compute what the in-process tools compute"
    );
    let routes = remote["envelopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["tool_name"] == "optimize_routes")
        .unwrap();
    assert_eq!(routes["status"], "success");
    assert!(routes["result"]["unassigned"]
        .as_array()
        .unwrap()
        .is_empty());
}
