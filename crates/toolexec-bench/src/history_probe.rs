//! The `history` workload's measurements: calls in consecutive batches so that only
//! the history and statistics accumulate, the resident memory a kept record costs,
//! and the time of one statistics read at the end.

use std::future::Future;
use std::time::Duration;

use crate::outcome::{Answer, Outcome};
use crate::report::{rss_kb, Counts, HistoryCost, Measured};
use crate::settings::Settings;
use crate::stopwatch::{Spent, Stopwatch};

/// Calls per batch: small enough that a batch's own memory is reused from one batch to
/// the next, so only the history accumulates.
pub(crate) const CHUNK: usize = 10_000;

/// Batches run on an engine that keeps no history before measuring, so that the
/// allocator holds a batch's own memory before the resident set is first read.
const WARM_BATCHES: usize = 3;

/// Statistics reads timed one by one at the end; the median is reported, since a
/// single read on shared cores may be preempted.
const STATS_READS: usize = 21;

/// Runs `settings.calls` calls as batches of [`CHUNK`] with `round`, probing memory
/// with `kept` (records kept now) and timing one `read` of the statistics at the end.
/// `warm` runs the same batches on an engine that keeps no history, first, unmeasured.
pub(crate) async fn run_in_chunks<W, WF, R, F, T>(
    settings: &Settings,
    warm: W,
    round: R,
    kept: impl Fn() -> usize,
    read: impl Fn() -> T,
) -> Measured
where
    W: Fn(usize) -> WF,
    WF: Future<Output = Vec<Answer>>,
    R: Fn(usize) -> F,
    F: Future<Output = Vec<Answer>>,
{
    for _ in 0..WARM_BATCHES {
        warm(CHUNK.min(settings.calls)).await;
    }
    let mut counts = Counts::default();
    let mut probe = HistoryProbe::new(settings.history_capacity);
    probe.observe(kept());
    let mut spent = Spent::default();
    let mut done = 0;
    while done < settings.calls {
        let n = CHUNK.min(settings.calls - done);
        let stopwatch = Stopwatch::start();
        let answers = round(n).await;
        spent += stopwatch.stop();
        counts.add(Outcome::count(&answers));
        done += n;
        probe.observe(kept());
    }
    let mut reads: Vec<Duration> = (0..STATS_READS)
        .map(|_| {
            let start = std::time::Instant::now();
            std::hint::black_box(read());
            start.elapsed()
        })
        .collect();
    let first = reads[0];
    reads.sort();
    Measured {
        spent,
        counts,
        history: probe.finish(first, reads[reads.len() / 2]),
    }
}

/// Follows the resident set size while a history fills: from before the first measured
/// batch (warm allocator, empty history) to the moment the history is full, and on to
/// the end.
pub(crate) struct HistoryProbe {
    capacity: usize,
    start: Option<(u64, usize)>,
    full: Option<(u64, usize)>,
}

impl HistoryProbe {
    /// A probe for a history of `capacity` records.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            start: None,
            full: None,
        }
    }

    /// Called after each batch with the records kept now.
    pub(crate) fn observe(&mut self, kept: usize) {
        let rss = rss_kb().unwrap_or(0);
        if self.start.is_none() {
            self.start = Some((rss, kept));
        } else if self.full.is_none() && kept >= self.capacity {
            self.full = Some((rss, kept));
        }
    }

    /// The cost per record and the growth after the history filled up.
    pub(crate) fn finish(self, first_read: Duration, median_read: Duration) -> HistoryCost {
        let end = rss_kb().unwrap_or(0);
        let mut cost = HistoryCost {
            stats_read_us: Some(median_read.as_secs_f64() * 1e6),
            stats_first_read_us: Some(first_read.as_secs_f64() * 1e6),
            ..HistoryCost::default()
        };
        if let (Some((rss0, kept0)), Some((rss1, kept1))) = (self.start, self.full) {
            if kept1 > kept0 {
                let bytes = (rss1 as f64 - rss0 as f64) * 1024.0;
                cost.bytes_per_record = Some((bytes / (kept1 - kept0) as f64).round());
                cost.records_kept = Some(kept1);
                cost.rss_growth_after_full_kb = Some(end as i64 - rss1 as i64);
            }
        }
        cost
    }
}
