//! What becomes of a batch's envelopes as its calls end: kept until the batch ends and
//! returned in request order, or sent on at once, tagged with their request index.
//!
//! Both forms of a batch ([`Executor::execute_batch`](crate::Executor::execute_batch)
//! and [`Executor::execute_batch_stream`](crate::Executor::execute_batch_stream)) run
//! the same lanes, scope and backlog; only this last step differs.

use tokio::sync::mpsc::UnboundedSender;

use crate::Envelope;

/// A finished call: its index in the request and its envelope.
pub(crate) type Indexed = (usize, Envelope);

/// What a batch does with each envelope.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// Kept in a slot per call, returned in request order when the batch ends.
    Collect,
    /// Sent as each call ends. Unbounded: a lane never waits for the reader, which
    /// holds at most one envelope per call of the batch.
    Stream(UnboundedSender<Indexed>),
}

impl Delivery {
    /// Whether the batch keeps its envelopes for the end.
    pub(crate) fn keeps(&self) -> bool {
        matches!(self, Self::Collect)
    }

    /// Sends the envelope of the call at `index` on; returns it when it is to be kept.
    /// A reader that has gone away (a dropped stream) is not an error: the call is
    /// recorded already, and the dropped stream cancels the rest of the batch.
    pub(crate) fn send(&self, index: usize, envelope: Envelope) -> Option<Envelope> {
        match self {
            Self::Collect => Some(envelope),
            Self::Stream(sender) => {
                let _ = sender.send((index, envelope));
                None
            }
        }
    }
}
