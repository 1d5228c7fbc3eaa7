//! Parallel batches: one envelope per call, in request order, under a batch deadline
//! and a failure mode.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::accept::Queued;
use crate::attempt::AttemptFailure;
use crate::call_path::Scope;
use crate::envelope::millis;
use crate::lanes::{current_workers, lane, lane_width, wide_lane, Backlog};
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
    pub(crate) fn stops_at(self, failures: usize) -> bool {
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
    /// As many calls run at once as the concurrency limits allow, on lane tasks that
    /// tools use every core with (a task per call while they are few, up to 1,024 calls
    /// per task when tens of thousands run at once); the others wait in request order
    /// as plain values, not as tasks. Dropping the returned future cancels the calls still
    /// running or waiting; each is recorded as `cancelled`.
    pub async fn execute_batch(
        &self,
        calls: Vec<ToolCall>,
        options: BatchOptions,
    ) -> Vec<Envelope> {
        if calls.is_empty() {
            return Vec::new();
        }
        let inner = &self.inner;
        let start = Instant::now();
        let total = calls.len();
        let first = inner.reserve_sequences(total);
        let lanes = total
            .min(inner.max_concurrency)
            .min(options.max_concurrency.unwrap_or(usize::MAX))
            .max(1);
        let announce =
            |(index, call): (usize, ToolCall)| inner.enqueue(call, first + index as u64, start);
        let mut calls = calls.into_iter().enumerate();
        // When some calls must wait for a lane, every call is announced (live status
        // `pending`, a `Started` event) in request order before any starts. When all
        // start at once, each is announced as its lane is spawned, and no list of all
        // the announced calls is ever built (a million of them would take 200 MB).
        let (starting, waiting): (Vec<Queued>, Vec<Queued>) = if calls.len() > lanes {
            let starting = calls.by_ref().take(lanes).map(announce).collect();
            (starting, calls.by_ref().map(announce).collect())
        } else {
            (Vec::new(), Vec::new())
        };
        let (more_lanes, mut lane_requests) = mpsc::unbounded_channel();
        let backlog = Backlog::new(
            inner.clone(),
            total,
            waiting,
            options.failure_mode,
            more_lanes,
        );
        let mut scope = Arc::new(Scope {
            deadline: options.deadline.map(|d| start + d),
            cancellable: options.cancel.is_some()
                || options.failure_mode != FailureMode::CollectAll,
            cancel: options.cancel.unwrap_or_default(),
            permits: options
                .max_concurrency
                .map(|n| Arc::new(Semaphore::new(n.clamp(1, Semaphore::MAX_PERMITS)))),
            backlog: Some(backlog),
        });
        let mut tasks = JoinSet::new();
        let announced_as_spawned = calls.map(|(index, call)| (index, announce((index, call))));
        let mut to_start = starting.into_iter().enumerate().chain(announced_as_spawned);
        let width = lane_width(lanes, current_workers());
        if width == 1 {
            for (spawned, first) in to_start.by_ref().enumerate() {
                tasks.spawn(lane(inner.clone(), scope.clone(), Some(first)));
                reap_finished(&mut tasks, spawned);
            }
        } else {
            let mut spawned = 0;
            while let Some(lane) = wide_lane(inner.clone(), scope.clone(), width, &mut to_start) {
                tasks.spawn(lane);
                reap_finished(&mut tasks, spawned);
                spawned += 1;
            }
        }
        // The caller's list of calls, now emptied: its buffer (144 bytes a call) is
        // freed now rather than when the batch ends.
        drop(to_start);
        loop {
            tokio::select! {
                biased;
                Some(()) = lane_requests.recv() => {
                    tasks.spawn(lane(inner.clone(), scope.clone(), None));
                }
                joined = tasks.join_next() => {
                    let drained = scope.backlog.as_ref().is_none_or(Backlog::is_drained);
                    match joined {
                        Some(_) => {}
                        None if drained => break,
                        // Every lane ended early (a lane cannot, but the batch must not
                        // hang if one did): start another for the calls still waiting.
                        None => {
                            tasks.spawn(lane(inner.clone(), scope.clone(), None));
                        }
                    }
                }
            }
        }
        if let Some(backlog) = Arc::get_mut(&mut scope).and_then(|s| s.backlog.as_mut()) {
            return backlog.take_envelopes();
        }
        scope
            .backlog
            .as_ref()
            .map(Backlog::copy_envelopes)
            .unwrap_or_default()
    }
}

/// Every 64 spawns, frees the lanes that already finished: a finished task keeps its
/// memory (1 KB or more) until joined, and spawning a million lanes takes long enough
/// for most of the first ones to finish meanwhile.
fn reap_finished(tasks: &mut JoinSet<()>, spawned: usize) {
    if spawned % 64 == 63 {
        while tasks.try_join_next().is_some() {}
    }
}

/// The envelope of a call whose task died outside the engine's guards; it should never
/// be seen, but a batch still answers every call.
pub(crate) fn lost_call(call_id: Arc<str>, tool_name: Arc<str>) -> Envelope {
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
