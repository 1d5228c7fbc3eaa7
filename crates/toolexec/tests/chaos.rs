//! The chaos wrapper injects the faults it is configured for, at its seeded rates, and
//! the same seed gives the same faults in the same order. Timed on paused tokio time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{builder, latency, ms, sim};
use serde_json::json;
use tokio::time::Instant;
use toolexec::{
    CallPolicy, CallStatus, ChaosConfig, ChaosTool, ErrorKind, Executor, Tool, ToolCall,
};

fn chaotic(config: ChaosConfig, policy: CallPolicy) -> Executor {
    let inner = sim("inventory", latency(10));
    let tool: Arc<dyn Tool> = Arc::new(ChaosTool::new(inner, config).expect("valid chaos"));
    builder()
        .defaults(policy)
        .tool(tool)
        .build()
        .expect("an executor")
}

fn no_retries() -> CallPolicy {
    CallPolicy {
        max_retries: 0,
        attempt_timeout: Duration::from_millis(500),
        ..common::exact_policy()
    }
}

/// The error kinds of `n` lone calls, in order.
async fn kinds(executor: &Executor, n: usize) -> Vec<Option<ErrorKind>> {
    let mut kinds = Vec::new();
    for _ in 0..n {
        let envelope = executor
            .execute(ToolCall::new("inventory", json!({})))
            .await;
        kinds.push(envelope.error_kind());
    }
    kinds
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_injects_the_same_faults_in_the_same_order() {
    let config = ChaosConfig {
        error_rate: 0.3,
        malformed_rate: 0.2,
        seed: 42,
        ..ChaosConfig::default()
    };
    let first = kinds(&chaotic(config, no_retries()), 200).await;
    let second = kinds(&chaotic(config, no_retries()), 200).await;
    assert_eq!(first, second);
    let other_seed = ChaosConfig { seed: 43, ..config };
    assert_ne!(kinds(&chaotic(other_seed, no_retries()), 200).await, first);

    let count = |kind| first.iter().filter(|k| **k == kind).count();
    // 200 draws at 30% and 20%: well inside 40..=80 and 20..=60.
    assert!(
        (40..=80).contains(&count(Some(ErrorKind::Backend))),
        "{first:?}"
    );
    assert!(
        (20..=60).contains(&count(Some(ErrorKind::BadOutput))),
        "{first:?}"
    );
    assert!(count(None) > 50, "{first:?}");
}

#[tokio::test(start_paused = true)]
async fn every_fault_shows_as_its_error_kind() {
    let cases = [
        (
            ChaosConfig {
                error_rate: 1.0,
                ..ChaosConfig::default()
            },
            ErrorKind::Backend,
            10,
        ),
        (
            ChaosConfig {
                malformed_rate: 1.0,
                ..ChaosConfig::default()
            },
            ErrorKind::BadOutput,
            10,
        ),
        (
            ChaosConfig {
                panic_rate: 1.0,
                ..ChaosConfig::default()
            },
            ErrorKind::Panic,
            0,
        ),
        (
            ChaosConfig {
                hang_rate: 1.0,
                ..ChaosConfig::default()
            },
            ErrorKind::Timeout,
            500,
        ),
    ];
    for (config, kind, elapsed_ms) in cases {
        let executor = chaotic(config, no_retries());
        let started = Instant::now();
        let envelope = executor
            .execute(ToolCall::new("inventory", json!({})))
            .await;
        assert_eq!(envelope.error_kind(), Some(kind), "{config:?}");
        // An injected error answers after the extra latency (none here) without running
        // the tool; a hang lasts until the attempt timeout.
        let expected = if kind == ErrorKind::Backend || kind == ErrorKind::BadOutput {
            0
        } else {
            elapsed_ms
        };
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(expected),
            "{config:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn extra_latency_is_added_to_every_attempt_and_retries_still_recover() {
    let config = ChaosConfig {
        extra_latency: Duration::from_millis(25),
        ..ChaosConfig::default()
    };
    let executor = chaotic(config, no_retries());
    let started = Instant::now();
    let envelope = executor
        .execute(ToolCall::new("inventory", json!({})))
        .await;
    assert_eq!(envelope.status, CallStatus::Success);
    // 25 ms injected, then the tool's own 10 ms.
    assert_eq!(started.elapsed(), Duration::from_millis(35));
    assert_eq!(ms(envelope.execution_time_ms), 35);

    // Half the attempts fail; with retries (backoff 1 s, 2 s, ...) calls get through.
    let flaky = ChaosConfig {
        error_rate: 0.5,
        seed: 7,
        ..ChaosConfig::default()
    };
    let executor = chaotic(flaky, common::exact_policy());
    let envelopes = executor
        .execute_batch(
            (0..20)
                .map(|_| ToolCall::new("inventory", json!({})))
                .collect(),
            toolexec::BatchOptions::default(),
        )
        .await;
    let succeeded = envelopes.iter().filter(|e| e.success).count();
    let retried = envelopes.iter().filter(|e| e.attempts > 1).count();
    assert!(succeeded >= 18, "{succeeded} of 20 succeeded");
    assert!(retried > 0, "some calls needed a retry");
}

#[test]
fn bad_rates_and_latencies_are_refused_naming_the_key() {
    let inner = sim("inventory", latency(1));
    let refuse = |config: ChaosConfig| {
        ChaosTool::new(inner.clone(), config)
            .expect_err("refused")
            .to_string()
    };
    let high = refuse(ChaosConfig {
        hang_rate: 1.5,
        ..ChaosConfig::default()
    });
    assert!(high.contains("hang_rate"), "{high}");
    let sum = refuse(ChaosConfig {
        error_rate: 0.6,
        panic_rate: 0.6,
        ..ChaosConfig::default()
    });
    assert!(sum.contains("at most 1.0"), "{sum}");
    let long = refuse(ChaosConfig {
        extra_latency: Duration::from_secs(2 * 24 * 3600),
        ..ChaosConfig::default()
    });
    assert!(long.contains("extra_latency_ms"), "{long}");
}
