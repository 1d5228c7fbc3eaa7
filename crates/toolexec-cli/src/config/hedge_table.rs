//! `[tools.NAME.hedge]`: hedged attempts for a read-only or idempotent tool, after a
//! fixed delay or after the tool's own latency at a percentile.

use std::time::Duration;

use serde::Deserialize;
use toolexec::{HedgeDelay, HedgePolicy};

/// The table's keys, durations in milliseconds: `delay_ms`, or `percentile` with
/// `min_samples` and `initial_delay_ms`; and `max_hedges`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HedgeSettings {
    delay_ms: Option<u64>,
    percentile: Option<f64>,
    min_samples: Option<u64>,
    initial_delay_ms: Option<u64>,
    max_hedges: Option<u32>,
}

/// Successful attempts a percentile waits for when the table does not say.
const DEFAULT_MIN_SAMPLES: u64 = 20;

impl HedgeSettings {
    /// The policy the table describes, or what is wrong with it, naming the key.
    pub(super) fn policy(&self) -> Result<HedgePolicy, String> {
        let defaults = HedgePolicy::default();
        let delay = match (self.delay_ms, self.percentile) {
            (Some(_), Some(_)) => {
                return Err("delay_ms, percentile: give one of them, not both".into())
            }
            (Some(ms), None) => {
                if self.min_samples.is_some() || self.initial_delay_ms.is_some() {
                    return Err(
                        "min_samples, initial_delay_ms: only with percentile, not delay_ms".into(),
                    );
                }
                HedgeDelay::Fixed(Duration::from_millis(ms))
            }
            (None, Some(percentile)) => HedgeDelay::Percentile {
                percentile,
                min_samples: self.min_samples.unwrap_or(DEFAULT_MIN_SAMPLES),
                initial: match (self.initial_delay_ms, defaults.delay) {
                    (Some(ms), _) => Duration::from_millis(ms),
                    (None, HedgeDelay::Fixed(delay)) => delay,
                    (None, HedgeDelay::Percentile { initial, .. }) => initial,
                },
            },
            (None, None) => return Err("delay_ms or percentile: a hedge needs a delay".into()),
        };
        let policy = HedgePolicy {
            delay,
            max_hedges: self.max_hedges.unwrap_or(defaults.max_hedges),
        };
        policy
            .validate()
            .map_err(|e| format!("{}: {}", e.key, e.reason))?;
        Ok(policy)
    }
}
