//! Retry budgets: retries may add at most a fraction of the recent call volume, plus a
//! small floor per second, so that a failing dependency cannot multiply the load on
//! it. The accounting is tower's `TpsBudget` (the semantics of Finagle's budgets).

use std::sync::Arc;
use std::time::Duration;

use tower::retry::budget::{Budget, TpsBudget};

use crate::PolicyError;

/// How much retrying a budget allows.
///
/// Every call deposits one call's worth when it starts; every retry withdraws
/// `1 / retry_ratio` of that. Deposits expire after `window`; `min_per_second` retries a
/// second are allowed whatever the volume. A retry the budget cannot pay for is not
/// made: the call ends with its last error, and its attempt log says
/// `"retry_stopped_by": "retry_budget"`.
///
/// # Default
///
/// A 10 s window, 10 retries a second at least, retries up to 20% of the calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudgetPolicy {
    /// How long a call's deposit counts (1 s to 60 s, whole seconds).
    pub window: Duration,
    /// Retries a second allowed whatever the call volume.
    pub min_per_second: u32,
    /// Retries allowed per call, on average over the window (0.2: one retry for every
    /// five calls); from 0 to 1,000.
    pub retry_ratio: f32,
}

impl Default for RetryBudgetPolicy {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(10),
            min_per_second: 10,
            retry_ratio: 0.2,
        }
    }
}

impl RetryBudgetPolicy {
    /// Checks that the budget can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let secs = self.window.as_secs();
        if !(1..=60).contains(&secs) || self.window.subsec_nanos() != 0 {
            return Err(PolicyError::new(
                "window_s",
                format!("must be 1 to 60 whole seconds, got {:?}", self.window),
            ));
        }
        if self.min_per_second > 1_000_000 {
            return Err(PolicyError::new(
                "min_per_second",
                format!("must be at most 1000000, got {}", self.min_per_second),
            ));
        }
        if !(self.retry_ratio.is_finite() && (0.0..=1000.0).contains(&self.retry_ratio)) {
            return Err(PolicyError::new(
                "retry_ratio",
                format!("must be from 0 to 1000, got {}", self.retry_ratio),
            ));
        }
        Ok(())
    }
}

/// A retry budget, shared by the calls of every tool that uses it: the executor's
/// ([`ExecutorBuilder::retry_budget`](crate::ExecutorBuilder::retry_budget)), or a
/// group's ([`ToolOptions::with_retry_budget`](crate::ToolOptions::with_retry_budget)
/// with the same budget for each tool of the group).
pub struct RetryBudget {
    policy: RetryBudgetPolicy,
    budget: TpsBudget,
}

impl std::fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryBudget")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl RetryBudget {
    /// A budget of `policy`, which must be valid.
    pub fn new(policy: RetryBudgetPolicy) -> Result<Arc<Self>, PolicyError> {
        policy.validate()?;
        Ok(Arc::new(Self {
            budget: TpsBudget::new(policy.window, policy.min_per_second, policy.retry_ratio),
            policy,
        }))
    }

    /// The budget's policy.
    pub fn policy(&self) -> &RetryBudgetPolicy {
        &self.policy
    }

    /// A call started.
    pub(crate) fn deposit(&self) {
        self.budget.deposit();
    }

    /// Pays for one retry; `false` when the budget cannot.
    pub(crate) fn withdraw(&self) -> bool {
        self.budget.withdraw()
    }
}
