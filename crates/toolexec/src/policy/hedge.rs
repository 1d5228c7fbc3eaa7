//! Hedging: when an attempt of a read-only or idempotent tool is slow to answer, a
//! second one starts beside it, and the first success wins. The delay is fixed, or the
//! tool's own observed latency at a percentile, kept in a histogram of its recent
//! successful attempts.

use std::time::Duration;

use hdrhistogram::Histogram;
use parking_lot::Mutex;

use crate::policy::call_policy::check_duration;
use crate::PolicyError;

/// When a hedge starts: after a fixed delay, or after the tool's own latency at a
/// percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HedgeDelay {
    /// After this long without an answer.
    Fixed(Duration),
    /// After the tool's successful attempts' latency at `percentile` (above 0, below
    /// 100), once `min_samples` attempts have succeeded; `initial` until then.
    Percentile {
        /// The percentile, for example 95.
        percentile: f64,
        /// Successful attempts seen before the percentile is trusted (1 to 100,000).
        min_samples: u64,
        /// The delay until then.
        initial: Duration,
    },
}

/// Hedged attempts for a tool annotated read-only or idempotent: while an attempt has
/// not answered after `delay`, another starts beside it, up to `max_hedges` per call;
/// the first success wins and the others are cancelled (logged `superseded`). Every
/// hedge takes its own token, room and permits like any attempt, and is paid for by
/// the tool's retry budget when it has one: a hedge the budget cannot pay for is not
/// started. Attempts that fail while another still runs do not end the call; when all
/// have failed, the retry policy decides on the last failure as for a lone attempt.
///
/// # Default
///
/// A fixed 100 ms delay, one hedge per call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HedgePolicy {
    /// When each hedge starts, counted from the start of the attempt before it.
    pub delay: HedgeDelay,
    /// The most hedges one call may start (1 to 10).
    pub max_hedges: u32,
}

impl Default for HedgePolicy {
    fn default() -> Self {
        Self {
            delay: HedgeDelay::Fixed(Duration::from_millis(100)),
            max_hedges: 1,
        }
    }
}

impl HedgePolicy {
    /// The most hedges a policy may allow per call.
    pub const MAX_HEDGES: u32 = 10;

    /// Checks that the policy can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !(1..=Self::MAX_HEDGES).contains(&self.max_hedges) {
            return Err(PolicyError::new(
                "max_hedges",
                format!("must be 1 to {}, got {}", Self::MAX_HEDGES, self.max_hedges),
            ));
        }
        match self.delay {
            HedgeDelay::Fixed(delay) => check_duration("delay_ms", delay),
            HedgeDelay::Percentile {
                percentile,
                min_samples,
                initial,
            } => {
                if !(percentile.is_finite() && percentile > 0.0 && percentile < 100.0) {
                    return Err(PolicyError::new(
                        "percentile",
                        format!("must be above 0 and below 100, got {percentile}"),
                    ));
                }
                if !(1..=100_000).contains(&min_samples) {
                    return Err(PolicyError::new(
                        "min_samples",
                        format!("must be 1 to 100000, got {min_samples}"),
                    ));
                }
                check_duration("initial_delay_ms", initial)
            }
        }
    }
}

/// Successful attempts a latency window holds before the next one starts afresh.
const WINDOW_SAMPLES: u64 = 10_000;

/// Latencies are kept in microseconds, from 1 µs to one day, to 2 significant digits.
const MAX_LATENCY_US: u64 = 86_400_000_000;

/// A tool's hedging: its policy and, for a percentile delay, its recent latencies.
pub(crate) struct Hedging {
    pub(crate) policy: HedgePolicy,
    /// The window filling now and the one before it, read while the new one is young.
    latencies: Option<Mutex<[Histogram<u64>; 2]>>,
}

impl Hedging {
    /// Hedging by a validated `policy`.
    pub(crate) fn new(policy: HedgePolicy) -> Self {
        let latencies = matches!(policy.delay, HedgeDelay::Percentile { .. }).then(|| {
            let window = || {
                Histogram::new_with_bounds(1, MAX_LATENCY_US, 2)
                    .expect("constant histogram bounds are valid")
            };
            Mutex::new([window(), window()])
        });
        Self { policy, latencies }
    }

    /// How long an attempt runs before the next hedge starts.
    pub(crate) fn delay(&self) -> Duration {
        match (self.policy.delay, &self.latencies) {
            (HedgeDelay::Fixed(delay), _) => delay,
            (
                HedgeDelay::Percentile {
                    percentile,
                    min_samples,
                    initial,
                },
                Some(latencies),
            ) => {
                let windows = latencies.lock();
                let [current, previous] = &*windows;
                let seen = if current.len() >= min_samples {
                    current
                } else {
                    previous
                };
                if seen.len() < min_samples {
                    return initial;
                }
                // To the nearest millisecond, the precision of tokio's timers.
                let micros = seen.value_at_quantile(percentile / 100.0);
                Duration::from_millis(micros.saturating_add(500) / 1000).max(MIN_DELAY)
            }
            (HedgeDelay::Percentile { initial, .. }, None) => initial,
        }
    }

    /// A successful attempt took `latency`.
    pub(crate) fn succeeded(&self, latency: Duration) {
        let Some(latencies) = &self.latencies else {
            return;
        };
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let mut windows = latencies.lock();
        if windows[0].len() >= WINDOW_SAMPLES {
            windows.swap(0, 1);
            windows[0].reset();
        }
        windows[0].saturating_record(micros.clamp(1, MAX_LATENCY_US));
    }
}

/// The shortest delay a percentile gives, so that a tool answering in microseconds is
/// not hedged on every call.
const MIN_DELAY: Duration = Duration::from_millis(1);

#[cfg(test)]
mod tests {
    use super::*;

    fn percentile(min_samples: u64) -> Hedging {
        Hedging::new(HedgePolicy {
            delay: HedgeDelay::Percentile {
                percentile: 90.0,
                min_samples,
                initial: Duration::from_millis(70),
            },
            max_hedges: 1,
        })
    }

    #[test]
    fn percentile_delay_is_the_initial_one_until_enough_attempts_succeeded() {
        let hedging = percentile(10);
        for _ in 0..9 {
            hedging.succeeded(Duration::from_millis(5));
        }
        assert_eq!(hedging.delay(), Duration::from_millis(70));
        hedging.succeeded(Duration::from_millis(5));
        assert_eq!(hedging.delay().as_millis(), 5);
    }

    #[test]
    fn percentile_delay_follows_the_tools_latency() {
        let hedging = percentile(10);
        for i in 1..=100 {
            hedging.succeeded(Duration::from_millis(i));
        }
        // 2 significant digits: 90 ms within 1%.
        let delay = hedging.delay().as_secs_f64() * 1000.0;
        assert!((89.0..=91.0).contains(&delay), "{delay}");
    }

    #[test]
    fn a_new_window_starts_after_ten_thousand_attempts_and_the_old_one_serves_meanwhile() {
        let hedging = percentile(10);
        for _ in 0..WINDOW_SAMPLES {
            hedging.succeeded(Duration::from_millis(50));
        }
        hedging.succeeded(Duration::from_millis(2));
        assert_eq!(hedging.delay().as_millis(), 50);
        for _ in 0..9 {
            hedging.succeeded(Duration::from_millis(2));
        }
        assert_eq!(hedging.delay().as_millis(), 2);
    }

    #[test]
    fn validation_names_the_bad_key() {
        let bad = |policy: HedgePolicy| policy.validate().unwrap_err().key;
        let base = HedgePolicy::default();
        assert_eq!(
            bad(HedgePolicy {
                max_hedges: 0,
                ..base
            }),
            "max_hedges"
        );
        assert_eq!(
            bad(HedgePolicy {
                max_hedges: 11,
                ..base
            }),
            "max_hedges"
        );
        let fixed = HedgeDelay::Fixed(Duration::ZERO);
        assert_eq!(
            bad(HedgePolicy {
                delay: fixed,
                ..base
            }),
            "delay_ms"
        );
        let percentile = |percentile, min_samples, initial| HedgePolicy {
            delay: HedgeDelay::Percentile {
                percentile,
                min_samples,
                initial,
            },
            ..base
        };
        let ms = Duration::from_millis(1);
        assert_eq!(bad(percentile(100.0, 1, ms)), "percentile");
        assert_eq!(bad(percentile(f64::NAN, 1, ms)), "percentile");
        assert_eq!(bad(percentile(95.0, 0, ms)), "min_samples");
        assert_eq!(bad(percentile(95.0, 1, Duration::ZERO)), "initial_delay_ms");
        assert!(percentile(95.0, 20, ms).validate().is_ok());
    }
}
