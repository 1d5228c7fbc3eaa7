//! Chaos for drills: [`ChaosTool`] wraps any tool and injects faults into its attempts
//! (errors, extra latency, hangs, panics, malformed output) at seeded rates, so that a
//! drill can be run again with the very same faults.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use parking_lot::Mutex;
use serde_json::Value;

use crate::policy::call_policy::check_duration;
use crate::{CallContext, PolicyError, Tool, ToolError, ToolSpec};

/// Which faults a [`ChaosTool`] injects, and how often.
///
/// Each attempt draws once from the seeded generator: with probability `panic_rate`
/// the attempt panics, else with `hang_rate` it never answers (its attempt timeout ends
/// it), else with `error_rate` it fails with a retryable backend error, else with
/// `malformed_rate` it answers output the engine cannot use (`bad_output`), else the
/// wrapped tool runs. Every attempt that reaches the wrapped tool or an injected error
/// first waits `extra_latency` plus a uniform draw from `[0, latency_jitter]`.
///
/// # Default
///
/// No faults, no extra latency, seed 0.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChaosConfig {
    /// Share of attempts that fail with a retryable backend error.
    pub error_rate: f64,
    /// Share of attempts that hang until their timeout.
    pub hang_rate: f64,
    /// Share of attempts that panic.
    pub panic_rate: f64,
    /// Share of attempts that answer output the engine cannot use.
    pub malformed_rate: f64,
    /// Latency added to every attempt that answers.
    pub extra_latency: Duration,
    /// More latency, uniform in `[0, latency_jitter]`, from the seeded generator.
    pub latency_jitter: Duration,
    /// The seed of the generator: the same seed gives the same faults in the same
    /// order of attempts.
    pub seed: u64,
}

impl ChaosConfig {
    /// Checks the rates (each within `0.0..=1.0`, together at most 1) and the
    /// latencies (at most one day), naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let rates = [
            ("error_rate", self.error_rate),
            ("hang_rate", self.hang_rate),
            ("panic_rate", self.panic_rate),
            ("malformed_rate", self.malformed_rate),
        ];
        for (key, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(PolicyError::new(
                    key,
                    format!("must be within 0.0..=1.0, got {rate}"),
                ));
            }
        }
        let total: f64 = rates.iter().map(|(_, rate)| rate).sum();
        if total > 1.0 + f64::EPSILON {
            return Err(PolicyError::new(
                "error_rate",
                format!("the four rates together must be at most 1.0, got {total}"),
            ));
        }
        for (key, latency) in [
            ("extra_latency_ms", self.extra_latency),
            ("latency_jitter_ms", self.latency_jitter),
        ] {
            if !latency.is_zero() {
                check_duration(key, latency)?;
            }
        }
        Ok(())
    }
}

/// What one attempt of a [`ChaosTool`] does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    Panic,
    Hang,
    Error,
    Malformed,
    None,
}

/// A tool with faults injected into its attempts ([`ChaosConfig`]); its spec is the
/// wrapped tool's, so calls, statistics and history name the tool as before.
pub struct ChaosTool {
    inner: Arc<dyn Tool>,
    config: ChaosConfig,
    rng: Mutex<fastrand::Rng>,
}

impl std::fmt::Debug for ChaosTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChaosTool")
            .field("tool", &self.inner.spec().name)
            .field("config", &self.config)
            .finish()
    }
}

impl ChaosTool {
    /// Wraps `inner` with the faults of `config`, which must be valid.
    pub fn new(inner: Arc<dyn Tool>, config: ChaosConfig) -> Result<Self, PolicyError> {
        config.validate()?;
        Ok(Self {
            inner,
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            config,
        })
    }

    /// Draws this attempt's fault and extra latency.
    fn draw(&self) -> (Fault, Duration) {
        let config = &self.config;
        let mut rng = self.rng.lock();
        let roll = rng.f64();
        let max = u64::try_from(config.latency_jitter.as_nanos()).unwrap_or(u64::MAX);
        let jitter = Duration::from_nanos(rng.u64(0..=max));
        let thresholds = [
            (config.panic_rate, Fault::Panic),
            (config.hang_rate, Fault::Hang),
            (config.error_rate, Fault::Error),
            (config.malformed_rate, Fault::Malformed),
        ];
        let mut below = 0.0;
        for (rate, fault) in thresholds {
            below += rate;
            if roll < below {
                return (fault, config.extra_latency.saturating_add(jitter));
            }
        }
        (Fault::None, config.extra_latency.saturating_add(jitter))
    }
}

impl Tool for ChaosTool {
    fn spec(&self) -> &ToolSpec {
        self.inner.spec()
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> BoxFuture<'a, Result<Value, ToolError>> {
        let (fault, latency) = self.draw();
        let attempt = ctx.attempt;
        Box::pin(async move {
            if fault == Fault::Hang {
                return std::future::pending().await;
            }
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            match fault {
                Fault::Panic => panic!("chaos: injected panic on attempt {attempt}"),
                Fault::Error => Err(ToolError::transient(format!(
                    "chaos: injected failure on attempt {attempt}"
                ))),
                Fault::Malformed => Err(ToolError::BadOutput {
                    message: format!("chaos: injected malformed output on attempt {attempt}"),
                }),
                Fault::Hang | Fault::None => self.inner.call(input, ctx).await,
            }
        })
    }
}
