//! A short, bounded loopback load test of `toolexec serve` with wrk (5 s, 50
//! connections, small batches): zero failed requests. The full run (60 s, 200
//! connections, with hostile clients) is `scripts/load.sh`; its results are in
//! BENCHMARKS.md. Skipped with a message when wrk is not installed, unless
//! `TOOLEXEC_REQUIRE_WRK=1` (as `scripts/test.sh` sets, after installing it).

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::Server;
use serde_json::Value;

fn wrk_installed() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_seconds_of_fifty_connections_fail_no_request() {
    if !wrk_installed() {
        assert!(
            std::env::var("TOOLEXEC_REQUIRE_WRK").as_deref() != Ok("1"),
            "wrk is required (TOOLEXEC_REQUIRE_WRK=1) but not installed: run scripts/setup/wrk.sh"
        );
        eprintln!("skipped: wrk is not installed (scripts/setup/wrk.sh installs it)");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/load/batch.lua");
    let test = async {
        let server = Server::start(&[]).await;
        let before = server.rss_kib();
        let url = format!("{}/v1/batches", server.url());
        let script = script.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("wrk")
                .args(["-t2", "-c50", "-d5s", "--timeout", "10s", "-s"])
                .arg(&script)
                .arg(&url)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "wrk failed: {stdout}");
        let summary: Value = stdout
            .lines()
            .last()
            .and_then(|line| serde_json::from_str(line).ok())
            .unwrap_or_else(|| panic!("no summary line from wrk: {stdout}"));
        eprintln!(
            "wrk: {summary}; RSS before {before} KiB, after {} KiB",
            server.rss_kib()
        );
        assert!(summary["requests"].as_u64().unwrap() > 0, "{summary}");
        for (kind, count) in summary["errors"].as_object().unwrap() {
            assert_eq!(count, 0, "{kind} errors: {summary}");
        }
        for (status, count) in summary["non_2xx"].as_object().unwrap() {
            assert_eq!(count, 0, "answers with status {status}: {summary}");
        }
    };
    tokio::time::timeout(Duration::from_secs(120), test)
        .await
        .expect("within 120 s");
}
