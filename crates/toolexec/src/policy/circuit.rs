//! A per-tool circuit breaker: after enough consecutive failed calls, calls are
//! rejected at once for a while; then one probe call decides whether to close again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde::Serialize;
use tokio::time::Instant;

use crate::PolicyError;

/// When a tool's circuit opens and for how long.
///
/// Only failures that say the tool or its backend is unwell count: timeouts, backend
/// errors, throttling, panics and bad output. Invalid input, unknown tools, permission
/// errors, cancellations and a tool's own reported failures do not.
///
/// # Default
///
/// `failure_threshold: 5` consecutive failed calls, `open_for: 30 s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitPolicy {
    /// Consecutive failed calls that open the circuit; 0 turns the breaker off.
    pub failure_threshold: u32,
    /// How long an open circuit rejects calls before letting one probe through.
    pub open_for: Duration,
}

impl Default for CircuitPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            open_for: Duration::from_secs(30),
        }
    }
}

impl CircuitPolicy {
    /// A policy that never opens the circuit.
    pub fn disabled() -> Self {
        Self {
            failure_threshold: 0,
            ..Self::default()
        }
    }

    /// Checks that the policy can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.failure_threshold > 0 && self.open_for.is_zero() {
            return Err(PolicyError::new(
                "circuit_open_ms",
                "must be greater than 0 when circuit_failure_threshold is set",
            ));
        }
        Ok(())
    }
}

/// The state of a circuit, as reported in statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CircuitState {
    /// Calls flow.
    Closed,
    /// Calls are rejected.
    Open,
    /// One probe call is allowed through.
    HalfOpen,
}

#[derive(Debug)]
enum State {
    Closed { consecutive_failures: u32 },
    Open { until: Instant },
    HalfOpen { probe_in_flight: bool },
}

/// One tool's circuit breaker.
#[derive(Debug)]
pub struct CircuitBreaker {
    policy: CircuitPolicy,
    state: Mutex<State>,
    /// Whether the state is `Closed` with no failure counted: then a call may start and
    /// a success or an uncounted outcome changes nothing, so neither takes the lock
    /// that every call of the tool would otherwise take twice. Written under the lock.
    healthy: AtomicBool,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(policy: CircuitPolicy) -> Self {
        Self {
            policy,
            state: Mutex::new(State::Closed {
                consecutive_failures: 0,
            }),
            healthy: AtomicBool::new(true),
        }
    }

    /// Replaces the state (under its lock) and keeps [`Self::healthy`] in step.
    fn set(&self, state: &mut State, next: State) {
        let healthy = matches!(
            next,
            State::Closed {
                consecutive_failures: 0
            }
        );
        *state = next;
        self.healthy.store(healthy, Ordering::Release);
    }

    /// Asks to start a call; `Err` carries how long the circuit stays open.
    pub fn try_acquire(&self) -> Result<(), Duration> {
        if self.policy.failure_threshold == 0 || self.healthy.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut state = self.state.lock();
        match *state {
            State::Closed { .. } => Ok(()),
            State::Open { until } => {
                let now = Instant::now();
                if now >= until {
                    self.set(
                        &mut state,
                        State::HalfOpen {
                            probe_in_flight: true,
                        },
                    );
                    Ok(())
                } else {
                    Err(until - now)
                }
            }
            State::HalfOpen {
                probe_in_flight: true,
            } => Err(Duration::ZERO),
            State::HalfOpen {
                probe_in_flight: false,
            } => {
                self.set(
                    &mut state,
                    State::HalfOpen {
                        probe_in_flight: true,
                    },
                );
                Ok(())
            }
        }
    }

    /// Records the end of a call admitted by [`Self::try_acquire`]: `Some(true)` a
    /// success, `Some(false)` a failure that counts, `None` one that does not count.
    pub fn record(&self, healthy: Option<bool>) {
        let nothing_to_change = healthy != Some(false) && self.healthy.load(Ordering::Acquire);
        if self.policy.failure_threshold == 0 || nothing_to_change {
            return;
        }
        let mut state = self.state.lock();
        let reopen = || State::Open {
            until: Instant::now() + self.policy.open_for,
        };
        let next = match (healthy, &*state) {
            (Some(true), _) => State::Closed {
                consecutive_failures: 0,
            },
            (
                Some(false),
                State::Closed {
                    consecutive_failures,
                },
            ) => {
                let failures = consecutive_failures + 1;
                if failures >= self.policy.failure_threshold {
                    reopen()
                } else {
                    State::Closed {
                        consecutive_failures: failures,
                    }
                }
            }
            (Some(false), State::HalfOpen { .. }) => reopen(),
            (None, State::HalfOpen { .. }) => State::HalfOpen {
                probe_in_flight: false,
            },
            _ => return,
        };
        self.set(&mut state, next);
    }

    /// The current state.
    pub fn state(&self) -> CircuitState {
        match *self.state.lock() {
            State::Closed { .. } => CircuitState::Closed,
            State::Open { until } if Instant::now() < until => CircuitState::Open,
            State::Open { .. } | State::HalfOpen { .. } => CircuitState::HalfOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> CircuitBreaker {
        CircuitBreaker::new(CircuitPolicy {
            failure_threshold: 2,
            open_for: Duration::from_secs(10),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_threshold_and_probes_after_open_for() {
        let b = breaker();
        b.record(Some(false));
        assert_eq!(b.state(), CircuitState::Closed);
        b.record(Some(false));
        assert_eq!(b.try_acquire(), Err(Duration::from_secs(10)));
        tokio::time::advance(Duration::from_secs(4)).await;
        assert_eq!(b.try_acquire(), Err(Duration::from_secs(6)));
        tokio::time::advance(Duration::from_secs(6)).await;
        assert_eq!(b.try_acquire(), Ok(()));
        assert_eq!(b.try_acquire(), Err(Duration::ZERO), "one probe at a time");
        b.record(Some(true));
        assert_eq!(b.state(), CircuitState::Closed);
        assert_eq!(b.try_acquire(), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn failed_probe_reopens_the_circuit() {
        let b = breaker();
        b.record(Some(false));
        b.record(Some(false));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(b.try_acquire(), Ok(()));
        b.record(Some(false));
        assert_eq!(b.try_acquire(), Err(Duration::from_secs(10)));
    }

    #[test]
    fn success_resets_the_failure_count() {
        let b = breaker();
        b.record(Some(false));
        b.record(Some(true));
        b.record(Some(false));
        assert_eq!(b.state(), CircuitState::Closed);
    }

    #[test]
    fn uncounted_outcomes_leave_a_closed_circuit_alone() {
        let b = breaker();
        b.record(Some(false));
        b.record(None);
        b.record(Some(false));
        assert_eq!(b.state(), CircuitState::Open);
    }
}
