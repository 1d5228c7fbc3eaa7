//! A group: the records the writer commits in one transaction, merged so that each
//! call costs as few statements as possible.
//!
//! A call accepted in the group is inserted once with whatever else the group says
//! about it (its start, its end); a call accepted earlier gets one update carrying both
//! its start and its end when both are in the group (the start alone is skipped).

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;

use super::ending::{Ending, EnvelopeTexts};
use crate::accepted::AcceptedCalls;
use crate::record::JournalRecord;

/// What the group says about a call accepted in it, besides the call itself.
#[derive(Debug, Default)]
pub(crate) struct NewCall {
    pub(crate) started_at_ms: Option<u64>,
    pub(crate) ending: Option<Ending>,
}

/// A batch accepted in this group.
#[derive(Debug)]
pub(crate) struct NewBatch {
    pub(crate) batch_id: Arc<str>,
    pub(crate) accepted_at_ms: u64,
    pub(crate) redrive_of: Option<String>,
    pub(crate) ended_at_ms: Option<u64>,
    pub(crate) accepted: AcceptedCalls,
    /// One per accepted call, in the same order.
    pub(crate) calls: Vec<NewCall>,
    /// Records merged into this batch (its acceptance included).
    pub(crate) records: u64,
}

/// What the group says about a call accepted in an earlier group.
#[derive(Debug)]
pub(crate) struct CallUpdate {
    pub(crate) batch_id: Arc<str>,
    pub(crate) index: u32,
    pub(crate) started_at_ms: Option<u64>,
    pub(crate) ending: Option<Ending>,
    pub(crate) records: u64,
}

/// Where a call's record goes.
enum Found<'g> {
    /// Into this call, accepted in the group.
    New(&'g mut NewCall),
    /// Nowhere: its batch was accepted in the group without this call.
    Missing,
    /// Into an update: its batch was accepted in an earlier group (or never).
    Earlier,
}

/// The merged records of one group.
#[derive(Debug, Default)]
pub(crate) struct Group {
    pub(crate) new_batches: Vec<NewBatch>,
    new_by_id: HashMap<Arc<str>, usize, RandomState>,
    pub(crate) updates: Vec<CallUpdate>,
    updates_by_call: HashMap<(Arc<str>, u32), usize, RandomState>,
    /// Ends of batches accepted in earlier groups.
    pub(crate) batch_ends: Vec<(Arc<str>, u64)>,
    /// Records refused while merging (a second acceptance of a batch in the group, a
    /// call index its batch does not have).
    pub(crate) refused: u64,
    /// Records taken into the group.
    pub(crate) records: u64,
    /// The texts of the group's envelopes.
    pub(crate) texts: EnvelopeTexts,
}

impl Group {
    /// Whether the group holds nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Empties the group for the next one, keeping the room it grew.
    pub(crate) fn clear(&mut self) {
        self.new_batches.clear();
        self.new_by_id.clear();
        self.updates.clear();
        self.updates_by_call.clear();
        self.batch_ends.clear();
        self.refused = 0;
        self.records = 0;
        self.texts.clear();
    }

    /// Merges one record into the group.
    pub(crate) fn add(&mut self, record: JournalRecord) {
        self.records += 1;
        match record {
            JournalRecord::BatchAccepted {
                batch_id,
                accepted_at_ms,
                redrive_of,
                calls,
            } => self.accept(batch_id, accepted_at_ms, redrive_of, calls),
            JournalRecord::CallStarted {
                batch_id,
                index,
                at_ms,
            } => self.start(batch_id, index, at_ms),
            JournalRecord::CallEnded {
                batch_id,
                index,
                tool,
                status,
                error_kind,
                attempts,
                latency_ms,
                ended_at_ms,
                fallback,
                envelope_json,
            } => {
                let ending = Ending {
                    tool,
                    status,
                    error_kind,
                    attempts,
                    latency_ms,
                    ended_at_ms,
                    fallback,
                    envelope: self.texts.push_str(&envelope_json),
                };
                self.end_call(batch_id, index, ending);
            }
            JournalRecord::EnvelopeEnded {
                batch_id,
                index,
                ended_at_ms,
                envelope,
            } => {
                let ending = Ending::of_envelope(&envelope, ended_at_ms, &mut self.texts);
                // The copy is freed now rather than at the commit: the group keeps
                // only its text.
                drop(envelope);
                self.end_call(batch_id, index, ending);
            }
            JournalRecord::BatchEnded {
                batch_id,
                ended_at_ms,
            } => self.end_batch(batch_id, ended_at_ms),
        }
    }

    fn accept(
        &mut self,
        batch_id: Arc<str>,
        accepted_at_ms: u64,
        redrive_of: Option<String>,
        accepted: AcceptedCalls,
    ) {
        if self.new_by_id.contains_key(&batch_id) {
            self.refused += 1;
            return;
        }
        self.new_by_id
            .insert(batch_id.clone(), self.new_batches.len());
        self.new_batches.push(NewBatch {
            batch_id,
            accepted_at_ms,
            redrive_of,
            ended_at_ms: None,
            calls: std::iter::repeat_with(NewCall::default)
                .take(accepted.len())
                .collect(),
            accepted,
            records: 1,
        });
    }

    fn start(&mut self, batch_id: Arc<str>, index: u32, at_ms: u64) {
        match self.new_call(&batch_id, index) {
            Found::New(call) => call.started_at_ms = Some(at_ms),
            Found::Missing => self.refused += 1,
            Found::Earlier => self.update(batch_id, index).started_at_ms = Some(at_ms),
        }
    }

    fn end_call(&mut self, batch_id: Arc<str>, index: u32, ending: Ending) {
        match self.new_call(&batch_id, index) {
            Found::New(call) => call.ending = Some(ending),
            Found::Missing => self.refused += 1,
            Found::Earlier => self.update(batch_id, index).ending = Some(ending),
        }
    }

    fn end_batch(&mut self, batch_id: Arc<str>, ended_at_ms: u64) {
        match self.new_by_id.get(&batch_id) {
            Some(&at) => {
                let batch = &mut self.new_batches[at];
                batch.ended_at_ms = Some(ended_at_ms);
                batch.records += 1;
            }
            None => self.batch_ends.push((batch_id, ended_at_ms)),
        }
    }

    /// Finds call `index` among the batches accepted in this group, counting the
    /// record as merged into its batch when found.
    fn new_call(&mut self, batch_id: &str, index: u32) -> Found<'_> {
        let Some(&at) = self.new_by_id.get(batch_id) else {
            return Found::Earlier;
        };
        let batch = &mut self.new_batches[at];
        let Some(position) = batch.accepted.position_of(index) else {
            return Found::Missing;
        };
        batch.records += 1;
        Found::New(&mut batch.calls[position])
    }

    fn update(&mut self, batch_id: Arc<str>, index: u32) -> &mut CallUpdate {
        let key = (batch_id, index);
        let at = match self.updates_by_call.get(&key) {
            Some(&at) => at,
            None => {
                let at = self.updates.len();
                self.updates.push(CallUpdate {
                    batch_id: key.0.clone(),
                    index,
                    started_at_ms: None,
                    ending: None,
                    records: 0,
                });
                self.updates_by_call.insert(key, at);
                at
            }
        };
        let update = &mut self.updates[at];
        update.records += 1;
        update
    }
}
