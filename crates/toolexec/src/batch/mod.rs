//! Parallel batches: one envelope per call, in request order, under a batch deadline
//! and a failure mode.
//!
//! [`run`] announces every call, spawns as many lanes as may run at once
//! ([`lanes`]), and hands the calls no lane has taken yet to the [`backlog`]; each lane
//! runs a call to its envelope through [`crate::call`], keeps it in the backlog and
//! takes the next waiting call. The [`delivery`] says whether the envelopes are kept
//! for the end or sent on as each call ends (the streaming form of a batch).

mod arrivals;
mod backlog;
mod delivery;
mod feed;
mod lanes;
mod options;
mod outbox;

use std::sync::Arc;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::Span;

use crate::call::Queued;
use crate::inner::Inner;
use crate::journal::JournalScope;
use crate::policy::deadline::after;
use crate::scope::{LaneRequests, Scope};
use crate::trace;
use crate::{Envelope, ToolCall};
use arrivals::Arrivals;
use backlog::Backlog;
pub(crate) use delivery::{Delivery, Indexed};
pub(crate) use feed::{feed, Feed};
pub use feed::{BatchFeed, FeedError};
use lanes::{current_workers, lane, lane_width, wide_lane, Shared};
pub use options::{BatchOptions, FailureMode};
pub(crate) use outbox::Outbox;

/// Runs `calls` in parallel on lanes and returns one envelope per call, in request
/// order (see [`Executor::execute_batch`](crate::Executor::execute_batch)), or sends
/// each on as it ends and returns none (`Delivery::Stream`). With a `feed`, `calls`
/// are the first of the batch and the rest arrive through it (see [`feed`]).
pub(crate) async fn run(
    inner: &Arc<Inner>,
    mut calls: Vec<ToolCall>,
    mut options: BatchOptions,
    delivery: Delivery,
    mut feed: Option<Feed>,
) -> Vec<Envelope> {
    if let (Some(_), Some(feed)) = (&inner.journal, feed.as_mut()) {
        // A journaled batch is accepted whole, before any call starts.
        feed.drain_into(&mut calls).await;
    }
    let total = feed.as_ref().map_or(calls.len(), Feed::total);
    if total == 0 {
        return Vec::new();
    }
    let start = Instant::now();
    let first = inner.reserve_sequences(total);
    let journal = inner.journal.as_ref().map(|journal| {
        let (id, redrive_of) = (options.batch_id.take(), options.redrive_of.take());
        JournalScope::accept(journal, id, redrive_of, &calls, first)
    });
    let batch_id = journal
        .as_ref()
        .map(|j| j.batch_id())
        .or(options.batch_id.as_ref());
    let mode = options.failure_mode;
    let span = trace::batch_span(batch_id.map(|id| &**id), total, || mode.name());
    let lanes = total
        .min(inner.max_concurrency)
        .min(options.max_concurrency.unwrap_or(usize::MAX))
        .max(1);
    let announce = |(index, call): (usize, ToolCall)| {
        Queued::announce(inner, call, first + index as u64, start, journal.clone())
    };
    let arrived = calls.len();
    let feed = feed.filter(Feed::open);
    let mut calls = calls.into_iter().enumerate();
    // When some calls must wait for a lane, every call is announced (live status
    // `pending`, a `Started` event) in request order before any starts. When all
    // start at once, each is announced as its lane is spawned, and no list of all
    // the announced calls is ever built (a million of them would take 200 MB).
    let (starting, waiting): (Vec<Queued>, Vec<Queued>) = if calls.len() > lanes {
        let starting = calls.by_ref().take(lanes).map(announce).collect();
        (starting, calls.by_ref().map(announce).collect())
    } else {
        (Vec::new(), Vec::new())
    };
    let (more_lanes, lane_requests) = mpsc::unbounded_channel();
    let open = feed.is_some();
    let lane_requests_of_scope = LaneRequests::new(waiting.is_empty() && !open, more_lanes);
    let failure_mode = options.failure_mode;
    let waiting = (arrived - waiting.len(), waiting, open);
    let mut shared = Arc::new(Shared {
        inner: inner.clone(),
        scope: Arc::new(batch_scope(options, start, lane_requests_of_scope, span)),
        backlog: Backlog::new(inner.clone(), total, waiting, failure_mode, delivery),
    });
    let mut tasks = JoinSet::new();
    let announced_as_spawned = calls.map(|(index, call)| (index, announce((index, call))));
    let mut to_start = starting.into_iter().enumerate().chain(announced_as_spawned);
    let width = lane_width(lanes, current_workers());
    start_lanes(&mut tasks, &shared, width, &mut to_start);
    // The caller's list of calls, now emptied: its buffer (144 bytes a call) is
    // freed now rather than when the batch ends.
    drop(to_start);
    let arrivals = feed.map(|feed| Arrivals::new(feed, first, start, lanes, width));
    join_lanes(tasks, lane_requests, &shared, arrivals).await;
    match Arc::get_mut(&mut shared) {
        Some(shared) => shared.backlog.take_envelopes(),
        None => shared.backlog.copy_envelopes(),
    }
}

/// Spawns the lanes of the calls that start at once, `width` calls to a lane task.
fn start_lanes(
    tasks: &mut JoinSet<()>,
    shared: &Arc<Shared>,
    width: usize,
    to_start: &mut impl Iterator<Item = (usize, Queued)>,
) {
    if width == 1 {
        for (spawned, first) in to_start.enumerate() {
            tasks.spawn(lane(shared.clone(), Some(first)));
            reap_finished(tasks, spawned);
        }
    } else {
        let mut spawned = 0;
        while let Some(lane) = wide_lane(shared.clone(), width, &mut *to_start) {
            tasks.spawn(lane);
            reap_finished(tasks, spawned);
            spawned += 1;
        }
    }
}

/// Waits for every lane to end, starting one more lane whenever a call lends its
/// permit while calls still wait, and lanes for the calls that arrive through the feed.
async fn join_lanes(
    mut tasks: JoinSet<()>,
    mut lane_requests: mpsc::UnboundedReceiver<()>,
    shared: &Arc<Shared>,
    mut arrivals: Option<Arrivals>,
) {
    loop {
        let feeding = arrivals.as_ref().is_some_and(Arrivals::open);
        tokio::select! {
            biased;
            Some(()) = lane_requests.recv() => {
                tasks.spawn(lane(shared.clone(), None));
            }
            arrived = Arrivals::next(&mut arrivals), if feeding => {
                if let Some(arrivals) = arrivals.as_mut() {
                    arrivals.take(arrived, shared, &mut tasks);
                }
            }
            // While calls are still to come, no lane left is no reason to stop.
            joined = tasks.join_next(), if !feeding || !tasks.is_empty() => {
                let drained = shared.scope.lanes.as_ref().is_none_or(LaneRequests::is_drained);
                match joined {
                    Some(_) => {}
                    None if drained => return,
                    // Every lane ended early (a lane cannot, but the batch must not
                    // hang if one did): start another for the calls still waiting.
                    None => {
                        tasks.spawn(lane(shared.clone(), None));
                    }
                }
            }
        }
    }
}

/// The scope the calls of a batch started at `start` inherit.
fn batch_scope(options: BatchOptions, start: Instant, lanes: LaneRequests, span: Span) -> Scope {
    Scope {
        deadline: options.deadline.map(|d| after(start, d)),
        cancellable: options.cancel.is_some() || options.failure_mode != FailureMode::CollectAll,
        cancel: options.cancel.unwrap_or_default(),
        permits: options
            .max_concurrency
            .map(|n| Arc::new(Semaphore::new(n.clamp(1, Semaphore::MAX_PERMITS)))),
        lanes: Some(lanes),
        span,
    }
}

/// Every 64 spawns, frees the lanes that already finished: a finished task keeps its
/// memory (1 KB or more) until joined, and spawning a million lanes takes long enough
/// for most of the first ones to finish meanwhile.
fn reap_finished(tasks: &mut JoinSet<()>, spawned: usize) {
    if spawned % 64 == 63 {
        while tasks.try_join_next().is_some() {}
    }
}
