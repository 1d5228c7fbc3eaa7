//! A Rust future as an asyncio future on the caller's event loop.
//!
//! This is `pyo3_async_runtimes::tokio::future_into_py_with_locals` with one change:
//! the result is handed to the loop through the [`exit_gate`], so a script that ends
//! right after its last `await` does not crash the interpreter while a thread of the
//! engine is still inside `loop.call_soon_threadsafe` (pyo3-async-runtimes has no
//! way to stop its threads before the interpreter finalizes).
//!
//! The future runs as a task on the engine's runtime. Cancelling the asyncio future
//! (cancelling the task that awaits it) aborts that task, which drops the Rust
//! future: an engine batch dropped this way cancels its calls. A panic in the future
//! becomes a `RuntimeError`.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use pyo3::exceptions::PyRuntimeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use tokio::task::AbortHandle;

use crate::exit_gate;
use crate::runtime::runtime;

/// A result converted on the engine's side, waiting for the loop.
type Outcome = PyResult<Py<PyAny>>;

/// An asyncio future on `event_loop` that resolves to what `future` produces.
pub(crate) fn future_into_py<'py, F, T>(
    event_loop: &Bound<'py, PyAny>,
    future: F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let py = event_loop.py();
    let py_future = event_loop.call_method0(intern!(py, "create_future"))?;
    let target = Target {
        event_loop: event_loop.clone().unbind(),
        future: py_future.clone().unbind(),
    };
    let task = runtime().spawn(async move {
        let produced = AssertUnwindSafe(future).catch_unwind().await;
        // Taking the GIL may wait: not on one of the runtime's workers.
        runtime().spawn_blocking(move || target.resolve(produced));
    });
    py_future.call_method1(
        intern!(py, "add_done_callback"),
        (CancelOnDone {
            task: Some(task.abort_handle()),
        },),
    )?;
    Ok(py_future)
}

/// Where a result goes: an asyncio future and its loop.
struct Target {
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
}

impl Target {
    fn resolve<T>(self, produced: std::thread::Result<PyResult<T>>)
    where
        T: for<'a> IntoPyObject<'a>,
    {
        exit_gate::attach(|py| {
            let outcome = match produced {
                Ok(result) => result.and_then(|value| value.into_py_any(py)),
                Err(panic) => Err(PyRuntimeError::new_err(format!(
                    "the executor's task panicked: {}",
                    toolexec::panic_message(&*panic)
                ))),
            };
            let setter = SetOutcome {
                future: self.future,
                outcome: Some(outcome),
            };
            // A closed loop runs nothing any more: nobody waits for the result.
            let _ = self
                .event_loop
                .bind(py)
                .call_method1(intern!(py, "call_soon_threadsafe"), (setter,));
        });
    }
}

/// Runs on the loop: sets the future's result or exception, unless it was cancelled
/// meanwhile.
#[pyclass(module = "toolexec._native")]
pub(crate) struct SetOutcome {
    future: Py<PyAny>,
    outcome: Option<Outcome>,
}

#[pymethods]
impl SetOutcome {
    fn __call__(&mut self, py: Python<'_>) -> PyResult<()> {
        let future = self.future.bind(py);
        let Some(outcome) = self.outcome.take() else {
            return Ok(());
        };
        if future.call_method0(intern!(py, "done"))?.is_truthy()? {
            return Ok(());
        }
        match outcome {
            Ok(value) => future.call_method1(intern!(py, "set_result"), (value,))?,
            Err(error) => {
                future.call_method1(intern!(py, "set_exception"), (error.into_value(py),))?
            }
        };
        Ok(())
    }
}

/// The asyncio future's done-callback: aborts the Rust task when the future was
/// cancelled.
#[pyclass(module = "toolexec._native")]
pub(crate) struct CancelOnDone {
    task: Option<AbortHandle>,
}

#[pymethods]
impl CancelOnDone {
    fn __call__(&mut self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        let cancelled = future
            .call_method0(intern!(future.py(), "cancelled"))?
            .is_truthy()?;
        if let (true, Some(task)) = (cancelled, self.task.take()) {
            task.abort();
        }
        Ok(())
    }
}
