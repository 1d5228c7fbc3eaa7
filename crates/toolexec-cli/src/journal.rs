//! The durable journal as the commands use it: where it lives, opening it for a new
//! process (recovering what the last one left running), and flushing it at the end.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use toolexec::Executor;
use toolexec_journal::{EngineJournal, JournalConfig};

use crate::config::JournalSettings;

/// How many of the latest journaled calls rebuild statistics and history at startup.
pub const REPLAYED_CALLS: usize = 1_000_000;

/// How long a command waits for the journal to commit what it was given at the end.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// The journal beside the database: `journal.db` in the database's directory (the
/// user data directory unless `--db` or `TOOLEXEC_DB` says otherwise).
pub fn default_path(db: &Path) -> PathBuf {
    db.with_file_name("journal.db")
}

/// The journal's settings for `[journal]`.
fn config(settings: &JournalSettings) -> JournalConfig {
    JournalConfig {
        max_age: Some(settings.max_age),
        max_bytes: Some(settings.max_bytes),
        ..JournalConfig::default()
    }
}

/// Opens the journal at `path` for this process: calls the last process left running
/// become `interrupted` (said on stderr), and batch ids go on from its last.
pub fn open(path: &Path, settings: &JournalSettings) -> anyhow::Result<Arc<EngineJournal>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the journal's directory {}: {e}",
                dir.display()
            )
        })?;
    }
    let (journal, report) = EngineJournal::open(path, config(settings))?;
    if report.calls_interrupted > 0 || report.batches_interrupted > 0 {
        eprintln!(
            "toolexec: journal {}: the last process stopped with {} calls of {} batches \
             unfinished; they are now `interrupted` (redrive them with `toolexec redrive`)",
            path.display(),
            report.calls_interrupted,
            report.batches_interrupted
        );
    }
    Ok(journal)
}

/// Rebuilds the executor's statistics and history from the journal's latest calls.
pub fn restore(executor: &Executor, journal: &EngineJournal) -> anyhow::Result<()> {
    executor.restore(journal.past_calls(REPLAYED_CALLS)?);
    Ok(())
}

/// Commits what the journal was given; a failure is reported, not fatal (the work is
/// done and its results printed).
pub fn flush(journal: &EngineJournal) {
    if let Err(error) = journal.flush(FLUSH_TIMEOUT) {
        eprintln!(
            "toolexec: journal {}: {error}",
            journal.store().path().display()
        );
    }
}
