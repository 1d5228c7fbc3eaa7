//! A tool's advertised input schema, enforced by the engine before the first attempt,
//! so a bound a tool publishes (`maxItems`, `maximum`, `required`, ...) holds whatever
//! the tool's own code checks, for built-in and configured tools alike.

use std::fmt::Write as _;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::PolicyError;

/// How many schema errors one refusal lists; the rest are counted.
const ERRORS_SHOWN: usize = 3;

/// A compiled input schema.
pub(crate) struct InputSchema {
    validator: Validator,
}

impl std::fmt::Debug for InputSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputSchema").finish_non_exhaustive()
    }
}

/// Why an input does not fit its tool's schema: a message for people and the JSON path
/// of the first offending field (`items[3].lead_time_days`; empty for the whole input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaMismatch {
    pub(crate) message: String,
    pub(crate) field: String,
}

impl InputSchema {
    /// Compiles `schema`; a schema that cannot be compiled (malformed, or referring to
    /// a remote document, which the engine never fetches) is an error naming the tool.
    pub(crate) fn compile(tool: &str, schema: &Value) -> Result<Self, PolicyError> {
        jsonschema::validator_for(schema)
            .map(|validator| Self { validator })
            .map_err(|error| {
                PolicyError::new(
                    format!("tools.{tool}.input_schema"),
                    format!("is not a usable JSON Schema: {}", error.masked()),
                )
            })
    }

    /// Checks `input`; the fast path (a valid input) allocates nothing.
    pub(crate) fn check(&self, input: &Value) -> Result<(), SchemaMismatch> {
        if self.validator.is_valid(input) {
            return Ok(());
        }
        let mut errors = self.validator.iter_errors(input);
        let Some(first) = errors.next() else {
            return Ok(());
        };
        let field = field_of(&first);
        let mut message = String::from("input does not match the tool's schema: ");
        describe(&mut message, &first);
        let rest: Vec<ValidationError<'_>> = errors.collect();
        for error in rest.iter().take(ERRORS_SHOWN - 1) {
            message.push_str("; ");
            describe(&mut message, error);
        }
        if rest.len() >= ERRORS_SHOWN {
            let _ = write!(message, "; and {} more", rest.len() + 1 - ERRORS_SHOWN);
        }
        Err(SchemaMismatch { message, field })
    }
}

/// `at PATH: what is wrong`, with the input's value masked (an oversized list would
/// otherwise be copied into the message whole).
fn describe(out: &mut String, error: &ValidationError<'_>) {
    let field = field_of(error);
    let place = if field.is_empty() { "input" } else { &field };
    let _ = write!(out, "at {place}: {}", error.masked());
}

/// The JSON path of the value an error is about; for a missing required property, the
/// property itself.
fn field_of(error: &ValidationError<'_>) -> String {
    let mut path = String::new();
    for segment in error.instance_path().iter() {
        match segment {
            LocationSegment::Property(name) => push_property(&mut path, &name),
            LocationSegment::Index(index) => {
                let _ = write!(path, "[{index}]");
            }
        }
    }
    if let ValidationErrorKind::Required {
        property: Value::String(name),
    } = error.kind()
    {
        push_property(&mut path, name);
    }
    path
}

fn push_property(path: &mut String, name: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(name);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> InputSchema {
        let schema = json!({
            "type": "object",
            "required": ["stops"],
            "properties": {
                "vehicles": {"type": "integer", "minimum": 1, "maximum": 1000},
                "stops": {"type": "array", "maxItems": 2, "items": {
                    "type": "object",
                    "properties": {"demand": {"type": "number", "minimum": 0}}
                }}
            }
        });
        InputSchema::compile("optimize_routes", &schema).expect("compiles")
    }

    #[test]
    fn a_valid_input_passes() {
        let input = json!({"stops": [{"demand": 1}], "vehicles": 3});
        assert_eq!(schema().check(&input), Ok(()));
    }

    #[test]
    fn a_number_past_its_maximum_names_the_field() {
        let mismatch = schema()
            .check(&json!({"stops": [], "vehicles": 1_000_000_000}))
            .expect_err("refused");
        assert_eq!(mismatch.field, "vehicles");
        assert!(
            mismatch.message.contains("at vehicles:"),
            "{}",
            mismatch.message
        );
        assert!(mismatch.message.contains("1000"), "{}", mismatch.message);
    }

    #[test]
    fn a_nested_field_is_named_by_its_path_with_indices() {
        let input = json!({"stops": [{"demand": 1}, {"demand": -5}]});
        let mismatch = schema().check(&input).expect_err("refused");
        assert_eq!(mismatch.field, "stops[1].demand");
    }

    #[test]
    fn a_missing_required_property_is_named() {
        let mismatch = schema().check(&json!({})).expect_err("refused");
        assert_eq!(mismatch.field, "stops");
    }

    #[test]
    fn an_oversized_list_is_not_copied_into_the_message() {
        let stops: Vec<Value> = (0..10_000).map(|i| json!({"demand": i})).collect();
        let mismatch = schema()
            .check(&json!({"stops": stops}))
            .expect_err("refused");
        assert_eq!(mismatch.field, "stops");
        assert!(mismatch.message.len() < 300, "{}", mismatch.message);
    }

    #[test]
    fn several_errors_are_listed_up_to_three_and_counted() {
        let input =
            json!({"stops": [{"demand": -1}, {"demand": -2}, {"demand": -3}], "vehicles": 0});
        let mismatch = schema().check(&input).expect_err("refused");
        assert_eq!(
            mismatch.message.matches("at ").count(),
            3,
            "{}",
            mismatch.message
        );
        assert!(
            mismatch.message.ends_with("and 2 more"),
            "{}",
            mismatch.message
        );
    }

    #[test]
    fn a_schema_that_cannot_compile_names_the_tool() {
        let error = InputSchema::compile("t", &json!({"type": 12})).expect_err("refused");
        assert_eq!(error.key, "tools.t.input_schema");
    }
}
