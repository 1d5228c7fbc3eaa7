//! `tools/list` offers every registered tool with its description, input schema and
//! annotations, over both transports.

mod common;

use common::{bounded, executor, Harness, BOTH};
use serde_json::Value;

#[tokio::test]
async fn tools_list_offers_every_tool_with_schema_and_annotations() {
    for via in BOTH {
        let harness = Harness::start(via, executor()).await;
        let listed = bounded(harness.client.list_all_tools())
            .await
            .expect("tools/list succeeds");
        let specs = harness.executor.tools();

        let names: Vec<&str> = listed.iter().map(|t| t.name.as_ref()).collect();
        let expected: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, expected, "{via:?}");
        for (tool, spec) in listed.iter().zip(&specs) {
            assert_eq!(tool.description.as_deref(), Some(spec.description.as_str()));
            assert_eq!(
                Value::Object((*tool.input_schema).clone()),
                spec.input_schema,
                "{via:?}: schema of {}",
                spec.name
            );
            let hints = tool.annotations.as_ref().expect("annotations are sent");
            assert_eq!(hints.read_only_hint, Some(spec.annotations.read_only));
            assert_eq!(hints.idempotent_hint, Some(spec.annotations.idempotent));
            assert_eq!(hints.destructive_hint, Some(spec.annotations.destructive));
        }

        let delete = listed.iter().find(|t| t.name == "delete").expect("delete");
        let hints = delete.annotations.as_ref().expect("annotations");
        assert_eq!(
            (
                hints.read_only_hint,
                hints.idempotent_hint,
                hints.destructive_hint
            ),
            (Some(false), Some(false), Some(true)),
            "{via:?}: a destructive, non-idempotent tool says so"
        );
        let lookup = listed.iter().find(|t| t.name == "lookup").expect("lookup");
        assert_eq!(lookup.input_schema["required"], serde_json::json!(["sku"]));
        harness.finish().await;
    }
}
