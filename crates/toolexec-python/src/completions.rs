//! Handing the outcomes of `async def` tools back to the engine, one batch per loop
//! iteration.
//!
//! Each tool's task gets a [`Completer`] as its done-callback. The completer converts
//! the outcome on the loop's thread (it needs the GIL) and queues it; the first one
//! queued in a loop iteration schedules one [`Flush`] (`loop.call_soon`, which runs
//! after the callbacks already due). The flush hands the whole batch to the engine's
//! runtime as one task, which resolves every waiting attempt: the runtime is woken
//! once per loop iteration, not once per finished tool, and the loop's thread makes
//! one such cross-thread wake-up instead of hundreds.

use std::sync::Arc;

use parking_lot::Mutex;
use pyo3::intern;
use pyo3::prelude::*;
use serde_json::Value;
use tokio::sync::oneshot;
use toolexec::ToolError;

use crate::bridge::outcome;
use crate::runtime::runtime;

/// Where a finished attempt waits for its outcome.
pub(crate) type Sender = oneshot::Sender<Result<Value, ToolError>>;

type Done = (Sender, Result<Value, ToolError>);

/// Outcomes waiting for the next flush.
#[derive(Default)]
pub(crate) struct Completions {
    done: Mutex<Vec<Done>>,
}

impl Completions {
    /// Queues one outcome; true when it is the first since the last flush.
    fn push(&self, sender: Sender, result: Result<Value, ToolError>) -> bool {
        let mut done = self.done.lock();
        done.push((sender, result));
        done.len() == 1
    }

    /// Resolves every queued outcome on the engine's runtime.
    fn flush(&self) {
        let batch = std::mem::take(&mut *self.done.lock());
        if batch.is_empty() {
            return;
        }
        runtime().spawn(async move {
            for (sender, result) in batch {
                // The attempt may have ended (timeout, cancellation): nobody waits.
                let _ = sender.send(result);
            }
        });
    }
}

/// The done-callback of an `async def` tool's task.
#[pyclass(module = "toolexec._native")]
pub(crate) struct Completer {
    sender: Option<Sender>,
    completions: Arc<Completions>,
}

impl Completer {
    pub(crate) fn new(sender: Sender, completions: Arc<Completions>) -> Self {
        Self {
            sender: Some(sender),
            completions,
        }
    }
}

#[pymethods]
impl Completer {
    fn __call__(&mut self, task: &Bound<'_, PyAny>) -> PyResult<()> {
        let Some(sender) = self.sender.take() else {
            return Ok(());
        };
        let py = task.py();
        let result = if task.call_method0(intern!(py, "cancelled"))?.is_truthy()? {
            Err(ToolError::Failed {
                error_type: Some("asyncio.CancelledError".to_owned()),
                message: "the tool's task was cancelled".to_owned(),
            })
        } else {
            outcome(py, task.call_method0(intern!(py, "result")))
        };
        if self.completions.push(sender, result) {
            let flush = Flush {
                completions: self.completions.clone(),
            };
            let scheduled = task
                .call_method0(intern!(py, "get_loop"))
                .and_then(|event_loop| event_loop.call_method1(intern!(py, "call_soon"), (flush,)));
            if scheduled.is_err() {
                // The loop is closing: resolve now rather than never.
                self.completions.flush();
            }
        }
        Ok(())
    }
}

/// The loop-side callback that hands a batch of outcomes to the engine.
#[pyclass(module = "toolexec._native")]
pub(crate) struct Flush {
    completions: Arc<Completions>,
}

#[pymethods]
impl Flush {
    fn __call__(&self) {
        self.completions.flush();
    }
}
