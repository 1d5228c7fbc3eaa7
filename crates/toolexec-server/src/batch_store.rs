//! The bounded store of batches submitted through the API.
//!
//! A batch runs as its own task, so `POST /v1/batches?wait=false` answers at once and a
//! client that hangs up does not cancel it; `DELETE /v1/batches/{id}` does. Memory is
//! bounded by bytes, not counts (see [`crate::Limits`]):
//!
//! - *Admission*: the calls of running batches and their size (their calls as JSON)
//!   have budgets; a batch that would pass either is refused with 429 and
//!   `Retry-After`, unless nothing is running (so one batch always gets in).
//! - *Closing*: once [`BatchStore::close`] has run (the server is stopping), every
//!   batch is refused with 503 `shutting_down`; the batches running then are the last.
//! - *Retention*: finished batches are kept, their envelopes sized as JSON, within a
//!   byte budget; the oldest finished batch is evicted first. A count cap
//!   (`max_batches`) bounds the number of entries as well.
//!
//! Lookups are hashed by id.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use toolexec::{CallStatus, Envelope};

use crate::batch_feed::Feed;
use crate::byte_size::envelopes_size;
use crate::error::ApiError;
use crate::limits::Limits;

/// How a call of a running batch ended, as its `finished` event told.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FinishedCall {
    pub(crate) status: CallStatus,
    pub(crate) success: bool,
    pub(crate) attempts: u32,
    pub(crate) execution_time_ms: f64,
}

/// One submitted batch: its calls, how each finished so far, the envelopes in the
/// order they ended (its [`Feed`]), and, once done, the envelopes in request order.
#[derive(Debug)]
pub(crate) struct Batch {
    pub(crate) id: String,
    /// `(call_id, tool)` of every call, in request order.
    pub(crate) calls: Vec<(String, String)>,
    finished: Mutex<Vec<Option<FinishedCall>>>,
    feed: Feed,
    done: watch::Sender<Option<Arc<Vec<Envelope>>>>,
    /// Cancels the batch's calls (`DELETE /v1/batches/{id}`).
    cancel: CancellationToken,
    /// The estimated bytes of the running batch: its request, as JSON.
    running_bytes: usize,
    /// The estimated bytes of the finished batch: its envelopes, as JSON.
    retained_bytes: AtomicUsize,
    /// The batch whose calls this one re-runs.
    pub(crate) redrive_of: Option<String>,
}

impl Batch {
    #[cfg(test)]
    pub(crate) fn new(id: String, calls: Vec<(String, String)>) -> Self {
        Self::sized(id, calls, 0)
    }

    /// A batch whose request is `running_bytes` long (see
    /// [`crate::byte_size::json_size`]).
    pub(crate) fn sized(id: String, calls: Vec<(String, String)>, running_bytes: usize) -> Self {
        let names: usize = calls.iter().map(|(c, t)| c.len() + t.len()).sum();
        Self {
            id,
            finished: Mutex::new(vec![None; calls.len()]),
            feed: Feed::new(calls.len()),
            calls,
            done: watch::Sender::new(None),
            cancel: CancellationToken::new(),
            running_bytes: running_bytes.saturating_add(names),
            retained_bytes: AtomicUsize::new(0),
            redrive_of: None,
        }
    }

    /// Marks the batch as a redrive of `source`.
    pub(crate) fn redriving(mut self, source: Option<String>) -> Self {
        self.redrive_of = source;
        self
    }

    /// The token that cancels this batch's calls, for its `BatchOptions`.
    pub(crate) fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Cancels the batch's calls that have not finished.
    pub(crate) fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Whether the batch was cancelled.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    pub(crate) fn record_finished(&self, index: usize, call: FinishedCall) {
        if let Some(slot) = self.finished.lock().get_mut(index) {
            *slot = Some(call);
        }
    }

    /// How each call finished so far, in request order (`None`: not finished yet).
    pub(crate) fn finished_calls(&self) -> Vec<Option<FinishedCall>> {
        self.finished.lock().clone()
    }

    /// The envelopes, once every call has one.
    pub(crate) fn envelopes(&self) -> Option<Arc<Vec<Envelope>>> {
        self.done.borrow().clone()
    }

    pub(crate) fn is_done(&self) -> bool {
        self.done.borrow().is_some()
    }

    /// The call at `index` ended with `envelope`.
    pub(crate) fn arrived(&self, index: usize, envelope: Envelope) {
        if envelope.error_kind() == Some(toolexec::ErrorKind::EngineFault) {
            tracing::error!(
                batch_id = self.id.as_str(),
                call_id = &*envelope.call_id,
                tool = &*envelope.tool_name,
                "a call of the batch failed inside the engine (engine_fault)"
            );
        }
        self.feed.push(index, envelope);
    }

    /// The envelopes in the order they ended, for the batch's stream.
    pub(crate) fn feed(&self) -> &Feed {
        &self.feed
    }

    /// Every call has ended: records the envelopes in request order, sizing them first
    /// (outside any lock of the store).
    pub(crate) fn finish(&self) {
        self.feed.finish(|envelopes| {
            self.retained_bytes
                .store(envelopes_size(&envelopes), Ordering::Relaxed);
            let done = Arc::new(envelopes);
            self.done.send_replace(Some(done.clone()));
            done
        });
    }

    fn retained_bytes(&self) -> usize {
        self.retained_bytes.load(Ordering::Relaxed)
    }

    /// Waits until the batch is done.
    pub(crate) async fn wait(&self) -> Arc<Vec<Envelope>> {
        let mut receiver = self.done.subscribe();
        loop {
            if let Some(envelopes) = receiver.borrow_and_update().clone() {
                return envelopes;
            }
            // The sender lives in `self`, so `changed` cannot fail while we hold it.
            let _ = receiver.changed().await;
        }
    }
}

/// The budgets of a [`BatchStore`], from [`Limits`].
#[derive(Debug, Clone, Copy)]
struct Budget {
    max_batches: usize,
    max_retained_bytes: usize,
    max_inflight_calls: usize,
    max_inflight_bytes: usize,
    retry_after_secs: u64,
}

/// The kept batches: every running one, and the newest finished ones.
#[derive(Debug)]
pub(crate) struct BatchStore {
    budget: Budget,
    next_id: AtomicU64,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    by_id: HashMap<String, Arc<Batch>>,
    /// Finished batches, oldest first.
    finished: VecDeque<Arc<Batch>>,
    retained_bytes: usize,
    inflight_calls: usize,
    inflight_bytes: usize,
    /// No batch is admitted any more: the server is stopping.
    closed: bool,
}

/// What the store holds now, for tests.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) batches: usize,
    pub(crate) retained_bytes: usize,
    pub(crate) inflight_calls: usize,
    pub(crate) inflight_bytes: usize,
}

impl BatchStore {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            budget: Budget {
                max_batches: limits.max_batches,
                max_retained_bytes: limits.max_retained_bytes,
                max_inflight_calls: limits.max_inflight_calls,
                max_inflight_bytes: limits.max_inflight_bytes,
                retry_after_secs: limits.busy_retry_after.as_secs().max(1),
            },
            next_id: AtomicU64::new(1),
            entries: Mutex::new(Entries::default()),
        }
    }

    /// A fresh batch id: `b-1`, `b-2`, ...
    pub(crate) fn next_id(&self) -> String {
        format!("b-{}", self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Keeps `batch` as running, if the budgets allow: else 429 `too_many_batches`
    /// with a `Retry-After`. Makes room among finished batches when the count is full.
    /// Once the store is closed, 503 `shutting_down`.
    pub(crate) fn insert(&self, batch: Arc<Batch>) -> Result<(), ApiError> {
        let budget = self.budget;
        let mut entries = self.entries.lock();
        if entries.closed {
            return Err(ApiError::ShuttingDown);
        }
        let busy = |entries: &Entries| ApiError::TooManyBatches {
            running: entries.by_id.len() - entries.finished.len(),
            running_calls: entries.inflight_calls,
            retry_after_secs: budget.retry_after_secs,
        };
        if entries.inflight_calls > 0 {
            let calls = entries.inflight_calls.saturating_add(batch.calls.len());
            let bytes = entries.inflight_bytes.saturating_add(batch.running_bytes);
            if calls > budget.max_inflight_calls || bytes > budget.max_inflight_bytes {
                return Err(busy(&entries));
            }
        }
        if entries.by_id.len() >= budget.max_batches && !entries.evict_oldest() {
            return Err(busy(&entries));
        }
        entries.inflight_calls += batch.calls.len();
        entries.inflight_bytes += batch.running_bytes;
        entries.by_id.insert(batch.id.clone(), batch);
        Ok(())
    }

    /// Moves a batch that has just finished from the running budget to the retained
    /// one, evicting the oldest finished batches past the byte budget.
    pub(crate) fn finished(&self, batch: &Arc<Batch>) {
        let mut entries = self.entries.lock();
        entries.inflight_calls = entries.inflight_calls.saturating_sub(batch.calls.len());
        entries.inflight_bytes = entries.inflight_bytes.saturating_sub(batch.running_bytes);
        if !entries.by_id.contains_key(&batch.id) {
            return;
        }
        entries.retained_bytes += batch.retained_bytes();
        entries.finished.push_back(batch.clone());
        while entries.retained_bytes > self.budget.max_retained_bytes && entries.evict_oldest() {}
    }

    /// The batch with that id, if it is still kept.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<Batch>> {
        self.entries.lock().by_id.get(id).cloned()
    }

    /// Admits no batch from now on, and returns the batches running now: with no new
    /// ones coming, once these are done the store's work is done.
    pub(crate) fn close(&self) -> Vec<Arc<Batch>> {
        let mut entries = self.entries.lock();
        entries.closed = true;
        entries
            .by_id
            .values()
            .filter(|batch| !batch.is_done())
            .cloned()
            .collect()
    }

    /// Whether [`BatchStore::close`] has run.
    pub(crate) fn is_closed(&self) -> bool {
        self.entries.lock().closed
    }

    /// Batches kept now.
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().by_id.len()
    }

    /// What the store holds now.
    #[cfg(test)]
    pub(crate) fn usage(&self) -> Usage {
        let entries = self.entries.lock();
        Usage {
            batches: entries.by_id.len(),
            retained_bytes: entries.retained_bytes,
            inflight_calls: entries.inflight_calls,
            inflight_bytes: entries.inflight_bytes,
        }
    }
}

impl Entries {
    /// Forgets the oldest finished batch; `false` when none is finished.
    fn evict_oldest(&mut self) -> bool {
        let Some(oldest) = self.finished.pop_front() else {
            return false;
        };
        self.retained_bytes = self.retained_bytes.saturating_sub(oldest.retained_bytes());
        self.by_id.remove(&oldest.id);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_batches: usize) -> Limits {
        Limits {
            max_batches,
            ..Limits::default()
        }
    }

    fn batch(store: &BatchStore) -> Arc<Batch> {
        Arc::new(Batch::new(store.next_id(), Vec::new()))
    }

    fn batch_of(store: &BatchStore, calls: usize, running_bytes: usize) -> Arc<Batch> {
        let calls = (0..calls)
            .map(|i| (i.to_string(), "t".to_owned()))
            .collect();
        Arc::new(Batch::sized(store.next_id(), calls, running_bytes))
    }

    fn finish(store: &BatchStore, batch: &Arc<Batch>) {
        batch.finish();
        store.finished(batch);
    }

    #[test]
    fn full_store_drops_the_oldest_finished_batch() {
        let store = BatchStore::new(&limits(2));
        let first = batch(&store);
        let second = batch(&store);
        store.insert(first.clone()).unwrap();
        store.insert(second.clone()).unwrap();
        finish(&store, &second);
        store.insert(batch(&store)).unwrap();
        assert_eq!(store.len(), 2);
        assert!(store.get("b-1").is_some(), "running batch kept");
        assert!(store.get("b-2").is_none(), "finished batch dropped");
        assert!(store.get("b-3").is_some());
    }

    #[test]
    fn full_store_of_running_batches_refuses_more() {
        let store = BatchStore::new(&limits(1));
        store.insert(batch(&store)).unwrap();
        let err = store.insert(batch(&store)).unwrap_err();
        assert_eq!(err.code(), "too_many_batches");
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn finished_batches_past_the_byte_budget_are_evicted_oldest_first() {
        let store = BatchStore::new(&Limits {
            max_retained_bytes: 250,
            ..Limits::default()
        });
        let batches: Vec<_> = (0..3).map(|_| batch(&store)).collect();
        for b in &batches {
            store.insert(b.clone()).unwrap();
        }
        for b in &batches {
            b.retained_bytes.store(100, Ordering::Relaxed);
            b.done.send_replace(Some(Arc::new(Vec::new())));
            store.finished(b);
        }
        assert!(store.get("b-1").is_none(), "the oldest went first");
        assert!(store.get("b-2").is_some() && store.get("b-3").is_some());
        assert_eq!(store.usage().retained_bytes, 200);
    }

    #[test]
    fn inflight_calls_past_the_budget_are_refused_with_a_retry_after() {
        let store = BatchStore::new(&Limits {
            max_inflight_calls: 10,
            busy_retry_after: std::time::Duration::from_secs(3),
            ..Limits::default()
        });
        let first = batch_of(&store, 8, 0);
        store.insert(first.clone()).unwrap();
        let err = store.insert(batch_of(&store, 3, 0)).unwrap_err();
        assert!(
            matches!(
                err,
                ApiError::TooManyBatches {
                    retry_after_secs: 3,
                    running_calls: 8,
                    ..
                }
            ),
            "{err:?}"
        );
        store.insert(batch_of(&store, 2, 0)).unwrap();
        finish(&store, &first);
        assert_eq!(store.usage().inflight_calls, 2);
        store.insert(batch_of(&store, 8, 0)).unwrap();
    }

    #[test]
    fn inflight_bytes_past_the_budget_are_refused_but_one_batch_always_gets_in() {
        let store = BatchStore::new(&Limits {
            max_inflight_bytes: 1000,
            ..Limits::default()
        });
        let big = batch_of(&store, 1, 5000);
        store.insert(big.clone()).unwrap();
        assert!(store.insert(batch_of(&store, 1, 10)).is_err());
        finish(&store, &big);
        assert_eq!(store.usage().inflight_bytes, 0);
        store.insert(batch_of(&store, 1, 10)).unwrap();
    }

    #[test]
    fn a_closed_store_refuses_batches_and_names_the_running_ones() {
        let store = BatchStore::new(&limits(10));
        let done = batch(&store);
        let running = batch(&store);
        store.insert(done.clone()).unwrap();
        store.insert(running.clone()).unwrap();
        finish(&store, &done);
        let last: Vec<String> = store.close().iter().map(|b| b.id.clone()).collect();
        assert_eq!(last, ["b-2"]);
        assert!(store.is_closed());
        let err = store.insert(batch(&store)).unwrap_err();
        assert_eq!(err, ApiError::ShuttingDown);
        assert_eq!(store.len(), 2);
    }

    #[tokio::test]
    async fn wait_returns_once_finished() {
        let store = BatchStore::new(&limits(1));
        let b = batch(&store);
        let waiter = tokio::spawn({
            let b = b.clone();
            async move { b.wait().await.len() }
        });
        tokio::task::yield_now().await;
        b.finish();
        assert_eq!(waiter.await.unwrap(), 0);
    }
}
