//! A batch's lanes: a few tasks, as many as may run at once, that take the batch's
//! calls in request order and run them one after another.
//!
//! A batch of 100,000 calls under a limit of 64 keeps 64 running futures, not 100,000
//! parked ones: the calls still waiting are plain [`Queued`] values and no task is
//! spawned per call. A call that backs off gives its permit back; if calls are still
//! waiting, its lane asks the batch for one more lane, so the permit does not idle.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use futures::future::CatchUnwind;
use futures::stream::FuturesUnordered;
use futures::{ready, FutureExt, StreamExt};
use parking_lot::Mutex;
use pin_project_lite::pin_project;
use tokio::sync::mpsc::UnboundedSender;

use crate::accept::Queued;
use crate::batch::lost_call;
use crate::call_path::{abandon, run_queued, Scope};
use crate::executor::Inner;
use crate::{Envelope, FailureMode};

/// Waiting calls in request order, and the request index of the first.
struct Waiting {
    index: usize,
    calls: std::vec::IntoIter<Queued>,
}

/// The calls of a batch that no lane has taken yet, and the envelopes of those done.
pub(crate) struct Backlog {
    inner: Arc<Inner>,
    waiting: Mutex<Waiting>,
    envelopes: Vec<OnceLock<Envelope>>,
    /// Set once the last waiting call is taken.
    drained: AtomicBool,
    failures: AtomicUsize,
    failure_mode: FailureMode,
    more_lanes: UnboundedSender<()>,
}

impl Backlog {
    /// The backlog of a batch of `total` calls whose last ones, `waiting`, wait for a
    /// lane in request order (the others go straight to lanes).
    pub(crate) fn new(
        inner: Arc<Inner>,
        total: usize,
        waiting: Vec<Queued>,
        failure_mode: FailureMode,
        more_lanes: UnboundedSender<()>,
    ) -> Self {
        let envelopes = (0..total).map(|_| OnceLock::new()).collect();
        Self {
            inner,
            drained: AtomicBool::new(waiting.is_empty()),
            waiting: Mutex::new(Waiting {
                index: total - waiting.len(),
                calls: waiting.into_iter(),
            }),
            envelopes,
            failures: AtomicUsize::new(0),
            failure_mode,
            more_lanes,
        }
    }

    /// Whether every call has been taken by a lane.
    pub(crate) fn is_drained(&self) -> bool {
        self.drained.load(Ordering::Acquire)
    }

    /// Asks the batch for one more lane, if calls are still waiting for one.
    pub(crate) fn request_lane(&self) {
        if !self.is_drained() {
            let _ = self.more_lanes.send(());
        }
    }

    pub(crate) fn next(&self) -> Option<(usize, Queued)> {
        let mut waiting = self.waiting.lock();
        let queued = waiting.calls.next()?;
        let index = waiting.index;
        waiting.index += 1;
        if waiting.calls.len() == 0 {
            // Frees the queue's buffer now rather than when the batch ends.
            waiting.calls = Vec::new().into_iter();
            self.drained.store(true, Ordering::Release);
        }
        Some((index, queued))
    }

    /// Keeps a call's envelope and, when the failure mode says so, cancels the rest.
    fn finished(&self, index: usize, envelope: Envelope, scope: &Scope) {
        if !envelope.success {
            let failures = self.failures.fetch_add(1, Ordering::AcqRel) + 1;
            if self.failure_mode.stops_at(failures) {
                scope.cancel.cancel();
            }
        }
        let _ = self.envelopes[index].set(envelope);
    }

    /// The envelopes in request order, once no lane holds the backlog any more. A call
    /// whose lane died without an envelope (which the call path never lets happen)
    /// still gets one.
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

/// A call's envelope, or the one of a call that has none.
fn answered(slot: Option<Envelope>) -> Envelope {
    slot.unwrap_or_else(|| lost_call("unknown".into(), "unknown".into()))
}

impl Drop for Backlog {
    /// Calls that never ran because the batch went away are recorded as cancelled.
    fn drop(&mut self) {
        for queued in &mut self.waiting.get_mut().calls {
            abandon(&self.inner, queued);
        }
    }
}

impl Scope {
    /// The batch's next waiting call, if any is left.
    fn next_waiting(&self) -> Option<(usize, Queued)> {
        self.backlog.as_ref().and_then(Backlog::next)
    }

    /// Keeps the envelope of the batch's call at `index`.
    fn keep(&self, index: usize, envelope: Envelope) {
        if let Some(backlog) = &self.backlog {
            backlog.finished(index, envelope, self);
        }
    }
}

pin_project! {
    /// A call on a lane: its future, and its request index and names (for the envelope
    /// of a call whose future panicked).
    struct Running<F> {
        index: usize,
        call_id: Arc<str>,
        tool_name: Arc<str>,
        #[pin]
        call: CatchUnwind<AssertUnwindSafe<F>>,
    }
}

impl<F: Future<Output = Envelope>> Future for Running<F> {
    type Output = (usize, Envelope);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<(usize, Envelope)> {
        let this = self.project();
        let outcome = ready!(this.call.poll(cx));
        let envelope =
            outcome.unwrap_or_else(|_| lost_call(this.call_id.clone(), this.tool_name.clone()));
        Poll::Ready((*this.index, envelope))
    }
}

/// How a lane starts the call at `index`.
type Make<F> = fn(Arc<Inner>, Queued, Arc<Scope>) -> F;

/// The call at `index`, started.
fn begin<F: Future<Output = Envelope>>(
    inner: &Arc<Inner>,
    scope: &Arc<Scope>,
    make: Make<F>,
    index: usize,
    queued: Queued,
) -> Running<F> {
    Running {
        index,
        call_id: queued.accepted.call_id.clone(),
        tool_name: queued.accepted.tool_name.clone(),
        call: AssertUnwindSafe(make(inner.clone(), queued, scope.clone())).catch_unwind(),
    }
}

/// How many calls one lane task runs at once when a batch may run `lanes` calls at
/// once on `workers` worker threads.
///
/// One, while the lanes are few enough (up to 64 per worker) that a task each costs
/// little and spreads CPU-heavy tools over every core. Beyond that, a task per call
/// costs more than the call (a task cell, a spawn, a wake-up per event, a join): a
/// lane then drives up to 1,024 calls from one task, and there are still 16 lane tasks
/// per worker for the scheduler to balance.
pub(crate) fn lane_width(lanes: usize, workers: usize) -> usize {
    let workers = workers.max(1);
    if lanes <= workers * 64 {
        1
    } else {
        lanes.div_ceil(workers * 16).min(1024)
    }
}

/// The number of worker threads of the runtime the caller runs on.
pub(crate) fn current_workers() -> usize {
    tokio::runtime::Handle::try_current().map_or(1, |handle| handle.metrics().num_workers())
}

pin_project! {
    /// One lane: runs its first call, then takes the next waiting call of the batch,
    /// until none is left. Written by hand rather than as an `async fn` so that it
    /// holds the running call's future and little else (an `async` loop keeps room for
    /// the `Queued` value and for a second copy of the future).
    pub(crate) struct Lane<F> {
        inner: Arc<Inner>,
        scope: Arc<Scope>,
        make: Make<F>,
        #[pin]
        call: Option<Running<F>>,
    }
}

/// A lane that starts with the call `first` (if any), then serves the backlog.
pub(crate) fn lane(
    inner: Arc<Inner>,
    scope: Arc<Scope>,
    first: Option<(usize, Queued)>,
) -> Lane<impl Future<Output = Envelope> + Send + 'static> {
    let make = run_queued;
    let call = first.map(|(index, queued)| begin(&inner, &scope, make, index, queued));
    Lane {
        inner,
        scope,
        make,
        call,
    }
}

impl<F: Future<Output = Envelope>> Future for Lane<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        loop {
            if let Some(call) = this.call.as_mut().as_pin_mut() {
                let (index, envelope) = ready!(call.poll(cx));
                this.call.set(None);
                this.scope.keep(index, envelope);
            }
            // Calls that answer at once would let a lane run its whole share in one
            // poll: the task budget makes it yield to the others now and then.
            let progress = ready!(tokio::task::coop::poll_proceed(cx));
            let Some((index, queued)) = this.scope.next_waiting() else {
                return Poll::Ready(());
            };
            progress.made_progress();
            let call = begin(this.inner, this.scope, *this.make, index, queued);
            this.call.set(Some(call));
        }
    }
}

/// A lane that runs up to `width` calls at once from one task (see [`lane_width`]):
/// it starts with its own calls, then, as each ends, takes the next waiting call.
pub(crate) struct WideLane<F> {
    inner: Arc<Inner>,
    scope: Arc<Scope>,
    make: Make<F>,
    width: usize,
    /// The lane's own calls, accepted by the batch but not started: the lane starts
    /// them on its worker thread, so a batch whose calls all start at once does not
    /// build every call's future on the one thread that announces them.
    own: std::vec::IntoIter<(usize, Queued)>,
    calls: FuturesUnordered<Running<F>>,
}

/// A wide lane that starts with the calls of `first` (at most `width` of them are
/// taken), then serves the backlog; `None` if `first` had no call.
pub(crate) fn wide_lane(
    inner: Arc<Inner>,
    scope: Arc<Scope>,
    width: usize,
    first: impl Iterator<Item = (usize, Queued)>,
) -> Option<WideLane<impl Future<Output = Envelope> + Send + 'static>> {
    let own: Vec<_> = first.take(width).collect();
    (!own.is_empty()).then(|| WideLane {
        inner,
        scope,
        make: run_queued,
        width,
        own: own.into_iter(),
        calls: FuturesUnordered::new(),
    })
}

impl<F> WideLane<F> {
    /// The lane's next call to start: its own first, then the batch's waiting ones.
    fn next_call(&mut self) -> Option<(usize, Queued)> {
        self.own.next().or_else(|| self.scope.next_waiting())
    }
}

impl<F> Drop for WideLane<F> {
    /// The lane's own calls that never started (its batch went away first) are recorded
    /// as cancelled, as the batch's waiting calls are.
    fn drop(&mut self) {
        for (_, queued) in &mut self.own {
            abandon(&self.inner, queued);
        }
    }
}

impl<F: Future<Output = Envelope>> Future for WideLane<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `FuturesUnordered` keeps each call in a box of its own, so nothing is pinned
        // in place here.
        let this = self.get_mut();
        loop {
            while this.calls.len() < this.width {
                let progress = ready!(tokio::task::coop::poll_proceed(cx));
                let Some((index, queued)) = this.next_call() else {
                    break;
                };
                progress.made_progress();
                let call = begin(&this.inner, &this.scope, this.make, index, queued);
                this.calls.push(call);
            }
            match ready!(this.calls.poll_next_unpin(cx)) {
                Some((index, envelope)) => this.scope.keep(index, envelope),
                None => return Poll::Ready(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lane_width;

    #[test]
    fn a_lane_runs_one_call_until_the_lanes_outnumber_the_workers_64_to_1() {
        assert_eq!(lane_width(1, 2), 1);
        assert_eq!(lane_width(128, 2), 1);
        assert_eq!(lane_width(129, 2), 5);
        assert_eq!(lane_width(1_000, 2), 32);
        assert_eq!(lane_width(1_000_000, 2), 1_024);
        assert_eq!(lane_width(100, 0), 7);
    }
}
