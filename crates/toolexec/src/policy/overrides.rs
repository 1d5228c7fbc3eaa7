//! [`PolicyOverrides`]: one tool's changes to the executor's default policy.

use std::time::Duration;

use crate::policy::backoff::Jitter;
use crate::policy::call_policy::CallPolicy;

/// Per-tool changes to the executor's default [`CallPolicy`]; `None` keeps the default.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PolicyOverrides {
    /// Replaces [`CallPolicy::attempt_timeout`].
    pub attempt_timeout: Option<Duration>,
    /// Replaces [`CallPolicy::idle_timeout`]: `Some(Some(d))` sets it, `Some(None)`
    /// turns it off.
    pub idle_timeout: Option<Option<Duration>>,
    /// Replaces [`CallPolicy::call_deadline`].
    pub call_deadline: Option<Duration>,
    /// Replaces [`CallPolicy::max_retries`].
    pub max_retries: Option<u32>,
    /// Replaces [`CallPolicy::max_retry_after`].
    pub max_retry_after: Option<Duration>,
    /// Replaces [`BackoffPolicy::initial`].
    pub backoff_initial: Option<Duration>,
    /// Replaces [`BackoffPolicy::multiplier`].
    pub backoff_multiplier: Option<f64>,
    /// Replaces [`BackoffPolicy::max_delay`].
    pub backoff_max: Option<Duration>,
    /// Replaces [`BackoffPolicy::jitter`].
    pub jitter: Option<Jitter>,
    /// Replaces [`CircuitPolicy::failure_threshold`].
    pub circuit_failure_threshold: Option<u32>,
    /// Replaces [`CircuitPolicy::open_for`].
    pub circuit_open_for: Option<Duration>,
}

impl PolicyOverrides {
    /// `base` with these overrides applied.
    pub fn apply(&self, base: &CallPolicy) -> CallPolicy {
        let mut policy = *base;
        if let Some(v) = self.attempt_timeout {
            policy.attempt_timeout = v;
        }
        if let Some(v) = self.idle_timeout {
            policy.idle_timeout = v;
        }
        if let Some(v) = self.call_deadline {
            policy.call_deadline = Some(v);
        }
        if let Some(v) = self.max_retries {
            policy.max_retries = v;
        }
        if let Some(v) = self.max_retry_after {
            policy.max_retry_after = v;
        }
        if let Some(v) = self.backoff_initial {
            policy.backoff.initial = v;
        }
        if let Some(v) = self.backoff_multiplier {
            policy.backoff.multiplier = v;
        }
        if let Some(v) = self.backoff_max {
            policy.backoff.max_delay = v;
        }
        if let Some(v) = self.jitter {
            policy.backoff.jitter = v;
        }
        if let Some(v) = self.circuit_failure_threshold {
            policy.circuit.failure_threshold = v;
        }
        if let Some(v) = self.circuit_open_for {
            policy.circuit.open_for = v;
        }
        policy
    }
}
