//! A Python function as an engine [`Tool`]: a synchronous function runs on one of the
//! worker threads ([`crate::workers`]), an `async def` function is awaited as a task on the
//! event loop of the call that invoked it.

use std::sync::Arc;

use dashmap::DashMap;
use futures::future::BoxFuture;
use pyo3::prelude::*;
use serde_json::Value;
use tokio::sync::oneshot;
use toolexec::{CallContext, Tool, ToolError, ToolSpec};

use crate::bridge::outcome;
use crate::convert::to_py;
use crate::exit_gate;
use crate::loop_queue::LoopQueue;
use crate::runtime::runtime;
use crate::sync_call::SyncCall;
use crate::workers::workers;

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

/// Runs the function on a worker thread; dropping this future interrupts it.
async fn call_on_thread(
    function: Arc<Py<PyAny>>,
    input: Value,
    is_async: bool,
) -> Result<Value, ToolError> {
    let run = Arc::new(SyncCall::default());
    let worker_run = run.clone();
    let (sender, receiver) = oneshot::channel();
    workers().submit(Box::new(move |py| {
        if sender.is_closed() {
            return; // The attempt ended while the job waited for a worker.
        }
        let produced =
            to_py(py, &input).and_then(|arg| worker_run.run(function.bind(py), arg, is_async));
        let _ = sender.send(outcome(py, produced));
    }));
    let mut guard = Interrupt(Some(run));
    let result = receiver.await;
    guard.0 = None;
    result.unwrap_or_else(|_| {
        Err(ToolError::Failed {
            error_type: Some("RuntimeError".to_owned()),
            message: "the tool's worker thread stopped before the tool finished".to_owned(),
        })
    })
}

/// Interrupts a worker still running when the attempt is dropped.
struct Interrupt(Option<Arc<SyncCall>>);

impl Drop for Interrupt {
    fn drop(&mut self) {
        let Some(run) = self.0.take() else { return };
        // Not on the workers: with all of them busy running hung tools, the interrupt
        // would wait behind them.
        runtime().spawn_blocking(move || exit_gate::attach(|py| run.interrupt(py)));
    }
}
