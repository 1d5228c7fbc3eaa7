//! How one call ended, in the baselines.

use std::time::Duration;

use crate::report::{Counts, HistoryCost, Measured};

/// How one call ended, in every implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok = 0,
    Failed = 1,
    Timeout = 2,
}

impl Outcome {
    /// The measurement of a run that took `wall` and ended with `outcomes`.
    pub(crate) fn measured(wall: Duration, outcomes: &[Outcome]) -> Measured {
        Measured {
            wall,
            counts: Self::count(outcomes),
            history: HistoryCost::default(),
        }
    }

    /// Calls by outcome.
    pub(crate) fn count(outcomes: &[Outcome]) -> Counts {
        let mut counts = Counts::default();
        for outcome in outcomes {
            match outcome {
                Self::Ok => counts.ok += 1,
                Self::Failed => counts.failed += 1,
                Self::Timeout => counts.timeout += 1,
            }
        }
        counts
    }
}
