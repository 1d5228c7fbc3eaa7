//! The toolexec engine in-process for Python: the native half of the `toolexec` wheel.
//!
//! The Python package (`python/toolexec`) wraps these classes with the surface Python
//! agent code knows (`ToolExecutor`, `ToolExecutionRequest`, `ToolExecutionResult`,
//! `ToolExecutionStatus`). Every call runs on one Rust [`toolexec::Executor`]: sync
//! methods release the GIL while they wait, async methods return awaitables on the
//! caller's asyncio loop, and Python functions become engine tools.

mod bridge;
mod completions;
mod convert;
mod errors;
mod executor;
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

use pyo3::prelude::*;

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
    Ok(())
}
