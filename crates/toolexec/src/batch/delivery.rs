//! What becomes of a batch's envelopes as its calls end: kept until the batch ends and
//! returned in request order, or handed at once, tagged with their request index, to
//! the stream's [`Outbox`].
//!
//! Both forms of a batch ([`Executor::execute_batch`](crate::Executor::execute_batch)
//! and [`Executor::execute_batch_stream`](crate::Executor::execute_batch_stream)) run
//! the same lanes, scope and backlog; only this last step differs.

use std::sync::Arc;

pub(crate) use crate::batch::outbox::Indexed;
use crate::batch::outbox::{Handover, Outbox};

/// What a batch does with each envelope.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// Kept in a slot per call, returned in request order when the batch ends.
    Collect,
    /// Handed to the stream's outbox as calls end. Unbounded: a lane never waits for
    /// the reader, which holds at most one envelope per call of the batch.
    Stream(Arc<Outbox>),
}

impl Delivery {
    /// Whether the batch keeps its envelopes for the end.
    pub(crate) fn keeps(&self) -> bool {
        matches!(self, Self::Collect)
    }

    /// Hands `finished` to the stream, if there is one. A reader that has gone away
    /// (a dropped stream) is not an error: the calls are recorded already, and the
    /// dropped stream cancels the rest of the batch.
    pub(crate) fn send(&self, finished: impl IntoIterator<Item = Indexed>) -> Handover {
        match self {
            Self::Stream(outbox) => outbox.hand_over(finished),
            Self::Collect => Handover::Done,
        }
    }

    /// Wakes the stream's reader, once the lane that took the wake-up on itself
    /// ([`Handover::WakeReader`]) has let the other lanes of its wave hand over theirs.
    pub(crate) fn wake_reader(&self) {
        if let Self::Stream(outbox) = self {
            outbox.wake_reader();
        }
    }
}
