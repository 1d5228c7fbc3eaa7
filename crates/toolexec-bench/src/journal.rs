//! `--journal`: the engine records every batch and call in a durable journal
//! (toolexec-journal, SQLite in WAL mode), and after the measured region the harness
//! waits until everything is committed and reports what the journal cost.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use tempfile::TempDir;
use toolexec::Journal;
use toolexec_journal::{EngineJournal, JournalConfig, JournalError};

use crate::report::round;
use crate::stopwatch::Stopwatch;
use crate::thread_time::{thread_time, ThreadTime};

/// How long the harness waits for the writer to commit what is queued after the
/// measured region; a run whose journal needs longer fails.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(600);

/// The name of the journal's writer thread.
const WRITER_THREAD: &str = "toolexec-journal";

/// The journal of one run: a fresh file in a temporary directory (removed at the end),
/// or the file given with `--journal PATH` (kept; an existing journal is recovered and
/// continued, and only the calls of this run are counted).
#[derive(Debug)]
pub(crate) struct BenchJournal {
    journal: Arc<EngineJournal>,
    path: PathBuf,
    calls_before: u64,
    queue_capacity: usize,
    writer_at_open: Option<ThreadTime>,
    _dir: Option<TempDir>,
}

/// What the journal cost: the `journal` object of the JSON line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct JournalCost {
    /// Calls of this run stored with their end.
    pub(crate) calls_written: u64,
    /// Records committed: a batch accepted (with all its calls), a call started, a
    /// call ended, a batch ended; 2 per call and 2 per batch.
    pub(crate) records_written: u64,
    /// Records not stored: dropped because the queue was full, lost in a failed write,
    /// or refused (the end of a call whose batch was dropped). 0 in a valid run.
    pub(crate) dropped: u64,
    /// Time from the end of the measured region until everything was committed.
    pub(crate) flush_ms: f64,
    /// Process CPU time (the writer's, mostly) spent during the flush.
    pub(crate) flush_cpu_ms: f64,
    /// `calls / (measured wall time + flush_ms)`.
    pub(crate) journaled_calls_per_s: f64,
    /// Size of the database file plus its write-ahead log after the flush.
    pub(crate) file_bytes: u64,
    /// Records the queue held before dropping (`--journal-queue`).
    pub(crate) queue_capacity: usize,
    /// CPU time of the journal's writer thread from the journal's opening to the end
    /// of the flush (part of `cpu_ms` and `flush_cpu_ms`); `null` where the system
    /// does not say.
    pub(crate) writer_cpu_ms: Option<f64>,
    /// Time the writer thread was ready to run but waited for a CPU, over the same
    /// span: how much other threads and processes held it up.
    pub(crate) writer_wait_ms: Option<f64>,
}

impl BenchJournal {
    /// Opens the journal at `path`, or in a fresh temporary directory when `None`,
    /// with the journal's default settings but for the queue's capacity when
    /// `queue_capacity` is given.
    pub(crate) fn open(path: Option<&Path>, queue_capacity: Option<usize>) -> anyhow::Result<Self> {
        let (dir, path) = match path {
            Some(path) => (None, path.to_owned()),
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("toolexec-bench-journal")
                    .tempdir()
                    .context("creating a temporary directory for --journal")?;
                let path = dir.path().join("journal.db");
                (Some(dir), path)
            }
        };
        let defaults = JournalConfig::default();
        let config = JournalConfig {
            queue_capacity: queue_capacity.unwrap_or(defaults.queue_capacity),
            ..defaults
        };
        let queue_capacity = config.queue_capacity;
        let (journal, _recovered) = EngineJournal::open(&path, config)
            .with_context(|| format!("opening the journal {}", path.display()))?;
        let calls_before = ended_calls(&journal)?;
        Ok(Self {
            journal,
            path,
            calls_before,
            queue_capacity,
            writer_at_open: writer_started(),
            _dir: dir,
        })
    }

    /// The journal, for [`toolexec::ExecutorBuilder::journal`].
    pub(crate) fn engine(&self) -> Arc<dyn Journal> {
        self.journal.clone()
    }

    /// Waits until everything recorded is committed, timing it, and counts what was
    /// written. `calls` and `measured` are the run's calls and measured wall time.
    pub(crate) fn finish(&self, calls: usize, measured: Duration) -> anyhow::Result<JournalCost> {
        let stopwatch = Stopwatch::start();
        match self.journal.flush(FLUSH_TIMEOUT) {
            // Lost records are reported in `dropped`; the flush still waited for the rest.
            Ok(()) | Err(JournalError::RecordsLost { .. }) => {}
            Err(e) => return Err(e).context("flushing the journal"),
        }
        let flush = stopwatch.stop();
        let writer = self
            .writer_at_open
            .zip(thread_time(WRITER_THREAD))
            .map(|(open, now)| now.since(open));
        let health = self.journal.store().health();
        let calls_written = ended_calls(&self.journal)?.saturating_sub(self.calls_before);
        Ok(JournalCost {
            calls_written,
            records_written: health.written,
            dropped: health.dropped,
            flush_ms: ms(flush.wall),
            flush_cpu_ms: ms(flush.cpu),
            journaled_calls_per_s: round(calls as f64 / (measured + flush.wall).as_secs_f64(), 1),
            file_bytes: file_len(&self.path) + file_len(&suffixed(&self.path, "-wal")),
            queue_capacity: self.queue_capacity,
            writer_cpu_ms: writer.map(|w| ms(w.on_cpu)),
            writer_wait_ms: writer.map(|w| ms(w.waiting)),
        })
    }
}

/// The writer thread's times once it has named itself (a new thread sets its name as
/// it starts), waiting for that at most a second.
fn writer_started() -> Option<ThreadTime> {
    if !Path::new("/proc/self/task").exists() {
        return None;
    }
    for _ in 0..1000 {
        if let Some(time) = thread_time(WRITER_THREAD) {
            return Some(time);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

/// Milliseconds, to the microsecond.
fn ms(d: Duration) -> f64 {
    round(d.as_secs_f64() * 1000.0, 3)
}

/// Calls stored with their end, over every tool.
fn ended_calls(journal: &EngineJournal) -> anyhow::Result<u64> {
    let totals = journal
        .store()
        .tool_totals()
        .context("counting the journal's calls")?;
    Ok(totals.iter().map(|t| t.calls).sum())
}

/// `path` with `suffix` appended to its file name (SQLite's `-wal` file).
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wal_file_is_named_after_the_database() {
        assert_eq!(
            suffixed(Path::new("dir/journal.db"), "-wal"),
            PathBuf::from("dir/journal.db-wal")
        );
    }
}
