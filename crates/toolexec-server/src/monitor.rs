//! The monitor: one task subscribed to the executor's lifecycle events that feeds the
//! Prometheus metrics and the list of recent failures.
//!
//! Why events rather than rendering `executor.stats()` at scrape time: Prometheus wants
//! monotonic counters and cumulative histogram buckets, which can be summed across
//! instances and read over any window with `rate()` and `histogram_quantile()`.
//! `stats()` holds all-time percentiles, which can be neither summed nor windowed. The
//! events carry each call's tool, status, attempts and latency, which is all the metrics
//! need. The recorder is the `metrics-exporter-prometheus` one, built per server rather
//! than installed globally, so several servers (or tests) in one process stay apart.
//! Gauges of what is in flight are read from the executor at scrape time instead, so
//! they are exact even if the monitor missed events.
//!
//! A monitor that falls behind the event channel loses events; it counts them in
//! `toolexec_monitor_events_lost_total` rather than blocking the engine.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use toolexec_journal::{HealthState, JournalHealth};

use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use parking_lot::Mutex;
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;
use toolexec::{ExecutionEvent, Executor};

use crate::batch_store::FinishedCall;
use crate::watchlist::Watchlist;
use utoipa::ToSchema;

/// Recent failures kept for the dashboard and `GET /v1/stats`.
const FAILURES_KEPT: usize = 100;
/// Calls whose last failure message is remembered until they finish.
const PENDING_MESSAGES_MAX: usize = 10_000;
/// Latency buckets, in seconds: 1 ms to 5 min.
const LATENCY_BUCKETS: [f64; 16] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];
const UPKEEP_EVERY: Duration = Duration::from_secs(5);
/// The label of calls to tools the executor does not know, so that names sent by
/// clients cannot grow the label set without bound.
const UNREGISTERED: &str = "_unregistered";

/// A call that did not succeed, with the error of its last failed attempt.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FailureRecord {
    /// The call's id.
    pub call_id: String,
    /// The tool.
    pub tool_name: String,
    /// The final status: `failed`, `timeout`, `cancelled` or `rejected`.
    pub status: String,
    /// The error kind of the last failed attempt, when one ran.
    pub error_kind: Option<String>,
    /// The message of the last failed attempt, when one ran.
    pub message: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Whether a fallback answered.
    pub fallback: bool,
    /// The call's duration.
    pub execution_time_ms: f64,
    /// When it finished, in milliseconds since the Unix epoch.
    pub finished_at_ms: u64,
}

/// The metrics recorder, the recent failures and the task feeding them.
pub(crate) struct Monitor {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    failures: Arc<Mutex<VecDeque<FailureRecord>>>,
    task: JoinHandle<()>,
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Monitor {
    pub(crate) fn start(
        executor: &Executor,
        watchlist: Arc<Watchlist>,
        runtime: &tokio::runtime::Handle,
    ) -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("toolexec_call_duration_seconds".into()),
                &LATENCY_BUCKETS,
            )
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let recorder = Arc::new(recorder);
        let handle = recorder.handle();
        metrics::with_local_recorder(recorder.as_ref(), describe);
        let failures = Arc::new(Mutex::new(VecDeque::with_capacity(FAILURES_KEPT)));
        let feeder = Feeder {
            recorder: recorder.clone(),
            failures: failures.clone(),
            tools: executor.tools().into_iter().map(|t| t.name).collect(),
            messages: HashMap::new(),
            watchlist,
        };
        let task = runtime.spawn(feeder.run(executor.subscribe(), handle.clone()));
        Self {
            recorder,
            handle,
            failures,
            task,
        }
    }

    /// The Prometheus text exposition, with the in-flight gauges read now.
    pub(crate) fn render(&self, executor: &Executor, journal: Option<&JournalHealth>) -> String {
        metrics::with_local_recorder(self.recorder.as_ref(), || {
            metrics::gauge!("toolexec_calls_in_flight").set(executor.in_flight().len() as f64);
            metrics::gauge!("toolexec_attempts_running").set(executor.running_attempts() as f64);
            metrics::gauge!("toolexec_max_concurrency").set(executor.max_concurrency() as f64);
            if let Some(health) = journal {
                let degraded = matches!(health.state, HealthState::Degraded { .. });
                metrics::gauge!("toolexec_journal_degraded").set(f64::from(u8::from(degraded)));
                metrics::gauge!("toolexec_journal_queued").set(health.queued as f64);
                metrics::gauge!("toolexec_journal_written").set(health.written as f64);
                metrics::gauge!("toolexec_journal_dropped").set(health.dropped as f64);
            }
        });
        self.handle.render()
    }

    /// The newest failures, newest first.
    pub(crate) fn recent_failures(&self, limit: usize) -> Vec<FailureRecord> {
        self.failures
            .lock()
            .iter()
            .rev()
            .take(limit)
            .cloned()
            .collect()
    }
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "toolexec_calls_total",
        "Finished calls by tool and final status."
    );
    describe_counter!("toolexec_attempts_total", "Attempts started, by tool.");
    describe_gauge!(
        "toolexec_journal_degraded",
        "1 while the journal is degraded (a full queue, a failed write), else 0."
    );
    describe_gauge!(
        "toolexec_journal_queued",
        "Journal records waiting for the writer."
    );
    describe_gauge!(
        "toolexec_journal_written",
        "Journal records committed since start."
    );
    describe_gauge!(
        "toolexec_journal_dropped",
        "Journal records lost since start (full queue, failed writes)."
    );
    describe_counter!(
        "toolexec_attempt_failures_total",
        "Failed attempts, by tool and error kind."
    );
    describe_counter!("toolexec_retries_total", "Retries scheduled, by tool.");
    describe_counter!(
        "toolexec_retry_budget_stops_total",
        "Calls whose retry the retry budget refused, by tool."
    );
    describe_counter!(
        "toolexec_call_errors_total",
        "Calls that did not succeed, by tool and the kind of their last error."
    );
    describe_counter!(
        "toolexec_hedges_total",
        "Hedged attempts started beside slow ones, by tool."
    );
    describe_counter!(
        "toolexec_fallbacks_total",
        "Calls answered by a fallback, by tool."
    );
    describe_counter!(
        "toolexec_monitor_events_lost_total",
        "Lifecycle events the metrics task missed because it fell behind."
    );
    describe_histogram!(
        "toolexec_call_duration_seconds",
        Unit::Seconds,
        "Call latency from acceptance to envelope, retries included, by tool."
    );
    describe_gauge!(
        "toolexec_calls_in_flight",
        "Calls accepted and not yet finished."
    );
    describe_gauge!(
        "toolexec_attempts_running",
        "Attempts holding a concurrency permit."
    );
    describe_gauge!(
        "toolexec_max_concurrency",
        "The executor's concurrency limit."
    );
}

/// The task's own state.
struct Feeder {
    recorder: Arc<PrometheusRecorder>,
    failures: Arc<Mutex<VecDeque<FailureRecord>>>,
    tools: HashSet<String>,
    /// The last failure of each call still in flight.
    messages: HashMap<Arc<str>, (String, String)>,
    /// Calls of running batches, told how they finished.
    watchlist: Arc<Watchlist>,
}

impl Feeder {
    async fn run(
        mut self,
        mut events: tokio::sync::broadcast::Receiver<ExecutionEvent>,
        handle: PrometheusHandle,
    ) {
        let mut upkeep = tokio::time::interval(UPKEEP_EVERY);
        loop {
            tokio::select! {
                received = events.recv() => match received {
                    Ok(event) => self.record(event),
                    Err(RecvError::Lagged(lost)) => {
                        metrics::with_local_recorder(self.recorder.as_ref(), || {
                            metrics::counter!("toolexec_monitor_events_lost_total").increment(lost);
                        });
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = upkeep.tick() => handle.run_upkeep(),
            }
        }
    }

    fn tool_label(&self, name: &str) -> String {
        if self.tools.contains(name) {
            name.to_owned()
        } else {
            UNREGISTERED.to_owned()
        }
    }

    fn record(&mut self, event: ExecutionEvent) {
        let recorder = self.recorder.clone();
        metrics::with_local_recorder(recorder.as_ref(), || match event {
            ExecutionEvent::Started { .. } => {}
            ExecutionEvent::AttemptStarted {
                tool_name, hedge, ..
            } => {
                let tool = self.tool_label(&tool_name);
                if hedge {
                    metrics::counter!("toolexec_hedges_total", "tool" => tool.clone()).increment(1);
                }
                metrics::counter!("toolexec_attempts_total", "tool" => tool).increment(1);
            }
            ExecutionEvent::AttemptFailed {
                call_id,
                tool_name,
                kind,
                message,
                ..
            } => {
                metrics::counter!(
                    "toolexec_attempt_failures_total",
                    "tool" => self.tool_label(&tool_name),
                    "kind" => kind.as_str()
                )
                .increment(1);
                if kind == toolexec::ErrorKind::IdleTimeout {
                    metrics::counter!(
                        "toolexec_idle_timeouts_total",
                        "tool" => self.tool_label(&tool_name)
                    )
                    .increment(1);
                }
                if self.messages.len() >= PENDING_MESSAGES_MAX {
                    self.messages.clear();
                }
                self.messages
                    .insert(call_id, (kind.as_str().to_owned(), message));
            }
            ExecutionEvent::Progress { tool_name, .. } => {
                metrics::counter!(
                    "toolexec_progress_reports_total",
                    "tool" => self.tool_label(&tool_name)
                )
                .increment(1);
            }
            ExecutionEvent::RetryScheduled { tool_name, .. } => {
                metrics::counter!("toolexec_retries_total", "tool" => self.tool_label(&tool_name))
                    .increment(1);
            }
            ExecutionEvent::Finished {
                call_id,
                tool_name,
                status,
                success,
                fallback,
                attempts,
                execution_time_ms,
                error_kind: last_kind,
                retry_stopped_by,
            } => {
                self.watchlist.finished(
                    &call_id,
                    FinishedCall {
                        status,
                        success,
                        attempts,
                        execution_time_ms,
                    },
                );
                let tool = self.tool_label(&tool_name);
                metrics::counter!(
                    "toolexec_calls_total",
                    "tool" => tool.clone(),
                    "status" => status.as_str()
                )
                .increment(1);
                metrics::histogram!("toolexec_call_duration_seconds", "tool" => tool.clone())
                    .record(execution_time_ms / 1000.0);
                if let Some(kind) = last_kind {
                    metrics::counter!(
                        "toolexec_call_errors_total",
                        "tool" => tool.clone(),
                        "kind" => kind.as_str()
                    )
                    .increment(1);
                }
                if retry_stopped_by.is_some() {
                    metrics::counter!("toolexec_retry_budget_stops_total", "tool" => tool.clone())
                        .increment(1);
                }
                if fallback {
                    metrics::counter!("toolexec_fallbacks_total", "tool" => tool).increment(1);
                }
                let last_failure = self.messages.remove(&call_id);
                if status != toolexec::CallStatus::Success {
                    let (error_kind, message) = last_failure.unzip();
                    // A call a policy turned away made no attempt that could fail.
                    let error_kind =
                        error_kind.or_else(|| last_kind.map(|k| k.as_str().to_owned()));
                    self.push_failure(FailureRecord {
                        call_id: call_id.to_string(),
                        tool_name: tool_name.to_string(),
                        status: status.as_str().to_owned(),
                        error_kind,
                        message,
                        attempts,
                        fallback,
                        execution_time_ms,
                        finished_at_ms: unix_ms(),
                    });
                }
            }
        });
    }

    fn push_failure(&self, record: FailureRecord) {
        let mut failures = self.failures.lock();
        if failures.len() == FAILURES_KEPT {
            failures.pop_front();
        }
        failures.push_back(record);
    }
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
