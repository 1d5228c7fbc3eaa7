//! Execution statistics, kept incrementally: O(1) per recorded call, latency in an
//! HDR histogram, overall and per tool.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::{CallStatus, ErrorKind};

/// Latencies are recorded in microseconds, from 1 µs to one hour, to 2 significant
/// digits (1% error at any percentile), in about 26 KiB per histogram.
const HISTOGRAM_MAX_US: u64 = 3_600_000_000;
const HISTOGRAM_DIGITS: u8 = 2;

/// Statistics of a set of calls (all of them, or one tool's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Calls recorded.
    pub total: u64,
    /// Calls by final status (`success`, `failed`, `timeout`, `cancelled`, `rejected`).
    pub by_status: BTreeMap<CallStatus, u64>,
    /// `success / total`, 0 when there were no calls.
    pub success_rate: f64,
    /// Retries made (attempts beyond each call's first, hedges not counted).
    pub retries: u64,
    /// Hedges started: attempts beside a slow one, for tools with hedging.
    #[serde(default)]
    pub hedges: u64,
    /// Calls answered by a fallback.
    pub fallbacks: u64,
    /// Calls that did not succeed, by the kind of their last error (`rate_limited`,
    /// `concurrency_limited`, `circuit_open`, `timeout`...), fallbacks included.
    #[serde(default)]
    pub by_error_kind: BTreeMap<String, u64>,
    /// Calls whose retry the retry budget refused.
    #[serde(default)]
    pub retry_budget_stops: u64,
    /// Attempts ended by their idle timeout (no progress for `idle_timeout_ms`).
    #[serde(default)]
    pub idle_timeouts: u64,
    /// Mean call latency.
    pub avg_ms: f64,
    /// Median call latency.
    pub p50_ms: f64,
    /// 95th percentile call latency.
    pub p95_ms: f64,
    /// 99th percentile call latency.
    pub p99_ms: f64,
    /// Largest call latency.
    pub max_ms: f64,
}

/// Statistics overall and per tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionStats {
    /// Every call.
    pub overall: StatsSnapshot,
    /// Calls of registered tools, by tool name.
    pub per_tool: BTreeMap<String, StatsSnapshot>,
}

struct Accumulator {
    total: u64,
    by_status: [u64; CallStatus::FINAL.len()],
    retries: u64,
    hedges: u64,
    fallbacks: u64,
    /// Failed calls by error kind: few kinds, and only failures touch it.
    by_error_kind: Vec<(ErrorKind, u64)>,
    retry_budget_stops: u64,
    idle_timeouts: u64,
    latency_sum_us: u128,
    histogram: Histogram<u64>,
}

impl Default for Accumulator {
    fn default() -> Self {
        let histogram = Histogram::new_with_bounds(1, HISTOGRAM_MAX_US, HISTOGRAM_DIGITS)
            .expect("constant histogram bounds are valid");
        Self {
            total: 0,
            by_status: [0; CallStatus::FINAL.len()],
            retries: 0,
            hedges: 0,
            fallbacks: 0,
            by_error_kind: Vec::new(),
            retry_budget_stops: 0,
            idle_timeouts: 0,
            latency_sum_us: 0,
            histogram,
        }
    }
}

impl Accumulator {
    fn record(&mut self, sample: &Sample) {
        self.total += 1;
        if let Some(i) = CallStatus::FINAL.iter().position(|s| *s == sample.status) {
            self.by_status[i] += 1;
        }
        let hedges = sample.hedges.min(sample.attempts);
        self.retries += u64::from(sample.attempts.saturating_sub(1 + hedges));
        self.hedges += u64::from(hedges);
        self.fallbacks += u64::from(sample.fallback);
        if let Some(kind) = sample.error_kind {
            self.count_kind(kind, 1);
        }
        self.retry_budget_stops += u64::from(sample.retry_budget_stop);
        self.idle_timeouts += u64::from(sample.idle_timeouts);
        let us = u64::try_from(sample.latency.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_us += u128::from(us);
        self.histogram.saturating_record(us.max(1));
    }

    /// Adds another set of calls' statistics to these.
    fn merge(&mut self, other: &Accumulator) {
        self.total += other.total;
        for (mine, theirs) in self.by_status.iter_mut().zip(other.by_status) {
            *mine += theirs;
        }
        self.retries += other.retries;
        self.hedges += other.hedges;
        self.fallbacks += other.fallbacks;
        for &(kind, count) in &other.by_error_kind {
            self.count_kind(kind, count);
        }
        self.retry_budget_stops += other.retry_budget_stops;
        self.idle_timeouts += other.idle_timeouts;
        self.latency_sum_us += other.latency_sum_us;
        // Both histograms share their bounds, so adding cannot fail.
        let _ = self.histogram.add(&other.histogram);
    }

    fn count_kind(&mut self, kind: ErrorKind, count: u64) {
        match self.by_error_kind.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += count,
            None => self.by_error_kind.push((kind, count)),
        }
    }

    fn snapshot(&self) -> StatsSnapshot {
        let ms = |us: u64| us as f64 / 1000.0;
        let quantile = |q: f64| {
            if self.total == 0 {
                0.0
            } else {
                ms(self.histogram.value_at_quantile(q))
            }
        };
        let success = self.by_status[0];
        StatsSnapshot {
            total: self.total,
            by_status: CallStatus::FINAL
                .iter()
                .copied()
                .zip(self.by_status)
                .collect(),
            success_rate: if self.total == 0 {
                0.0
            } else {
                success as f64 / self.total as f64
            },
            retries: self.retries,
            hedges: self.hedges,
            fallbacks: self.fallbacks,
            by_error_kind: self
                .by_error_kind
                .iter()
                .map(|(kind, n)| (kind.as_str().to_owned(), *n))
                .collect(),
            retry_budget_stops: self.retry_budget_stops,
            idle_timeouts: self.idle_timeouts,
            avg_ms: if self.total == 0 {
                0.0
            } else {
                self.latency_sum_us as f64 / self.total as f64 / 1000.0
            },
            p50_ms: quantile(0.50),
            p95_ms: quantile(0.95),
            p99_ms: quantile(0.99),
            max_ms: if self.total == 0 {
                0.0
            } else {
                ms(self.histogram.max())
            },
        }
    }
}

/// What the statistics learn from one finished call.
pub(crate) struct Sample {
    pub(crate) status: CallStatus,
    pub(crate) attempts: u32,
    /// Hedges among the attempts.
    pub(crate) hedges: u32,
    /// The kind of its last error, when it did not succeed.
    pub(crate) error_kind: Option<ErrorKind>,
    /// Whether the retry budget refused its retry.
    pub(crate) retry_budget_stop: bool,
    /// Attempts ended by their idle timeout.
    pub(crate) idle_timeouts: u32,
    pub(crate) fallback: bool,
    pub(crate) latency: Duration,
}

/// One tool's statistics; recording and reading each hold its lock for a few
/// microseconds.
#[derive(Default)]
pub(crate) struct ToolAccumulator(Mutex<Accumulator>);

impl ToolAccumulator {
    pub(crate) fn record(&self, sample: &Sample) {
        self.0.lock().record(sample);
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        self.0.lock().snapshot()
    }
}

/// Statistics of several sets of calls together, merged when read: a call records into
/// its own tool's accumulator only, one lock per call, and "overall" is the sum.
#[derive(Default)]
pub(crate) struct Merged(Accumulator);

impl Merged {
    /// Adds `part` and hands back its own snapshot.
    pub(crate) fn add(&mut self, part: &ToolAccumulator) -> StatsSnapshot {
        let part = part.0.lock();
        self.0.merge(&part);
        part.snapshot()
    }

    /// Adds `part`, whose own snapshot nobody asked for.
    pub(crate) fn include(&mut self, part: &ToolAccumulator) {
        self.0.merge(&part.0.lock());
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        self.0.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(status: CallStatus, ms: u64, attempts: u32) -> Sample {
        Sample {
            status,
            attempts,
            hedges: 0,
            error_kind: None,
            retry_budget_stop: false,
            idle_timeouts: 0,
            fallback: false,
            latency: Duration::from_millis(ms),
        }
    }

    #[test]
    fn snapshot_counts_rates_and_percentiles() {
        let acc = ToolAccumulator::default();
        for ms in 1..=100 {
            let status = if ms % 4 == 0 {
                CallStatus::Failed
            } else {
                CallStatus::Success
            };
            acc.record(&sample(status, ms, if ms == 1 { 3 } else { 1 }));
        }
        let s = acc.snapshot();
        assert_eq!(s.total, 100);
        assert_eq!(s.by_status[&CallStatus::Success], 75);
        assert_eq!(s.by_status[&CallStatus::Failed], 25);
        assert!((s.success_rate - 0.75).abs() < 1e-9);
        assert_eq!(s.retries, 2);
        assert!((s.avg_ms - 50.5).abs() < 1e-9);
        assert!((s.p50_ms - 50.0).abs() <= 0.5, "p50 {}", s.p50_ms);
        assert!((s.p95_ms - 95.0).abs() <= 1.0, "p95 {}", s.p95_ms);
        assert!((s.p99_ms - 99.0).abs() <= 1.0, "p99 {}", s.p99_ms);
    }

    #[test]
    fn merged_statistics_are_those_of_all_the_calls_together() {
        let (fast, slow, all) = (
            ToolAccumulator::default(),
            ToolAccumulator::default(),
            ToolAccumulator::default(),
        );
        for ms in 1..=60 {
            fast.record(&sample(CallStatus::Success, ms, 1));
            all.record(&sample(CallStatus::Success, ms, 1));
        }
        for ms in 61..=100 {
            slow.record(&sample(CallStatus::Timeout, ms, 2));
            all.record(&sample(CallStatus::Timeout, ms, 2));
        }
        let mut merged = Merged::default();
        assert_eq!(merged.add(&fast), fast.snapshot());
        assert_eq!(merged.add(&slow), slow.snapshot());
        assert_eq!(merged.snapshot(), all.snapshot());
        assert_eq!(merged.snapshot().total, 100);
        assert_eq!(merged.snapshot().retries, 40);
    }

    #[test]
    fn empty_snapshot_is_all_zero() {
        let s = ToolAccumulator::default().snapshot();
        assert_eq!(s.total, 0);
        assert_eq!(s.success_rate, 0.0);
        assert_eq!(s.p99_ms, 0.0);
    }
}
