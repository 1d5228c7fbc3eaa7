//! What the engine tells the journal.

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
        batch_id: String,
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
        batch_id: String,
        /// The call's index in its batch.
        index: u32,
        /// When, in Unix milliseconds.
        at_ms: u64,
    },
    /// A call ended with this envelope.
    CallEnded {
        /// The call's batch.
        batch_id: String,
        /// The call's index in its batch.
        index: u32,
        /// Its final status (`success`, `failed`, ...).
        status: String,
        /// Its error kind, when it did not succeed.
        error_kind: Option<String>,
        /// Attempts made.
        attempts: u32,
        /// Time from acceptance to envelope, in milliseconds.
        latency_ms: f64,
        /// When it ended, in Unix milliseconds.
        ended_at_ms: u64,
        /// The envelope as JSON text; stored and returned byte for byte.
        envelope_json: String,
    },
    /// Every call of the batch has ended.
    BatchEnded {
        /// The batch's id.
        batch_id: String,
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
