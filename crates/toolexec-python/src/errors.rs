//! A Python exception raised by a tool, as the engine's [`ToolError`].
//!
//! The exception classes of `toolexec` choose the engine's handling: `TransientError`
//! (and the built-in `ConnectionError` and `TimeoutError`) is retried, `ThrottledError`
//! is retried after its `retry_after`, `InvalidInputError` and `NotFoundError` are
//! never retried; any other exception makes the call `failed` with the exception's
//! type and message, as the engine does for a tool's own failure.

use std::time::Duration;

use pyo3::exceptions::{PyConnectionError, PyTimeoutError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use toolexec::ToolError;

/// The exception classes of `toolexec._errors`.
struct Classes {
    transient: Py<PyAny>,
    throttled: Py<PyAny>,
    invalid_input: Py<PyAny>,
    not_found: Py<PyAny>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let module = py.import("toolexec._errors")?;
        Ok(Classes {
            transient: module.getattr("TransientError")?.unbind(),
            throttled: module.getattr("ThrottledError")?.unbind(),
            invalid_input: module.getattr("InvalidInputError")?.unbind(),
            not_found: module.getattr("NotFoundError")?.unbind(),
        })
    })
}

/// The exception's class name, qualified by its module unless it is a built-in.
fn type_name(error: &PyErr, py: Python<'_>) -> String {
    let ty = error.get_type(py);
    let name = ty
        .qualname()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".to_owned());
    match ty.module().map(|m| m.to_string()) {
        Ok(module) if module != "builtins" => format!("{module}.{name}"),
        _ => name,
    }
}

/// The engine's view of an exception a tool raised.
pub(crate) fn tool_error(py: Python<'_>, error: &PyErr) -> ToolError {
    let message = error.value(py).to_string();
    let Ok(classes) = classes(py) else {
        return ToolError::Failed {
            error_type: Some(type_name(error, py)),
            message,
        };
    };
    let is = |class: &Py<PyAny>| error.matches(py, class.bind(py)).unwrap_or(false);
    if is(&classes.throttled) {
        let retry_after = error
            .value(py)
            .getattr("retry_after")
            .ok()
            .and_then(|v| v.extract::<Option<f64>>().ok().flatten())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64);
        return ToolError::Throttled {
            message,
            retry_after,
        };
    }
    if is(&classes.transient)
        || error.is_instance_of::<PyConnectionError>(py)
        || error.is_instance_of::<PyTimeoutError>(py)
    {
        return ToolError::Transient { message };
    }
    if is(&classes.invalid_input) {
        let field = error
            .value(py)
            .getattr("field")
            .ok()
            .and_then(|v| v.extract::<Option<String>>().ok().flatten());
        return ToolError::InvalidInput { field, message };
    }
    if is(&classes.not_found) {
        return ToolError::NotFound { message };
    }
    ToolError::Failed {
        error_type: Some(type_name(error, py)),
        message,
    }
}
