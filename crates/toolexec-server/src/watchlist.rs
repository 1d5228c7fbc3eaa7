//! The calls of running batches, so that the monitor can record each call's final
//! status in its batch as the `finished` event arrives.
//!
//! Polling a running batch then reads its own record and one snapshot of the calls in
//! flight, never the executor's history (a scan of up to 100 000 records per call).
//! When two running batches use the same call id, the newer one is watched; the
//! other shows that call as pending until its batch is done.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::batch_store::{Batch, FinishedCall};

/// Call ids of running batches, with their batch and position.
#[derive(Debug, Default)]
pub(crate) struct Watchlist {
    calls: Mutex<HashMap<String, (Weak<Batch>, usize)>>,
}

impl Watchlist {
    /// Watches every call of `batch`; call before the batch starts.
    pub(crate) fn watch(&self, batch: &Arc<Batch>) {
        let mut calls = self.calls.lock();
        for (index, (call_id, _)) in batch.calls.iter().enumerate() {
            calls.insert(call_id.clone(), (Arc::downgrade(batch), index));
        }
    }

    /// Stops watching the calls of `batch` (those not taken over by a newer batch).
    pub(crate) fn unwatch(&self, batch: &Arc<Batch>) {
        let mut calls = self.calls.lock();
        for (call_id, _) in &batch.calls {
            let ours = calls
                .get(call_id)
                .is_some_and(|(watched, _)| std::ptr::eq(watched.as_ptr(), Arc::as_ptr(batch)));
            if ours {
                calls.remove(call_id);
            }
        }
    }

    /// Records a finished call in its batch, if it is watched.
    pub(crate) fn finished(&self, call_id: &str, call: FinishedCall) {
        let target = self
            .calls
            .lock()
            .get(call_id)
            .and_then(|(batch, index)| Some((batch.upgrade()?, *index)));
        if let Some((batch, index)) = target {
            batch.record_finished(index, call);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolexec::CallStatus;

    fn finished() -> FinishedCall {
        FinishedCall {
            status: CallStatus::Success,
            success: true,
            attempts: 1,
            execution_time_ms: 1.0,
        }
    }

    #[test]
    fn records_finished_calls_of_watched_batches_only() {
        let watchlist = Watchlist::default();
        let batch = Arc::new(Batch::new("b-1".into(), vec![("a".into(), "t".into())]));
        watchlist.finished("a", finished());
        assert_eq!(batch.finished_calls()[0], None);
        watchlist.watch(&batch);
        watchlist.finished("a", finished());
        assert_eq!(batch.finished_calls()[0], Some(finished()));
        watchlist.unwatch(&batch);
        assert!(watchlist.calls.lock().is_empty());
    }
}
