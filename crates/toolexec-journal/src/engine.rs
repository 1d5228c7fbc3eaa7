//! The engine's side: [`EngineJournal`] is a [`toolexec::Journal`] writing into a
//! [`SqliteJournal`], and [`EngineJournal::open`] does what a process does at startup
//! (open, recover what the last process left running, continue its batch ids).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use toolexec::{CallStatus, Envelope, ErrorKind, Journal, JournalBatch, PastCall, ToolCall};

use crate::lock::WriterLock;
use crate::{
    AcceptedCallRef, AcceptedCalls, HistoryQuery, HistoryRow, JournalConfig, JournalError,
    JournalRecord, RecoveryReport, SqliteJournal,
};

/// A [`toolexec::Journal`] over a [`SqliteJournal`]: each hook queues a record for the
/// writer thread, so the call path never waits on the disk, and does as little as it
/// can before: a batch's calls are packed ([`AcceptedCalls`]: their inputs serialized
/// into one buffer), and a call's end hands over a copy of its envelope
/// ([`JournalRecord::EnvelopeEnded`]), serialized on the writer's thread while the
/// writer keeps up ([`SqliteJournal::keeps_up`]).
#[derive(Debug)]
pub struct EngineJournal {
    store: Arc<SqliteJournal>,
    next_batch: AtomicU64,
    /// The lock that makes this the journal's only writer, held until it is dropped.
    _writer_lock: WriterLock,
}

impl EngineJournal {
    /// Opens the journal at `path` for a new process: ends what the previous one left
    /// running ([`SqliteJournal::recover`]) and continues its `b-N` batch ids.
    ///
    /// Only one `EngineJournal` may write a journal at a time: the first holds a lock
    /// (an exclusive advisory lock on `PATH-lock`, released when it is dropped or its
    /// process ends, however it ends), and another one, in this process or another,
    /// gets [`JournalError::InUse`] instead of recovering calls that are still running
    /// and giving out the same batch ids. Readers ([`SqliteJournal::open`]) need no lock.
    pub fn open(
        path: impl AsRef<Path>,
        config: JournalConfig,
    ) -> Result<(Arc<Self>, RecoveryReport), JournalError> {
        let writer_lock = WriterLock::take(path.as_ref())?;
        let store = SqliteJournal::open(path, config)?;
        let report = store.recover(now_ms())?;
        let next = store.next_batch_number()?;
        let journal = Self {
            store: Arc::new(store),
            next_batch: AtomicU64::new(next),
            _writer_lock: writer_lock,
        };
        Ok((Arc::new(journal), report))
    }

    /// The store, for reading (listings, history, statistics, health).
    pub fn store(&self) -> &Arc<SqliteJournal> {
        &self.store
    }

    /// The latest `limit` ended calls, oldest first, for
    /// [`toolexec::Executor::restore`]: how statistics and history are rebuilt after a
    /// restart. Rows whose status the engine does not know are left out.
    pub fn past_calls(&self, limit: usize) -> Result<Vec<PastCall>, JournalError> {
        let query = HistoryQuery {
            limit,
            ..HistoryQuery::default()
        };
        let rows = self.store.history(&query)?;
        Ok(rows.into_iter().rev().filter_map(past_call).collect())
    }

    /// Commits everything recorded so far (see [`SqliteJournal::flush`]).
    pub fn flush(&self, timeout: Duration) -> Result<(), JournalError> {
        self.store.flush(timeout)
    }
}

/// A call's per-call overrides, as recorded (absent when it has none).
#[derive(Serialize)]
struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idle_timeout_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_retries: Option<u32>,
}

/// A call's overrides, if it has any.
fn overrides_of(call: &ToolCall) -> Option<Overrides> {
    (call.timeout_ms.is_some()
        || call.idle_timeout_ms.is_some()
        || call.deadline_ms.is_some()
        || call.max_retries.is_some())
    .then_some(Overrides {
        timeout_ms: call.timeout_ms,
        idle_timeout_ms: call.idle_timeout_ms,
        deadline_ms: call.deadline_ms,
        max_retries: call.max_retries,
    })
}

/// The calls of a batch as accepted, packed. Ids, inputs and overrides are written in
/// buffers reused from one call to the next, then copied into the packed texts, so a
/// batch costs a few growing buffers however many calls it has.
fn accepted_calls(batch: &JournalBatch, calls: &[ToolCall]) -> AcceptedCalls {
    let mut packed = AcceptedCalls::with_capacity(calls.len());
    let (mut input, mut overrides, mut id) = (Vec::new(), Vec::new(), String::new());
    for (index, call) in (0u32..).zip(calls) {
        id.clear();
        let _ = write!(id, "{}", batch.call_id(u64::from(index), call));
        packed.push(AcceptedCallRef {
            index,
            call_id: &id,
            tool: &call.tool,
            input_json: json_text(&call.input, &mut input).unwrap_or("null"),
            idempotency_key: call.idempotency_key.as_deref(),
            overrides_json: overrides_of(call).and_then(|o| json_text(&o, &mut overrides)),
        });
    }
    packed
}

/// `value` as JSON text, as `serde_json::to_string` writes it, serialized in `buffer`.
fn json_text<'b>(value: &impl Serialize, buffer: &'b mut Vec<u8>) -> Option<&'b str> {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, value).ok()?;
    std::str::from_utf8(buffer).ok()
}

/// Unix milliseconds now.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A batch index as stored: batches are far below four billion calls (memory bounds
/// them first), so the saturation never happens in practice.
fn stored_index(index: u64) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

impl Journal for EngineJournal {
    fn new_batch_id(&self) -> Arc<str> {
        let n = self.next_batch.fetch_add(1, Ordering::Relaxed);
        format!("b-{n}").into()
    }

    fn batch_accepted(&self, batch: &JournalBatch, calls: &[ToolCall]) {
        self.store.record(JournalRecord::BatchAccepted {
            batch_id: Arc::clone(&batch.id),
            accepted_at_ms: now_ms(),
            redrive_of: batch.redrive_of.as_deref().map(str::to_owned),
            calls: accepted_calls(batch, calls),
        });
    }

    fn call_started(&self, batch_id: &Arc<str>, index: u64) {
        self.store.record(JournalRecord::CallStarted {
            batch_id: Arc::clone(batch_id),
            index: stored_index(index),
            at_ms: now_ms(),
        });
    }

    /// While the writer keeps up, it gets a copy of the envelope and serializes it on
    /// its thread; once it is behind, the caller serializes it, so that a writer that
    /// bounds the rate (a burst of calls that end at once) gets no more work per call.
    fn call_ended(&self, batch_id: &Arc<str>, index: u64, envelope: &Envelope) {
        let batch_id = Arc::clone(batch_id);
        let index = stored_index(index);
        let ended_at_ms = now_ms();
        if self.store.keeps_up() {
            self.store.record(JournalRecord::EnvelopeEnded {
                batch_id,
                index,
                ended_at_ms,
                envelope: Arc::new(envelope.clone()),
            });
            return;
        }
        self.store.record(JournalRecord::CallEnded {
            batch_id,
            index,
            tool: Arc::clone(&envelope.tool_name),
            status: Cow::Borrowed(envelope.status.as_str()),
            error_kind: envelope.error_kind().map(|k| Cow::Borrowed(k.as_str())),
            attempts: envelope.attempts,
            latency_ms: envelope.execution_time_ms,
            ended_at_ms,
            fallback: envelope.fallback,
            envelope_json: serde_json::to_string(envelope).unwrap_or_default(),
        });
    }

    fn pace(&self) -> bool {
        self.store.pace()
    }

    fn batch_ended(&self, batch_id: &Arc<str>) {
        self.store.record(JournalRecord::BatchEnded {
            batch_id: Arc::clone(batch_id),
            ended_at_ms: now_ms(),
        });
    }
}

/// A journaled call as the engine's statistics take it.
fn past_call(row: HistoryRow) -> Option<PastCall> {
    let status: CallStatus = serde_json::from_value(row.status.into()).ok()?;
    let error_kind = row
        .error_kind
        .and_then(|kind| serde_json::from_value::<ErrorKind>(kind.into()).ok());
    Some(PastCall {
        call_id: row.call_id.into(),
        tool_name: row.tool.into(),
        status,
        error_kind,
        attempts: row.attempts,
        fallback: row.fallback,
        latency: Duration::from_secs_f64((row.latency_ms / 1000.0).clamp(0.0, 1e9)),
    })
}
