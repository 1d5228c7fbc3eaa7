//! Handles on `toolexec._bridge`, and the [`Completer`] that hands an asyncio task's
//! outcome back to the engine.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use serde_json::Value;
use tokio::sync::oneshot;
use toolexec::ToolError;

use crate::convert::to_json;
use crate::errors::tool_error;

/// The functions and classes of `toolexec._bridge`.
pub(crate) struct Bridge {
    /// `SyncCall()`.
    pub(crate) sync_call: Py<PyAny>,
}

static BRIDGE: PyOnceLock<Bridge> = PyOnceLock::new();

/// The bridge, imported once per process.
pub(crate) fn bridge(py: Python<'_>) -> PyResult<&Bridge> {
    BRIDGE.get_or_try_init(py, || {
        let module = py.import("toolexec._bridge")?;
        Ok(Bridge {
            sync_call: module.getattr("SyncCall")?.unbind(),
        })
    })
}

/// What a tool's Python code produced, as the engine's attempt outcome.
pub(crate) fn outcome(
    py: Python<'_>,
    produced: PyResult<Bound<'_, PyAny>>,
) -> Result<Value, ToolError> {
    match produced {
        Ok(value) => to_json(&value).map_err(|e| ToolError::BadOutput {
            message: e.value(py).to_string(),
        }),
        Err(error) => Err(tool_error(py, &error)),
    }
}

/// The done-callback of an `async def` tool's task: sends the task's outcome to the
/// engine's waiting attempt.
#[pyclass(module = "toolexec._native")]
pub(crate) struct Completer {
    sender: Option<oneshot::Sender<Result<Value, ToolError>>>,
}

impl Completer {
    pub(crate) fn new(sender: oneshot::Sender<Result<Value, ToolError>>) -> Self {
        Self {
            sender: Some(sender),
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
        let result = if task.call_method0("cancelled")?.is_truthy()? {
            Err(ToolError::Failed {
                error_type: Some("asyncio.CancelledError".to_owned()),
                message: "the tool's task was cancelled".to_owned(),
            })
        } else {
            outcome(py, task.call_method0("result"))
        };
        // The attempt may have ended (timeout, cancellation): nobody waits any more.
        let _ = sender.send(result);
        Ok(())
    }
}
