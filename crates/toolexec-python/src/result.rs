//! [`ToolExecutionResult`]: the engine's envelope of one call, for Python.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use toolexec::{CallStatus, Envelope};

use crate::convert::to_py;

/// The members of `toolexec.ToolExecutionStatus`, in [`CallStatus`] order.
static STATUSES: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

const STATUS_ORDER: [CallStatus; 9] = [
    CallStatus::Pending,
    CallStatus::Running,
    CallStatus::Retrying,
    CallStatus::Success,
    CallStatus::Failed,
    CallStatus::Timeout,
    CallStatus::Cancelled,
    CallStatus::Rejected,
    CallStatus::Interrupted,
];

/// `status` as a member of the Python enum `ToolExecutionStatus`.
pub(crate) fn status_member(py: Python<'_>, status: CallStatus) -> PyResult<Bound<'_, PyAny>> {
    let members = STATUSES.get_or_try_init(py, || -> PyResult<Vec<Py<PyAny>>> {
        let class = py
            .import("toolexec._status")?
            .getattr("ToolExecutionStatus")?;
        STATUS_ORDER
            .iter()
            .map(|s| Ok(class.call1((s.as_str(),))?.unbind()))
            .collect()
    })?;
    let index = STATUS_ORDER.iter().position(|s| *s == status).unwrap_or(4);
    Ok(members[index].bind(py).clone())
}

/// The outcome of one call: exactly one per request, whatever happened.
#[pyclass(module = "toolexec._native", frozen)]
pub(crate) struct ToolExecutionResult {
    envelope: Envelope,
    metadata: Option<Py<PyAny>>,
}

impl ToolExecutionResult {
    /// Wraps an envelope, with the request's metadata.
    pub(crate) fn new(envelope: Envelope, metadata: Option<Py<PyAny>>) -> Self {
        Self { envelope, metadata }
    }
}

#[pymethods]
impl ToolExecutionResult {
    /// Whether the tool answered (or a fallback answered for it).
    #[getter]
    fn success(&self) -> bool {
        self.envelope.success
    }

    /// The tool's answer, None unless the call succeeded.
    #[getter]
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.envelope.result {
            Some(value) => to_py(py, value),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// The error message, None when the call succeeded.
    #[getter]
    fn error(&self) -> Option<String> {
        self.envelope.error.as_ref().map(|e| e.message.clone())
    }

    /// The tool's own error type (a Python exception class, a Lambda `errorType`).
    #[getter]
    fn error_type(&self) -> Option<String> {
        self.envelope
            .error
            .as_ref()
            .and_then(|e| e.error_type.clone())
    }

    /// The engine's classification of the failure: `timeout`, `tool_error`, ...
    #[getter]
    fn error_kind(&self) -> Option<&'static str> {
        self.envelope.error.as_ref().map(|e| e.kind.as_str())
    }

    /// The tool called.
    #[getter]
    fn tool_name(&self) -> &str {
        &self.envelope.tool_name
    }

    /// The call's id.
    #[getter]
    fn request_id(&self) -> &str {
        &self.envelope.call_id
    }

    /// The final status, a `ToolExecutionStatus`.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status_member(py, self.envelope.status)
    }

    /// Attempts made.
    #[getter]
    fn attempts(&self) -> u32 {
        self.envelope.attempts
    }

    /// Wall time of the whole call in milliseconds.
    #[getter]
    fn execution_time_ms(&self) -> f64 {
        self.envelope.execution_time_ms
    }

    /// Whether the result is the tool's fallback.
    #[getter]
    fn fallback(&self) -> bool {
        self.envelope.fallback
    }

    /// The request's metadata.
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        match &self.metadata {
            Some(m) => m.bind(py).clone(),
            None => PyDict::new(py).into_any(),
        }
    }

    /// One dict per attempt: `attempt`, `outcome`, `duration_ms`, `backoff_ms`.
    #[getter]
    fn attempt_log<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for record in &self.envelope.attempt_log {
            let dict = PyDict::new(py);
            dict.set_item("attempt", record.attempt)?;
            dict.set_item("outcome", record.outcome.as_ref())?;
            dict.set_item("duration_ms", record.duration_ms)?;
            dict.set_item("backoff_ms", record.backoff_ms)?;
            list.append(dict)?;
        }
        Ok(list)
    }

    /// `{"success", "result" | "error", "tool_name", "execution_time_ms", "attempts",
    /// "status"}`, the original design's dict (`error_type` too, for a failure).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let e = &self.envelope;
        let dict = PyDict::new(py);
        dict.set_item("success", e.success)?;
        match (&e.result, &e.error) {
            (Some(value), _) => dict.set_item("result", to_py(py, value)?)?,
            (None, Some(error)) => {
                dict.set_item("error", &error.message)?;
                dict.set_item("error_type", &error.error_type)?;
            }
            (None, None) => dict.set_item("result", py.None())?,
        }
        dict.set_item("tool_name", e.tool_name.as_ref())?;
        dict.set_item("execution_time_ms", e.execution_time_ms)?;
        dict.set_item("attempts", e.attempts)?;
        dict.set_item("status", e.status.as_str())?;
        Ok(dict)
    }

    /// The full envelope as a JSON string, as the HTTP API and CLI print it.
    fn to_json(&self) -> String {
        self.envelope.to_json().to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "ToolExecutionResult(tool_name={:?}, status={:?}, attempts={}, execution_time_ms={:.3})",
            self.envelope.tool_name.as_ref(),
            self.envelope.status.as_str(),
            self.envelope.attempts,
            self.envelope.execution_time_ms
        )
    }
}
