//! What the engine tells the journal.

use std::borrow::Cow;
use std::sync::Arc;

/// One event in the life of a batch, handed to
/// [`SqliteJournal::record`](crate::SqliteJournal::record).
///
/// A lone call is a batch of one: the caller gives it a batch id. Calls are keyed by
/// their batch id and index.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalRecord {
    /// A batch was accepted with these calls.
    BatchAccepted {
        /// The batch's id (`b-N` ids raise the high-water mark of
        /// [`next_batch_number`](crate::SqliteJournal::next_batch_number)).
        batch_id: Arc<str>,
        /// When it was accepted, in Unix milliseconds.
        accepted_at_ms: u64,
        /// The batch this one redrives, if any.
        redrive_of: Option<String>,
        /// Its calls.
        calls: Vec<AcceptedCall>,
    },
    /// A call's first attempt started.
    CallStarted {
        /// The call's batch.
        batch_id: Arc<str>,
        /// The call's index in its batch.
        index: u32,
        /// When, in Unix milliseconds.
        at_ms: u64,
    },
    /// A call ended with this envelope.
    CallEnded {
        /// The call's batch.
        batch_id: Arc<str>,
        /// The call's index in its batch.
        index: u32,
        /// The tool it called.
        tool: Arc<str>,
        /// Its final status (`success`, `failed`, ...).
        status: Cow<'static, str>,
        /// Its error kind, when it did not succeed.
        error_kind: Option<Cow<'static, str>>,
        /// Attempts made.
        attempts: u32,
        /// Time from acceptance to envelope, in milliseconds.
        latency_ms: f64,
        /// When it ended, in Unix milliseconds.
        ended_at_ms: u64,
        /// Whether its result came from a fallback.
        fallback: bool,
        /// The envelope as JSON text; stored and returned byte for byte.
        envelope_json: String,
    },
    /// Every call of the batch has ended.
    BatchEnded {
        /// The batch's id.
        batch_id: Arc<str>,
        /// When, in Unix milliseconds.
        ended_at_ms: u64,
    },
}

/// A call as accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedCall {
    /// Its index in the batch.
    pub index: u32,
    /// Its call id.
    pub call_id: String,
    /// The tool it asks for.
    pub tool: String,
    /// Its input, as the JSON text the caller gave.
    pub input_json: String,
    /// Its idempotency key, if any.
    pub idempotency_key: Option<String>,
    /// Its per-call policy overrides as JSON text, if any.
    pub overrides_json: Option<String>,
}

/// What every record costs in the queue besides its text: the record itself, its
/// queue slot, and the allocations' headers.
const RECORD_OVERHEAD: usize = 128;

impl JournalRecord {
    /// About how many bytes the record holds, for the queue's byte budget.
    pub(crate) fn approximate_bytes(&self) -> usize {
        match self {
            Self::BatchAccepted { calls, .. } => {
                RECORD_OVERHEAD
                    + calls
                        .iter()
                        .map(AcceptedCall::approximate_bytes)
                        .sum::<usize>()
            }
            Self::CallStarted { .. } | Self::BatchEnded { .. } => RECORD_OVERHEAD,
            Self::CallEnded { envelope_json, .. } => RECORD_OVERHEAD + envelope_json.len(),
        }
    }
}

impl AcceptedCall {
    fn approximate_bytes(&self) -> usize {
        RECORD_OVERHEAD
            + self.call_id.len()
            + self.tool.len()
            + self.input_json.len()
            + self.idempotency_key.as_ref().map_or(0, String::len)
            + self.overrides_json.as_ref().map_or(0, String::len)
    }
}
