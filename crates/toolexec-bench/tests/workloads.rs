//! Short runs of every workload on every implementation: the binary builds, prints one
//! JSON line with the fields of docs/CONTRACTS.md (the benchmark harness), and counts
//! outcomes right. No wall-clock time is asserted.

use std::process::Command;

use serde_json::{json, Value};

const IMPLS: [&str; 3] = ["toolexec", "raw", "tower"];

const FIELDS: [&str; 14] = [
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
    "journal",
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
        assert!(report["journal"].is_null(), "no journal without the flag");
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

/// Checks the `journal` object of a run of `calls` calls: every call written, nothing
/// dropped, the figures present.
fn assert_journal(report: &Value, calls: u64) {
    let journal = &report["journal"];
    assert_eq!(journal["calls_written"], calls, "calls written in {report}");
    assert_eq!(journal["dropped"], 0, "nothing dropped in {report}");
    assert!(
        journal["records_written"]
            .as_u64()
            .is_some_and(|n| n >= 2 * calls),
        "a start and an end per call in {report}"
    );
    assert!(journal["flush_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(journal["flush_cpu_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(journal["journaled_calls_per_s"]
        .as_f64()
        .is_some_and(|n| n > 0.0));
    assert!(journal["file_bytes"].as_u64().is_some_and(|b| b > 0));
    assert_eq!(
        journal["queue_capacity"], 65_536,
        "the journal's default queue"
    );
}

#[test]
fn history_with_a_journal_writes_every_call() {
    let flags = ["--calls", "5000", "--history-capacity", "1000", "--journal"];
    let report = run("toolexec", "history", &flags);
    assert_counts(&report, 5000, 0, 0);
    assert_journal(&report, 5000);
}

#[test]
fn fanout_with_a_journal_writes_every_call() {
    let flags = [
        "--journal",
        "--calls",
        "200",
        "--concurrency",
        "50",
        "--latency-ms",
        "5",
    ];
    let report = run("toolexec", "fanout", &flags);
    assert_counts(&report, 200, 0, 0);
    assert_journal(&report, 200);
}

#[test]
fn a_journal_file_given_is_continued_and_only_the_runs_calls_counted() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bench.db");
    let path = path.to_str().expect("a UTF-8 path");
    for _ in 0..2 {
        let report = run("toolexec", "noop", &["--calls", "300", "--journal", path]);
        assert_journal(&report, 300);
    }
    assert!(dir.path().join("bench.db").exists(), "the file is kept");
}

#[test]
fn a_journal_on_a_baseline_is_refused_naming_the_flag() {
    for implementation in ["raw", "tower"] {
        let output = Command::new(env!("CARGO_BIN_EXE_toolexec-bench"))
            .args(["--impl", implementation, "--workload", "noop", "--journal"])
            .output()
            .expect("the bench binary runs");
        assert!(!output.status.success(), "{implementation} with --journal");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--journal"), "names the flag: {stderr}");
        assert!(output.stdout.is_empty(), "no JSON line: {stderr}");
    }
}

#[test]
fn the_journal_queue_is_sized_by_its_flag() {
    let flags = ["--calls", "100", "--journal", "--journal-queue", "1000"];
    let report = run("toolexec", "noop", &flags);
    assert_eq!(report["journal"]["calls_written"], 100);
    assert_eq!(report["journal"]["queue_capacity"], 1000);
}

#[test]
fn fanout_streamed_counts_every_call_and_says_it_streamed() {
    let flags = ["--calls", "300", "--concurrency", "50", "--latency-ms", "2"];
    let collected = run("toolexec", "fanout", &flags);
    assert_eq!(collected["stream"], false);
    let mut streamed_flags = flags.to_vec();
    streamed_flags.push("--stream");
    let streamed = run("toolexec", "fanout", &streamed_flags);
    assert_eq!(streamed["stream"], true);
    assert_counts(&streamed, 300, 0, 0);
    let flaky = run(
        "toolexec",
        "flaky",
        &["--calls", "100", "--retries", "1", "--stream"],
    );
    assert_counts(&flaky, 0, 100, 0);
    streamed_flags.push("--in-task");
    let in_task = run("toolexec", "fanout", &streamed_flags);
    assert_eq!(
        (&in_task["stream"], &in_task["in_task"]),
        (&json!(true), &json!(true))
    );
    assert_counts(&in_task, 300, 0, 0);
}

#[test]
fn stream_or_in_task_on_a_baseline_or_on_history_is_refused() {
    for args in [
        ["--impl", "raw", "--workload", "fanout", "--stream"],
        ["--impl", "toolexec", "--workload", "history", "--stream"],
        ["--impl", "tower", "--workload", "fanout", "--in-task"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_toolexec-bench"))
            .args(args)
            .output()
            .expect("the bench binary runs");
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(args[4]), "names the flag: {stderr}");
    }
}

#[test]
fn policies_that_hold_nothing_up_leave_every_call_succeeding_and_say_so() {
    let flags = [
        "--calls",
        "300",
        "--concurrency",
        "50",
        "--latency-ms",
        "2",
        "--policies",
    ];
    let report = run("toolexec", "fanout", &flags);
    assert_eq!(report["policies"], true);
    assert_counts(&report, 300, 0, 0);
    let noop = run("toolexec", "noop", &["--calls", "1000", "--policies"]);
    assert_counts(&noop, 1000, 0, 0);
    let output = Command::new(env!("CARGO_BIN_EXE_toolexec-bench"))
        .args(["--impl", "raw", "--workload", "noop", "--policies"])
        .output()
        .expect("the bench binary runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--policies"));
}
