//! How a batch runs: its deadline, its own concurrency limit, its failure mode and
//! its cancellation.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

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
    /// Whether a batch stops once `failures` of its calls have failed.
    pub(crate) fn stops_at(self, failures: usize) -> bool {
        match self {
            Self::CollectAll => false,
            Self::FailFast => failures >= 1,
            Self::Tolerate(n) => failures > n,
        }
    }

    /// The mode's name in spans: `collect_all`, `fail_fast` or `tolerate_N`.
    pub(crate) fn name(self) -> String {
        match self {
            Self::CollectAll => "collect_all".to_owned(),
            Self::FailFast => "fail_fast".to_owned(),
            Self::Tolerate(n) => format!("tolerate_{n}"),
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
    /// The batch's id in the executor's journal; without one, the journal gives it one.
    pub batch_id: Option<Arc<str>>,
    /// The journaled batch whose calls this one re-runs.
    pub redrive_of: Option<Arc<str>>,
}

impl BatchOptions {
    /// Sets the batch deadline.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the failure mode.
    #[must_use]
    pub fn with_failure_mode(mut self, mode: FailureMode) -> Self {
        self.failure_mode = mode;
        self
    }

    /// Sets the batch concurrency limit.
    #[must_use]
    pub fn with_max_concurrency(mut self, limit: usize) -> Self {
        self.max_concurrency = Some(limit);
        self
    }

    /// Sets the batch's id in the executor's journal.
    #[must_use]
    pub fn with_batch_id(mut self, id: impl Into<Arc<str>>) -> Self {
        self.batch_id = Some(id.into());
        self
    }

    /// Marks the batch as a redrive of the journaled batch `id`.
    #[must_use]
    pub fn with_redrive_of(mut self, id: impl Into<Arc<str>>) -> Self {
        self.redrive_of = Some(id.into());
        self
    }

    /// Lets `cancel` cancel the batch.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = Some(cancel);
        self
    }
}
