//! The JSON line of one run (docs/CONTRACTS.md, the benchmark harness) and the process memory it quotes.

use std::time::Duration;

use serde::Serialize;

use crate::journal::JournalCost;
use crate::settings::Settings;
use crate::stopwatch::Spent;

/// How the calls of one run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Calls that succeeded.
    pub(crate) ok: u64,
    /// Calls that failed for any reason other than a timeout.
    pub(crate) failed: u64,
    /// Calls ended by an attempt timeout or a deadline.
    pub(crate) timeout: u64,
}

impl Counts {
    /// Adds the counts of another run.
    pub(crate) fn add(&mut self, other: Counts) {
        self.ok += other.ok;
        self.failed += other.failed;
        self.timeout += other.timeout;
    }
}

/// What the `history` workload measures beyond the common fields.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct HistoryCost {
    /// Resident memory added per kept record, at the bounded capacity.
    pub(crate) bytes_per_record: Option<f64>,
    /// Records kept when measured.
    pub(crate) records_kept: Option<usize>,
    /// Resident memory added between the history filling up and the last call, in
    /// KiB: close to 0 when the history is really bounded.
    pub(crate) rss_growth_after_full_kb: Option<i64>,
    /// Time of one statistics read after all the calls, in microseconds (median of
    /// several reads, each timed alone).
    pub(crate) stats_read_us: Option<f64>,
    /// Time of the first of those reads, in microseconds.
    pub(crate) stats_first_read_us: Option<f64>,
}

/// The outcome of one run, before the figures derived from settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Measured {
    pub(crate) spent: Spent,
    pub(crate) counts: Counts,
    pub(crate) history: HistoryCost,
}

/// The JSON line.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    #[serde(rename = "impl")]
    implementation: &'static str,
    workload: &'static str,
    /// Whether the batch was consumed as a stream (`--stream`).
    stream: bool,
    /// Whether the batch ran in a spawned task (`--in-task`).
    in_task: bool,
    /// Whether the tool had a rate limit and a bulkhead (`--policies`).
    policies: bool,
    calls: usize,
    concurrency: usize,
    wall_ms: f64,
    ideal_ms: f64,
    /// `ideal / wall`; `null` for workloads whose ideal is 0.
    efficiency: Option<f64>,
    calls_per_s: f64,
    /// Process CPU time (wall time x threads busy) per call.
    per_call_overhead_us: f64,
    /// Process CPU time of the measured region.
    cpu_ms: f64,
    ok: u64,
    failed: u64,
    timeout: u64,
    peak_rss_kb: u64,
    worker_threads: usize,
    /// The harness's memory allocator: `system`, or `jemalloc` (built with the
    /// `jemalloc` feature).
    allocator: &'static str,
    #[serde(flatten)]
    history: HistoryCost,
    /// What the journal cost (`--journal`); `null` without it.
    journal: Option<JournalCost>,
}

impl Report {
    /// Derives the figures of a run from its settings and measurements.
    pub(crate) fn new(settings: &Settings, measured: Measured, worker_threads: usize) -> Self {
        let wall_ms = ms(measured.spent.wall);
        let cpu_ms = ms(measured.spent.cpu);
        let ideal_ms = ms(settings.ideal());
        let calls = settings.calls as f64;
        Self {
            implementation: settings.implementation.name(),
            workload: settings.workload.name(),
            stream: settings.stream,
            in_task: settings.in_task,
            policies: settings.policies,
            calls: settings.calls,
            concurrency: settings.concurrency,
            wall_ms: round(wall_ms, 3),
            ideal_ms,
            efficiency: (ideal_ms > 0.0).then(|| round(ideal_ms / wall_ms, 4)),
            calls_per_s: round(calls / measured.spent.wall.as_secs_f64(), 1),
            per_call_overhead_us: round(cpu_ms * 1000.0 / calls, 4),
            cpu_ms,
            ok: measured.counts.ok,
            failed: measured.counts.failed,
            timeout: measured.counts.timeout,
            peak_rss_kb: proc_status_kb("VmHWM:").unwrap_or(0),
            worker_threads,
            allocator: if cfg!(feature = "jemalloc") {
                "jemalloc"
            } else {
                "system"
            },
            history: measured.history,
            journal: None,
        }
    }

    /// Adds what the journal cost (`--journal`).
    pub(crate) fn with_journal(mut self, journal: Option<JournalCost>) -> Self {
        self.journal = journal;
        self
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `value` rounded to `digits` decimals.
pub(crate) fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// The resident set size of this process now, in KiB.
pub(crate) fn rss_kb() -> Option<u64> {
    proc_status_kb("VmRSS:")
}

/// A `kB` field of `/proc/self/status` (`VmHWM:` is the peak resident set size).
fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}
