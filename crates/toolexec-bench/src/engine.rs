//! The workloads on the toolexec engine: one executor configured from the settings,
//! all calls in one batch (in consecutive batches for `history`), collected at its end
//! or, with `--stream`, taken as each call ends.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use toolexec::{
    BackoffPolicy, BatchOptions, BulkheadPolicy, CallPolicy, CallStatus, Envelope, Executor,
    Jitter, Journal, RateLimitPolicy, ToolCall, ToolOptions, ToolRegistry,
};

use crate::history_probe;
use crate::outcome::{Answer, Outcome};
use crate::report::Measured;
use crate::settings::{Settings, Workload};
use crate::sim;
use crate::stopwatch::Stopwatch;

/// Runs the workload on the engine, recording into `journal` when given (only the
/// measured calls: `history`'s warm-up batches run on an engine without it).
pub(crate) async fn run(
    settings: &Settings,
    journal: Option<Arc<dyn Journal>>,
) -> anyhow::Result<Measured> {
    let executor = executor_for(settings, journal)?;
    if settings.workload == Workload::History {
        let round = |executor: &Executor, n: usize| {
            let executor = executor.clone();
            async move {
                let envelopes = executor
                    .execute_batch(calls(n), BatchOptions::default())
                    .await;
                answers(envelopes)
            }
        };
        let quiet = executor_for(
            &Settings {
                history_capacity: 0,
                ..*settings
            },
            None,
        )?;
        let warm = |n| round(&quiet, n);
        let measured = |n| round(&executor, n);
        let kept = || executor.history().len();
        let read = || executor.stats();
        let run = history_probe::run_in_chunks(settings, warm, measured, kept, read);
        return Ok(run.await);
    }
    let calls = calls(settings.calls);
    let stopwatch = Stopwatch::start();
    let (stream, expected) = (settings.stream, settings.calls);
    let consume = async move {
        if stream {
            let mut ended = executor.execute_batch_stream(calls, BatchOptions::default());
            let mut answers = Vec::with_capacity(expected);
            while let Some((_, envelope)) = ended.next().await {
                answers.push(answer(envelope));
            }
            answers
        } else {
            let envelopes = executor.execute_batch(calls, BatchOptions::default()).await;
            envelopes.into_iter().map(answer).collect()
        }
    };
    let answers = if settings.in_task {
        tokio::spawn(consume).await?
    } else {
        consume.await
    };
    let spent = stopwatch.stop();
    Ok(Outcome::measured(spent, &answers))
}

fn executor_for(
    settings: &Settings,
    journal: Option<Arc<dyn Journal>>,
) -> anyhow::Result<Executor> {
    let policy = CallPolicy {
        attempt_timeout: settings.timeout,
        max_retries: settings.retries,
        backoff: BackoffPolicy {
            initial: settings.backoff,
            multiplier: 2.0,
            max_delay: settings.backoff.max(Duration::from_secs(30)),
            jitter: Jitter::None,
            seed: 0,
        },
        ..CallPolicy::default()
    };
    let mut registry = ToolRegistry::new();
    registry.register_with(sim::tool(settings), tool_options(settings));
    let mut builder = Executor::builder()
        .max_concurrency(settings.concurrency)
        .history_capacity(settings.history_capacity)
        .defaults(policy)
        .registry(registry);
    if let Some(journal) = journal {
        builder = builder.journal(journal);
    }
    Ok(builder.build()?)
}

/// With `--policies`: a rate limit and a bulkhead that never hold a call up (a rate
/// and a burst far above the run's, room for every attempt the run allows at once), so
/// the run measures what checking them costs.
fn tool_options(settings: &Settings) -> ToolOptions {
    if !settings.policies {
        return ToolOptions::default();
    }
    ToolOptions::default()
        .with_rate_limit(RateLimitPolicy {
            per_second: RateLimitPolicy::MAX_PER_SECOND,
            burst: u32::try_from(settings.calls).unwrap_or(u32::MAX),
            key: None,
            max_wait: Duration::from_secs(60),
        })
        .with_bulkhead(BulkheadPolicy {
            max_concurrent: Some(settings.concurrency),
            per_key: None,
            max_wait: Duration::from_secs(60),
        })
}

fn calls(n: usize) -> Vec<ToolCall> {
    (0..n)
        .map(|_| ToolCall::new(sim::TOOL, Value::Object(serde_json::Map::new())))
        .collect()
}

fn answers(envelopes: Vec<Envelope>) -> Vec<Answer> {
    envelopes.into_iter().map(answer).collect()
}

fn answer(envelope: Envelope) -> Answer {
    Answer {
        outcome: match envelope.status {
            CallStatus::Success => Outcome::Ok,
            CallStatus::Timeout => Outcome::Timeout,
            _ => Outcome::Failed,
        },
        value: envelope.result,
    }
}
