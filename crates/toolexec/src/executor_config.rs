//! [`ExecutorConfig`]: the executor's own settings, with their documented defaults.

use tokio::sync::Semaphore;

use crate::policy::CallPolicy;
use crate::PolicyError;

/// The executor's own settings.
///
/// # Default
///
/// `max_concurrency: 10` (the original's `max_workers`), `history_capacity: 100_000`,
/// `event_capacity: 4096`, and the default [`CallPolicy`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExecutorConfig {
    /// Attempts that may run at once, across all batches.
    pub max_concurrency: usize,
    /// Finished calls kept in the history.
    pub history_capacity: usize,
    /// Events buffered per subscriber before a slow one starts missing them.
    pub event_capacity: usize,
    /// The policy of every tool that does not override it.
    pub defaults: CallPolicy,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self {
            max_concurrency: 10,
            history_capacity: 100_000,
            event_capacity: 4096,
            defaults: CallPolicy::default(),
        }
    }
}

impl ExecutorConfig {
    /// Checks that the settings can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.max_concurrency == 0 || self.max_concurrency > Semaphore::MAX_PERMITS {
            return Err(PolicyError::new(
                "max_concurrency",
                format!(
                    "must be between 1 and {}, got {}",
                    Semaphore::MAX_PERMITS,
                    self.max_concurrency
                ),
            ));
        }
        if self.event_capacity == 0 {
            return Err(PolicyError::new("event_capacity", "must be greater than 0"));
        }
        self.defaults.validate()
    }
}
