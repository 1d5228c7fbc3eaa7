//! JSON values between Python and Rust.
//!
//! The plain JSON types (`None`, `bool`, `int` within 64 bits, `float`, `str`, `list`,
//! `dict` with `str` keys, exactly these classes) are converted directly; anything else
//! (tuples, sets, subclasses, mappings, dataclasses, big ints, deep nesting) goes
//! through pythonize, so both paths accept the same values. The direct path skips
//! pythonize's serde visitors, its key and value lists per dict and its 128-bit integer
//! probe, which are most of the per-call conversion cost of small tool inputs.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use serde_json::{Map, Number, Value};

/// Nesting deeper than this is left to pythonize (the direct path recurses).
const DIRECT_DEPTH: usize = 64;

/// A Python object (dict, list, str, number, bool, None) as JSON.
pub(crate) fn to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    direct_json(value, 0)
}

fn slow_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    pythonize::depythonize(value)
        .map_err(|e| pyo3::exceptions::PyTypeError::new_err(format!("not JSON-serializable: {e}")))
}

fn direct_json(value: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > DIRECT_DEPTH {
        return slow_json(value);
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast_exact::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = value.cast_exact::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(i) = value.cast_exact::<PyInt>() {
        return match i.extract::<i64>() {
            Ok(n) => Ok(Value::from(n)),
            Err(_) => slow_json(value),
        };
    }
    if let Ok(f) = value.cast_exact::<PyFloat>() {
        return Ok(Number::from_f64(f.value()).map_or(Value::Null, Value::Number));
    }
    if let Ok(dict) = value.cast_exact::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            let Ok(key) = k.cast_exact::<PyString>() else {
                // Non-str keys: pythonize's own rules (and errors) apply.
                return slow_json(value);
            };
            map.insert(key.to_cow()?.into_owned(), direct_json(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = value.cast_exact::<PyList>() {
        let mut items = Vec::with_capacity(list.len());
        for item in list.iter() {
            items.push(direct_json(&item, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    slow_json(value)
}

/// A JSON value as a Python object.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    direct_py(py, value, 0)
}

fn direct_py<'py>(py: Python<'py>, value: &Value, depth: usize) -> PyResult<Bound<'py, PyAny>> {
    if depth > DIRECT_DEPTH {
        return pythonize::pythonize(py, value).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("cannot convert to Python: {e}"))
        });
    }
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(direct_py(py, item, depth + 1)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(PyString::new(py, k), direct_py(py, v, depth + 1)?)?;
            }
            dict.into_any()
        }
    })
}
