//! The writer thread: the only one that writes records. It takes everything queued
//! (up to `max_group` messages), merges it into a [`Group`] and commits it in one
//! transaction, answers flushes, and enforces retention every `retention_interval`.

mod ending;
mod group;
mod rows;
mod statements;
mod store;

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use crate::health::Counters;
use crate::retention::{self, Limits};
use crate::{JournalError, JournalRecord};
use group::Group;
use store::Store;

/// How often a busy writer looks at its queue.
const POLL_INTERVAL: Duration = Duration::from_millis(1);

/// The longest the writer keeps a group open while records keep coming
/// ([`Writer::gather`]).
const GATHER_MAX: Duration = Duration::from_millis(10);

/// How long the writer polls without a message before it sleeps in the channel.
const IDLE_AFTER: Duration = Duration::from_millis(100);

/// What the journal's handle sends its writer.
#[derive(Debug)]
pub(crate) enum Message {
    /// A record to store, and its size as counted in the queue's byte budget.
    Record(JournalRecord, usize),
    /// Answer once everything before this message is committed.
    Flush(Sender<Result<(), JournalError>>),
    /// Enforce retention now; answer with the number of batches deleted.
    Retain(Sender<Result<u64, JournalError>>),
    /// Change the writer's `max_page_count` (a test and operations knob).
    SetMaxPageCount(u64),
}

/// The writer's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriterSettings {
    pub(crate) max_group: usize,
    pub(crate) niceness: i32,
    pub(crate) retention_interval: Duration,
    pub(crate) limits: Limits,
}

/// The writer thread's state.
struct Writer {
    conn: Connection,
    counters: Arc<Counters>,
    settings: WriterSettings,
    store: Store,
    /// `counters.dropped` when the last flush was answered.
    dropped_at_last_flush: u64,
    last_retention: Instant,
    /// The last retention pass stopped at its budget: run the next one soon.
    retention_pending: bool,
    /// Records (and their bytes) taken off the queue and not yet counted as taken
    /// ([`Writer::tally`]).
    untallied: (usize, usize),
}

/// Starts the writer on its own thread; it stops once every sender is gone and the
/// queue is drained.
pub(crate) fn spawn(
    conn: Connection,
    queue: Receiver<Message>,
    counters: Arc<Counters>,
    settings: WriterSettings,
) -> Result<JoinHandle<()>, JournalError> {
    let writer = Writer {
        conn,
        counters,
        settings,
        store: Store::default(),
        dropped_at_last_flush: 0,
        last_retention: Instant::now(),
        retention_pending: false,
        untallied: (0, 0),
    };
    std::thread::Builder::new()
        .name("toolexec-journal".to_owned())
        .spawn(move || {
            lower_priority(writer.settings.niceness);
            writer.run(queue);
        })
        .map_err(JournalError::Spawn)
}

/// Sets the calling thread's nice value, as far as the process may (raising a
/// priority needs privileges; then it stays as it was).
#[cfg(target_os = "linux")]
fn lower_priority(niceness: i32) {
    if niceness != 0 {
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), niceness);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority(_niceness: i32) {}

impl Writer {
    fn run(mut self, queue: Receiver<Message>) {
        let mut idle = Duration::ZERO;
        // One group, emptied after each commit: its maps and buffers keep their room.
        let mut group = Group::default();
        loop {
            let Some(first) = self.next_message(&queue, &mut idle) else {
                return;
            };
            let mut flushes = Vec::new();
            self.take(first, &mut group, &mut flushes);
            self.gather(&queue, &mut group, &mut flushes);
            self.commit(&group);
            group.clear();
            self.answer(flushes);
            self.retain_if_due();
        }
    }

    /// The next message, or `None` once every sender is gone and the queue is empty.
    ///
    /// While records keep coming, the writer looks at the queue every
    /// [`POLL_INTERVAL`] instead of sleeping in the channel: a sender then never has to
    /// wake it (a system call on the caller's thread for every record), and what came
    /// meanwhile is committed as one group. After [`IDLE_AFTER`] without a message it
    /// sleeps in the channel, woken by the next record, so an idle journal costs
    /// nothing.
    fn next_message(&mut self, queue: &Receiver<Message>, idle: &mut Duration) -> Option<Message> {
        loop {
            if *idle < IDLE_AFTER {
                match queue.try_recv() {
                    Ok(message) => {
                        *idle = Duration::ZERO;
                        return Some(message);
                    }
                    Err(TryRecvError::Disconnected) => return None,
                    Err(TryRecvError::Empty) => {
                        std::thread::sleep(POLL_INTERVAL);
                        *idle += POLL_INTERVAL;
                        self.retain_if_due();
                        continue;
                    }
                }
            }
            let wait = if self.retention_pending {
                Duration::ZERO
            } else {
                self.settings.retention_interval
            };
            match queue.recv_timeout(wait) {
                Ok(message) => {
                    *idle = Duration::ZERO;
                    return Some(message);
                }
                Err(RecvTimeoutError::Timeout) => self.retain_if_due(),
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Takes what else is queued into `group`, and goes on taking while records keep
    /// coming: a poll interval later it looks again, and the group is closed once a
    /// look finds nothing new, the group is full (`max_group` messages), a flush
    /// waits for it, or [`GATHER_MAX`] has passed since the group's first message. A
    /// burst of records (a wave of calls ending together) is so committed as one
    /// group once it is over, while its calls' threads are idle, instead of a group
    /// every poll interval competing with them for the cores.
    fn gather(
        &mut self,
        queue: &Receiver<Message>,
        group: &mut Group,
        flushes: &mut Vec<Sender<Result<(), JournalError>>>,
    ) {
        let opened = Instant::now();
        let mut taken = 1;
        loop {
            let before = taken;
            while taken < self.settings.max_group {
                match queue.try_recv() {
                    Ok(message) => {
                        self.take(message, group, flushes);
                        taken += 1;
                    }
                    Err(_) => break,
                }
            }
            self.tally();
            let closed = taken == before
                || taken >= self.settings.max_group
                || !flushes.is_empty()
                || opened.elapsed() >= GATHER_MAX;
            if closed {
                return;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    fn take(
        &mut self,
        message: Message,
        group: &mut Group,
        flushes: &mut Vec<Sender<Result<(), JournalError>>>,
    ) {
        match message {
            Message::Record(record, bytes) => {
                self.untallied.0 += 1;
                self.untallied.1 += bytes;
                group.add(record);
            }
            Message::Flush(reply) => flushes.push(reply),
            Message::Retain(reply) => {
                self.commit(group);
                group.clear();
                let _ = reply.send(self.retain_all());
            }
            Message::SetMaxPageCount(pages) => {
                if let Err(e) = self.conn.pragma_update(None, "max_page_count", pages) {
                    self.counters.note_error(e.to_string());
                }
            }
        }
    }

    /// Moves the records taken since the last tally from the queue's counters to the
    /// writer's hand, in one update per look at the queue rather than one per record,
    /// so that the calls' threads, which update the same counters, wait less for them.
    fn tally(&mut self) {
        let (records, bytes) = std::mem::take(&mut self.untallied);
        if records > 0 {
            self.counters.in_hand.fetch_add(records, Ordering::Relaxed);
            self.counters.queued.fetch_sub(records, Ordering::Relaxed);
            self.counters
                .queued_bytes
                .fetch_sub(bytes, Ordering::Relaxed);
        }
    }

    fn commit(&mut self, group: &Group) {
        self.tally();
        if group.is_empty() {
            return;
        }
        match self.store.write_group(&mut self.conn, group) {
            Ok(refused) => {
                if refused > 0 {
                    self.counters.count_dropped(refused);
                    self.counters.note_error(format!(
                        "{refused} records refused: unknown batch or call, or a batch id already stored"
                    ));
                }
                self.counters.committed(group.records - refused);
            }
            Err(e) => {
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                self.store.forget();
                self.counters.failed(group.records, e.to_string());
            }
        }
        let records = usize::try_from(group.records).unwrap_or(usize::MAX);
        self.counters.in_hand.fetch_sub(records, Ordering::Relaxed);
        self.counters.progressed();
    }

    fn answer(&mut self, flushes: Vec<Sender<Result<(), JournalError>>>) {
        for reply in flushes {
            let dropped = self.counters.dropped.load(Ordering::Relaxed);
            let lost = dropped - self.dropped_at_last_flush;
            self.dropped_at_last_flush = dropped;
            let answer = if lost == 0 {
                Ok(())
            } else {
                let last_error = self.counters.last_error.lock().ok().and_then(|e| e.clone());
                Err(JournalError::RecordsLost {
                    count: lost,
                    last_error,
                })
            };
            let _ = reply.send(answer);
        }
    }

    fn retain_if_due(&mut self) {
        if self.retention_pending
            || self.last_retention.elapsed() >= self.settings.retention_interval
        {
            if let Err(e) = self.retain() {
                self.counters.note_error(e.to_string());
            }
        }
    }

    /// Retention passes until nothing is left to delete; returns the batches deleted.
    fn retain_all(&mut self) -> Result<u64, JournalError> {
        let mut deleted = self.retain()?;
        while self.retention_pending {
            deleted += self.retain()?;
        }
        Ok(deleted)
    }

    /// One retention pass; returns the batches deleted.
    fn retain(&mut self) -> Result<u64, JournalError> {
        self.last_retention = Instant::now();
        self.retention_pending = false;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        match retention::enforce(&mut self.conn, self.settings.limits, now_ms) {
            Ok(pass) => {
                self.retention_pending = pass.more;
                Ok(pass.deleted)
            }
            Err(e) => {
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                Err(JournalError::Query(e))
            }
        }
    }
}
