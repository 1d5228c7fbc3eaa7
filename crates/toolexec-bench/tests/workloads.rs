//! Short runs of every workload on every implementation: the binary builds, prints one
//! JSON line with the fields of docs/CONTRACTS.md (the benchmark harness), and counts
//! outcomes right. No wall-clock time is asserted.

use std::process::Command;

use serde_json::Value;

const IMPLS: [&str; 3] = ["toolexec", "raw", "tower"];

const FIELDS: [&str; 13] = [
    "impl",
    "workload",
    "calls",
    "concurrency",
    "wall_ms",
    "ideal_ms",
    "efficiency",
    "calls_per_s",
    "per_call_overhead_us",
    "ok",
    "failed",
    "timeout",
    "peak_rss_kb",
];

fn run(implementation: &str, workload: &str, flags: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_toolexec-bench"))
        .args(["--impl", implementation, "--workload", workload])
        .args(flags)
        .output()
        .expect("the bench binary runs");
    assert!(
        output.status.success(),
        "{implementation}/{workload} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one JSON line: {stdout}");
    let report: Value = serde_json::from_str(lines[0]).expect("the line is JSON");
    for field in FIELDS {
        assert!(report.get(field).is_some(), "missing `{field}` in {report}");
    }
    assert_eq!(report["impl"], implementation);
    assert_eq!(report["workload"], workload);
    assert!(report["peak_rss_kb"].as_u64().is_some_and(|kb| kb > 0));
    report
}

fn assert_counts(report: &Value, ok: u64, failed: u64, timeout: u64) {
    let counts = (
        report["ok"].as_u64(),
        report["failed"].as_u64(),
        report["timeout"].as_u64(),
    );
    assert_eq!(
        counts,
        (Some(ok), Some(failed), Some(timeout)),
        "ok/failed/timeout in {report}"
    );
}

#[test]
fn noop_succeeds_on_every_implementation() {
    for implementation in IMPLS {
        let report = run(implementation, "noop", &["--calls", "200"]);
        assert_counts(&report, 200, 0, 0);
        assert_eq!(report["ideal_ms"], 0.0);
        assert!(report["efficiency"].is_null());
    }
}

#[test]
fn fanout_succeeds_in_waves() {
    for implementation in IMPLS {
        let flags = ["--calls", "200", "--concurrency", "50", "--latency-ms", "5"];
        let report = run(implementation, "fanout", &flags);
        assert_counts(&report, 200, 0, 0);
        assert_eq!(report["ideal_ms"], 20.0);
    }
}

#[test]
fn flaky_calls_all_succeed_after_their_retries() {
    for implementation in IMPLS {
        let report = run(implementation, "flaky", &["--calls", "200"]);
        assert_counts(&report, 200, 0, 0);
        assert_eq!(report["ideal_ms"], 45.0);
    }
}

#[test]
fn flaky_calls_fail_when_retries_run_out() {
    for implementation in IMPLS {
        let flags = ["--calls", "100", "--fail-first", "3", "--retries", "1"];
        let report = run(implementation, "flaky", &flags);
        assert_counts(&report, 0, 100, 0);
    }
}

#[test]
fn every_tenth_call_times_out() {
    for implementation in IMPLS {
        let report = run(implementation, "timeouts", &["--calls", "200"]);
        assert_counts(&report, 180, 0, 20);
        assert_eq!(report["ideal_ms"], 50.0);
    }
}

#[test]
fn history_reports_its_memory_and_stats_read() {
    for implementation in IMPLS {
        let flags = ["--calls", "30000", "--history-capacity", "15000"];
        let report = run(implementation, "history", &flags);
        assert_counts(&report, 30_000, 0, 0);
        assert_eq!(report["records_kept"], 15_000);
        assert!(report["stats_read_us"].as_f64().is_some());
        assert!(report["bytes_per_record"].as_f64().is_some());
    }
}

#[test]
fn scale_runs_every_call_at_once() {
    for implementation in IMPLS {
        let flags = ["--calls", "2000", "--latency-ms", "50"];
        let report = run(implementation, "scale", &flags);
        assert_counts(&report, 2000, 0, 0);
        assert_eq!(report["concurrency"], 1_000_000);
        assert_eq!(report["ideal_ms"], 50.0);
    }
}
