//! The `raw` baseline: what a careful engineer writes with tokio alone, the floor for
//! any in-process Rust engine. Tokio tasks in a JoinSet under a semaphore,
//! `tokio::time::timeout` around each attempt and a hand-written retry loop with
//! doubling backoff; the permit is held only while an attempt runs.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;
use toolexec::{CallContext, SimTool, Tool};

use crate::ledger::Ledger;
use crate::outcome::{Answer, Outcome};
use crate::report::Measured;
use crate::settings::Settings;
use crate::{baseline, sim};

/// Runs the workload on bare tokio.
pub(crate) async fn run(settings: &Settings) -> Measured {
    let tool = sim::tool(settings);
    let permits = Arc::new(Semaphore::new(settings.concurrency));
    let round = |n: usize, ledger: Option<Arc<Ledger>>| {
        let tool = tool.clone();
        let permits = permits.clone();
        let settings = *settings;
        async move {
            let mut tasks = JoinSet::new();
            for index in 0..n {
                let tool = tool.clone();
                let permits = permits.clone();
                let ledger = ledger.clone();
                tasks.spawn(async move {
                    let start = Instant::now();
                    let (answer, attempts) = call(&tool, &permits, &settings).await;
                    if let Some(ledger) = &ledger {
                        let status = answer.outcome as u8;
                        ledger.record(index as u64, status, attempts, start.elapsed());
                    }
                    (index, answer)
                });
            }
            baseline::in_request_order(tasks, n).await
        }
    };
    baseline::drive(settings, round).await
}

async fn call(tool: &SimTool, permits: &Semaphore, settings: &Settings) -> (Answer, u32) {
    static CALL_ID: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    let call_id = CALL_ID.get_or_init(|| "raw".into());
    let input = Value::Object(serde_json::Map::new());
    let mut attempt = 1;
    loop {
        let Ok(permit) = permits.acquire().await else {
            return (Answer::failed(Outcome::Failed), attempt);
        };
        let mut ctx = CallContext::detached(call_id.clone());
        ctx.attempt = attempt;
        let result = tokio::time::timeout(settings.timeout, tool.call(&input, ctx)).await;
        drop(permit);
        let (retryable, failed) = match result {
            Ok(Ok(value)) => {
                let answer = Answer {
                    outcome: Outcome::Ok,
                    value: Some(value),
                };
                return (answer, attempt);
            }
            Ok(Err(error)) => (error.is_retryable(), Outcome::Failed),
            Err(_) => (true, Outcome::Timeout),
        };
        if !retryable || attempt > settings.retries {
            return (Answer::failed(failed), attempt);
        }
        tokio::time::sleep(settings.backoff_before(attempt)).await;
        attempt += 1;
    }
}
