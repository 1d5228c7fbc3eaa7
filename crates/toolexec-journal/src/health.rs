//! How the journal is doing, and the counters behind it.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use serde::Serialize;

/// A snapshot of the journal's state, from [`SqliteJournal::health`](crate::SqliteJournal::health).
///
/// Serialized flat: `{"state":"degraded","reason":"...","queued":0,"written":12,
/// "dropped":3,"last_error":"..."}` (no `reason` when healthy).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalHealth {
    /// Healthy or degraded, and why.
    #[serde(flatten)]
    pub state: HealthState,
    /// Records waiting for the writer.
    pub queued: usize,
    /// Records committed since the journal was opened.
    pub written: u64,
    /// Records not stored since the journal was opened: dropped because the queue was
    /// full, lost in a failed write, or refused (an unknown batch, a duplicate id).
    pub dropped: u64,
    /// The last write error, kept until the journal is reopened.
    pub last_error: Option<String>,
}

/// Whether the journal is keeping everything it is given.
///
/// The journal is [`Degraded`](HealthState::Degraded) while any of these holds:
/// the queue is more than 90% full; the writer's last group failed to commit; a record
/// was dropped after the writer's last successful commit. It goes back to
/// [`Healthy`](HealthState::Healthy) as soon as the queue is at most 90% full and the
/// writer has committed a group with no record dropped since that commit (so after a
/// loss, the next successful group, of whatever records come next, heals it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HealthState {
    /// Everything recorded is being stored.
    Healthy,
    /// Records are being, or were lately, lost.
    Degraded {
        /// Why, in words.
        reason: String,
    },
}

/// Counters shared by the journal's handle and its writer thread.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) queued: AtomicUsize,
    /// The text bytes of the queued records ([`JournalRecord::approximate_bytes`](crate::JournalRecord)).
    pub(crate) queued_bytes: AtomicUsize,
    /// When the writer last finished a group (committed or failed), in
    /// [`monotonic_ms`].
    pub(crate) last_progress_ms: AtomicU64,
    /// Records the writer has taken off the queue and not yet committed (or lost).
    pub(crate) in_hand: AtomicUsize,
    pub(crate) written: AtomicU64,
    pub(crate) dropped: AtomicU64,
    /// `dropped` as it was at the last successful commit.
    pub(crate) dropped_at_last_commit: AtomicU64,
    pub(crate) last_group_failed: AtomicBool,
    pub(crate) last_error: Mutex<Option<String>>,
}

/// Milliseconds on a monotonic clock shared by the process's journals.
pub(crate) fn monotonic_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let elapsed = EPOCH.get_or_init(Instant::now).elapsed().as_millis();
    u64::try_from(elapsed).unwrap_or(u64::MAX)
}

impl Counters {
    /// The writer finished a group (or was just started).
    pub(crate) fn progressed(&self) {
        self.last_progress_ms
            .store(monotonic_ms(), Ordering::Relaxed);
    }

    /// Milliseconds since the writer last finished a group.
    pub(crate) fn since_progress_ms(&self) -> u64 {
        monotonic_ms().saturating_sub(self.last_progress_ms.load(Ordering::Relaxed))
    }

    pub(crate) fn count_dropped(&self, records: u64) {
        self.dropped.fetch_add(records, Ordering::Relaxed);
    }

    pub(crate) fn note_error(&self, error: String) {
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(error);
        }
    }

    /// A group was committed: `records` stored.
    pub(crate) fn committed(&self, records: u64) {
        self.written.fetch_add(records, Ordering::Relaxed);
        self.last_group_failed.store(false, Ordering::Relaxed);
        let dropped = self.dropped.load(Ordering::Relaxed);
        self.dropped_at_last_commit
            .store(dropped, Ordering::Relaxed);
    }

    /// A group failed to commit: its `records` are lost.
    pub(crate) fn failed(&self, records: u64, error: String) {
        self.count_dropped(records);
        self.last_group_failed.store(true, Ordering::Relaxed);
        self.note_error(error);
    }

    pub(crate) fn snapshot(&self, capacity: usize) -> JournalHealth {
        let queued = self.queued.load(Ordering::Relaxed);
        let dropped = self.dropped.load(Ordering::Relaxed);
        let last_error = self.last_error.lock().ok().and_then(|e| e.clone());
        let state = if self.last_group_failed.load(Ordering::Relaxed) {
            degraded(format!(
                "the last write failed: {}",
                last_error.as_deref().unwrap_or("unknown error")
            ))
        } else if dropped > self.dropped_at_last_commit.load(Ordering::Relaxed) {
            degraded("records were dropped since the last commit".to_owned())
        } else if queued.saturating_mul(10) > capacity.saturating_mul(9) {
            degraded(format!(
                "the queue is over 90% full ({queued} of {capacity})"
            ))
        } else {
            HealthState::Healthy
        };
        JournalHealth {
            state,
            queued,
            written: self.written.load(Ordering::Relaxed),
            dropped,
            last_error,
        }
    }
}

fn degraded(reason: String) -> HealthState {
    HealthState::Degraded { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_serializes_flat_with_the_reason_only_when_degraded() {
        let counters = Counters::default();
        let healthy = serde_json::to_value(counters.snapshot(10)).expect("serialized");
        assert_eq!(
            healthy,
            serde_json::json!({"state": "healthy", "queued": 0, "written": 0, "dropped": 0, "last_error": null})
        );
        counters.failed(2, "disk full".to_owned());
        let degraded = serde_json::to_value(counters.snapshot(10)).expect("serialized");
        assert_eq!(degraded["state"], "degraded");
        assert_eq!(degraded["reason"], "the last write failed: disk full");
        assert_eq!(degraded["dropped"], 2);
    }

    #[test]
    fn a_queue_over_nine_tenths_full_is_degraded() {
        let counters = Counters::default();
        counters.queued.store(90, Ordering::Relaxed);
        assert_eq!(counters.snapshot(100).state, HealthState::Healthy);
        counters.queued.store(91, Ordering::Relaxed);
        assert!(matches!(
            counters.snapshot(100).state,
            HealthState::Degraded { .. }
        ));
    }

    #[test]
    fn a_successful_commit_after_a_drop_heals() {
        let counters = Counters::default();
        counters.count_dropped(1);
        assert!(matches!(
            counters.snapshot(100).state,
            HealthState::Degraded { .. }
        ));
        counters.committed(5);
        assert_eq!(counters.snapshot(100).state, HealthState::Healthy);
        assert_eq!(counters.snapshot(100).dropped, 1);
    }
}
