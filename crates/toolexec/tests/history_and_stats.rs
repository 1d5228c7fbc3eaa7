//! The bounded history and the statistics, overall and per tool.

mod common;

use common::{builder, latency, sim};
use serde_json::json;
use toolexec::{BatchOptions, CallStatus, SimConfig, ToolCall};

#[tokio::test(start_paused = true)]
async fn history_keeps_only_its_capacity_however_many_calls_run() {
    let executor = builder()
        .history_capacity(50)
        .max_concurrency(64)
        .tool(sim("t", latency(0)))
        .build()
        .unwrap();
    let calls: Vec<ToolCall> = (0..1000).map(|_| ToolCall::new("t", json!({}))).collect();
    let _ = executor.execute_batch(calls, BatchOptions::default()).await;
    assert_eq!(executor.history().len(), 50);
    assert_eq!(executor.history().capacity(), 50);
    assert_eq!(
        executor.stats().overall.total,
        1000,
        "stats count every call"
    );
}

#[tokio::test(start_paused = true)]
async fn stats_report_totals_rates_retries_and_latency_per_tool() {
    let flaky = SimConfig {
        fail_first: 1,
        ..latency(100)
    };
    let executor = builder()
        .tool(sim("fast", latency(10)))
        .tool(sim("flaky", flaky))
        .build()
        .unwrap();
    let mut calls: Vec<ToolCall> = (0..3).map(|_| ToolCall::new("fast", json!({}))).collect();
    calls.push(ToolCall::new("fast", json!({"fail_with": "tool_error"})));
    calls.push(ToolCall::new("flaky", json!({})));
    let _ = executor.execute_batch(calls, BatchOptions::default()).await;

    let stats = executor.stats();
    assert_eq!(stats.overall.total, 5);
    assert_eq!(stats.overall.by_status[&CallStatus::Success], 4);
    assert_eq!(stats.overall.by_status[&CallStatus::Failed], 1);
    assert!((stats.overall.success_rate - 0.8).abs() < 1e-9);
    assert_eq!(stats.overall.retries, 1);

    let fast = executor.tool_stats("fast").unwrap();
    assert_eq!(fast.total, 4);
    assert!((fast.success_rate - 0.75).abs() < 1e-9);
    assert!((fast.avg_ms - 10.0).abs() < 0.01);
    assert!((fast.p99_ms - 10.0).abs() < 0.1);

    let flaky = &stats.per_tool["flaky"];
    assert_eq!(flaky.retries, 1);
    assert!(
        (flaky.p50_ms - 1200.0).abs() < 12.0,
        "1% histogram precision"
    );
    assert!(executor.tool_stats("unknown").is_none());
}

#[tokio::test(start_paused = true)]
async fn history_records_say_what_happened() {
    let executor = builder().tool(sim("t", latency(25))).build().unwrap();
    let _ = executor
        .execute(ToolCall::new("t", json!({})).with_id("one"))
        .await;
    let _ = executor
        .execute(ToolCall::new("t", json!({"fail_with": "bad_output"})).with_id("two"))
        .await;
    let records = executor.history().recent(10);
    assert_eq!(records.len(), 2);
    assert_eq!(&*records[0].call_id, "one");
    assert_eq!(records[0].latency.as_millis(), 25);
    assert_eq!(records[1].status, CallStatus::Failed);
    assert_eq!(records[1].error_kind, Some(toolexec::ErrorKind::BadOutput));
    assert_eq!(records[1].finished_at.as_millis(), 50);
}
