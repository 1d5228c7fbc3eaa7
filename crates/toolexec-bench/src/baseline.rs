//! What the two baselines share besides their call machinery: the ledger of the
//! `history` workload, running a round measured (or in chunks for `history`), and
//! collecting answers in request order.

use std::future::Future;
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::history_probe;
use crate::ledger::Ledger;
use crate::outcome::{Answer, Outcome};
use crate::report::Measured;
use crate::settings::{Settings, Workload};
use crate::stopwatch::Stopwatch;

/// Runs `round(calls, ledger)` as the workload asks: once, timed, or for `history` in
/// chunks that record into a bounded ledger.
pub(crate) async fn drive<R, F>(settings: &Settings, round: R) -> Measured
where
    R: Fn(usize, Option<Arc<Ledger>>) -> F,
    F: Future<Output = Vec<Answer>>,
{
    let ledger = (settings.workload == Workload::History)
        .then(|| Ledger::new(settings.history_capacity).ok())
        .flatten()
        .map(Arc::new);
    match &ledger {
        None => {
            let stopwatch = Stopwatch::start();
            let answers = round(settings.calls, None).await;
            Outcome::measured(stopwatch.stop(), &answers)
        }
        Some(ledger) => {
            let quiet = Ledger::new(0).ok().map(Arc::new);
            let warm = |n| round(n, quiet.clone());
            let measured = |n| round(n, Some(ledger.clone()));
            let kept = || ledger.len();
            history_probe::run_in_chunks(settings, warm, measured, kept, || ledger.read()).await
        }
    }
}

/// The answers of `n` tasks, each tagged with its index, in request order; a task that
/// died counts as failed.
pub(crate) async fn in_request_order(mut tasks: JoinSet<(usize, Answer)>, n: usize) -> Vec<Answer> {
    let mut answers = vec![Answer::failed(Outcome::Failed); n];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((index, answer)) = joined {
            answers[index] = answer;
        }
    }
    answers
}
