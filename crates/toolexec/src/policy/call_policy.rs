//! [`CallPolicy`]: how one call is bounded and retried, with its documented defaults.

use std::time::Duration;

use crate::policy::backoff::BackoffPolicy;
use crate::policy::circuit::CircuitPolicy;
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
