//! The command line: workload, implementation and the flags of docs/CONTRACTS.md (the
//! benchmark harness), with per-workload defaults from BENCHMARKS.md ("Workloads").

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// A workload of BENCHMARKS.md ("Workloads").
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Workload {
    /// 100,000 calls that return at once, 64 at a time: per-call overhead.
    Noop,
    /// 10,000 calls of 10 ms, 1,000 at a time.
    Fanout,
    /// 5,000 calls of 5 ms failing their first 2 attempts, 10 ms doubling backoff.
    Flaky,
    /// 5,000 calls, every 10th hangs, 50 ms attempt timeout, no retries.
    Timeouts,
    /// 1,000,000 calls that return at once with history and stats kept.
    History,
    /// 1,000,000 concurrent calls of a 1 s tool.
    Scale,
}

impl Workload {
    /// The name used on the command line and in the JSON line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Noop => "noop",
            Self::Fanout => "fanout",
            Self::Flaky => "flaky",
            Self::Timeouts => "timeouts",
            Self::History => "history",
            Self::Scale => "scale",
        }
    }
}

/// What runs the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Impl {
    /// The toolexec engine.
    Toolexec,
    /// Tokio tasks in a JoinSet under a semaphore, a timeout and a hand-written retry loop.
    Raw,
    /// tower's concurrency-limit, timeout and retry layers.
    Tower,
}

impl Impl {
    /// The name used on the command line and in the JSON line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Toolexec => "toolexec",
            Self::Raw => "raw",
            Self::Tower => "tower",
        }
    }
}

/// Runs one workload on one implementation and prints one JSON line.
#[derive(Debug, Parser)]
#[command(name = "toolexec-bench", version, about)]
pub(crate) struct Args {
    /// The workload (see BENCHMARKS.md, "Workloads").
    #[arg(long, value_enum)]
    workload: Workload,
    /// The implementation that runs it.
    #[arg(long = "impl", value_enum, default_value = "toolexec")]
    implementation: Impl,
    /// Calls to make.
    #[arg(long)]
    calls: Option<usize>,
    /// Attempts running at once.
    #[arg(long)]
    concurrency: Option<usize>,
    /// Latency of each attempt of the sim tool, in milliseconds.
    #[arg(long)]
    latency_ms: Option<u64>,
    /// Attempts of every call that fail with a transient error.
    #[arg(long)]
    fail_first: Option<u32>,
    /// The first backoff delay (doubling, no jitter), in milliseconds.
    #[arg(long)]
    backoff_ms: Option<u64>,
    /// The attempt timeout, in milliseconds.
    #[arg(long)]
    timeout_ms: Option<u64>,
    /// Every Mth invocation of the tool hangs; 0 never.
    #[arg(long)]
    hang_every: Option<u64>,
    /// Retries after the first attempt (default: 0 for `timeouts`, 3 otherwise).
    #[arg(long)]
    retries: Option<u32>,
    /// History records kept by the engine (and the baselines' ledger) in `history`.
    #[arg(long, default_value_t = 100_000)]
    history_capacity: usize,
    /// Records every batch and call in a durable journal (`--impl toolexec` only): a
    /// fresh temporary file, or PATH; the time to commit it all is measured after the
    /// workload.
    #[arg(long, value_name = "PATH", num_args = 0..=1)]
    journal: Option<Option<PathBuf>>,
    /// Records the journal's queue holds before it drops (default: the journal's own,
    /// 65,536). Needs `--journal`.
    #[arg(long, value_name = "RECORDS", requires = "journal")]
    journal_queue: Option<usize>,
    /// Exports every span of the engine and the tool-duration metric over OTLP/HTTP to
    /// URL, a collector's base URL (as `OTEL_EXPORTER_OTLP_ENDPOINT` does for the CLI):
    /// the cost of tracing every call. The other `OTEL_*` variables apply.
    #[arg(long, value_name = "URL")]
    otlp_endpoint: Option<String>,
    /// Consumes the batch as a stream, each envelope as its call ends
    /// (`execute_batch_stream`), rather than collected at the end (`--impl toolexec`
    /// only; not for `history`).
    #[arg(long)]
    stream: bool,
    /// Runs the measured batch (and, with `--stream`, its reader) in a task spawned on
    /// the runtime rather than on the main thread that waits for it (`--impl toolexec`
    /// only; not for `history`).
    #[arg(long)]
    in_task: bool,
    /// Puts a rate limit and a bulkhead on the tool (`--impl toolexec` only), set so
    /// that neither holds a call up: what the two policies cost on every call.
    #[arg(long)]
    policies: bool,
}

/// A fully resolved run: the flags with the workload's defaults filled in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) workload: Workload,
    pub(crate) implementation: Impl,
    pub(crate) calls: usize,
    pub(crate) concurrency: usize,
    pub(crate) latency: Duration,
    pub(crate) fail_first: u32,
    pub(crate) backoff: Duration,
    pub(crate) timeout: Duration,
    pub(crate) hang_every: u64,
    pub(crate) retries: u32,
    pub(crate) history_capacity: usize,
    pub(crate) stream: bool,
    pub(crate) in_task: bool,
    pub(crate) policies: bool,
}

impl Args {
    /// Fills the flags not given with the workload's defaults.
    pub(crate) fn resolve(&self) -> anyhow::Result<Settings> {
        let (calls, concurrency, latency_ms, fail_first, timeout_ms, hang_every) =
            match self.workload {
                Workload::Noop => (100_000, 64, 0, 0, 30_000, 0),
                Workload::Fanout => (10_000, 1_000, 10, 0, 30_000, 0),
                Workload::Flaky => (5_000, 5_000, 5, 2, 30_000, 0),
                Workload::Timeouts => (5_000, 5_000, 0, 0, 50, 10),
                Workload::History => (1_000_000, 64, 0, 0, 30_000, 0),
                Workload::Scale => (1_000_000, 1_000_000, 1_000, 0, 30_000, 0),
            };
        let default_retries = if self.workload == Workload::Timeouts {
            0
        } else {
            3
        };
        let settings = Settings {
            workload: self.workload,
            implementation: self.implementation,
            calls: self.calls.unwrap_or(calls),
            concurrency: self.concurrency.unwrap_or(concurrency),
            latency: Duration::from_millis(self.latency_ms.unwrap_or(latency_ms)),
            fail_first: self.fail_first.unwrap_or(fail_first),
            backoff: Duration::from_millis(self.backoff_ms.unwrap_or(10)),
            timeout: Duration::from_millis(self.timeout_ms.unwrap_or(timeout_ms)),
            hang_every: self.hang_every.unwrap_or(hang_every),
            retries: self.retries.unwrap_or(default_retries),
            history_capacity: self.history_capacity,
            stream: self.stream,
            in_task: self.in_task,
            policies: self.policies,
        };
        anyhow::ensure!(
            self.journal.is_none() || settings.implementation == Impl::Toolexec,
            "--journal measures the engine's journal: it needs --impl toolexec, not {}",
            settings.implementation.name()
        );
        anyhow::ensure!(
            !self.stream || settings.implementation == Impl::Toolexec,
            "--stream measures the engine's streamed batch: it needs --impl toolexec, not {}",
            settings.implementation.name()
        );
        anyhow::ensure!(
            !self.stream || settings.workload != Workload::History,
            "--stream measures one batch; `history` runs many"
        );
        anyhow::ensure!(
            !self.in_task
                || (settings.implementation == Impl::Toolexec
                    && settings.workload != Workload::History),
            "--in-task runs the engine's one measured batch in a task: it needs --impl \
             toolexec and a workload other than `history`"
        );
        anyhow::ensure!(
            !self.policies || settings.implementation == Impl::Toolexec,
            "--policies measures the engine's rate limit and bulkhead: it needs --impl toolexec"
        );
        anyhow::ensure!(
            self.journal_queue != Some(0),
            "--journal-queue must be at least 1"
        );
        anyhow::ensure!(settings.calls > 0, "--calls must be at least 1");
        anyhow::ensure!(settings.concurrency > 0, "--concurrency must be at least 1");
        anyhow::ensure!(
            !settings.timeout.is_zero(),
            "--timeout-ms must be at least 1"
        );
        anyhow::ensure!(
            !settings.backoff.is_zero(),
            "--backoff-ms must be at least 1"
        );
        Ok(settings)
    }
}

impl Args {
    /// `--journal`: `None` without the flag, `Some(None)` for a temporary file,
    /// `Some(Some(path))` for PATH.
    pub(crate) fn journal(&self) -> Option<Option<&Path>> {
        self.journal.as_ref().map(Option::as_deref)
    }

    /// `--journal-queue`: the journal's queue capacity, when given.
    pub(crate) fn journal_queue(&self) -> Option<usize> {
        self.journal_queue
    }

    /// `--otlp-endpoint`: where spans are exported, when given.
    pub(crate) fn otlp_endpoint(&self) -> Option<&str> {
        self.otlp_endpoint.as_deref()
    }
}

impl Settings {
    /// The backoff before retry `n` (1-based): `backoff * 2^(n-1)`.
    pub(crate) fn backoff_before(&self, retry: u32) -> Duration {
        self.backoff * 2u32.saturating_pow(retry.saturating_sub(1).min(20))
    }

    /// The wall time of a perfect engine: every call's attempts and backoffs back to
    /// back, in waves of `concurrency` calls.
    pub(crate) fn ideal(&self) -> Duration {
        let failing = self.fail_first.min(self.retries);
        let mut per_call = Duration::ZERO;
        for retry in 1..=failing {
            per_call += self.latency.min(self.timeout) + self.backoff_before(retry);
        }
        let last = if self.fail_first > self.retries {
            Duration::ZERO
        } else {
            self.latency.min(self.timeout)
        };
        per_call += last;
        if self.hang_every > 0 && self.hang_every <= self.calls as u64 {
            per_call = per_call.max(self.timeout * (self.retries + 1));
        }
        let waves = self.calls.div_ceil(self.concurrency) as u32;
        per_call * waves
    }
}
