//! [`CallPolicy`]: how one call is bounded and retried, with its documented defaults.

use std::time::Duration;

use crate::policy::backoff::BackoffPolicy;
use crate::policy::circuit::CircuitPolicy;
use crate::PolicyError;

/// How one call is bounded and retried.
///
/// # Default
///
/// `attempt_timeout: 30 s, idle_timeout: none, call_deadline: none, max_retries: 3,
/// max_retry_after: 60 s`, the default [`BackoffPolicy`] and the default
/// [`CircuitPolicy`].
///
/// # Limits
///
/// Values come from configuration files and from each call, so they are bounded:
/// `attempt_timeout`, `idle_timeout` and `call_deadline` from 1 ms to [`CallPolicy::MAX_DURATION`]
/// (one day), `max_retries` up to [`CallPolicy::MAX_RETRIES`] (100), `max_retry_after`
/// up to [`CallPolicy::MAX_DURATION`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallPolicy {
    /// The longest one attempt may run.
    pub attempt_timeout: Duration,
    /// The longest an attempt may go without reporting progress
    /// ([`CallContext::report_progress`](crate::CallContext::report_progress)) before
    /// it ends with [`ErrorKind::IdleTimeout`](crate::ErrorKind::IdleTimeout); counted
    /// from the attempt's start and from each report. `None`: no idle timeout.
    pub idle_timeout: Option<Duration>,
    /// The longest the call may take across all its attempts and backoffs.
    pub call_deadline: Option<Duration>,
    /// Retries after the first attempt; `max_retries + 1` attempts at most.
    pub max_retries: u32,
    /// The longest wait a tool's own retry-after hint (HTTP `Retry-After`, a throttling
    /// answer) may impose before the next attempt; longer hints are cut to it.
    pub max_retry_after: Duration,
    /// The delays between attempts.
    pub backoff: BackoffPolicy,
    /// When to stop calling a failing tool.
    pub circuit: CircuitPolicy,
}

impl Default for CallPolicy {
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(30),
            idle_timeout: None,
            call_deadline: None,
            max_retries: 3,
            max_retry_after: Duration::from_secs(60),
            backoff: BackoffPolicy::default(),
            circuit: CircuitPolicy::default(),
        }
    }
}

impl CallPolicy {
    /// The most retries a policy or a call may ask for.
    pub const MAX_RETRIES: u32 = 100;
    /// The longest attempt timeout, idle timeout, call deadline or retry-after cap: one
    /// day.
    pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

    /// Checks that the policy can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        check_duration("attempt_timeout_ms", self.attempt_timeout)?;
        if let Some(idle) = self.idle_timeout {
            check_duration("idle_timeout_ms", idle)?;
        }
        if let Some(deadline) = self.call_deadline {
            check_duration("deadline_ms", deadline)?;
        }
        check_retries("max_retries", self.max_retries)?;
        if self.max_retry_after > Self::MAX_DURATION {
            return Err(too_long("max_retry_after_ms", self.max_retry_after));
        }
        self.backoff.validate()?;
        self.circuit.validate()
    }
}

/// Checks a duration against the limits of [`CallPolicy`], naming `key`.
pub(crate) fn check_duration(key: &str, duration: Duration) -> Result<(), PolicyError> {
    if duration.is_zero() {
        return Err(PolicyError::new(key, "must be greater than 0"));
    }
    if duration > CallPolicy::MAX_DURATION {
        return Err(too_long(key, duration));
    }
    Ok(())
}

/// Checks a retry count against [`CallPolicy::MAX_RETRIES`], naming `key`.
pub(crate) fn check_retries(key: &str, retries: u32) -> Result<(), PolicyError> {
    if retries > CallPolicy::MAX_RETRIES {
        return Err(PolicyError::new(
            key,
            format!("must be at most {}, got {retries}", CallPolicy::MAX_RETRIES),
        ));
    }
    Ok(())
}

fn too_long(key: &str, duration: Duration) -> PolicyError {
    PolicyError::new(
        key,
        format!(
            "must be at most {} ms (one day), got {} ms",
            CallPolicy::MAX_DURATION.as_millis(),
            duration.as_millis()
        ),
    )
}
