//! A [`ToolSpec`] as an MCP tool definition.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations as McpAnnotations};
use serde_json::Value;
use toolexec::ToolSpec;

/// The MCP definition of `spec`: name, description, input schema, and the
/// `readOnlyHint`, `idempotentHint` and `destructiveHint` annotations.
///
/// MCP requires the input schema to be a JSON object; a spec whose schema is not one
/// is offered as taking any object (`{"type": "object"}`), which is what the executor
/// accepts for it.
pub(crate) fn mcp_tool(spec: &ToolSpec) -> Tool {
    let schema = match &spec.input_schema {
        Value::Object(schema) => schema.clone(),
        _ => JsonObject::from_iter([("type".to_owned(), Value::from("object"))]),
    };
    let hints = spec.annotations;
    let annotations = McpAnnotations::new()
        .read_only(hints.read_only)
        .idempotent(hints.idempotent)
        .destructive(hints.destructive);
    Tool::new(
        spec.name.clone(),
        spec.description.clone(),
        Arc::new(schema),
    )
    .with_annotations(annotations)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use toolexec::ToolAnnotations;

    use super::*;

    #[test]
    fn hints_and_schema_are_carried_over() {
        let spec = ToolSpec::new("reorder", "Reorder points.")
            .with_input_schema(json!({"type": "object", "required": ["sku"]}))
            .with_annotations(ToolAnnotations::read_only());
        let tool = mcp_tool(&spec);
        assert_eq!(tool.name, "reorder");
        assert_eq!(tool.description.as_deref(), Some("Reorder points."));
        assert_eq!(
            tool.schema_as_json_value(),
            json!({"type": "object", "required": ["sku"]})
        );
        let hints = tool.annotations.expect("annotations");
        assert_eq!(hints.read_only_hint, Some(true));
        assert_eq!(hints.idempotent_hint, Some(true));
        assert_eq!(hints.destructive_hint, Some(false));
    }

    #[test]
    fn a_schema_that_is_not_an_object_becomes_any_object() {
        let spec = ToolSpec::new("odd", "Odd schema.").with_input_schema(json!(true));
        assert_eq!(
            mcp_tool(&spec).schema_as_json_value(),
            json!({"type": "object"})
        );
    }
}
