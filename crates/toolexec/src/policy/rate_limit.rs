//! Rate limits: a token bucket per tool, and optionally one per value of an input
//! field (`governor`'s GCRA), that every attempt takes a token from; a call waits for
//! its token at most `max_wait`. A tool's own throttling answers slow its bucket down.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use serde_json::Value;
use tokio::time::Instant;

use crate::failure::AttemptFailure;
use crate::policy::call_policy::check_duration;
use crate::scope::Scope;
use crate::PolicyError;

/// A tool's rate limit: `per_second` attempts a second on average, up to `burst` at
/// once, for the tool as a whole or, with `key`, for each value of that top-level
/// input field (compared as for a [`BulkheadPolicy`](crate::BulkheadPolicy)).
///
/// Every attempt takes a token, retries included (they reach the same dependency). An
/// attempt waits for its token at most `max_wait`, never past its deadline, and not
/// once its batch is cancelled; past `max_wait` the call ends `rejected` with kind
/// `rate_limited`. When the tool answers `throttled` (HTTP 429, Lambda
/// `TooManyRequestsException`), its bucket pauses: no attempt of the tool (or of that
/// key) starts until the answer's retry-after hint, or one token interval without a
/// hint, has passed.
///
/// # Default
///
/// 10 a second, a burst of 10, no key, `max_wait` 1 s.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitPolicy {
    /// Attempts a second, on average (more than 0, at most 1,000,000).
    pub per_second: f64,
    /// Attempts that may start at once after a quiet spell.
    pub burst: u32,
    /// An input field whose values each get their own bucket.
    pub key: Option<String>,
    /// The longest an attempt waits for its token.
    pub max_wait: Duration,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        Self {
            per_second: 10.0,
            burst: 10,
            key: None,
            max_wait: Duration::from_secs(1),
        }
    }
}

impl RateLimitPolicy {
    /// The fastest rate a policy may ask for.
    pub const MAX_PER_SECOND: f64 = 1_000_000.0;

    /// Checks that the limit can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !(self.per_second.is_finite()
            && self.per_second > 0.0
            && self.per_second <= Self::MAX_PER_SECOND)
        {
            return Err(PolicyError::new(
                "per_second",
                format!(
                    "must be more than 0 and at most 1000000, got {}",
                    self.per_second
                ),
            ));
        }
        if self.burst == 0 {
            return Err(PolicyError::new("burst", "must be at least 1"));
        }
        if self.key.as_ref().is_some_and(String::is_empty) {
            return Err(PolicyError::new("key", "must name an input field"));
        }
        check_duration("max_wait_ms", self.max_wait)
    }

    fn quota(&self) -> Quota {
        let interval = Duration::from_secs_f64(1.0 / self.per_second).max(Duration::from_nanos(1));
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// Tokio's clock for `governor`, so that limits follow paused time in tests.
#[derive(Debug, Clone, Copy)]
struct TokioClock {
    epoch: Instant,
}

impl Clock for TokioClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        self.epoch.elapsed().into()
    }
}

type Direct = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Nanos>>;
type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, TokioClock, NoOpMiddleware<Nanos>>;

/// The bucket of a tool, or its buckets by key.
enum Buckets {
    Tool(Direct),
    ByKey(Keyed),
}

/// A registered tool's rate limit: its policy, buckets and throttling pause.
pub(crate) struct RateLimit {
    policy: RateLimitPolicy,
    clock: TokioClock,
    buckets: Buckets,
    /// No attempt starts before this, in nanoseconds of `clock` (set by throttling).
    paused_until: AtomicU64,
    /// Checks since the keyed buckets were last pruned.
    checks: AtomicU64,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Keyed buckets are pruned of full (idle) ones every this many checks, so that many
/// distinct keys cannot grow the table without bound.
const PRUNE_EVERY: u64 = 4096;

impl RateLimit {
    /// The rate limit of a valid `policy`.
    pub(crate) fn new(policy: RateLimitPolicy) -> Arc<Self> {
        let clock = TokioClock {
            epoch: Instant::now(),
        };
        let quota = policy.quota();
        let buckets = match policy.key {
            Some(_) => Buckets::ByKey(RateLimiter::dashmap_with_clock(quota, clock)),
            None => Buckets::Tool(RateLimiter::direct_with_clock(quota, clock)),
        };
        Arc::new(Self {
            policy,
            clock,
            buckets,
            paused_until: AtomicU64::new(0),
            checks: AtomicU64::new(0),
        })
    }

    /// The key of a call with `input` (its field's value), when the limit is keyed.
    pub(crate) fn key_of(&self, input: &Value) -> Option<String> {
        let field = self.policy.key.as_ref()?;
        match input.get(field)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// How long until the next token (zero: taken now).
    fn try_take(&self, key: Option<&str>) -> Duration {
        let now = self.clock.now();
        let paused = Nanos::from(self.paused_until.load(Ordering::Relaxed));
        if paused > now {
            return Duration::from(paused.duration_since(now));
        }
        let outcome = match (&self.buckets, key) {
            (Buckets::Tool(bucket), _) => bucket.check(),
            (Buckets::ByKey(buckets), Some(key)) => {
                if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
                    buckets.retain_recent();
                }
                buckets.check_key(&key.to_owned())
            }
            // A keyed limit does not hold a call without the key.
            (Buckets::ByKey(_), None) => Ok(()),
        };
        match outcome {
            Ok(()) => Duration::ZERO,
            Err(not_until) => not_until.wait_time_from(now).max(Duration::from_nanos(1)),
        }
    }

    /// A token for one attempt, waiting at most `max_wait`, never past `deadline`, and
    /// not once `scope` is cancelled.
    pub(crate) async fn take(
        &self,
        key: Option<&str>,
        scope: &Scope,
        deadline: Option<Instant>,
    ) -> Result<(), AttemptFailure> {
        let limit = Instant::now() + self.policy.max_wait;
        let until = deadline.map_or(limit, |d| d.min(limit));
        let mut lent = false;
        loop {
            let wait = self.try_take(key);
            if wait.is_zero() {
                return Ok(());
            }
            if !lent {
                // Waiting holds no permit: the batch may run another call meanwhile.
                scope.lend_lane();
                lent = true;
            }
            let ready = Instant::now() + wait;
            if ready > until {
                tokio::select! {
                    biased;
                    () = scope.cancel.cancelled() => return Err(cancelled()),
                    () = tokio::time::sleep_until(until) => {}
                }
                return Err(if deadline.is_some_and(|d| d <= limit) {
                    AttemptFailure::deadline(
                        "deadline reached while waiting for the tool's rate limit".into(),
                    )
                } else {
                    AttemptFailure::rate_limited(self.policy.max_wait)
                });
            }
            tokio::select! {
                biased;
                () = scope.cancel.cancelled() => return Err(cancelled()),
                () = tokio::time::sleep_until(ready) => {}
            }
        }
    }

    /// The tool answered `throttled`: pause its bucket for `retry_after`, or one token
    /// interval without a hint.
    pub(crate) fn throttled(&self, retry_after: Option<Duration>) {
        let pause = retry_after.unwrap_or_else(|| self.policy.quota().replenish_interval());
        let until = Duration::from(self.clock.now()).saturating_add(pause);
        let until = u64::try_from(until.as_nanos()).unwrap_or(u64::MAX);
        self.paused_until.fetch_max(until, Ordering::Relaxed);
    }
}

fn cancelled() -> AttemptFailure {
    AttemptFailure::cancelled("call cancelled while waiting for the tool's rate limit")
}
