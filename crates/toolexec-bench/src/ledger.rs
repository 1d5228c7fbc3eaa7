//! The baselines' history: they have none of their own, so in the `history` workload
//! they get [`Ledger`], the least a hand-written engine would keep (a bounded ring of
//! small records and counters with one latency histogram, behind locks), the floor for
//! the engine's history and statistics.

use std::collections::VecDeque;
use std::time::Duration;

use hdrhistogram::Histogram;
use parking_lot::Mutex;

/// One finished call, as the baselines record it.
#[derive(Debug, Clone, Copy)]
struct LedgerRecord {
    _sequence: u64,
    _status: u8,
    _attempts: u32,
    _latency: Duration,
}

/// A bounded ring of records and counters with a latency histogram.
pub(crate) struct Ledger {
    capacity: usize,
    records: Mutex<VecDeque<LedgerRecord>>,
    stats: Mutex<(u64, [u64; 3], Histogram<u64>)>,
}

impl Ledger {
    /// An empty ledger keeping `capacity` records.
    pub(crate) fn new(capacity: usize) -> anyhow::Result<Self> {
        Ok(Self {
            capacity,
            records: Mutex::new(VecDeque::new()),
            stats: Mutex::new((0, [0; 3], Histogram::new_with_bounds(1, 3_600_000_000, 2)?)),
        })
    }

    /// Records a finished call; `status` is 0 ok, 1 failed, 2 timeout.
    pub(crate) fn record(&self, sequence: u64, status: u8, attempts: u32, latency: Duration) {
        {
            let mut stats = self.stats.lock();
            stats.0 += 1;
            stats.1[usize::from(status.min(2))] += 1;
            let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
            stats.2.saturating_record(us.max(1));
        }
        if self.capacity == 0 {
            return;
        }
        let mut records = self.records.lock();
        if records.len() == self.capacity {
            records.pop_front();
        }
        records.push_back(LedgerRecord {
            _sequence: sequence,
            _status: status,
            _attempts: attempts,
            _latency: latency,
        });
    }

    /// Records kept now.
    pub(crate) fn len(&self) -> usize {
        self.records.lock().len()
    }

    /// A statistics read comparable to the engine's: counts and four percentiles.
    pub(crate) fn read(&self) -> [f64; 5] {
        let stats = self.stats.lock();
        let h = &stats.2;
        [
            stats.0 as f64,
            h.value_at_quantile(0.5) as f64,
            h.value_at_quantile(0.95) as f64,
            h.value_at_quantile(0.99) as f64,
            h.max() as f64,
        ]
    }
}
