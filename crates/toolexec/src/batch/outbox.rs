//! A streamed batch's outbox: the envelopes its lanes have finished, waiting for the
//! stream's reader, who is woken once per pass of the runtime's run queue rather than
//! once per lane that hands an envelope over.
//!
//! A reader that keeps up empties the outbox as soon as it is woken and parks again.
//! Woken at every hand-over, a reader on a thread outside the runtime (the main thread
//! of `block_on`, say) pays a futex wake and a context switch for each: in a wave of
//! calls ending together, once per lane. Here the first lane to hand envelopes to an
//! outbox whose reader is not already due to be woken takes the wake-up on itself
//! ([`Handover::WakeReader`]): it wakes its own task, which the runtime treats as a
//! yield and polls again after the tasks already queued, the other lanes of the wave
//! among them, and only then wakes the reader ([`Outbox::wake_reader`]), once for all
//! they handed over.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Waker};

use futures::task::AtomicWaker;
use parking_lot::Mutex;

use crate::Envelope;

/// A finished call: its index in the request and its envelope.
pub(crate) type Indexed = (usize, Envelope);

/// Finished calls waiting for the reader, and how to wake it.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    finished: Mutex<VecDeque<Indexed>>,
    reader: AtomicWaker,
    /// Whether a lane has taken on the next wake-up of the reader.
    wake_due: AtomicBool,
}

/// What a lane must do after handing envelopes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a lane that takes the wake-up on itself must wake the reader later"]
pub(crate) enum Handover {
    /// Nothing: another lane wakes the reader, or nothing was handed over.
    Done,
    /// Wake the reader with [`Outbox::wake_reader`], after the tasks queued now have
    /// run (see [`defer_wake`]).
    WakeReader,
}

impl Outbox {
    /// Adds `finished` for the reader; the lane that gets [`Handover::WakeReader`] is
    /// the one to wake it.
    pub(crate) fn hand_over(&self, finished: impl IntoIterator<Item = Indexed>) -> Handover {
        let added = {
            let mut queue = self.finished.lock();
            let before = queue.len();
            queue.extend(finished);
            queue.len() > before
        };
        if added && !self.wake_due.swap(true, Ordering::AcqRel) {
            Handover::WakeReader
        } else {
            Handover::Done
        }
    }

    /// Wakes the reader for everything handed over so far; a lane's next hand-over
    /// takes on the next wake-up.
    pub(crate) fn wake_reader(&self) {
        // A read-modify-write, so that it takes in every hand-over that found the
        // wake-up already taken (theirs wrote `true` before this).
        self.wake_due.swap(false, Ordering::AcqRel);
        self.reader.wake();
    }

    /// Moves the waiting envelopes into `into`, which must be empty (its buffer is
    /// given to the outbox in exchange, so neither side allocates again).
    pub(crate) fn take(&self, into: &mut VecDeque<Indexed>) {
        debug_assert!(
            into.is_empty(),
            "the reader takes only once it has yielded all"
        );
        std::mem::swap(&mut *self.finished.lock(), into);
    }

    /// Takes the waiting envelopes into `into` (empty), or, if there are none, asks to
    /// be woken when a lane hands some over.
    pub(crate) fn take_or_register(&self, into: &mut VecDeque<Indexed>, cx: &Context<'_>) {
        self.take(into);
        if into.is_empty() {
            self.reader.register(cx.waker());
            // A hand-over between the look and the registration woke nobody.
            self.take(into);
        }
    }
}

/// Makes the task of `waker` poll again after the tasks the runtime has queued now: a
/// task that wakes itself while it is being polled is rescheduled as a yield.
pub(crate) fn defer_wake(waker: &Waker) {
    waker.wake_by_ref();
}

#[cfg(test)]
mod tests {
    use super::{Handover, Outbox};
    use crate::call::engine_fault;
    use std::collections::VecDeque;

    fn finished(index: usize) -> super::Indexed {
        (
            index,
            engine_fault("c".into(), "t".into(), 1, "a test's envelope"),
        )
    }

    #[test]
    fn only_the_first_hand_over_before_a_wake_up_takes_the_wake_up_on_itself() {
        let outbox = Outbox::default();
        assert_eq!(outbox.hand_over([finished(0)]), Handover::WakeReader);
        assert_eq!(outbox.hand_over([finished(1)]), Handover::Done);
        outbox.wake_reader();
        assert_eq!(outbox.hand_over([finished(2)]), Handover::WakeReader);
        assert_eq!(outbox.hand_over([]), Handover::Done);
        let mut taken = VecDeque::new();
        outbox.take(&mut taken);
        let indexes: Vec<usize> = taken.iter().map(|(index, _)| *index).collect();
        assert_eq!(indexes, [0, 1, 2]);
    }

    #[test]
    fn an_empty_hand_over_never_takes_the_wake_up() {
        let outbox = Outbox::default();
        assert_eq!(outbox.hand_over([]), Handover::Done);
        assert_eq!(outbox.hand_over([finished(0)]), Handover::WakeReader);
    }
}
