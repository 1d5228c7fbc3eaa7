//! The `sim` tool: a scripted tool for tests, demos, benchmarks and chaos drills.
//!
//! Users test their agents against it too, so it is public: it waits, fails its first
//! attempts, hangs or panics on a schedule, and fails at random with a seeded rate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{CallContext, Progress, Tool, ToolAnnotations, ToolError, ToolSpec};

/// How a [`SimTool`] behaves.
///
/// # Default
///
/// No latency, no failures, no hangs, no panics, seed 0.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SimConfig {
    /// How long each attempt waits before answering.
    pub latency: Duration,
    /// Extra latency, uniform in `[0, latency_jitter]`, drawn from the seeded generator.
    pub latency_jitter: Duration,
    /// Attempts of every call that fail with a transient error (attempt numbers
    /// `1..=fail_first`).
    pub fail_first: u32,
    /// Every Nth invocation of the tool (counting attempts) never returns; 0 never.
    pub hang_every: u64,
    /// Every Nth invocation panics; 0 never.
    pub panic_every: u64,
    /// Probability that an attempt fails with a transient error.
    pub fail_rate: f64,
    /// The seed of the generator behind `latency_jitter` and `fail_rate`.
    pub seed: u64,
}

/// Per-call script, read from the call's input; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SimInput {
    /// Replaces the configured latency for this call.
    latency_ms: Option<u64>,
    /// Fails attempts with this error kind (`invalid_input`, `tool_error`,
    /// `throttled`, `transient`, `outcome_unknown`, `bad_output`, `not_found`,
    /// `permission_denied`).
    fail_with: Option<String>,
    /// How many attempts fail with `fail_with`; all when absent.
    fail_attempts: Option<u32>,
    /// The retry-after hint of a `throttled` failure.
    retry_after_ms: Option<u64>,
    /// Reports progress this many times, evenly over the latency (`k` of `steps`
    /// after each step), for drills of idle timeouts and for watching a call live.
    progress_steps: Option<u32>,
}

/// The most progress reports one call of the sim tool makes.
const MAX_PROGRESS_STEPS: u32 = 1_000;

/// What one invocation of the sim tool does, decided when it is called.
enum Plan {
    /// Never answers.
    Hang,
    /// Waits `latency`, then answers: on success with the attempt and invocation
    /// numbers (the JSON is built only then).
    Answer {
        latency: Duration,
        outcome: Result<(u32, u64), ToolError>,
        /// Progress reports spread over the latency (0: none).
        steps: u32,
    },
}

/// A scripted tool; see the module docs.
#[derive(Debug)]
pub struct SimTool {
    spec: ToolSpec,
    config: SimConfig,
    invocations: AtomicU64,
    rng: Mutex<fastrand::Rng>,
}

impl SimTool {
    /// A sim tool named `name`.
    pub fn new(name: impl Into<String>, config: SimConfig) -> Self {
        let spec = ToolSpec::new(
            name,
            "Scripted test tool: waits `latency_ms`, then answers, or fails as its \
             configuration and the input's `fail_with`/`fail_attempts` say.",
        )
        .with_input_schema(json!({
            "type": "object",
            "properties": {
                "latency_ms": {"type": "integer", "minimum": 0},
                "fail_with": {"type": "string"},
                "fail_attempts": {"type": "integer", "minimum": 0},
                "retry_after_ms": {"type": "integer", "minimum": 0},
                "progress_steps": {"type": "integer", "minimum": 0, "maximum": MAX_PROGRESS_STEPS}
            }
        }))
        .with_annotations(ToolAnnotations::read_only());
        Self {
            spec,
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            config,
            invocations: AtomicU64::new(0),
        }
    }

    /// Replaces the spec's annotations (to script a mutating tool, say).
    #[must_use]
    pub fn with_annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.spec.annotations = annotations;
        self
    }

    /// Invocations so far, counting every attempt.
    pub fn invocations(&self) -> u64 {
        self.invocations.load(Ordering::Relaxed)
    }

    /// Decides at once what this invocation does, so that the future the tool hands
    /// back holds only the wait and the outcome (not the call context, the input and
    /// the parsed script besides them). A scripted panic happens here, when the engine
    /// asks for the future.
    fn plan(&self, input: &Value, ctx: &CallContext) -> Plan {
        let n = self.invocations.fetch_add(1, Ordering::Relaxed) + 1;
        let script: SimInput = if input.as_object().is_some_and(|o| o.is_empty()) {
            SimInput::default()
        } else {
            match serde_json::from_value(input.clone()) {
                Ok(script) => script,
                Err(e) => {
                    return Plan::Answer {
                        latency: Duration::ZERO,
                        outcome: Err(ToolError::InvalidInput {
                            field: None,
                            message: e.to_string(),
                        }),
                        steps: 0,
                    };
                }
            }
        };
        let config = &self.config;
        if config.panic_every > 0 && n % config.panic_every == 0 {
            panic!(
                "sim tool `{}`: scripted panic on invocation {n}",
                self.spec.name
            );
        }
        if config.hang_every > 0 && n % config.hang_every == 0 {
            return Plan::Hang;
        }
        let (jitter, random_failure) = self.draw();
        let latency = script
            .latency_ms
            .map(Duration::from_millis)
            .unwrap_or(config.latency)
            + jitter;
        let attempt = ctx.attempt;
        let outcome = match &script.fail_with {
            Some(kind) if script.fail_attempts.is_none_or(|k| attempt <= k) => {
                Err(scripted_error(kind, attempt, script.retry_after_ms))
            }
            _ if attempt <= config.fail_first || random_failure => Err(ToolError::transient(
                format!("sim: scripted transient failure on attempt {attempt}"),
            )),
            _ => Ok((attempt, n)),
        };
        let steps = script.progress_steps.unwrap_or(0).min(MAX_PROGRESS_STEPS);
        Plan::Answer {
            latency,
            outcome,
            steps,
        }
    }

    fn draw(&self) -> (Duration, bool) {
        let config = &self.config;
        if config.latency_jitter.is_zero() && config.fail_rate <= 0.0 {
            return (Duration::ZERO, false);
        }
        let mut rng = self.rng.lock();
        let max = u64::try_from(config.latency_jitter.as_nanos()).unwrap_or(u64::MAX);
        let jitter = Duration::from_nanos(rng.u64(0..=max));
        (jitter, rng.f64() < config.fail_rate)
    }
}

fn scripted_error(kind: &str, attempt: u32, retry_after_ms: Option<u64>) -> ToolError {
    let message = format!("sim: scripted {kind} on attempt {attempt}");
    match kind {
        "invalid_input" => ToolError::invalid_input("fail_with", message),
        "tool_error" => ToolError::Failed {
            error_type: Some("SimError".into()),
            message,
        },
        "throttled" => ToolError::Throttled {
            message,
            retry_after: retry_after_ms.map(Duration::from_millis),
        },
        "outcome_unknown" => ToolError::OutcomeUnknown { message },
        "bad_output" => ToolError::BadOutput { message },
        "not_found" => ToolError::NotFound { message },
        "permission_denied" => ToolError::PermissionDenied { message },
        _ => ToolError::transient(message),
    }
}

impl Tool for SimTool {
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> BoxFuture<'a, Result<Value, ToolError>> {
        let plan = self.plan(input, &ctx);
        // Decided before the `async` block, which so keeps only what it waits for and
        // answers (a hanging call's future has nothing to keep, and no allocation).
        let (latency, outcome, steps) = match plan {
            Plan::Hang => return Box::pin(std::future::pending()),
            Plan::Answer {
                latency,
                outcome,
                steps,
            } => (latency, outcome, steps),
        };
        if steps > 0 {
            return Box::pin(async move {
                for step in 1..=steps {
                    tokio::time::sleep(latency / steps).await;
                    ctx.report_progress(Progress::new(step.into()).with_total(steps.into()));
                }
                outcome.map(|(attempt, n)| json!({"ok": true, "attempt": attempt, "invocation": n}))
            });
        }
        drop(ctx);
        Box::pin(async move {
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            outcome.map(|(attempt, n)| json!({"ok": true, "attempt": attempt, "invocation": n}))
        })
    }
}
