//! `[journal]`: how long and how much of the durable journal is kept.

use std::time::Duration;

use super::table::Table;
use super::ConfigError;

/// The most days `max_age_days` may keep (ten years).
pub const MAX_JOURNAL_AGE_DAYS: u64 = 3_650;
/// The least bytes `max_bytes` may allow (1 MiB).
pub const MIN_JOURNAL_BYTES: u64 = 1 << 20;
/// The most bytes `max_bytes` may allow (1 TiB).
pub const MAX_JOURNAL_BYTES: u64 = 1 << 40;

/// The journal's retention: batches that ended longer ago than `max_age`, and the
/// oldest ended batches while the journal uses more than `max_bytes`, are deleted while
/// the process runs. Running batches are never deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalSettings {
    /// How long an ended batch is kept (`max_age_days`, default 30 days).
    pub max_age: Duration,
    /// How many bytes of ended batches are kept (`max_bytes`, default 1 GiB).
    pub max_bytes: u64,
}

impl Default for JournalSettings {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(30 * 86_400),
            max_bytes: 1 << 30,
        }
    }
}

/// Reads the keys of a `[journal]` table.
pub(super) fn read_journal(table: &mut Table<'_, '_>) -> Result<JournalSettings, ConfigError> {
    let mut settings = JournalSettings::default();
    if let Some(days) = table.take_checked("max_age_days", |days: &u64| {
        if (1..=MAX_JOURNAL_AGE_DAYS).contains(days) {
            Ok(())
        } else {
            Err(format!(
                "must be 1 to {MAX_JOURNAL_AGE_DAYS} days, got {days}"
            ))
        }
    })? {
        settings.max_age = Duration::from_secs(days * 86_400);
    }
    if let Some(bytes) = table.take_checked("max_bytes", |bytes: &u64| {
        if (MIN_JOURNAL_BYTES..=MAX_JOURNAL_BYTES).contains(bytes) {
            Ok(())
        } else {
            Err(format!(
                "must be {MIN_JOURNAL_BYTES} (1 MiB) to {MAX_JOURNAL_BYTES} (1 TiB) bytes, got {bytes}"
            ))
        }
    })? {
        settings.max_bytes = bytes;
    }
    Ok(settings)
}
