//! Each tool's published JSON Schema and the typed input it parses agree: every schema
//! property is a field the tool knows (a wrong-typed value is rejected naming that very
//! field, never as unknown), and a property outside the schema is rejected by name.

use serde_json::{json, Map, Value};
use supply_chain::{builtin_tools, dispatch, Store, GROUPS};
use toolexec::ToolError;

fn group_of(tool: &str, store: &std::sync::Arc<Store>) -> &'static str {
    GROUPS
        .iter()
        .find(|g| {
            supply_chain::group_tools(g, store.clone())
                .iter()
                .any(|t| t.spec().name == tool)
        })
        .copied()
        .expect("every tool is in a group")
}

#[test]
fn every_schema_property_is_parsed_and_nothing_else_is() {
    let store = std::sync::Arc::new(Store::in_memory().expect("store"));
    for tool in builtin_tools(store.clone()) {
        let spec = tool.spec();
        let group = group_of(&spec.name, &store);
        let properties = spec.input_schema["properties"]
            .as_object()
            .expect("properties");
        for (name, schema) in properties {
            // An object where the schema wants anything else, and a string where it
            // wants an object: wrong either way.
            let wrong = if schema["type"] == "object" {
                json!("not an object")
            } else {
                json!({"wrong": true})
            };
            let mut input = Map::new();
            input.insert(name.clone(), wrong);
            match dispatch(group, &spec.name, &Value::Object(input), &store) {
                Err(ToolError::InvalidInput {
                    field: Some(field),
                    message,
                }) => {
                    assert!(
                        !message.contains("unknown field"),
                        "{}: {name} is in the schema but not parsed",
                        spec.name
                    );
                    assert!(
                        field.starts_with(name.as_str()),
                        "{}: {name} reported as {field}",
                        spec.name
                    );
                }
                other => panic!("{}: wrong-typed {name} gave {other:?}", spec.name),
            }
        }
        assert_eq!(
            spec.input_schema["additionalProperties"], false,
            "{}",
            spec.name
        );
        let err = dispatch(group, &spec.name, &json!({"surprise": 1}), &store)
            .expect_err("unknown property");
        assert!(
            matches!(&err, ToolError::InvalidInput { field: Some(f), .. } if f == "surprise"),
            "{}: {err}",
            spec.name
        );
    }
}
