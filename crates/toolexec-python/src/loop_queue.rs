//! Starting `async def` tools on the caller's event loop, in batches.
//!
//! An attempt of an async tool does not take the GIL on the engine's thread: it queues
//! its start on the [`LoopQueue`] of the call's loop. The first start queued schedules
//! one drain on the loop (`call_soon_threadsafe`); the drain, on the loop's thread,
//! starts every queued call as a task. A batch of thousands of calls thus wakes the
//! loop a few times, not once per call. Their outcomes go back in batches too
//! ([`crate::completions`]).

use std::sync::Arc;

use parking_lot::Mutex;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use serde_json::Value;
use tokio::sync::oneshot;
use toolexec::ToolError;

use crate::bridge::outcome;
use crate::completions::{Completer, Completions};
use crate::convert::to_py;
use crate::exit_gate;
use crate::runtime::runtime;

/// What the engine's side and the loop's side share about one started call.
#[derive(Default)]
pub(crate) struct Slot {
    /// The attempt ended (timeout, cancellation): do not start, or cancel the task.
    ended: bool,
    /// The task running the coroutine, once started.
    task: Option<Py<PyAny>>,
}

/// One call waiting for the drain.
struct Start {
    function: Arc<Py<PyAny>>,
    input: Value,
    sender: oneshot::Sender<Result<Value, ToolError>>,
    slot: Arc<Mutex<Slot>>,
}

#[derive(Default)]
struct Pending {
    starts: Vec<Start>,
    scheduled: bool,
}

/// The calls waiting to start on one event loop.
pub(crate) struct LoopQueue {
    locals: TaskLocals,
    pending: Mutex<Pending>,
    completions: Arc<Completions>,
}

impl LoopQueue {
    /// A queue for the loop of `locals`.
    pub(crate) fn new(locals: TaskLocals) -> Arc<Self> {
        Arc::new(Self {
            locals,
            pending: Mutex::new(Pending::default()),
            completions: Arc::default(),
        })
    }

    /// Runs `function(input)` as a task on the loop; dropping the future cancels it.
    pub(crate) async fn call(
        self: Arc<Self>,
        function: Arc<Py<PyAny>>,
        input: Value,
    ) -> Result<Value, ToolError> {
        let (sender, receiver) = oneshot::channel();
        let slot = Arc::new(Mutex::new(Slot::default()));
        let schedule = {
            let mut pending = self.pending.lock();
            pending.starts.push(Start {
                function,
                input,
                sender,
                slot: slot.clone(),
            });
            !std::mem::replace(&mut pending.scheduled, true)
        };
        let mut guard = CancelTask(Some(slot));
        if schedule {
            self.schedule();
        }
        let result = receiver.await;
        guard.0 = None;
        result.unwrap_or_else(|_| {
            Err(ToolError::Failed {
                error_type: Some("RuntimeError".to_owned()),
                message: "the event loop stopped before the tool finished".to_owned(),
            })
        })
    }

    /// Asks the loop to drain the queue; a closed loop, or an interpreter that is
    /// exiting, fails every queued call.
    fn schedule(self: &Arc<Self>) {
        let scheduled = exit_gate::attach(|py| {
            let drain = Drain {
                queue: self.clone(),
            };
            self.locals
                .event_loop(py)
                .call_method1(intern!(py, "call_soon_threadsafe"), (drain,))
                .map(|_| ())
                .map_err(|error| {
                    format!(
                        "cannot start the tool on its event loop: {}",
                        error.value(py)
                    )
                })
        });
        let failed = match scheduled {
            Some(Ok(())) => return,
            Some(Err(message)) => message,
            None => "cannot start the tool: the Python interpreter is exiting".to_owned(),
        };
        for start in self.take() {
            let _ = start.sender.send(Err(ToolError::Failed {
                error_type: Some("RuntimeError".to_owned()),
                message: failed.clone(),
            }));
        }
    }

    fn take(&self) -> Vec<Start> {
        let mut pending = self.pending.lock();
        pending.scheduled = false;
        std::mem::take(&mut pending.starts)
    }
}

/// The loop-side callback that starts every queued call.
#[pyclass(module = "toolexec._native")]
pub(crate) struct Drain {
    queue: Arc<LoopQueue>,
}

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) {
        let create_task = self
            .queue
            .locals
            .event_loop(py)
            .getattr(intern!(py, "create_task"));
        let add_done_callback = intern!(py, "add_done_callback");
        for start in self.queue.take() {
            let mut slot = start.slot.lock();
            if slot.ended {
                continue;
            }
            let begun = (|| -> PyResult<Bound<'_, PyAny>> {
                let arg = to_py(py, &start.input)?;
                let coroutine = start.function.bind(py).call1((arg,))?;
                match &create_task {
                    Ok(create_task) => create_task.call1((coroutine,)),
                    Err(error) => Err(error.clone_ref(py)),
                }
            })();
            match begun {
                Ok(task) => {
                    let completer = Completer::new(start.sender, self.queue.completions.clone());
                    let added = task.call_method1(add_done_callback, (completer,));
                    if added.is_ok() {
                        slot.task = Some(task.unbind());
                    }
                }
                Err(error) => {
                    let _ = start.sender.send(outcome(py, Err(error)));
                }
            }
        }
    }
}

/// Cancels the task of an attempt dropped before its end.
struct CancelTask(Option<Arc<Mutex<Slot>>>);

impl Drop for CancelTask {
    fn drop(&mut self) {
        let Some(slot) = self.0.take() else { return };
        let task = {
            let mut slot = slot.lock();
            slot.ended = true;
            slot.task.take()
        };
        if let Some(task) = task {
            runtime().spawn_blocking(move || {
                exit_gate::attach(|py| {
                    let task = task.bind(py);
                    if let Ok(event_loop) = task.call_method0("get_loop") {
                        if let Ok(cancel) = task.getattr("cancel") {
                            // A closed loop runs nothing any more: nothing to cancel.
                            let _ = event_loop.call_method1("call_soon_threadsafe", (cancel,));
                        }
                    }
                })
            });
        }
    }
}
