//! Idle timeouts: an attempt that reports no progress for `idle_timeout` ends with
//! `idle_timeout` (status `timeout`, retryable), while each report through
//! `CallContext::report_progress` resets the timer; the attempt timeout and the
//! deadline still apply. On paused tokio time, with exact durations.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{builder, ms};
use serde_json::{json, Value};
use toolexec::{
    tool_fn, CallContext, CallPolicy, CallStatus, ErrorKind, ExecutionEvent, Executor,
    PolicyOverrides, Progress, Tool, ToolAnnotations, ToolCall, ToolError, ToolOptions, ToolSpec,
};

/// A tool that reports progress every `every_ms` for `reports` times (0: never), then
/// stays silent for `then_silent_ms` and answers.
fn reporter(name: &str, every_ms: u64, reports: u32, then_silent_ms: u64) -> Arc<dyn Tool> {
    Arc::new(tool_fn(
        ToolSpec::new(name, "reports progress, then goes silent"),
        move |_input: Value, ctx: CallContext| async move {
            for step in 1..=reports {
                tokio::time::sleep(Duration::from_millis(every_ms)).await;
                ctx.report_progress(
                    Progress::new(f64::from(step))
                        .with_total(f64::from(reports))
                        .with_message(format!("step {step}")),
                );
            }
            tokio::time::sleep(Duration::from_millis(then_silent_ms)).await;
            Ok(json!({"attempt": ctx.attempt}))
        },
    ))
}

/// Options giving a tool an idle timeout of `idle_ms` and an attempt timeout of
/// `timeout_ms`, with no retries.
fn idle(idle_ms: u64, timeout_ms: u64) -> ToolOptions {
    ToolOptions::default().with_policy(PolicyOverrides {
        idle_timeout: Some(Some(Duration::from_millis(idle_ms))),
        attempt_timeout: Some(Duration::from_millis(timeout_ms)),
        max_retries: Some(0),
        ..PolicyOverrides::default()
    })
}

fn executor_with(tool: Arc<dyn Tool>, options: ToolOptions) -> Executor {
    builder()
        .tool_with(tool, options)
        .build()
        .expect("a valid executor")
}

#[tokio::test(start_paused = true)]
async fn a_silent_tool_is_ended_at_exactly_its_idle_timeout() {
    let executor = executor_with(reporter("quiet", 0, 0, 10_000), idle(100, 1_000));
    let envelope = executor.execute(ToolCall::new("quiet", json!({}))).await;

    assert_eq!(envelope.status, CallStatus::Timeout);
    let error = envelope.error.as_ref().unwrap();
    assert_eq!(error.kind, ErrorKind::IdleTimeout);
    assert!(error.retryable);
    assert_eq!(
        error.message, "attempt reported no progress for 100 ms",
        "{error:?}"
    );
    assert_eq!(ms(envelope.execution_time_ms), 100);
    assert_eq!(envelope.attempt_log[0].outcome, "idle_timeout");
    assert_eq!(envelope.attempt_log[0].duration_ms, 100.0);
    let json = serde_json::to_value(&envelope).unwrap();
    assert_eq!(json["error"]["kind"], "idle_timeout");
}

#[tokio::test(start_paused = true)]
async fn a_tool_reporting_every_50_ms_runs_past_its_idle_timeout_until_its_attempt_timeout() {
    let executor = executor_with(reporter("busy", 50, 1_000, 0), idle(100, 1_000));
    let envelope = executor.execute(ToolCall::new("busy", json!({}))).await;

    assert_eq!(envelope.error_kind(), Some(ErrorKind::Timeout));
    assert_eq!(ms(envelope.execution_time_ms), 1_000);
}

#[tokio::test(start_paused = true)]
async fn a_tool_that_goes_silent_ends_one_idle_timeout_after_its_last_report() {
    // Reports at 50, 100 and 150 ms, then nothing: ended at 150 + 100.
    let executor = executor_with(reporter("stalls", 50, 3, 10_000), idle(100, 1_000));
    let envelope = executor.execute(ToolCall::new("stalls", json!({}))).await;

    assert_eq!(envelope.error_kind(), Some(ErrorKind::IdleTimeout));
    assert_eq!(ms(envelope.execution_time_ms), 250);
}

#[tokio::test(start_paused = true)]
async fn a_tool_that_reports_often_enough_finishes_past_its_idle_timeout() {
    // Ten reports 90 ms apart, then 90 ms more: 990 ms in all, never 100 ms silent.
    let executor = executor_with(reporter("steady", 90, 10, 90), idle(100, 5_000));
    let envelope = executor.execute(ToolCall::new("steady", json!({}))).await;

    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(ms(envelope.execution_time_ms), 990);
}

#[tokio::test(start_paused = true)]
async fn an_idle_timeout_is_retried_and_the_next_attempt_succeeds() {
    // The first attempt never answers; the second answers after 10 ms.
    let tool = Arc::new(tool_fn(
        ToolSpec::new("hangs_once", "silent on its first attempt"),
        |_input: Value, ctx: CallContext| async move {
            let wait = if ctx.attempt == 1 { 60_000 } else { 10 };
            tokio::time::sleep(Duration::from_millis(wait)).await;
            Ok(json!({"attempt": ctx.attempt}))
        },
    ));
    let options = ToolOptions::default().with_policy(PolicyOverrides {
        idle_timeout: Some(Some(Duration::from_millis(100))),
        ..PolicyOverrides::default()
    });
    let executor = executor_with(tool, options);
    let envelope = executor
        .execute(ToolCall::new("hangs_once", json!({})))
        .await;

    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(envelope.attempts, 2);
    // 100 ms of silence, the 1 s backoff, 10 ms of work.
    assert_eq!(ms(envelope.execution_time_ms), 1_110);
    assert_eq!(envelope.attempt_log[0].outcome, "idle_timeout");
    assert_eq!(envelope.attempt_log[0].backoff_ms, Some(1_000.0));
    let stats = executor.tool_stats("hangs_once").unwrap();
    assert_eq!(stats.idle_timeouts, 1);
    assert_eq!(executor.stats().overall.idle_timeouts, 1);
}

#[tokio::test(start_paused = true)]
async fn a_mutating_tool_is_not_retried_after_an_idle_timeout_without_an_idempotency_key() {
    let spec = ToolSpec::new("writes", "mutating and silent").with_annotations(ToolAnnotations {
        read_only: false,
        idempotent: false,
        destructive: true,
    });
    let tool = Arc::new(tool_fn(spec, |_input: Value, _ctx: CallContext| async {
        tokio::time::sleep(Duration::from_secs(60)).await;
        Ok::<_, ToolError>(json!({}))
    }));
    let options = ToolOptions::default().with_policy(PolicyOverrides {
        idle_timeout: Some(Some(Duration::from_millis(100))),
        ..PolicyOverrides::default()
    });
    let executor = executor_with(tool, options);

    let envelope = executor.execute(ToolCall::new("writes", json!({}))).await;
    assert_eq!(envelope.error_kind(), Some(ErrorKind::IdleTimeout));
    assert_eq!(envelope.attempts, 1, "the work may have happened");

    let keyed = ToolCall::new("writes", json!({})).with_idempotency_key("k-1");
    let envelope = executor.execute(keyed).await;
    assert_eq!(envelope.attempts, 4, "the key makes a retry safe");
}

#[tokio::test(start_paused = true)]
async fn the_call_deadline_still_ends_a_call_that_keeps_reporting() {
    let options = idle(100, 1_000);
    let executor = executor_with(reporter("busy", 50, 1_000, 0), options);
    let call = ToolCall::new("busy", json!({})).with_deadline(Duration::from_millis(300));
    let envelope = executor.execute(call).await;

    assert_eq!(envelope.error_kind(), Some(ErrorKind::DeadlineExceeded));
    assert_eq!(ms(envelope.execution_time_ms), 300);
}

#[tokio::test(start_paused = true)]
async fn an_idle_timeout_as_long_as_the_attempt_timeout_leaves_the_attempt_timeout_in_charge() {
    let executor = executor_with(reporter("quiet", 0, 0, 10_000), idle(500, 500));
    let envelope = executor.execute(ToolCall::new("quiet", json!({}))).await;

    assert_eq!(envelope.error_kind(), Some(ErrorKind::Timeout));
    assert_eq!(ms(envelope.execution_time_ms), 500);
}

#[tokio::test(start_paused = true)]
async fn progress_events_arrive_in_order_between_the_attempt_start_and_the_end() {
    let executor = executor_with(reporter("steps", 10, 3, 10), idle(100, 1_000));
    let mut events = executor.subscribe();
    let envelope = executor
        .execute(ToolCall::new("steps", json!({})).with_id("p"))
        .await;
    assert!(envelope.success);

    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(serde_json::to_value(&event).unwrap());
    }
    let names: Vec<&str> = seen.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "started",
            "attempt_started",
            "progress",
            "progress",
            "progress",
            "finished"
        ]
    );
    assert_eq!(
        seen[2],
        json!({"event": "progress", "call_id": "p", "tool_name": "steps", "attempt": 1,
               "progress": 1.0, "total": 3.0, "message": "step 1"})
    );
    assert_eq!(seen[4]["progress"], 3.0);
}

#[tokio::test(start_paused = true)]
async fn progress_is_an_event_even_without_an_idle_timeout() {
    let executor = builder().tool(reporter("steps", 10, 2, 0)).build().unwrap();
    let mut events = executor.subscribe();
    let _ = executor.execute(ToolCall::new("steps", json!({}))).await;
    let mut progress = 0;
    while let Ok(event) = events.try_recv() {
        if let ExecutionEvent::Progress { message, .. } = event {
            progress += 1;
            assert!(message.unwrap().starts_with("step "));
        }
    }
    assert_eq!(progress, 2);
}

#[tokio::test(start_paused = true)]
async fn a_call_with_no_idle_timeout_and_no_subscriber_reports_nowhere() {
    let tool = Arc::new(tool_fn(
        ToolSpec::new("asks", "says whether its reports go anywhere"),
        |_input: Value, ctx: CallContext| async move {
            ctx.report_progress(Progress::new(1.0));
            Ok(json!(ctx.wants_progress()))
        },
    ));
    let executor = builder().tool(tool.clone()).build().unwrap();
    let envelope = executor.execute(ToolCall::new("asks", json!({}))).await;
    assert_eq!(envelope.result, Some(json!(false)));

    let executor = executor_with(tool, idle(100, 1_000));
    let envelope = executor.execute(ToolCall::new("asks", json!({}))).await;
    assert_eq!(envelope.result, Some(json!(true)));
}

#[test]
fn a_detached_context_takes_reports_and_goes_nowhere() {
    let ctx = CallContext::detached("c-1");
    ctx.report_progress(Progress::new(0.5).with_message("half"));
    assert!(!ctx.wants_progress());
}

#[tokio::test(start_paused = true)]
async fn a_tool_can_turn_off_the_idle_timeout_of_the_defaults() {
    let defaults = CallPolicy {
        idle_timeout: Some(Duration::from_millis(100)),
        ..common::exact_policy()
    };
    let off = ToolOptions::default().with_policy(PolicyOverrides {
        idle_timeout: Some(None),
        ..PolicyOverrides::default()
    });
    let executor = toolexec::Executor::builder()
        .defaults(defaults)
        .tool(reporter("quiet", 0, 0, 300))
        .tool_with(reporter("quiet_too", 0, 0, 300), off)
        .build()
        .unwrap();
    let envelope = executor.execute(ToolCall::new("quiet", json!({}))).await;
    assert_eq!(envelope.attempt_log[0].outcome, "idle_timeout");
    let envelope = executor
        .execute(ToolCall::new("quiet_too", json!({})))
        .await;
    assert_eq!(envelope.status, CallStatus::Success);
    assert_eq!(ms(envelope.execution_time_ms), 300);
}

#[test]
fn an_idle_timeout_outside_its_limits_is_refused_naming_its_key() {
    for idle in [Duration::ZERO, Duration::from_secs(86_401)] {
        let policy = CallPolicy {
            idle_timeout: Some(idle),
            ..CallPolicy::default()
        };
        let error = policy.validate().unwrap_err();
        assert_eq!(error.key, "idle_timeout_ms", "{error}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_can_set_its_own_idle_timeout() {
    let executor = builder()
        .tool(reporter("quiet", 0, 0, 10_000))
        .build()
        .unwrap();
    let call = ToolCall::new("quiet", json!({}))
        .with_idle_timeout(Duration::from_millis(40))
        .with_max_retries(0);
    let envelope = executor.execute(call).await;
    assert_eq!(envelope.error_kind(), Some(ErrorKind::IdleTimeout));
    assert_eq!(ms(envelope.execution_time_ms), 40);

    let mut zero = ToolCall::new("quiet", json!({}));
    zero.idle_timeout_ms = Some(0);
    let envelope = executor.execute(zero).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert_eq!(error.field.as_deref(), Some("idle_timeout_ms"));
    assert_eq!(envelope.attempts, 0);
}

#[test]
fn a_call_without_an_idle_timeout_keeps_its_json_shape() {
    let json = serde_json::to_value(ToolCall::new("t", json!({}))).unwrap();
    assert!(json.get("idle_timeout_ms").is_none(), "{json}");
    let call: ToolCall =
        serde_json::from_value(json!({"tool": "t", "idle_timeout_ms": 250})).unwrap();
    assert_eq!(call.idle_timeout_ms, Some(250));
}

#[tokio::test(start_paused = true)]
async fn the_sim_tools_progress_steps_keep_a_long_call_alive_past_its_idle_timeout() {
    let sim: Arc<dyn Tool> = Arc::new(toolexec::SimTool::new("sim", Default::default()));
    let executor = executor_with(sim, idle(30, 1_000));
    let mut events = executor.subscribe();
    // 100 ms in 4 steps of 25 ms, each under the 30 ms idle timeout.
    let kept = executor
        .execute(ToolCall::new(
            "sim",
            json!({"latency_ms": 100, "progress_steps": 4}),
        ))
        .await;
    assert_eq!(kept.status, CallStatus::Success);
    assert_eq!(ms(kept.execution_time_ms), 100);
    let mut reports = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let ExecutionEvent::Progress {
            progress, total, ..
        } = event
        {
            reports.push((progress, total));
        }
    }
    assert_eq!(
        reports,
        [
            (1.0, Some(4.0)),
            (2.0, Some(4.0)),
            (3.0, Some(4.0)),
            (4.0, Some(4.0))
        ]
    );
    // Without the steps, the same call is silent for 100 ms and ends at 30 ms.
    let silent = executor
        .execute(ToolCall::new("sim", json!({"latency_ms": 100})))
        .await;
    assert_eq!(silent.error_kind(), Some(ErrorKind::IdleTimeout));
    assert_eq!(ms(silent.execution_time_ms), 30);
}
