//! The journal's error type.

use std::path::PathBuf;
use std::time::Duration;

/// What went wrong in the journal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The file could not be opened as a journal: unreadable, corrupt, not a database,
    /// or its schema could not be created.
    #[error("cannot open the journal at {}: {source}", path.display())]
    Open {
        /// The journal file.
        path: PathBuf,
        /// SQLite's reason.
        source: rusqlite::Error,
    },
    /// The file system refused write-ahead logging (the journal needs it so that
    /// reads run beside the writer).
    #[error("the journal at {} cannot use WAL mode (journal_mode is {mode})", path.display())]
    NotWal {
        /// The journal file.
        path: PathBuf,
        /// The journal mode SQLite kept.
        mode: String,
    },
    /// The file holds a journal written by a newer version of this crate.
    #[error("the journal at {} has schema version {found}, newer than the {supported} this build knows", path.display())]
    NewerSchema {
        /// The journal file.
        path: PathBuf,
        /// The version found in the file.
        found: u32,
        /// The newest version this build can use.
        supported: u32,
    },
    /// Another process (or another journal of this one) is writing the journal: two
    /// writers would give out the same batch ids.
    #[error("the journal at {} is in use by another process (a `toolexec serve` or `run --journal`); stop it, or give this one its own journal file", path.display())]
    InUse {
        /// The journal file.
        path: PathBuf,
    },
    /// The journal's lock file could not be created or locked.
    #[error("cannot lock the journal at {}: {source}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The file system's reason.
        source: std::io::Error,
    },
    /// A configuration value is out of range.
    #[error("invalid journal configuration `{key}`: {reason}")]
    InvalidConfig {
        /// The offending key of [`JournalConfig`](crate::JournalConfig).
        key: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// The writer did not commit everything in time.
    #[error("the journal did not commit within {waited:?}")]
    FlushTimeout {
        /// How long the caller waited.
        waited: Duration,
    },
    /// Records were not stored (queue full or a failed write) since the last flush.
    #[error("{count} journal records were lost (last error: {})", last_error.as_deref().unwrap_or("queue full"))]
    RecordsLost {
        /// How many records were lost.
        count: u64,
        /// The last write error, if a write failed.
        last_error: Option<String>,
    },
    /// The writer thread has stopped (it panicked).
    #[error("the journal writer has stopped")]
    WriterStopped,
    /// The writer thread could not be started.
    #[error("cannot start the journal writer: {0}")]
    Spawn(#[source] std::io::Error),
    /// A read or recovery query failed.
    #[error("journal query failed: {0}")]
    Query(#[from] rusqlite::Error),
}

impl JournalError {
    /// Whether trying the same operation again may succeed (a busy database, a slow
    /// writer), as opposed to a fault that stays (a corrupt file, a bad setting).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::FlushTimeout { .. } | Self::RecordsLost { .. } | Self::InUse { .. } => true,
            Self::Query(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        }
    }
}
