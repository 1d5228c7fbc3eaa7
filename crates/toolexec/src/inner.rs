//! The state every part of an executor shares: its tools, the concurrency permits, live
//! status and events, history, statistics and the call sequence.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::history::History;
use crate::journal::Journal;
use crate::registry::ToolMap;
use crate::stats::ToolAccumulator;
use crate::status::StatusBoard;

/// What an executor and all its clones share: built once by
/// [`ExecutorBuilder::build`](crate::ExecutorBuilder::build), read by every call.
pub(crate) struct Inner {
    pub(crate) tools: ToolMap,
    pub(crate) max_concurrency: usize,
    /// The executor-wide limit: one permit per running attempt.
    pub(crate) permits: Arc<Semaphore>,
    pub(crate) board: StatusBoard,
    pub(crate) history: History,
    /// Calls of tools that are not registered; each registered tool keeps its own.
    pub(crate) unregistered: ToolAccumulator,
    sequence: AtomicU64,
    /// When the executor was built: history records count their end from here.
    pub(crate) created: Instant,
    /// Where batches and calls are written down as they happen, if anywhere.
    pub(crate) journal: Option<Arc<dyn Journal>>,
}

impl Inner {
    /// Shared state for `tools` under a limit of `max_concurrency` running attempts.
    pub(crate) fn new(
        tools: ToolMap,
        max_concurrency: usize,
        event_capacity: usize,
        history_capacity: usize,
        journal: Option<Arc<dyn Journal>>,
    ) -> Self {
        Self {
            tools,
            max_concurrency,
            permits: Arc::new(Semaphore::new(max_concurrency)),
            board: StatusBoard::new(event_capacity),
            history: History::new(history_capacity),
            unregistered: ToolAccumulator::default(),
            sequence: AtomicU64::new(0),
            created: Instant::now(),
            journal,
        }
    }

    /// The sequence number of a call accepted alone.
    pub(crate) fn next_sequence(&self) -> u64 {
        self.sequence.fetch_add(1, Ordering::Relaxed)
    }

    /// The first of `n` consecutive sequence numbers, for a batch accepted at once.
    pub(crate) fn reserve_sequences(&self, n: usize) -> u64 {
        self.sequence.fetch_add(n as u64, Ordering::Relaxed)
    }
}
