//! A bounded history of finished calls: the newest `capacity` records, in order.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::Serialize;

use crate::{CallStatus, ErrorKind};

/// A compact record of one finished call (no input or result, so memory stays small).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionRecord {
    /// The order in which the call was accepted, from 0 for each executor.
    pub sequence: u64,
    /// The call's id.
    pub call_id: Arc<str>,
    /// The tool the call asked for.
    pub tool_name: Arc<str>,
    /// The final status.
    pub status: CallStatus,
    /// The error kind, if the real call failed.
    pub error_kind: Option<ErrorKind>,
    /// Attempts made.
    pub attempts: u32,
    /// Whether a fallback answered.
    pub fallback: bool,
    /// How long the call took.
    #[serde(serialize_with = "serialize_ms")]
    pub latency: Duration,
    /// When the call finished, since the executor was built.
    #[serde(serialize_with = "serialize_ms")]
    pub finished_at: Duration,
}

fn serialize_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// The newest `capacity` execution records.
#[derive(Debug)]
pub struct History {
    capacity: usize,
    records: Mutex<VecDeque<ExecutionRecord>>,
}

impl History {
    /// An empty history keeping at most `capacity` records (0 keeps none).
    ///
    /// Room for up to a million records is reserved at once (address space only: the
    /// memory is touched as records arrive), so filling it never copies the ring.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            records: Mutex::new(VecDeque::with_capacity(capacity.min(1 << 20))),
        }
    }

    /// The most records kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub(crate) fn push(&self, record: ExecutionRecord) {
        if self.capacity == 0 {
            return;
        }
        let evicted = {
            let mut records = self.records.lock();
            let evicted = if records.len() == self.capacity {
                records.pop_front()
            } else {
                None
            };
            records.push_back(record);
            evicted
        };
        drop(evicted);
    }

    /// Records kept now.
    pub fn len(&self) -> usize {
        self.records.lock().len()
    }

    /// Whether no record is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The newest `limit` records, oldest first.
    pub fn recent(&self, limit: usize) -> Vec<ExecutionRecord> {
        let records = self.records.lock();
        let skip = records.len().saturating_sub(limit);
        records.iter().skip(skip).cloned().collect()
    }

    /// The newest record of the call with that id.
    pub fn find(&self, call_id: &str) -> Option<ExecutionRecord> {
        let records = self.records.lock();
        records
            .iter()
            .rev()
            .find(|r| &*r.call_id == call_id)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sequence: u64) -> ExecutionRecord {
        ExecutionRecord {
            sequence,
            call_id: format!("c-{sequence}").into(),
            tool_name: "t".into(),
            status: CallStatus::Success,
            error_kind: None,
            attempts: 1,
            fallback: false,
            latency: Duration::ZERO,
            finished_at: Duration::ZERO,
        }
    }

    #[test]
    fn keeps_only_the_newest_capacity_records() {
        let history = History::new(3);
        for i in 0..10 {
            history.push(record(i));
        }
        let seqs: Vec<u64> = history.recent(10).iter().map(|r| r.sequence).collect();
        assert_eq!(seqs, [7, 8, 9]);
        assert_eq!(history.find("c-8").map(|r| r.sequence), Some(8));
        assert_eq!(history.find("c-2"), None);
    }

    #[test]
    fn zero_capacity_keeps_nothing() {
        let history = History::new(0);
        history.push(record(1));
        assert!(history.is_empty());
    }
}
