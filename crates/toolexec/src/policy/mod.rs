//! Call policies: plain data with documented defaults, validated when the executor is
//! built, overridable per tool and per call.

mod backoff;
mod circuit;
mod fallback;
mod retry;

use std::time::Duration;

pub use backoff::{Backoff, BackoffPolicy, Jitter};
pub use circuit::{CircuitBreaker, CircuitPolicy, CircuitState};
pub use fallback::Fallback;
pub(crate) use retry::should_retry;

use crate::{PolicyError, ToolCall};

/// How one call is bounded and retried.
///
/// # Default
///
/// `attempt_timeout: 30 s, call_deadline: none, max_retries: 3`, the default
/// [`BackoffPolicy`] and the default [`CircuitPolicy`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallPolicy {
    /// The longest one attempt may run.
    pub attempt_timeout: Duration,
    /// The longest the call may take across all its attempts and backoffs.
    pub call_deadline: Option<Duration>,
    /// Retries after the first attempt; `max_retries + 1` attempts at most.
    pub max_retries: u32,
    /// The delays between attempts.
    pub backoff: BackoffPolicy,
    /// When to stop calling a failing tool.
    pub circuit: CircuitPolicy,
}

impl Default for CallPolicy {
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(30),
            call_deadline: None,
            max_retries: 3,
            backoff: BackoffPolicy::default(),
            circuit: CircuitPolicy::default(),
        }
    }
}

impl CallPolicy {
    /// Checks that the policy can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.attempt_timeout.is_zero() {
            return Err(PolicyError::new(
                "attempt_timeout_ms",
                "must be greater than 0",
            ));
        }
        if self.call_deadline.is_some_and(|d| d.is_zero()) {
            return Err(PolicyError::new("deadline_ms", "must be greater than 0"));
        }
        if self.max_retries > 100 {
            return Err(PolicyError::new(
                "max_retries",
                format!("must be at most 100, got {}", self.max_retries),
            ));
        }
        self.backoff.validate()?;
        self.circuit.validate()
    }

    /// This policy with a call's own overrides applied.
    pub(crate) fn for_call(&self, call: &ToolCall) -> CallPolicy {
        let mut policy = *self;
        if let Some(ms) = call.timeout_ms {
            policy.attempt_timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = call.deadline_ms {
            policy.call_deadline = Some(Duration::from_millis(ms));
        }
        if let Some(retries) = call.max_retries {
            policy.max_retries = retries;
        }
        policy
    }
}

/// Per-tool changes to the executor's default [`CallPolicy`]; `None` keeps the default.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PolicyOverrides {
    /// Replaces [`CallPolicy::attempt_timeout`].
    pub attempt_timeout: Option<Duration>,
    /// Replaces [`CallPolicy::call_deadline`].
    pub call_deadline: Option<Duration>,
    /// Replaces [`CallPolicy::max_retries`].
    pub max_retries: Option<u32>,
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
        if let Some(v) = self.call_deadline {
            policy.call_deadline = Some(v);
        }
        if let Some(v) = self.max_retries {
            policy.max_retries = v;
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
