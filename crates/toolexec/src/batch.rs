//! Parallel batches: one envelope per call, in request order, under a batch deadline
//! and a failure mode.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::attempt::AttemptFailure;
use crate::call_path::Scope;
use crate::envelope::millis;
use crate::{CallStatus, Envelope, Executor, ToolCall};

/// What a batch does when calls fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode", content = "failures")]
pub enum FailureMode {
    /// Run every call whatever happens to the others.
    #[default]
    CollectAll,
    /// Cancel the calls still running at the first failure.
    FailFast,
    /// Cancel the calls still running once more than this many have failed.
    Tolerate(usize),
}

impl FailureMode {
    fn stops_at(self, failures: usize) -> bool {
        match self {
            Self::CollectAll => false,
            Self::FailFast => failures >= 1,
            Self::Tolerate(n) => failures > n,
        }
    }
}

/// How a batch runs.
///
/// # Default
///
/// No batch deadline, no batch concurrency limit beyond the executor's,
/// [`FailureMode::CollectAll`].
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// The longest the whole batch may take; calls still running then end with a
    /// `timeout` envelope.
    pub deadline: Option<Duration>,
    /// A concurrency limit for this batch, below the executor's.
    pub max_concurrency: Option<usize>,
    /// What failures do to the rest of the batch.
    pub failure_mode: FailureMode,
    /// Cancels the batch from outside.
    pub cancel: Option<CancellationToken>,
}

impl BatchOptions {
    /// Sets the batch deadline.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the failure mode.
    pub fn with_failure_mode(mut self, mode: FailureMode) -> Self {
        self.failure_mode = mode;
        self
    }

    /// Sets the batch concurrency limit.
    pub fn with_max_concurrency(mut self, limit: usize) -> Self {
        self.max_concurrency = Some(limit);
        self
    }

    /// Lets `cancel` cancel the batch.
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = Some(cancel);
        self
    }
}

impl Executor {
    /// Runs calls in parallel and returns one envelope per call, in request order.
    ///
    /// Each call runs as its own task, so tools use every core. Dropping the returned
    /// future cancels the calls still running; each is recorded as `cancelled`.
    pub async fn execute_batch(
        &self,
        calls: Vec<ToolCall>,
        options: BatchOptions,
    ) -> Vec<Envelope> {
        let cancel = options.cancel.unwrap_or_default();
        let scope = Arc::new(Scope {
            deadline: options.deadline.map(|d| Instant::now() + d),
            cancel: cancel.clone(),
            permits: options
                .max_concurrency
                .map(|n| Arc::new(Semaphore::new(n.clamp(1, Semaphore::MAX_PERMITS)))),
        });
        let mut results: Vec<Option<Envelope>> = vec![None; calls.len()];
        let mut names = Vec::with_capacity(calls.len());
        let first = self.inner.reserve_sequences(calls.len());
        let mut tasks = JoinSet::new();
        for (index, mut call) in calls.into_iter().enumerate() {
            let accepted = self.inner.accept(&mut call, first + index as u64);
            names.push((accepted.call_id.clone(), accepted.tool_name.clone()));
            let run = self.inner.clone().run_call(call, accepted, scope.clone());
            tasks.spawn(run.map(move |envelope| (index, envelope)));
        }
        let mut failures = 0;
        while let Some(joined) = tasks.join_next().await {
            let Ok((index, envelope)) = joined else {
                continue;
            };
            if !envelope.success {
                failures += 1;
                if options.failure_mode.stops_at(failures) {
                    cancel.cancel();
                }
            }
            results[index] = Some(envelope);
        }
        results
            .into_iter()
            .enumerate()
            .map(|(index, envelope)| {
                envelope.unwrap_or_else(|| {
                    let (call_id, tool) = &names[index];
                    lost_call(call_id.clone(), tool.clone())
                })
            })
            .collect()
    }
}

/// The envelope of a call whose task died outside the engine's guards; it should never
/// be seen, but a batch still answers every call.
fn lost_call(call_id: Arc<str>, tool_name: Arc<str>) -> Envelope {
    let failure = AttemptFailure::panic("the call's task ended without an envelope".into());
    Envelope {
        call_id,
        tool_name,
        status: CallStatus::Failed,
        success: false,
        result: None,
        error: Some(failure.into_call_error()),
        attempts: 0,
        execution_time_ms: millis(Duration::ZERO),
        fallback: false,
        attempt_log: Vec::new(),
    }
}
