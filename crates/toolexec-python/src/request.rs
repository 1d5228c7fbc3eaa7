//! [`ToolExecutionRequest`]: one call as Python code writes it.

use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use toolexec::ToolCall;

use crate::convert::to_json;

/// One tool call: a registered tool by `tool_name`, or a Lambda function by
/// `function_name`, with its input and its own limits.
#[pyclass(module = "toolexec._native", get_all, set_all)]
pub(crate) struct ToolExecutionRequest {
    /// The registered tool to call.
    pub(crate) tool_name: Option<String>,
    /// The Lambda function to call instead of a registered tool.
    pub(crate) function_name: Option<String>,
    /// The input: a JSON-like dict.
    pub(crate) input_data: Py<PyAny>,
    /// The longest one attempt may run, in seconds (the executor's default when None).
    pub(crate) timeout_seconds: Option<f64>,
    /// Retries after the first attempt (the tool's policy when None).
    pub(crate) max_retries: Option<u32>,
    /// The longest the whole call may take across attempts and backoffs, in seconds.
    pub(crate) deadline_seconds: Option<f64>,
    /// Anything the caller wants back on the result; not sent to the tool.
    pub(crate) metadata: Py<PyAny>,
    /// The call's id (generated when None); unique among calls in flight.
    pub(crate) request_id: Option<String>,
    /// Makes a retry safe for a tool that is not idempotent.
    pub(crate) idempotency_key: Option<String>,
}

fn seconds(name: &str, value: Option<f64>) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(PyValueError::new_err(format!(
            "{name} must be a positive number of seconds, got {s}"
        ))),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[pymethods]
impl ToolExecutionRequest {
    #[new]
    #[pyo3(signature = (tool_name=None, input_data=None, timeout_seconds=None, max_retries=None, metadata=None, *, function_name=None, deadline_seconds=None, request_id=None, idempotency_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        tool_name: Option<String>,
        input_data: Option<Bound<'_, PyAny>>,
        timeout_seconds: Option<f64>,
        max_retries: Option<u32>,
        metadata: Option<Bound<'_, PyAny>>,
        function_name: Option<String>,
        deadline_seconds: Option<f64>,
        request_id: Option<String>,
        idempotency_key: Option<String>,
    ) -> PyResult<Self> {
        match (&tool_name, &function_name) {
            (None, None) => {
                return Err(PyTypeError::new_err(
                    "ToolExecutionRequest needs tool_name or function_name",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(PyTypeError::new_err(
                    "ToolExecutionRequest takes tool_name or function_name, not both",
                ))
            }
            _ => {}
        }
        seconds("timeout_seconds", timeout_seconds)?;
        seconds("deadline_seconds", deadline_seconds)?;
        let input_data = match input_data {
            None => PyDict::new(py).into_any(),
            Some(value) if value.is_instance_of::<PyDict>() => value,
            Some(value) => {
                return Err(PyTypeError::new_err(format!(
                    "input_data must be a dict, got {}",
                    value.get_type().name()?
                )))
            }
        };
        let metadata = match metadata {
            None => PyDict::new(py).into_any(),
            Some(value) => value,
        };
        Ok(Self {
            tool_name,
            function_name,
            input_data: input_data.unbind(),
            timeout_seconds,
            max_retries,
            deadline_seconds,
            metadata: metadata.unbind(),
            request_id,
            idempotency_key,
        })
    }

    fn __repr__(&self) -> String {
        match (&self.tool_name, &self.function_name) {
            (Some(tool), _) => format!("ToolExecutionRequest(tool_name={tool:?})"),
            (None, Some(function)) => format!("ToolExecutionRequest(function_name={function:?})"),
            (None, None) => "ToolExecutionRequest()".to_owned(),
        }
    }
}

impl ToolExecutionRequest {
    /// The engine call, with `call_id` when the request names none.
    pub(crate) fn to_call(
        &self,
        py: Python<'_>,
        call_id: impl FnOnce() -> String,
    ) -> PyResult<ToolCall> {
        let tool = match (&self.tool_name, &self.function_name) {
            (Some(tool), _) => tool.clone(),
            (None, Some(function)) => function.clone(),
            (None, None) => {
                return Err(PyTypeError::new_err(
                    "ToolExecutionRequest needs tool_name or function_name",
                ))
            }
        };
        let input = to_json(self.input_data.bind(py))
            .map_err(|e| PyTypeError::new_err(format!("input_data of {tool}: {}", e.value(py))))?;
        let mut call = ToolCall::new(tool, input);
        call.call_id = Some(self.request_id.clone().unwrap_or_else(call_id));
        if let Some(timeout) = seconds("timeout_seconds", self.timeout_seconds)? {
            call.timeout_ms = Some(millis(timeout));
        }
        if let Some(deadline) = seconds("deadline_seconds", self.deadline_seconds)? {
            call.deadline_ms = Some(millis(deadline));
        }
        call.max_retries = self.max_retries;
        call.idempotency_key = self.idempotency_key.clone();
        Ok(call)
    }
}
