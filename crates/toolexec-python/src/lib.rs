//! The toolexec engine in-process for Python: the native half of the `toolexec` wheel.
//!
//! The Python package (`python/toolexec`) wraps these classes with the surface Python
//! agent code knows (`ToolExecutor`, `ToolExecutionRequest`, `ToolExecutionResult`,
//! `ToolExecutionStatus`). Every call runs on one Rust [`toolexec::Executor`]: sync
//! methods release the GIL while they wait, async methods return awaitables on the
//! caller's asyncio loop, and Python functions become engine tools.

#[cfg(target_os = "linux")]
mod allocator;
mod awaitable;
mod bridge;
mod completions;
mod convert;
mod errors;
mod executor;
mod exit_gate;
mod feeding;
mod gather;
mod loop_queue;
mod orchestrator;
mod py_tool;
mod request;
mod result;
mod runtime;
mod settings;
mod stats;
mod sync_call;
mod workers;

use std::time::Duration;

use pyo3::prelude::*;

/// How long the interpreter's exit waits for the engine's threads to leave Python
/// (a sync tool still running, a result being handed over).
const EXIT_WAIT: Duration = Duration::from_secs(2);

/// Runs at the interpreter's exit (an `atexit` hook, so before it finalizes): stops
/// the engine's threads from entering Python again and waits, with the GIL released,
/// up to [`EXIT_WAIT`] for those inside to leave.
#[pyfunction]
fn _before_exit(py: Python<'_>) {
    py.detach(|| {
        exit_gate::close();
        workers::workers().wake_all();
        exit_gate::wait_until_empty(EXIT_WAIT);
    });
}

/// The native half of the `toolexec` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<executor::Executor>()?;
    m.add_class::<request::ToolExecutionRequest>()?;
    m.add_class::<result::ToolExecutionResult>()?;
    m.add_class::<orchestrator::Orchestrator>()?;
    m.add_class::<orchestrator::Answer>()?;
    m.add_class::<completions::Completer>()?;
    m.add_class::<completions::Flush>()?;
    m.add_class::<loop_queue::Drain>()?;
    m.add_class::<awaitable::SetOutcome>()?;
    m.add_class::<awaitable::CancelOnDone>()?;
    let before_exit = wrap_pyfunction!(_before_exit, m)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (before_exit,))?;
    Ok(())
}
