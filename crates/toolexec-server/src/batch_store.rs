//! The bounded store of batches submitted through the API.
//!
//! A batch runs as its own task, so `POST /v1/batches?wait=false` answers at once and a
//! client that hangs up does not cancel it. The store keeps the newest `capacity`
//! batches: when full, the oldest finished batch makes room; when every kept batch is
//! still running, a new one is refused rather than forgetting work in progress.
//! Lookups scan at most `capacity` entries (1000 by default), a few microseconds.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::watch;
use toolexec::{CallStatus, Envelope};

use crate::error::ApiError;

/// How a call of a running batch ended, as its `finished` event told.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FinishedCall {
    pub(crate) status: CallStatus,
    pub(crate) success: bool,
    pub(crate) attempts: u32,
    pub(crate) execution_time_ms: f64,
}

/// One submitted batch: its calls, how each finished so far, and, once done, their
/// envelopes in request order.
#[derive(Debug)]
pub(crate) struct Batch {
    pub(crate) id: String,
    /// `(call_id, tool)` of every call, in request order.
    pub(crate) calls: Vec<(String, String)>,
    finished: Mutex<Vec<Option<FinishedCall>>>,
    done: watch::Sender<Option<Arc<Vec<Envelope>>>>,
}

impl Batch {
    pub(crate) fn new(id: String, calls: Vec<(String, String)>) -> Self {
        Self {
            id,
            finished: Mutex::new(vec![None; calls.len()]),
            calls,
            done: watch::Sender::new(None),
        }
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

    pub(crate) fn finish(&self, envelopes: Vec<Envelope>) {
        self.done.send_replace(Some(Arc::new(envelopes)));
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

/// The newest batches, oldest first.
#[derive(Debug)]
pub(crate) struct BatchStore {
    capacity: usize,
    next_id: AtomicU64,
    entries: Mutex<VecDeque<Arc<Batch>>>,
}

impl BatchStore {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            next_id: AtomicU64::new(1),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// A fresh batch id: `b-1`, `b-2`, ...
    pub(crate) fn next_id(&self) -> String {
        format!("b-{}", self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Keeps `batch`, dropping the oldest finished batch if the store is full.
    pub(crate) fn insert(&self, batch: Arc<Batch>) -> Result<(), ApiError> {
        let mut entries = self.entries.lock();
        if entries.len() >= self.capacity {
            match entries.iter().position(|b| b.is_done()) {
                Some(oldest_done) => {
                    entries.remove(oldest_done);
                }
                None => {
                    return Err(ApiError::TooManyBatches {
                        running: entries.len(),
                    })
                }
            }
        }
        entries.push_back(batch);
        Ok(())
    }

    /// The batch with that id, if it is still kept.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<Batch>> {
        self.entries.lock().iter().find(|b| b.id == id).cloned()
    }

    /// Batches kept now.
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(store: &BatchStore) -> Arc<Batch> {
        Arc::new(Batch::new(store.next_id(), Vec::new()))
    }

    #[test]
    fn full_store_drops_the_oldest_finished_batch() {
        let store = BatchStore::new(2);
        let first = batch(&store);
        let second = batch(&store);
        store.insert(first.clone()).unwrap();
        store.insert(second.clone()).unwrap();
        second.finish(Vec::new());
        store.insert(batch(&store)).unwrap();
        assert_eq!(store.len(), 2);
        assert!(store.get("b-1").is_some(), "running batch kept");
        assert!(store.get("b-2").is_none(), "finished batch dropped");
        assert!(store.get("b-3").is_some());
    }

    #[test]
    fn full_store_of_running_batches_refuses_more() {
        let store = BatchStore::new(1);
        store.insert(batch(&store)).unwrap();
        let err = store.insert(batch(&store)).unwrap_err();
        assert_eq!(err.code(), "too_many_batches");
        assert_eq!(store.len(), 1);
    }

    #[tokio::test]
    async fn wait_returns_once_finished() {
        let store = BatchStore::new(1);
        let b = batch(&store);
        let waiter = tokio::spawn({
            let b = b.clone();
            async move { b.wait().await.len() }
        });
        tokio::task::yield_now().await;
        b.finish(Vec::new());
        assert_eq!(waiter.await.unwrap(), 0);
    }
}
