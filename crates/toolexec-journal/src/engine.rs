//! The engine's side: [`EngineJournal`] is a [`toolexec::Journal`] writing into a
//! [`SqliteJournal`], and [`EngineJournal::open`] does what a process does at startup
//! (open, recover what the last process left running, continue its batch ids).

use std::borrow::Cow;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use toolexec::{CallStatus, Envelope, ErrorKind, Journal, JournalBatch, PastCall, ToolCall};

use crate::lock::WriterLock;
use crate::{
    AcceptedCall, HistoryQuery, HistoryRow, JournalConfig, JournalError, JournalRecord,
    RecoveryReport, SqliteJournal,
};

/// A [`toolexec::Journal`] over a [`SqliteJournal`]: each hook serializes what it is
/// given (the call's input, the envelope) and queues it for the writer thread, so the
/// call path never waits on the disk.
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

fn accepted(index: u32, call: &ToolCall) -> AcceptedCall {
    let overrides = (call.timeout_ms.is_some()
        || call.idle_timeout_ms.is_some()
        || call.deadline_ms.is_some()
        || call.max_retries.is_some())
    .then_some(Overrides {
        timeout_ms: call.timeout_ms,
        idle_timeout_ms: call.idle_timeout_ms,
        deadline_ms: call.deadline_ms,
        max_retries: call.max_retries,
    });
    AcceptedCall {
        index,
        call_id: call.call_id.clone().unwrap_or_default(),
        tool: call.tool.clone(),
        input_json: serde_json::to_string(&call.input).unwrap_or_else(|_| "null".into()),
        idempotency_key: call.idempotency_key.clone(),
        overrides_json: overrides.and_then(|o| serde_json::to_string(&o).ok()),
    }
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
        let calls = (0u32..)
            .zip(calls)
            .map(|(index, call)| accepted(index, call))
            .collect();
        self.store.record(JournalRecord::BatchAccepted {
            batch_id: Arc::clone(&batch.id),
            accepted_at_ms: now_ms(),
            redrive_of: batch.redrive_of.as_deref().map(str::to_owned),
            calls,
        });
    }

    fn call_started(&self, batch_id: &Arc<str>, index: u64) {
        self.store.record(JournalRecord::CallStarted {
            batch_id: Arc::clone(batch_id),
            index: stored_index(index),
            at_ms: now_ms(),
        });
    }

    fn call_ended(&self, batch_id: &Arc<str>, index: u64, envelope: &Envelope) {
        self.store.record(JournalRecord::CallEnded {
            batch_id: Arc::clone(batch_id),
            index: stored_index(index),
            tool: Arc::clone(&envelope.tool_name),
            status: Cow::Borrowed(envelope.status.as_str()),
            error_kind: envelope.error_kind().map(|k| Cow::Borrowed(k.as_str())),
            attempts: envelope.attempts,
            latency_ms: envelope.execution_time_ms,
            ended_at_ms: now_ms(),
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
