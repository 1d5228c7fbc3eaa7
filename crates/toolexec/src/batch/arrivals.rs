//! The calls of a fed batch that arrive while it runs (see [`feed`](super::feed)):
//! announced in request order, added to the waiting calls, and given lanes when the
//! batch runs fewer calls than its limit.

use std::sync::Arc;

use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::batch::feed::Feed;
use crate::batch::lanes::{lane, wide_lane, Shared};
use crate::call::Queued;
use crate::ToolCall;

/// What the batch needs to take in the calls that arrive.
pub(super) struct Arrivals {
    feed: Feed,
    /// The sequence number of the batch's first call.
    first: u64,
    start: Instant,
    /// The most calls the batch runs at once, and how many one lane task runs.
    lanes: usize,
    width: usize,
}

impl Arrivals {
    pub(super) fn new(feed: Feed, first: u64, start: Instant, lanes: usize, width: usize) -> Self {
        Self {
            feed,
            first,
            start,
            lanes,
            width,
        }
    }

    /// Whether calls are still to come.
    pub(super) fn open(&self) -> bool {
        self.feed.open()
    }

    /// The next calls to arrive; `None` when the feed closed early (or there is none).
    pub(super) async fn next(arrivals: &mut Option<Self>) -> Option<Vec<ToolCall>> {
        match arrivals {
            Some(arrivals) => arrivals.feed.next().await,
            None => None,
        }
    }

    /// Takes in `arrived` (or, when the feed closed early, answers the calls never
    /// sent), then starts lanes for the waiting calls while fewer than the limit run.
    pub(super) fn take(
        &mut self,
        arrived: Option<Vec<ToolCall>>,
        shared: &Arc<Shared>,
        tasks: &mut JoinSet<()>,
    ) {
        let Some(calls) = arrived else {
            self.answer_never_sent(shared);
            return;
        };
        let from = self.feed.arrived() - calls.len();
        let announced = calls.into_iter().enumerate().map(|(offset, call)| {
            let sequence = self.first + (from + offset) as u64;
            Queued::announce(&shared.inner, call, sequence, self.start, None)
        });
        shared.backlog.append(announced);
        if !self.feed.open() {
            shared.backlog.close(&shared.scope);
        }
        self.start_lanes(shared, tasks);
    }

    /// Starts lanes for waiting calls up to the batch's limit of running calls (lanes
    /// already running take waiting calls too as theirs end; the concurrency permits
    /// keep the limit either way).
    fn start_lanes(&self, shared: &Arc<Shared>, tasks: &mut JoinSet<()>) {
        let mut free = self.lanes.saturating_sub(shared.backlog.running());
        while free > 0 {
            let width = self.width.min(free);
            let waiting = std::iter::from_fn(|| shared.backlog.next(&shared.scope));
            if width == 1 {
                let Some(first) = waiting.take(1).next() else {
                    return;
                };
                tasks.spawn(lane(shared.clone(), Some(first)));
            } else {
                let Some(lane) = wide_lane(shared.clone(), width, waiting) else {
                    return;
                };
                tasks.spawn(lane);
            }
            free -= width;
        }
    }

    /// The feed closed before every call was sent: each call never sent is answered
    /// `cancelled`, and no more calls are waited for.
    fn answer_never_sent(&mut self, shared: &Arc<Shared>) {
        for (index, envelope) in self.feed.never_sent() {
            shared.answer(index, envelope);
        }
        shared.backlog.close(&shared.scope);
    }
}
