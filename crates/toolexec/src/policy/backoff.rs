//! Exponential backoff with jitter, as a plain iterator of delays.
//!
//! Written here rather than taken from a crate because the engine needs all three
//! jitter modes of the AWS architecture note ("Exponential Backoff And Jitter"),
//! including *equal* jitter, and a seed per call so that retries are reproducible.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::PolicyError;

/// How a computed delay is randomised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// The delay is exactly the exponential value.
    None,
    /// Uniform in `[0, delay]`.
    #[default]
    Full,
    /// `delay / 2` plus uniform in `[0, delay / 2]`.
    Equal,
}

/// Exponential backoff settings.
///
/// The delay before retry *n* (1-based) is `initial * multiplier^(n-1)`, capped at
/// `max_delay`, then jittered.
///
/// # Default
///
/// `initial: 1 s, multiplier: 2.0, max_delay: 30 s, jitter: Full, seed: 0`, which with
/// `Jitter::None` gives the original system's 1 s, 2 s, 4 s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffPolicy {
    /// The first delay.
    pub initial: Duration,
    /// The factor between consecutive delays; at least 1.
    pub multiplier: f64,
    /// The largest delay before jitter.
    pub max_delay: Duration,
    /// How delays are randomised.
    pub jitter: Jitter,
    /// The seed of the jitter; each call mixes in its id, so calls differ but a rerun
    /// of the same calls gets the same delays.
    pub seed: u64,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max_delay: Duration::from_secs(30),
            jitter: Jitter::Full,
            seed: 0,
        }
    }
}

impl BackoffPolicy {
    /// Checks that the settings can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !self.multiplier.is_finite() || self.multiplier < 1.0 {
            return Err(PolicyError::new(
                "backoff_multiplier",
                format!("must be a finite number >= 1.0, got {}", self.multiplier),
            ));
        }
        if self.max_delay < self.initial {
            return Err(PolicyError::new(
                "backoff_max_ms",
                format!(
                    "must be >= backoff_initial_ms ({} ms), got {} ms",
                    self.initial.as_millis(),
                    self.max_delay.as_millis()
                ),
            ));
        }
        Ok(())
    }

    /// The delays for one call, seeded with `seed` mixed with `salt` (a hash of the
    /// call id).
    pub fn delays(&self, salt: u64) -> Backoff {
        Backoff {
            policy: *self,
            retry: 0,
            rng: fastrand::Rng::with_seed(self.seed ^ salt),
        }
    }
}

/// The delays of one call's retries; an endless iterator.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    retry: u32,
    rng: fastrand::Rng,
}

impl Backoff {
    fn base_delay(&self) -> Duration {
        let policy = &self.policy;
        let factor = policy.multiplier.powi(self.retry.min(1024) as i32);
        let secs = policy.initial.as_secs_f64() * factor;
        let max = policy.max_delay.as_secs_f64();
        if !secs.is_finite() || secs >= max {
            policy.max_delay
        } else {
            Duration::from_secs_f64(secs)
        }
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let base = self.base_delay();
        self.retry = self.retry.saturating_add(1);
        let nanos = u64::try_from(base.as_nanos()).unwrap_or(u64::MAX);
        let delay = match self.policy.jitter {
            Jitter::None => nanos,
            Jitter::Full => self.rng.u64(0..=nanos),
            Jitter::Equal => nanos / 2 + self.rng.u64(0..=nanos - nanos / 2),
        };
        Some(Duration::from_nanos(delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(jitter: Jitter) -> BackoffPolicy {
        BackoffPolicy {
            jitter,
            ..BackoffPolicy::default()
        }
    }

    #[test]
    fn no_jitter_doubles_from_one_second_up_to_the_cap() {
        let delays: Vec<u64> = policy(Jitter::None)
            .delays(7)
            .take(7)
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn full_jitter_stays_within_zero_and_the_exponential_delay() {
        for (n, delay) in policy(Jitter::Full).delays(1).take(10).enumerate() {
            let cap = Duration::from_secs(1 << n).min(Duration::from_secs(30));
            assert!(delay <= cap, "retry {n}: {delay:?} > {cap:?}");
        }
    }

    #[test]
    fn equal_jitter_keeps_at_least_half_the_delay() {
        for (n, delay) in policy(Jitter::Equal).delays(2).take(10).enumerate() {
            let cap = Duration::from_secs(1 << n).min(Duration::from_secs(30));
            assert!(delay >= cap / 2 && delay <= cap, "retry {n}: {delay:?}");
        }
    }

    #[test]
    fn same_seed_and_salt_give_the_same_delays() {
        let a: Vec<_> = policy(Jitter::Full).delays(42).take(5).collect();
        let b: Vec<_> = policy(Jitter::Full).delays(42).take(5).collect();
        let c: Vec<_> = policy(Jitter::Full).delays(43).take(5).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn huge_retry_counts_saturate_at_the_cap() {
        let mut backoff = policy(Jitter::None).delays(0);
        let last = backoff.nth(5000);
        assert_eq!(last, Some(Duration::from_secs(30)));
    }

    #[test]
    fn multiplier_below_one_is_rejected_by_key() {
        let bad = BackoffPolicy {
            multiplier: 0.5,
            ..BackoffPolicy::default()
        };
        assert_eq!(
            bad.validate().map_err(|e| e.key),
            Err("backoff_multiplier".into())
        );
    }

    #[test]
    fn max_below_initial_is_rejected_by_key() {
        let bad = BackoffPolicy {
            max_delay: Duration::from_millis(10),
            ..BackoffPolicy::default()
        };
        assert_eq!(
            bad.validate().map_err(|e| e.key),
            Err("backoff_max_ms".into())
        );
    }
}
