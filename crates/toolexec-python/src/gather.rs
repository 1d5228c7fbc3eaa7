//! A batch's results as Python objects, made while the batch runs.
//!
//! A batch of 10,000 calls ends with 10,000 `ToolExecutionResult` objects to make,
//! each a Python allocation under the GIL that now and then runs Python's garbage
//! collector: 3 ms, and up to 20 ms when a full collection falls in it, all after the
//! last call ended and before the caller gets its list. Here the batch streams its
//! envelopes instead, and the results of the calls that end together are made on a
//! blocking thread while the calls after them run (while a 10 ms tool waits, the
//! cores are idle), so the caller's list is ready soon after the last call ends.

use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use parking_lot::Mutex;
use pyo3::prelude::*;
use toolexec::{BatchStream, Envelope};

use crate::exit_gate;
use crate::result::ToolExecutionResult;
use crate::runtime::runtime;

/// The results made so far, by request index, and the metadata each still needs.
struct Slots {
    results: Vec<Option<Py<PyAny>>>,
    metadata: Vec<Option<Py<PyAny>>>,
    /// The first error met making a result (Python out of memory).
    error: Option<PyErr>,
}

impl Slots {
    /// Makes the results of `ended` (request index, envelope) with the GIL held.
    fn fill(&mut self, py: Python<'_>, ended: Vec<(usize, Envelope)>) {
        for (index, envelope) in ended {
            let metadata = self.metadata.get_mut(index).and_then(Option::take);
            match Py::new(py, ToolExecutionResult::new(envelope, metadata)) {
                Ok(result) => {
                    if let Some(slot) = self.results.get_mut(index) {
                        *slot = Some(result.into_any());
                    }
                }
                Err(error) => {
                    self.error.get_or_insert(error);
                }
            }
        }
    }
}

/// Makes results of `ended` on a blocking thread (taking the GIL may wait).
fn make(slots: &Arc<Mutex<Slots>>, ended: Vec<(usize, Envelope)>) -> tokio::task::JoinHandle<()> {
    let slots = slots.clone();
    runtime().spawn_blocking(move || {
        // Once the interpreter exits nobody waits for these results.
        exit_gate::attach(|py| slots.lock().fill(py, ended));
    })
}

/// The results of one batch, made as its calls end.
pub(crate) struct Gatherer {
    slots: Arc<Mutex<Slots>>,
}

impl Gatherer {
    /// For a batch of `total` calls whose metadata comes with [`add_metadata`].
    ///
    /// [`add_metadata`]: Self::add_metadata
    pub(crate) fn new(total: usize) -> Self {
        Self {
            slots: Arc::new(Mutex::new(Slots {
                results: (0..total).map(|_| None).collect(),
                metadata: Vec::with_capacity(total),
                error: None,
            })),
        }
    }

    /// The metadata of the batch's next requests, in request order: added (with the GIL
    /// held, as results are made) before their calls are sent.
    pub(crate) fn add_metadata(&self, _py: Python<'_>, metadata: Vec<Py<PyAny>>) {
        self.slots
            .lock()
            .metadata
            .extend(metadata.into_iter().map(Some));
    }

    /// A handle that adds metadata while [`results`](Self::results) runs.
    pub(crate) fn handle(&self) -> Self {
        Self {
            slots: self.slots.clone(),
        }
    }

    /// Runs `stream` to its end and returns its results in request order; the results
    /// of calls that end together are made while the next calls run.
    pub(crate) async fn results(self, mut stream: BatchStream) -> PyResult<Vec<Py<PyAny>>> {
        let slots = self.slots;
        let mut ended = Vec::new();
        let mut making: Option<tokio::task::JoinHandle<()>> = None;
        while let Some(first) = stream.next().await {
            ended.push(first);
            // Every envelope already out, without waiting for more.
            while let Some(Some(more)) = stream.next().now_or_never() {
                ended.push(more);
            }
            if making.as_ref().is_none_or(|m| m.is_finished()) {
                making = Some(make(&slots, std::mem::take(&mut ended)));
            }
        }
        if let Some(making) = making {
            let _ = making.await;
        }
        if !ended.is_empty() {
            let _ = make(&slots, ended).await;
        }
        let (results, error) = {
            let mut slots = slots.lock();
            (std::mem::take(&mut slots.results), slots.error.take())
        };
        if let Some(error) = error {
            return Err(error);
        }
        let made: Option<Vec<Py<PyAny>>> = results.into_iter().collect();
        made.ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err(
                "the interpreter is exiting: the batch's results were not made",
            )
        })
    }
}
