//! A retry budget bounds the retries of everything that shares it to a fraction of
//! the recent calls plus a floor, so a failing dependency is not hit by every call's
//! full retry schedule; a call the budget stops ends with its last error, and its
//! attempt log says why. On paused tokio time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{builder, latency, sim};
use serde_json::json;
use toolexec::{
    BatchOptions, Envelope, ErrorKind, Executor, RetryBudget, RetryBudgetPolicy, ToolCall,
    ToolOptions, ToolRegistry,
};

fn failing_calls(n: usize) -> Vec<ToolCall> {
    (0..n)
        .map(|_| ToolCall::new("down", json!({"fail_with": "backend"})))
        .collect()
}

fn stopped_by_budget(envelopes: &[Envelope]) -> usize {
    envelopes
        .iter()
        .filter(|e| {
            e.attempt_log
                .last()
                .and_then(|r| r.retry_stopped_by.as_deref())
                == Some("retry_budget")
        })
        .count()
}

fn with_budget(policy: RetryBudgetPolicy) -> Executor {
    builder()
        .tool(sim("down", latency(10)))
        .retry_budget(RetryBudget::new(policy).expect("a valid budget"))
        .build()
        .expect("an executor")
}

#[tokio::test(start_paused = true)]
async fn retries_are_bounded_by_the_share_of_calls_the_budget_allows() {
    let executor = with_budget(RetryBudgetPolicy {
        min_per_second: 0,
        retry_ratio: 0.5,
        ..RetryBudgetPolicy::default()
    });
    let mut events = executor.subscribe();
    let envelopes = executor
        .execute_batch(failing_calls(10), BatchOptions::default())
        .await;
    let mut stopped_events = 0;
    while let Ok(event) = events.try_recv() {
        if let toolexec::ExecutionEvent::Finished {
            retry_stopped_by: Some(by),
            ..
        } = event
        {
            assert_eq!(by, "retry_budget");
            stopped_events += 1;
        }
    }
    assert_eq!(stopped_events, 10, "each stop is in its finished event");
    let attempts: u32 = envelopes.iter().map(|e| e.attempts).sum();
    // Ten calls deposit ten; a retry costs two: five retries in all (not 30).
    assert_eq!(attempts, 15);
    assert_eq!(stopped_by_budget(&envelopes), 10);
    let stats = executor.tool_stats("down").expect("stats");
    assert_eq!((stats.retries, stats.retry_budget_stops), (5, 10));
    for envelope in &envelopes {
        assert_eq!(
            envelope.error_kind(),
            Some(ErrorKind::Backend),
            "the last error"
        );
    }
    let json = serde_json::to_value(&envelopes[0]).expect("json");
    let last = json["attempt_log"]
        .as_array()
        .and_then(|log| log.last())
        .cloned();
    assert_eq!(last.expect("a record")["retry_stopped_by"], "retry_budget");
}

#[tokio::test(start_paused = true)]
async fn without_a_budget_every_call_retries_its_full_schedule() {
    let executor = builder()
        .tool(sim("down", latency(10)))
        .build()
        .expect("an executor");
    let envelopes = executor
        .execute_batch(failing_calls(10), BatchOptions::default())
        .await;
    let attempts: u32 = envelopes.iter().map(|e| e.attempts).sum();
    assert_eq!(attempts, 40);
    assert_eq!(stopped_by_budget(&envelopes), 0);
    let json = serde_json::to_value(&envelopes[0]).expect("json");
    assert!(json["attempt_log"][0].get("retry_stopped_by").is_none());
}

#[tokio::test(start_paused = true)]
async fn the_floor_allows_a_few_retries_a_second_even_with_no_share() {
    let executor = with_budget(RetryBudgetPolicy {
        window: Duration::from_secs(1),
        min_per_second: 2,
        retry_ratio: 0.0,
    });
    let envelopes = executor
        .execute_batch(failing_calls(5), BatchOptions::default())
        .await;
    // The first failures, at 10 ms, find room for two retries; the other three calls
    // stop there. The two retried calls fail again after their 1 s, 2 s and 4 s
    // backoffs, each time more than a window after the last withdrawals, so the floor
    // pays for each of their retries: 2 a second, never more.
    let retried: Vec<u32> = envelopes
        .iter()
        .map(|e| e.attempts)
        .filter(|&a| a > 1)
        .collect();
    assert_eq!(retried, [4, 4]);
    assert_eq!(stopped_by_budget(&envelopes), 3);
}

#[tokio::test(start_paused = true)]
async fn a_group_budget_is_shared_by_its_tools_and_others_keep_the_executors() {
    let group = RetryBudget::new(RetryBudgetPolicy {
        min_per_second: 0,
        retry_ratio: 0.5,
        ..RetryBudgetPolicy::default()
    })
    .expect("a valid budget");
    let mut registry = ToolRegistry::new();
    for name in ["down", "also_down"] {
        let options = ToolOptions::default().with_retry_budget(Arc::clone(&group));
        registry.register_with(sim(name, latency(10)), options);
    }
    registry.register(sim("alone", latency(10)));
    let executor = builder().registry(registry).build().expect("an executor");
    let mut calls = failing_calls(2);
    calls.push(ToolCall::new("also_down", json!({"fail_with": "backend"})));
    calls.push(ToolCall::new("alone", json!({"fail_with": "backend"})));
    let envelopes = executor.execute_batch(calls, BatchOptions::default()).await;
    // The group's three calls deposit three: one retry (cost two) among them.
    let group_attempts: u32 = envelopes[..3].iter().map(|e| e.attempts).sum();
    assert_eq!(group_attempts, 3 + 1);
    // The tool outside the group has no budget: its whole schedule.
    assert_eq!(envelopes[3].attempts, 4);
}

#[test]
fn a_budget_that_cannot_work_is_refused_naming_the_key() {
    let refused = |policy: RetryBudgetPolicy| RetryBudget::new(policy).expect_err("refused").key;
    let window = RetryBudgetPolicy {
        window: Duration::from_secs(61),
        ..RetryBudgetPolicy::default()
    };
    assert_eq!(refused(window), "window_s");
    let ratio = RetryBudgetPolicy {
        retry_ratio: f32::NAN,
        ..RetryBudgetPolicy::default()
    };
    assert_eq!(refused(ratio), "retry_ratio");
}
