//! A batch's calls that no lane has taken yet, in request order, and the envelopes of
//! the calls done: kept in request order, or sent on as each call ends.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use crate::batch::delivery::{Delivery, Indexed};
use crate::batch::options::FailureMode;
use crate::batch::outbox::Handover;
use crate::call::{abandon, engine_fault, Queued};
use crate::inner::Inner;
use crate::scope::Scope;
use crate::Envelope;

/// Waiting calls in request order, the request index of the first, and whether more
/// are still to come (a fed batch's, see `feed`).
struct Waiting {
    index: usize,
    calls: VecDeque<Queued>,
    open: bool,
}

/// The calls of a batch that no lane has taken yet, and the envelopes of those done.
pub(crate) struct Backlog {
    inner: Arc<Inner>,
    waiting: Mutex<Waiting>,
    /// One slot per call when the envelopes are kept; none when they are sent on.
    envelopes: Vec<OnceLock<Envelope>>,
    delivery: Delivery,
    failures: AtomicUsize,
    /// A fed batch's calls that ended: with the request index of the next waiting
    /// call, how many run now (see [`running`](Self::running)); other batches do
    /// not count.
    ended: Option<AtomicUsize>,
    failure_mode: FailureMode,
}

impl Backlog {
    /// The backlog of a batch of `total` calls whose calls `waiting`, from request
    /// index `from`, wait for a lane in request order (the ones before go straight to
    /// lanes); `open` when more calls are still to come (a fed batch); `delivery` says
    /// what becomes of each envelope.
    pub(crate) fn new(
        inner: Arc<Inner>,
        total: usize,
        (from, waiting, open): (usize, Vec<Queued>, bool),
        failure_mode: FailureMode,
        delivery: Delivery,
    ) -> Self {
        let kept = if delivery.keeps() { total } else { 0 };
        let envelopes = (0..kept).map(|_| OnceLock::new()).collect();
        Self {
            inner,
            waiting: Mutex::new(Waiting {
                index: from,
                calls: waiting.into(),
                open,
            }),
            envelopes,
            delivery,
            failures: AtomicUsize::new(0),
            ended: open.then(|| AtomicUsize::new(0)),
            failure_mode,
        }
    }

    /// The next waiting call and its request index; when it is the last and no more
    /// are to come, the scope learns that no call waits any more.
    pub(crate) fn next(&self, scope: &Scope) -> Option<(usize, Queued)> {
        let mut waiting = self.waiting.lock();
        let queued = waiting.calls.pop_front()?;
        let index = waiting.index;
        waiting.index += 1;
        if waiting.calls.is_empty() {
            // Frees the queue's buffer now rather than when the batch ends.
            waiting.calls = VecDeque::new();
            if !waiting.open {
                drained(scope);
            }
        }
        Some((index, queued))
    }

    /// Adds calls that arrived (a fed batch's next ones, in request order) to the
    /// waiting calls.
    pub(crate) fn append(&self, calls: impl IntoIterator<Item = Queued>) {
        self.waiting.lock().calls.extend(calls);
    }

    /// No more calls will arrive; if none waits, the scope learns it.
    pub(crate) fn close(&self, scope: &Scope) {
        let mut waiting = self.waiting.lock();
        waiting.open = false;
        if waiting.calls.is_empty() {
            drained(scope);
        }
    }

    /// A fed batch's calls taken by lanes that have not ended (0 for other batches).
    pub(crate) fn running(&self) -> usize {
        let Some(ended) = &self.ended else {
            return 0;
        };
        let taken = self.waiting.lock().index;
        taken.saturating_sub(ended.load(Ordering::Acquire))
    }

    /// Keeps a call's envelope, or returns it when the envelopes are sent on (by
    /// [`send`](Self::send)); when the failure mode says so, cancels the rest, before
    /// this envelope is seen.
    pub(crate) fn finished(
        &self,
        index: usize,
        envelope: Envelope,
        scope: &Scope,
    ) -> Option<Indexed> {
        if let Some(ended) = &self.ended {
            ended.fetch_add(1, Ordering::AcqRel);
        }
        if !envelope.success {
            let failures = self.failures.fetch_add(1, Ordering::AcqRel) + 1;
            if self.failure_mode.stops_at(failures) {
                scope.cancel.cancel();
            }
        }
        match self.envelopes.get(index) {
            Some(slot) => {
                let _ = slot.set(envelope);
                None
            }
            None => (!self.delivery.keeps()).then_some((index, envelope)),
        }
    }

    /// Hands the envelopes `finished` to the stream, at once; see [`Handover`] for
    /// what the lane must do next.
    pub(crate) fn send(&self, finished: impl IntoIterator<Item = Indexed>) -> Handover {
        self.delivery.send(finished)
    }

    /// Wakes the stream's reader (see [`Handover::WakeReader`]).
    pub(crate) fn wake_reader(&self) {
        self.delivery.wake_reader();
    }

    /// The envelopes in request order, once no lane holds the backlog any more (none
    /// when they were sent on). A call whose lane died without an envelope (which the
    /// call path never lets happen) still gets one.
    pub(crate) fn take_envelopes(&mut self) -> Vec<Envelope> {
        std::mem::take(&mut self.envelopes)
            .into_iter()
            .map(|slot| answered(slot.into_inner()))
            .collect()
    }

    /// The same, copied, from a backlog something still shares (which cannot happen
    /// once every lane is joined, but a batch answers every call whatever happens).
    pub(crate) fn copy_envelopes(&self) -> Vec<Envelope> {
        self.envelopes
            .iter()
            .map(|slot| answered(slot.get().cloned()))
            .collect()
    }
}

impl Drop for Backlog {
    /// Calls that never ran because the batch went away are recorded as cancelled.
    fn drop(&mut self) {
        for queued in self.waiting.get_mut().calls.drain(..) {
            abandon(&self.inner, queued);
        }
    }
}

/// Tells the scope's lanes that no call waits any more.
fn drained(scope: &Scope) {
    if let Some(lanes) = &scope.lanes {
        lanes.set_drained();
    }
}

/// A call's envelope, or, for a call whose lane died outside the engine's guards (it
/// should never be seen, but a batch still answers every call), an engine fault.
fn answered(slot: Option<Envelope>) -> Envelope {
    slot.unwrap_or_else(|| {
        let message = "the call's lane ended without an envelope";
        engine_fault("unknown".into(), "unknown".into(), 0, message)
    })
}
