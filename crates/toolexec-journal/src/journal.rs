//! The journal's handle: opening, recording, flushing, closing.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::health::Counters;
use crate::read::{self, BatchDetail, BatchSummary, HistoryQuery, HistoryRow, ToolTotals};
use crate::recover::{self, RecoveryReport};
use crate::retention::Limits;
use crate::schema::open_connection;
use crate::writer::{self, Message, WriterSettings};
use crate::{JournalConfig, JournalError, JournalHealth, JournalRecord};

/// The writer checkpoints the WAL every 4,096 pages (32 MiB at the journal's 8 KiB
/// pages) rather than SQLite's 1,000 pages, so a burst pays for far fewer checkpoints
/// and their fsyncs; a WAL left larger than 64 MiB is truncated after a checkpoint.
const WRITER_PRAGMAS: &str =
    "PRAGMA wal_autocheckpoint = 4096; PRAGMA journal_size_limit = 67108864;";

/// Settings of the writer's own connection.
fn tune_writer(conn: &Connection, max_page_count: Option<u64>) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(32);
    conn.execute_batch(WRITER_PRAGMAS)?;
    if let Some(pages) = max_page_count {
        conn.pragma_update(None, "max_page_count", pages)?;
    }
    Ok(())
}

/// A writer that has not finished a group for this long is stalled (a disk that hangs):
/// [`SqliteJournal::pace`] stops holding calls back, and records drop instead.
const STALLED_AFTER_MS: u64 = 1_000;

/// How long dropping the journal waits for its writer to drain the queue.
const DROP_WAIT: Duration = Duration::from_secs(2);

/// A durable journal of batches and calls in one SQLite file.
///
/// Writes go through [`record`](Self::record), which never blocks; one writer thread
/// commits them in groups. Reads run on their own connection beside the writer.
#[derive(Debug)]
pub struct SqliteJournal {
    path: PathBuf,
    capacity: usize,
    byte_capacity: usize,
    /// The writer keeps up while at most this many records wait for it: a quarter of
    /// the queue.
    keeping_up: usize,
    queue: Option<SyncSender<Message>>,
    writer: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
    reader: Mutex<Connection>,
}

impl SqliteJournal {
    /// Creates or opens the journal at `path` (WAL mode, `synchronous=NORMAL`,
    /// incremental auto-vacuum, the schema created or migrated) and starts its writer.
    ///
    /// A file that cannot be read, is corrupt or is not a database is an
    /// [`JournalError::Open`] naming the path.
    pub fn open(path: impl AsRef<Path>, config: JournalConfig) -> Result<Self, JournalError> {
        config.validate()?;
        let path = path.as_ref().to_owned();
        let reader = open_connection(&path, config.busy_timeout)?;
        let writer_conn = open_connection(&path, config.busy_timeout)?;
        tune_writer(&writer_conn, config.max_page_count).map_err(|source| JournalError::Open {
            path: path.clone(),
            source,
        })?;
        let (queue, receiver) = mpsc::sync_channel(config.queue_capacity);
        let counters = Arc::new(Counters::default());
        counters.progressed();
        let settings = WriterSettings {
            max_group: config.max_group,
            niceness: config.writer_niceness,
            retention_interval: config.retention_interval,
            limits: Limits {
                max_age: config.max_age,
                max_bytes: config.max_bytes,
            },
        };
        let writer = writer::spawn(writer_conn, receiver, Arc::clone(&counters), settings)?;
        Ok(Self {
            path,
            capacity: config.queue_capacity,
            byte_capacity: config.queue_bytes,
            keeping_up: config.queue_capacity / 4,
            queue: Some(queue),
            writer: Some(writer),
            counters,
            reader: Mutex::new(reader),
        })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues `record` for the writer and returns at once. When the queue is full (in
    /// records or in bytes) the record is dropped and counted in
    /// [`health`](Self::health).
    pub fn record(&self, record: JournalRecord) {
        let Some(queue) = &self.queue else { return };
        let bytes = record.approximate_bytes();
        let before = self
            .counters
            .queued_bytes
            .fetch_add(bytes, Ordering::Relaxed);
        if before > 0 && before.saturating_add(bytes) > self.byte_capacity {
            self.counters
                .queued_bytes
                .fetch_sub(bytes, Ordering::Relaxed);
            self.counters.count_dropped(1);
            return;
        }
        self.counters.queued.fetch_add(1, Ordering::Relaxed);
        if queue.try_send(Message::Record(record, bytes)).is_err() {
            self.counters.queued.fetch_sub(1, Ordering::Relaxed);
            self.counters
                .queued_bytes
                .fetch_sub(bytes, Ordering::Relaxed);
            self.counters.count_dropped(1);
        }
    }

    /// How the journal is doing.
    pub fn health(&self) -> JournalHealth {
        self.counters.snapshot(self.capacity)
    }

    /// Whether the writer is behind: records waiting for it, queued or taken into a
    /// group not yet committed, pass half the queue's capacity, or the queued records'
    /// text half its byte budget. A server refuses new work meanwhile (admission
    /// control), so that a burst slows its clients down instead of overflowing the
    /// queue and losing records.
    pub fn is_behind(&self) -> bool {
        let waiting = self.counters.queued.load(Ordering::Relaxed)
            + self.counters.in_hand.load(Ordering::Relaxed);
        waiting > self.capacity / 2
            || self.counters.queued_bytes.load(Ordering::Relaxed) > self.byte_capacity / 2
    }

    /// Whether the writer keeps up: at most a quarter of the queue's capacity waits
    /// for it. While it does, it has room for work that callers would otherwise do on
    /// the call path (serializing an envelope); once it does not (half the queue is
    /// where callers are paced), it bounds the rate and callers take that work.
    pub fn keeps_up(&self) -> bool {
        self.counters.queued.load(Ordering::Relaxed) <= self.keeping_up
    }

    /// Whether calls about to start should wait for the writer: it is
    /// [behind](Self::is_behind) and still committing (it finished a group within the
    /// last second). A writer that stalls (a disk that hangs) is not waited for: calls
    /// go on, and the records it cannot take are dropped and counted.
    pub fn pace(&self) -> bool {
        self.is_behind() && self.counters.since_progress_ms() < STALLED_AFTER_MS
    }

    /// Blocks until everything recorded before this call is committed.
    ///
    /// Errors: [`JournalError::FlushTimeout`] when `timeout` passes first;
    /// [`JournalError::RecordsLost`] when records were dropped or failed to write since
    /// the previous flush was answered; [`JournalError::WriterStopped`] when the writer
    /// is gone.
    pub fn flush(&self, timeout: Duration) -> Result<(), JournalError> {
        self.ask(Message::Flush, timeout)
    }

    /// Enforces `max_age` and `max_bytes` now, after committing what is queued ahead,
    /// instead of at the writer's next turn; returns the number of batches deleted.
    pub fn retain_now(&self, timeout: Duration) -> Result<u64, JournalError> {
        self.ask(Message::Retain, timeout)
    }

    /// Ends what the previous process left running, in one transaction: every call
    /// of a batch left open that has no end becomes `interrupted` (error kind `interrupted`, a synthesized
    /// envelope of the engine's shape with `attempts` 1 if it had started, else 0, and
    /// `execution_time_ms` from its acceptance to `now_ms`); every batch with no end
    /// ends at `now_ms`, flagged interrupted. Call it once at startup, before new work.
    pub fn recover(&self, now_ms: u64) -> Result<RecoveryReport, JournalError> {
        Ok(recover::recover(&mut self.reader(), now_ms)?)
    }

    /// One more than the largest `N` of the `b-N` batch ids ever committed, so ids
    /// stay unique across restarts even after retention deleted the batches.
    pub fn next_batch_number(&self) -> Result<u64, JournalError> {
        Ok(read::next_batch_number(&self.reader())?)
    }

    /// Up to `limit` batches, newest first, starting after `before` when given.
    pub fn batches(
        &self,
        limit: usize,
        before: Option<&str>,
    ) -> Result<Vec<BatchSummary>, JournalError> {
        Ok(read::batches(&self.reader(), limit, before)?)
    }

    /// A batch with every call, or `None` if it is not stored.
    pub fn batch(&self, id: &str) -> Result<Option<BatchDetail>, JournalError> {
        Ok(read::batch(&self.reader(), id)?)
    }

    /// Ended calls matching `query`, newest end first.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryRow>, JournalError> {
        Ok(read::history(&self.reader(), query)?)
    }

    /// Per-tool totals of the ended calls stored, by tool name.
    pub fn tool_totals(&self) -> Result<Vec<ToolTotals>, JournalError> {
        Ok(read::tool_totals(&self.reader())?)
    }

    /// A test and operations knob: sets the writer's `PRAGMA max_page_count` (taking
    /// effect before its next group), as [`JournalConfig::max_page_count`] does at open.
    #[doc(hidden)]
    pub fn set_max_page_count(&self, pages: u64) -> Result<(), JournalError> {
        let deadline = Instant::now() + DROP_WAIT;
        self.send_waiting(Message::SetMaxPageCount(pages), deadline, DROP_WAIT)
    }

    /// Flushes, stops the writer and waits for it. Errors as [`flush`](Self::flush),
    /// without a timeout: it waits for the writer to drain the queue.
    pub fn close(mut self) -> Result<(), JournalError> {
        let (reply, answer) = mpsc::channel();
        let queue = self.queue.take().ok_or(JournalError::WriterStopped)?;
        let sent = queue.send(Message::Flush(reply));
        drop(queue);
        let result = match sent {
            Ok(()) => answer.recv().unwrap_or(Err(JournalError::WriterStopped)),
            Err(_) => Err(JournalError::WriterStopped),
        };
        let joined = match self.writer.take() {
            Some(handle) => handle.join().map_err(|_| JournalError::WriterStopped),
            None => Ok(()),
        };
        result.and(joined)
    }

    /// The read connection (reads and recovery), shared by the handle's readers.
    pub(crate) fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends the writer a message carrying a reply channel and waits for the answer,
    /// both within `timeout`.
    fn ask<T>(
        &self,
        message: impl FnOnce(mpsc::Sender<Result<T, JournalError>>) -> Message,
        timeout: Duration,
    ) -> Result<T, JournalError> {
        let deadline = Instant::now() + timeout;
        let (reply, answer) = mpsc::channel();
        self.send_waiting(message(reply), deadline, timeout)?;
        match answer.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => Err(JournalError::FlushTimeout { waited: timeout }),
            Err(RecvTimeoutError::Disconnected) => Err(JournalError::WriterStopped),
        }
    }

    /// Sends a control message, waiting for room in the queue until `deadline`.
    fn send_waiting(
        &self,
        mut message: Message,
        deadline: Instant,
        waited: Duration,
    ) -> Result<(), JournalError> {
        let queue = self.queue.as_ref().ok_or(JournalError::WriterStopped)?;
        loop {
            match queue.try_send(message) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Disconnected(_)) => return Err(JournalError::WriterStopped),
                Err(TrySendError::Full(back)) => {
                    if Instant::now() >= deadline {
                        return Err(JournalError::FlushTimeout { waited });
                    }
                    message = back;
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
    }
}

impl Drop for SqliteJournal {
    /// Lets the writer drain the queue, waiting for it at most two seconds; a writer
    /// still busy after that is left to finish on its own.
    fn drop(&mut self) {
        drop(self.queue.take());
        let Some(handle) = self.writer.take() else {
            return;
        };
        let deadline = Instant::now() + DROP_WAIT;
        while !handle.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        if handle.is_finished() {
            let _ = handle.join();
        }
    }
}
