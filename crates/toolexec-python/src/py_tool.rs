//! A Python function as an engine [`Tool`]: a synchronous function runs on a worker
//! thread of the blocking pool, an `async def` function is awaited as a task on the
//! event loop of the call that invoked it.

use std::sync::Arc;

use dashmap::DashMap;
use futures::future::BoxFuture;
use parking_lot::Mutex;
use pyo3::prelude::*;
use serde_json::Value;
use toolexec::{CallContext, Tool, ToolError, ToolSpec};

use crate::bridge::{bridge, outcome};
use crate::convert::to_py;
use crate::loop_queue::LoopQueue;
use crate::runtime::runtime;

/// The event loop each in-flight async call came from, by call id: where its `async
/// def` tools are awaited. A call with no entry came from the blocking API.
pub(crate) type Loops = Arc<DashMap<Arc<str>, Arc<LoopQueue>>>;

/// A tool whose body is a Python callable.
pub(crate) struct PyTool {
    spec: ToolSpec,
    function: Arc<Py<PyAny>>,
    is_async: bool,
    loops: Loops,
}

impl PyTool {
    /// `function` called with the input as a Python object; `is_async` when calling it
    /// returns a coroutine.
    pub(crate) fn new(spec: ToolSpec, function: Py<PyAny>, is_async: bool, loops: Loops) -> Self {
        Self {
            spec,
            function: Arc::new(function),
            is_async,
            loops,
        }
    }
}

impl Tool for PyTool {
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> BoxFuture<'a, Result<Value, ToolError>> {
        let on_loop = if self.is_async {
            self.loops.get(&ctx.call_id).map(|l| l.value().clone())
        } else {
            None
        };
        match on_loop {
            Some(queue) => Box::pin(queue.call(self.function.clone(), input.clone())),
            None => Box::pin(call_on_thread(
                self.function.clone(),
                input.clone(),
                self.is_async,
            )),
        }
    }
}

/// Where a synchronous run stands, shared by the worker and the attempt.
#[derive(Default)]
struct SyncSlot {
    /// The attempt ended: the worker must not start, or must be interrupted.
    ended: bool,
    /// The `SyncCall` of the running worker.
    call: Option<Py<PyAny>>,
}

/// Runs the function on a worker thread; dropping this future interrupts it.
async fn call_on_thread(
    function: Arc<Py<PyAny>>,
    input: Value,
    is_async: bool,
) -> Result<Value, ToolError> {
    let slot = Arc::new(Mutex::new(SyncSlot::default()));
    let worker_slot = slot.clone();
    let worker = runtime().spawn_blocking(move || {
        Python::attach(|py| {
            let run = || -> PyResult<Bound<'_, PyAny>> {
                let call = bridge(py)?.sync_call.bind(py).call0()?;
                {
                    let mut slot = worker_slot.lock();
                    if slot.ended {
                        return Err(pyo3::exceptions::PyRuntimeError::new_err("ended"));
                    }
                    slot.call = Some(call.clone().unbind());
                }
                let arg = to_py(py, &input)?;
                call.call_method1("run", (function.bind(py), arg, is_async))
            };
            outcome(py, run())
        })
    });
    let mut guard = Interrupt(Some(slot));
    let joined = worker.await;
    guard.0 = None;
    joined.unwrap_or_else(|e| {
        Err(ToolError::Failed {
            error_type: Some("RuntimeError".to_owned()),
            message: format!("the tool's worker thread failed: {e}"),
        })
    })
}

/// Interrupts a worker still running when the attempt is dropped.
struct Interrupt(Option<Arc<Mutex<SyncSlot>>>);

impl Drop for Interrupt {
    fn drop(&mut self) {
        let Some(slot) = self.0.take() else { return };
        let call = {
            let mut slot = slot.lock();
            slot.ended = true;
            slot.call.take()
        };
        if let Some(call) = call {
            runtime().spawn_blocking(move || {
                Python::attach(|py| {
                    let _ = call.bind(py).call_method0("interrupt");
                })
            });
        }
    }
}
