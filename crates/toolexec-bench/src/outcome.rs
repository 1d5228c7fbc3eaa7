//! How one call ended, in the baselines.

use serde_json::Value;

use crate::report::{Counts, HistoryCost, Measured};
use crate::stopwatch::Spent;

/// What a batch hands back for one call: how it ended and the tool's answer. The
/// baselines keep every answer until the batch ends, as the engine's envelopes do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    pub(crate) outcome: Outcome,
    pub(crate) value: Option<Value>,
}

impl Answer {
    /// A call that ended without an answer.
    pub(crate) fn failed(outcome: Outcome) -> Self {
        Self {
            outcome,
            value: None,
        }
    }
}

/// How one call ended, in every implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok = 0,
    Failed = 1,
    Timeout = 2,
}

impl Outcome {
    /// The measurement of a run that took `spent` and ended with `answers`.
    pub(crate) fn measured(spent: Spent, answers: &[Answer]) -> Measured {
        Measured {
            spent,
            counts: Self::count(answers),
            history: HistoryCost::default(),
        }
    }

    /// Calls by outcome.
    pub(crate) fn count(answers: &[Answer]) -> Counts {
        let mut counts = Counts::default();
        for answer in answers {
            match answer.outcome {
                Self::Ok => counts.ok += 1,
                Self::Failed => counts.failed += 1,
                Self::Timeout => counts.timeout += 1,
            }
        }
        counts
    }
}
