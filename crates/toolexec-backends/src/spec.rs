//! The parts of a [`ToolSpec`] that every backend's configuration may set.

use serde_json::Value;
use toolexec::{PolicyError, ToolAnnotations, ToolSpec};

/// Builds the spec of a configured tool, checking that the input schema is an object.
pub(crate) fn tool_spec(
    name: &str,
    description: Option<&str>,
    default_description: impl FnOnce() -> String,
    input_schema: Option<&Value>,
    annotations: Option<ToolAnnotations>,
) -> Result<ToolSpec, PolicyError> {
    if name.trim().is_empty() {
        return Err(PolicyError::new("name", "a tool name must not be empty"));
    }
    let description = description.map_or_else(default_description, str::to_owned);
    let mut spec = ToolSpec::new(name, description);
    if let Some(schema) = input_schema {
        if !schema.is_object() {
            return Err(PolicyError::new(
                "input_schema",
                "must be a JSON Schema object (a table)",
            ));
        }
        spec = spec.with_input_schema(schema.clone());
    }
    if let Some(annotations) = annotations {
        spec = spec.with_annotations(annotations);
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_must_be_an_object() {
        let error = tool_spec("t", None, String::new, Some(&Value::Bool(true)), None).err();
        assert_eq!(error.map(|e| e.key).as_deref(), Some("input_schema"));
    }
}
