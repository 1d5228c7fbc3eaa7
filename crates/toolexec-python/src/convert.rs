//! JSON values between Python and Rust, through pythonize.

use pyo3::prelude::*;
use serde_json::Value;

/// A Python object (dict, list, str, number, bool, None) as JSON.
pub(crate) fn to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    pythonize::depythonize(value)
        .map_err(|e| pyo3::exceptions::PyTypeError::new_err(format!("not JSON-serializable: {e}")))
}

/// A JSON value as a Python object.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| {
        pyo3::exceptions::PyValueError::new_err(format!("cannot convert to Python: {e}"))
    })
}
