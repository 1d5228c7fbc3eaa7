//! What the engine tells the journal.

use std::borrow::Cow;
use std::sync::Arc;

use toolexec::Envelope;

use crate::accepted::AcceptedCalls;
use crate::estimate::envelope_json_len;

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
        /// Its calls (`Vec<AcceptedCall>` converts with `into()`).
        calls: AcceptedCalls,
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
    /// A call ended with the engine's own envelope: the writer reads the columns from
    /// it and serializes it to JSON on its thread, so the call path pays for neither.
    /// The text stored is `serde_json::to_string` of the envelope, the same bytes as
    /// [`CallEnded`](Self::CallEnded) would carry.
    EnvelopeEnded {
        /// The call's batch.
        batch_id: Arc<str>,
        /// The call's index in its batch.
        index: u32,
        /// When it ended, in Unix milliseconds.
        ended_at_ms: u64,
        /// Its envelope, shared with the caller.
        envelope: Arc<Envelope>,
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

/// What each call of an accepted batch costs besides its texts (where they are).
const PACKED_CALL_OVERHEAD: usize = 64;

impl JournalRecord {
    /// About how many bytes the record holds, for the queue's byte budget.
    pub(crate) fn approximate_bytes(&self) -> usize {
        match self {
            Self::BatchAccepted { calls, .. } => {
                RECORD_OVERHEAD + calls.len() * PACKED_CALL_OVERHEAD + calls.text_bytes()
            }
            Self::CallStarted { .. } | Self::BatchEnded { .. } => RECORD_OVERHEAD,
            Self::CallEnded { envelope_json, .. } => RECORD_OVERHEAD + envelope_json.len(),
            Self::EnvelopeEnded { envelope, .. } => RECORD_OVERHEAD + envelope_json_len(envelope),
        }
    }
}
