//! What becomes of a batch's envelopes as its calls end: kept until the batch ends and
//! returned in request order, or sent on at once, tagged with their request index.
//!
//! Both forms of a batch ([`Executor::execute_batch`](crate::Executor::execute_batch)
//! and [`Executor::execute_batch_stream`](crate::Executor::execute_batch_stream)) run
//! the same lanes, scope and backlog; only this last step differs.

use smallvec::SmallVec;
use tokio::sync::mpsc::UnboundedSender;

use crate::Envelope;

/// A finished call: its index in the request and its envelope.
pub(crate) type Indexed = (usize, Envelope);

/// Envelopes sent on together: the ones a lane saw end in one poll. One send wakes a
/// parked reader once, however many envelopes it carries.
pub(crate) type Chunk = SmallVec<[Indexed; 1]>;

/// What a batch does with each envelope.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// Kept in a slot per call, returned in request order when the batch ends.
    Collect,
    /// Sent as calls end, in chunks. Unbounded: a lane never waits for the reader,
    /// which holds at most one envelope per call of the batch.
    Stream(UnboundedSender<Chunk>),
}

impl Delivery {
    /// Whether the batch keeps its envelopes for the end.
    pub(crate) fn keeps(&self) -> bool {
        matches!(self, Self::Collect)
    }

    /// Sends `chunk` on, if there is anything in it and a stream to send it to. A
    /// reader that has gone away (a dropped stream) is not an error: the calls are
    /// recorded already, and the dropped stream cancels the rest of the batch.
    pub(crate) fn send(&self, chunk: Chunk) {
        if let (Self::Stream(sender), false) = (self, chunk.is_empty()) {
            let _ = sender.send(chunk);
        }
    }
}
