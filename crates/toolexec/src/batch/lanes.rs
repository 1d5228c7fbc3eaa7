//! A batch's lanes: a few tasks, as many as may run at once, that take the batch's
//! calls in request order and run them one after another.
//!
//! A batch of 100,000 calls under a limit of 64 keeps 64 running futures, not 100,000
//! parked ones: the calls still waiting are plain [`Queued`] values and no task is
//! spawned per call. A call that backs off gives its permit back; if calls are still
//! waiting, its lane asks the batch for one more lane, so the permit does not idle.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::FuturesUnordered;
use futures::{ready, StreamExt};
use pin_project_lite::pin_project;

use crate::batch::backlog::Backlog;
use crate::batch::delivery::Indexed;
use crate::batch::outbox::{defer_wake, Handover};
use crate::call::{abandon, run_queued, Queued};
use crate::inner::Inner;
use crate::scope::Scope;
use crate::Envelope;

/// What every lane of a batch shares: the executor, the scope its calls inherit, and
/// the backlog of calls no lane has taken yet.
pub(crate) struct Shared {
    pub(crate) inner: Arc<Inner>,
    pub(crate) scope: Arc<Scope>,
    pub(crate) backlog: Backlog,
}

impl Shared {
    /// The batch's next waiting call, if any is left.
    fn next_waiting(&self) -> Option<(usize, Queued)> {
        self.backlog.next(&self.scope)
    }

    /// Keeps the envelope of the batch's call at `index`, or hands it to the stream at
    /// once.
    fn keep(&self, index: usize, envelope: Envelope) -> Handover {
        match self.backlog.finished(index, envelope, &self.scope) {
            Some(finished) => self.backlog.send([finished]),
            None => Handover::Done,
        }
    }

    /// Called first in each poll of a lane: the wake-up of the stream's reader that
    /// the lane took on itself in its last poll is due now that the other lanes of
    /// that wave have run.
    fn wake_reader_if_due(&self, wake_due: &mut bool) {
        if std::mem::take(wake_due) {
            self.backlog.wake_reader();
        }
    }

    /// Called last in each poll of a lane: a lane that took the reader's wake-up on
    /// itself wakes the reader now if it has ended, or else yields, so that the other
    /// lanes the runtime has queued hand over their envelopes before the reader wakes.
    fn settle(&self, wake_due: &mut bool, polled: Poll<()>, cx: &Context<'_>) -> Poll<()> {
        if *wake_due {
            if polled.is_ready() {
                self.wake_reader_if_due(wake_due);
            } else {
                defer_wake(cx.waker());
            }
        }
        polled
    }

    /// Keeps or hands over the envelope of a call no lane ran (one a fed batch never
    /// received), waking the stream's reader at once when it must be.
    pub(crate) fn answer(&self, index: usize, envelope: Envelope) {
        if self.keep(index, envelope) == Handover::WakeReader {
            self.backlog.wake_reader();
        }
    }

    /// Keeps the envelope of the batch's call at `index`, or adds it to `outgoing`.
    fn gather(&self, index: usize, envelope: Envelope, outgoing: &mut Vec<Indexed>) {
        if let Some(finished) = self.backlog.finished(index, envelope, &self.scope) {
            outgoing.push(finished);
        }
    }
}

pin_project! {
    /// A call on a lane: its future (which answers even if the engine panics on the
    /// way, see `call::fault`) and its request index.
    struct Running<F> {
        index: usize,
        #[pin]
        call: F,
    }
}

impl<F: Future<Output = Envelope>> Future for Running<F> {
    type Output = (usize, Envelope);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<(usize, Envelope)> {
        let this = self.project();
        let envelope = ready!(this.call.poll(cx));
        Poll::Ready((*this.index, envelope))
    }
}

/// How a lane starts the call at `index`.
type Make<F> = fn(Arc<Inner>, Queued, Arc<Scope>) -> F;

/// The call at `index`, started.
fn begin<F: Future<Output = Envelope>>(
    shared: &Shared,
    make: Make<F>,
    index: usize,
    queued: Queued,
) -> Running<F> {
    Running {
        index,
        call: make(shared.inner.clone(), queued, shared.scope.clone()),
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
        shared: Arc<Shared>,
        make: Make<F>,
        #[pin]
        call: Option<Running<F>>,
        // Whether the lane owes the stream's reader a wake-up (see `Shared::settle`).
        wake_due: bool,
    }

    impl<F> PinnedDrop for Lane<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.shared.wake_reader_if_due(this.wake_due);
        }
    }
}

/// A lane that starts with the call `first` (if any), then serves the backlog.
pub(crate) fn lane(
    shared: Arc<Shared>,
    first: Option<(usize, Queued)>,
) -> Lane<impl Future<Output = Envelope> + Send + 'static> {
    let make = run_queued;
    let call = first.map(|(index, queued)| begin(&shared, make, index, queued));
    Lane {
        shared,
        make,
        call,
        wake_due: false,
    }
}

impl<F: Future<Output = Envelope>> Future for Lane<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        this.shared.wake_reader_if_due(this.wake_due);
        let polled = run_lane(this.shared, *this.make, this.call, this.wake_due, cx);
        this.shared.settle(this.wake_due, polled, cx)
    }
}

/// A lane's calls, one after another: the running one to its end, then the next
/// waiting call of the batch, until none is left or a call must wait.
fn run_lane<F: Future<Output = Envelope>>(
    shared: &Shared,
    make: Make<F>,
    mut call: Pin<&mut Option<Running<F>>>,
    wake_due: &mut bool,
    cx: &mut Context<'_>,
) -> Poll<()> {
    loop {
        if let Some(running) = call.as_mut().as_pin_mut() {
            let (index, envelope) = ready!(running.poll(cx));
            call.set(None);
            if shared.keep(index, envelope) == Handover::WakeReader {
                *wake_due = true;
            }
        }
        // Calls that answer at once would let a lane run its whole share in one
        // poll: the task budget makes it yield to the others now and then.
        let progress = ready!(tokio::task::coop::poll_proceed(cx));
        let Some((index, queued)) = shared.next_waiting() else {
            return Poll::Ready(());
        };
        progress.made_progress();
        call.set(Some(begin(shared, make, index, queued)));
    }
}

/// A lane that runs up to `width` calls at once from one task (see [`lane_width`]):
/// it starts with its own calls, then, as each ends, takes the next waiting call.
pub(crate) struct WideLane<F> {
    shared: Arc<Shared>,
    make: Make<F>,
    width: usize,
    /// The lane's own calls, accepted by the batch but not started: the lane starts
    /// them on its worker thread, so a batch whose calls all start at once does not
    /// build every call's future on the one thread that announces them.
    own: std::vec::IntoIter<(usize, Queued)>,
    calls: FuturesUnordered<Running<F>>,
    /// The envelopes of the calls that end in one poll, handed to a streamed batch's
    /// outbox together at its end (a buffer kept from poll to poll).
    outgoing: Vec<Indexed>,
    /// Whether the lane owes the stream's reader a wake-up (see `Shared::settle`).
    wake_due: bool,
}

/// A wide lane that starts with the calls of `first` (at most `width` of them are
/// taken), then serves the backlog; `None` if `first` had no call.
pub(crate) fn wide_lane(
    shared: Arc<Shared>,
    width: usize,
    first: impl Iterator<Item = (usize, Queued)>,
) -> Option<WideLane<impl Future<Output = Envelope> + Send + 'static>> {
    let own: Vec<_> = first.take(width).collect();
    (!own.is_empty()).then(|| WideLane {
        shared,
        make: run_queued,
        width,
        own: own.into_iter(),
        calls: FuturesUnordered::new(),
        outgoing: Vec::new(),
        wake_due: false,
    })
}

impl<F> WideLane<F> {
    /// The lane's next call to start: its own first, then the batch's waiting ones.
    fn next_call(&mut self) -> Option<(usize, Queued)> {
        self.own.next().or_else(|| self.shared.next_waiting())
    }
}

impl<F> Drop for WideLane<F> {
    /// The lane's own calls that never started (its batch went away first) are recorded
    /// as cancelled, as the batch's waiting calls are; a wake-up of the reader the lane
    /// still owed is given now.
    fn drop(&mut self) {
        for (_, queued) in &mut self.own {
            abandon(&self.shared.inner, queued);
        }
        self.shared.wake_reader_if_due(&mut self.wake_due);
    }
}

impl<F: Future<Output = Envelope>> Future for WideLane<F> {
    type Output = ();

    /// Runs the lane's calls; the envelopes of the calls that end during one poll are
    /// handed to a streamed batch's outbox together.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `FuturesUnordered` keeps each call in a box of its own, so nothing is pinned
        // in place here.
        let this = self.get_mut();
        this.shared.wake_reader_if_due(&mut this.wake_due);
        let mut outgoing = std::mem::take(&mut this.outgoing);
        let polled = this.drive(cx, &mut outgoing);
        let handover = this.shared.backlog.send(outgoing.drain(..));
        this.outgoing = outgoing;
        if handover == Handover::WakeReader {
            this.wake_due = true;
        }
        this.shared.settle(&mut this.wake_due, polled, cx)
    }
}

impl<F: Future<Output = Envelope>> WideLane<F> {
    fn drive(&mut self, cx: &mut Context<'_>, outgoing: &mut Vec<Indexed>) -> Poll<()> {
        loop {
            while self.calls.len() < self.width {
                let progress = ready!(tokio::task::coop::poll_proceed(cx));
                let Some((index, queued)) = self.next_call() else {
                    break;
                };
                progress.made_progress();
                let call = begin(&self.shared, self.make, index, queued);
                self.calls.push(call);
            }
            match ready!(self.calls.poll_next_unpin(cx)) {
                Some((index, envelope)) => self.shared.gather(index, envelope, outgoing),
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
