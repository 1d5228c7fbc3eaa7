//! The journal: where an executor writes down each batch and each call as it is
//! accepted, starts and ends, for a store that outlives the process (the SQLite one is
//! in the `toolexec-journal` crate). After a crash the store knows which calls ended,
//! with their envelopes, and which did not.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{sleep, Instant};

use crate::scope::Scope;
use crate::{Envelope, ToolCall};

/// The longest a call waits for a journal that asks calls to wait ([`Journal::pace`]).
pub const JOURNAL_PACE_MAX: Duration = Duration::from_secs(1);

/// How often a waiting call asks the journal again.
const PACE_STEP: Duration = Duration::from_millis(1);

/// A store of batches and calls, written as they are accepted, start and end.
///
/// Every method runs on the call path: an implementation hands the record over (a
/// queue, a channel) and returns; it never waits on I/O. A journal that cannot keep up
/// degrades itself and says so; it never fails or blocks a call. It may pace calls
/// ([`pace`](Self::pace)): a call about to start waits while the journal's writer is
/// behind, at most [`JOURNAL_PACE_MAX`] and never past the call's deadline, so that a
/// burst runs at the speed the journal stores it rather than overflowing it.
///
/// Calls are numbered by their index in their batch. A lone call
/// ([`Executor::execute`](crate::Executor::execute)) is journaled as a batch of one.
pub trait Journal: Send + Sync + std::fmt::Debug + 'static {
    /// A batch id not used before, by this process or any earlier one on the same
    /// store, for a batch that did not bring its own
    /// ([`BatchOptions::batch_id`](crate::BatchOptions::batch_id)).
    fn new_batch_id(&self) -> Arc<str>;

    /// A batch was accepted with these calls, before any of them starts. A call
    /// without an id of its own still has none here: its id, the `c-N` its envelope
    /// will carry, is [`batch.call_id(index, call)`](JournalBatch::call_id), written
    /// without an allocation per call.
    fn batch_accepted(&self, batch: &JournalBatch, calls: &[ToolCall]);

    /// The call at `index` of `batch_id` was let through its circuit and starts its
    /// first attempt (as soon as a permit is free).
    fn call_started(&self, batch_id: &Arc<str>, index: u64);

    /// The call at `index` of `batch_id` ended with `envelope`: the one the caller gets.
    ///
    /// The call's lane takes its next call only once this returns, and a wave of
    /// calls ends together: a store that keeps the envelope as text had better copy it
    /// here and serialize it on its writer's thread, as the SQLite journal does.
    fn call_ended(&self, batch_id: &Arc<str>, index: u64, envelope: &Envelope);

    /// Every call of `batch_id` has ended.
    fn batch_ended(&self, batch_id: &Arc<str>);

    /// Whether calls about to start should wait: the journal is behind but catching
    /// up. Asked once before each call's first attempt, and every millisecond while
    /// the call waits. The default never asks a call to wait.
    fn pace(&self) -> bool {
        false
    }
}

/// A batch as a journal records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalBatch {
    /// The batch's id.
    pub id: Arc<str>,
    /// The batch this one re-runs calls of, for a redrive.
    pub redrive_of: Option<Arc<str>>,
    /// The `N` of the `c-N` id of the batch's first call, if it has no id of its own:
    /// the call at `index` without one is `c-(first_call_number + index)`.
    pub first_call_number: u64,
}

impl JournalBatch {
    /// The id of the batch's call at `index`: its own, or the `c-N` its envelope
    /// carries.
    pub fn call_id<'c>(&self, index: u64, call: &'c ToolCall) -> CallId<'c> {
        match &call.call_id {
            Some(id) => CallId::Given(id),
            None => CallId::Generated(self.first_call_number.wrapping_add(index)),
        }
    }
}

/// A journaled call's id, written (`Display`) without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallId<'c> {
    /// The id the call came with.
    Given(&'c str),
    /// `c-N`, given by the engine.
    Generated(u64),
}

impl std::fmt::Display for CallId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Given(id) => f.write_str(id),
            Self::Generated(n) => write!(f, "c-{n}"),
        }
    }
}

/// One journaled batch while its calls run: shared by the batch and each of its calls,
/// it tells the journal the batch ended when the last of them lets go of it.
pub(crate) struct JournalScope {
    journal: Arc<dyn Journal>,
    batch_id: Arc<str>,
    /// The executor's sequence number of the batch's first call: a call's index in
    /// its batch is its sequence number less this.
    first_sequence: u64,
}

impl JournalScope {
    /// Journals a batch accepted with `calls`, whose first call has sequence number
    /// `first_sequence`. A call without an id gets `c-N` when it is announced, `N` its
    /// sequence number: the journal names it alike ([`JournalBatch::call_id`]).
    pub(crate) fn accept(
        journal: &Arc<dyn Journal>,
        batch_id: Option<Arc<str>>,
        redrive_of: Option<Arc<str>>,
        calls: &[ToolCall],
        first_sequence: u64,
    ) -> Arc<Self> {
        let batch = JournalBatch {
            id: batch_id.unwrap_or_else(|| journal.new_batch_id()),
            redrive_of,
            first_call_number: first_sequence,
        };
        journal.batch_accepted(&batch, calls);
        Arc::new(Self {
            journal: journal.clone(),
            batch_id: batch.id,
            first_sequence,
        })
    }

    fn index(&self, sequence: u64) -> u64 {
        sequence.wrapping_sub(self.first_sequence)
    }

    /// The batch's id.
    pub(crate) fn batch_id(&self) -> &Arc<str> {
        &self.batch_id
    }

    /// The call of `sequence` starts.
    pub(crate) fn started(&self, sequence: u64) {
        self.journal
            .call_started(&self.batch_id, self.index(sequence));
    }

    /// Waits while the journal asks calls to ([`Journal::pace`]): at most
    /// [`JOURNAL_PACE_MAX`], never past `deadline`, and not once `scope` is cancelled.
    pub(crate) async fn pace(&self, deadline: Option<Instant>, scope: &Scope) {
        if !self.journal.pace() {
            return;
        }
        let most = Instant::now() + JOURNAL_PACE_MAX;
        let until = deadline.map_or(most, |deadline| deadline.min(most));
        while self.journal.pace() {
            let now = Instant::now();
            if now >= until || scope.cancel.is_cancelled() {
                return;
            }
            tokio::select! {
                () = sleep(PACE_STEP.min(until - now)) => {}
                () = scope.cancel.cancelled() => return,
            }
        }
    }

    /// The call of `sequence` ended with `envelope`.
    pub(crate) fn ended(&self, sequence: u64, envelope: &Envelope) {
        self.journal
            .call_ended(&self.batch_id, self.index(sequence), envelope);
    }
}

impl Drop for JournalScope {
    fn drop(&mut self) {
        self.journal.batch_ended(&self.batch_id);
    }
}
