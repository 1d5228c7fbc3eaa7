//! Helpers shared by the engine's integration tests.
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::time::Instant;
use toolexec::{
    BackoffPolicy, BatchStream, CallPolicy, CallStatus, CircuitPolicy, Executor, ExecutorBuilder,
    Jitter, SimConfig, SimTool, Tool,
};

/// The original system's policy without jitter: 3 retries after 1 s, 2 s, 4 s, a 30 s
/// attempt timeout, and no circuit breaker (so it does not interfere).
pub fn exact_policy() -> CallPolicy {
    CallPolicy {
        backoff: BackoffPolicy {
            jitter: Jitter::None,
            ..BackoffPolicy::default()
        },
        circuit: CircuitPolicy::disabled(),
        ..CallPolicy::default()
    }
}

pub fn sim(name: &str, config: SimConfig) -> Arc<dyn Tool> {
    Arc::new(SimTool::new(name, config))
}

pub fn latency(ms: u64) -> SimConfig {
    SimConfig {
        latency: Duration::from_millis(ms),
        ..SimConfig::default()
    }
}

pub fn builder() -> ExecutorBuilder {
    Executor::builder().defaults(exact_policy())
}

pub fn ms(envelope_ms: f64) -> u64 {
    envelope_ms.round() as u64
}

/// Lets the tasks of a dropped batch run until the history holds `records` records (or
/// ten yields pass), so a test can then look at what the drop recorded.
pub async fn settle_history(executor: &Executor, records: usize) {
    for _ in 0..10 {
        if executor.history().len() == records {
            break;
        }
        tokio::task::yield_now().await;
    }
}

/// Every item of `stream` as it arrives: its index, status and the virtual time (ms
/// since the first poll) it arrived at.
pub async fn arrivals(mut stream: BatchStream) -> Vec<(usize, CallStatus, u64)> {
    let start = Instant::now();
    let mut seen = Vec::new();
    while let Some((index, envelope)) = stream.next().await {
        let at = start.elapsed().as_millis() as u64;
        seen.push((index, envelope.status, at));
    }
    seen
}
