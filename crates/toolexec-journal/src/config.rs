//! The journal's settings.

use std::time::Duration;

use crate::JournalError;

/// How the journal keeps and writes its records.
///
/// # Default
///
/// No age or size limit, a queue of 65,536 records and 256 MiB, groups of up to 4,096 records,
/// a 5 s busy timeout, retention checked every 5 s, no page limit, the writer at nice 10.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalConfig {
    /// Ended batches older than this (by their end) are deleted. `None`: kept forever.
    pub max_age: Option<Duration>,
    /// The most bytes the journal's live pages may use; the oldest ended batches are
    /// deleted until it fits. `None`: no limit.
    pub max_bytes: Option<u64>,
    /// Records that may wait for the writer; more are dropped and counted. The queue's
    /// slots (128 bytes each, the records' text aside) are allocated up front: 8 MiB
    /// at the default.
    pub queue_capacity: usize,
    /// The most bytes of record text (inputs, envelopes, ids) that may wait for the
    /// writer; past it records are dropped and counted, as past `queue_capacity`. A
    /// record larger than this is still taken when nothing else waits.
    pub queue_bytes: usize,
    /// The most records the writer commits in one transaction.
    pub max_group: usize,
    /// How long a statement waits for a lock held by another connection.
    pub busy_timeout: Duration,
    /// How often the writer enforces `max_age` and `max_bytes`.
    pub retention_interval: Duration,
    /// The writer thread's nice value on Linux (-20 to 19; elsewhere ignored). The
    /// default, 10, makes it a background thread: when the cores are busy, the threads
    /// running calls come first and the writer catches up in the gaps (calls are paced
    /// while it is behind). 0 keeps the process's priority; lower values need
    /// privileges and are otherwise left as they were.
    pub writer_niceness: i32,
    /// A test and operations knob: the writer's `PRAGMA max_page_count`, so that the
    /// database behaves as if the disk were full past that many pages.
    pub max_page_count: Option<u64>,
}

impl Default for JournalConfig {
    fn default() -> Self {
        Self {
            max_age: None,
            max_bytes: None,
            queue_capacity: 65_536,
            queue_bytes: 256 << 20,
            max_group: 4_096,
            busy_timeout: Duration::from_secs(5),
            retention_interval: Duration::from_secs(5),
            max_page_count: None,
            writer_niceness: 10,
        }
    }
}

impl JournalConfig {
    /// Checks the settings; the error names the bad key.
    pub fn validate(&self) -> Result<(), JournalError> {
        if self.queue_capacity == 0 {
            return Err(invalid("queue_capacity", "must be at least 1"));
        }
        if self.queue_bytes == 0 {
            return Err(invalid("queue_bytes", "must be at least 1"));
        }
        if self.max_group == 0 {
            return Err(invalid("max_group", "must be at least 1"));
        }
        if self.retention_interval.is_zero() {
            return Err(invalid("retention_interval", "must be more than zero"));
        }
        if !(-20..=19).contains(&self.writer_niceness) {
            return Err(invalid("writer_niceness", "must be from -20 to 19"));
        }
        if self.max_page_count == Some(0) {
            return Err(invalid("max_page_count", "must be at least 1"));
        }
        Ok(())
    }
}

fn invalid(key: &'static str, reason: &str) -> JournalError {
    JournalError::InvalidConfig {
        key,
        reason: reason.to_owned(),
    }
}
