//! Turning tool input JSON into typed requests, with errors that name the field.
//!
//! Inputs are parsed with serde into typed structs (which mirror each tool's JSON
//! Schema); `serde_path_to_error` supplies the JSON path of the first offending field.
//! Value rules that serde cannot express (positive, finite, a probability) are checked
//! afterwards with the helpers below, again naming the field.

use serde::de::DeserializeOwned;
use serde_json::Value;
use toolexec::ToolError;

/// Parses `input` into `T`, naming the offending field on failure.
pub fn parse<T: DeserializeOwned>(input: &Value) -> Result<T, ToolError> {
    if !input.is_object() {
        return Err(ToolError::invalid_input("input", "must be a JSON object"));
    }
    serde_path_to_error::deserialize(input).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        // serde names a missing field only in the message; put it in the path.
        let named = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        // An unknown key that is the empty string has an empty path: name the input.
        let path = if path.is_empty() {
            ".".to_string()
        } else {
            path
        };
        let field = match (path.as_str(), named) {
            (".", Some(name)) => name.to_string(),
            (".", None) => "input".to_string(),
            (_, Some(name)) => format!("{path}.{name}"),
            (_, None) => path,
        };
        ToolError::invalid_input(field, message)
    })
}

/// Requires a finite value greater than zero.
pub fn positive(field: &str, value: f64) -> Result<f64, ToolError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(ToolError::invalid_input(
            field,
            format!("must be a finite number > 0, got {value}"),
        ))
    }
}

/// Requires a finite value of at least zero.
pub fn non_negative(field: &str, value: f64) -> Result<f64, ToolError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(ToolError::invalid_input(
            field,
            format!("must be a finite number >= 0, got {value}"),
        ))
    }
}

/// Requires a probability strictly between 0 and 1.
pub fn open_probability(field: &str, value: f64) -> Result<f64, ToolError> {
    if value.is_finite() && value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(ToolError::invalid_input(
            field,
            format!("must be strictly between 0 and 1, got {value}"),
        ))
    }
}

/// Requires a finite value.
pub fn finite(field: &str, value: f64) -> Result<f64, ToolError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ToolError::invalid_input(field, "must be a finite number"))
    }
}

/// Requires a non-empty list.
pub fn non_empty<T>(field: &str, items: &[T]) -> Result<(), ToolError> {
    if items.is_empty() {
        Err(ToolError::invalid_input(field, "must not be empty"))
    } else {
        Ok(())
    }
}

/// Requires a list of at most `max` entries; checked before the entries themselves.
pub fn at_most_items<T>(field: &str, items: &[T], max: usize) -> Result<(), ToolError> {
    if items.len() > max {
        Err(ToolError::invalid_input(
            field,
            format!("has {} entries, more than the limit of {max}", items.len()),
        ))
    } else {
        Ok(())
    }
}

/// Requires a list of 1 to `max` entries.
pub fn items_within<T>(field: &str, items: &[T], max: usize) -> Result<(), ToolError> {
    non_empty(field, items)?;
    at_most_items(field, items, max)
}

/// Requires an integer within `min..=max`.
pub fn int_within<T>(field: &str, value: T, min: T, max: T) -> Result<T, ToolError>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    if value >= min && value <= max {
        Ok(value)
    } else {
        Err(ToolError::invalid_input(
            field,
            format!("must be between {min} and {max}, got {value}"),
        ))
    }
}

/// Requires a finite value within `min..=max`.
pub fn within(field: &str, value: f64, min: f64, max: f64) -> Result<f64, ToolError> {
    if value.is_finite() && value >= min && value <= max {
        Ok(value)
    } else {
        Err(ToolError::invalid_input(
            field,
            format!("must be a finite number between {min} and {max}, got {value}"),
        ))
    }
}

/// Requires a finite value greater than zero and at most `max`.
pub fn positive_at_most(field: &str, value: f64, max: f64) -> Result<f64, ToolError> {
    positive(field, value)?;
    if value > max {
        Err(ToolError::invalid_input(
            field,
            format!("must be at most {max}, got {value}"),
        ))
    } else {
        Ok(value)
    }
}

/// Requires a finite value of at least zero and at most `max`.
pub fn non_negative_at_most(field: &str, value: f64, max: f64) -> Result<f64, ToolError> {
    non_negative(field, value)?;
    if value > max {
        Err(ToolError::invalid_input(
            field,
            format!("must be at most {max}, got {value}"),
        ))
    } else {
        Ok(value)
    }
}

/// Rounds to `digits` decimals, for readable output.
pub fn round(value: f64, digits: i32) -> f64 {
    let factor = 10f64.powi(digits);
    (value * factor).round() / factor
}

/// Rounds every floating-point number inside `value` to `digits` decimals (integers and
/// other values unchanged), so results read cleanly.
pub fn round_json(value: &mut serde_json::Value, digits: i32) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64() {
                *value = serde_json::json!(round(x, digits));
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| round_json(v, digits)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| round_json(v, digits)),
        _ => {}
    }
}
