//! The `tower` baseline: the same behaviour from tower's layers, what a Rust user would
//! pick instead of an engine. Outside in: retry (doubling backoff), concurrency limit
//! (so a permit is held per attempt, not during backoff), timeout, the sim tool.

use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinSet;
use tokio::time::Instant;
use toolexec::{CallContext, Tool, ToolError};
use tower::retry::Policy;
use tower::timeout::error::Elapsed;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

use crate::ledger::Ledger;
use crate::outcome::{Answer, Outcome};
use crate::report::Measured;
use crate::settings::Settings;
use crate::{baseline, sim};

/// The request: which attempt this is (the retry policy bumps it).
#[derive(Debug, Clone, Copy)]
struct Attempt(u32);

/// Retries retryable tool errors and timeouts with doubling backoff.
#[derive(Debug, Clone, Copy)]
struct DoublingRetry {
    settings: Settings,
}

impl Policy<Attempt, Value, BoxError> for DoublingRetry {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut Attempt,
        result: &mut Result<Value, BoxError>,
    ) -> Option<Self::Future> {
        let error = result.as_ref().err()?;
        let retryable = error.is::<Elapsed>()
            || error
                .downcast_ref::<ToolError>()
                .is_some_and(ToolError::is_retryable);
        if !retryable || req.0 > self.settings.retries {
            return None;
        }
        let delay = self.settings.backoff_before(req.0);
        req.0 += 1;
        Some(tokio::time::sleep(delay))
    }

    fn clone_request(&mut self, req: &Attempt) -> Option<Attempt> {
        Some(*req)
    }
}

/// Runs the workload through a tower stack.
pub(crate) async fn run(settings: &Settings) -> Measured {
    let tool = sim::tool(settings);
    let call_id: Arc<str> = "tower".into();
    let service = ServiceBuilder::new()
        .retry(DoublingRetry {
            settings: *settings,
        })
        .concurrency_limit(settings.concurrency)
        .timeout(settings.timeout)
        .service_fn(move |attempt: Attempt| {
            let tool = tool.clone();
            let mut ctx = CallContext::detached(call_id.clone());
            ctx.attempt = attempt.0;
            async move {
                let input = Value::Object(serde_json::Map::new());
                tool.call(&input, ctx).await
            }
        });
    let round = |n: usize, ledger: Option<Arc<Ledger>>| {
        let service = service.clone();
        async move {
            let mut tasks = JoinSet::new();
            for index in 0..n {
                let mut service = service.clone();
                let ledger = ledger.clone();
                tasks.spawn(async move {
                    let start = Instant::now();
                    let result = match service.ready().await {
                        Ok(ready) => ready.call(Attempt(1)).await,
                        Err(error) => Err(error),
                    };
                    let answer = match result {
                        Ok(value) => Answer {
                            outcome: Outcome::Ok,
                            value: Some(value),
                        },
                        Err(error) if error.is::<Elapsed>() => Answer::failed(Outcome::Timeout),
                        Err(_) => Answer::failed(Outcome::Failed),
                    };
                    if let Some(ledger) = &ledger {
                        let status = answer.outcome as u8;
                        ledger.record(index as u64, status, 0, start.elapsed());
                    }
                    (index, answer)
                });
            }
            baseline::in_request_order(tasks, n).await
        }
    };
    baseline::drive(settings, round).await
}
