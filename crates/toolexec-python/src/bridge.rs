//! A tool's Python outcome as the engine's.

use pyo3::prelude::*;
use serde_json::Value;
use toolexec::ToolError;

use crate::convert::to_json;
use crate::errors::tool_error;

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
