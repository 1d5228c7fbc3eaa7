//! `[tools.NAME]` tables of `toolexec.toml` read as [`BackendConfig`]s, built, and
//! called through an executor, the way the CLI's configuration loader uses them.

mod common;

use std::collections::BTreeMap;

use common::executor;
use serde_json::json;
use toolexec::{CallStatus, ToolCall};
use toolexec_backends::BackendConfig;
use toolexec_test_support::cargo_bin::workspace_binary;

#[tokio::test]
async fn tables_of_every_local_backend_build_into_callable_tools() {
    let fixture = workspace_binary("mcp-fixture-server", "mcp-fixture-server");
    let document = format!(
        r#"
        [tools.echo]
        backend = "process"
        program = "cat"
        description = "Answers with its input"
        annotations = {{ read_only = true }}
        input_schema = {{ type = "object", properties = {{ sku = {{ type = "string" }} }} }}

        [tools.fixture]
        backend = "mcp"
        command = "{}"
        tools = ["echo"]
        prefix = "mcp_"
        "#,
        fixture.display()
    );
    let tables: BTreeMap<String, BTreeMap<String, toml::Value>> =
        toml::from_str::<toml::Table>(&document).unwrap()["tools"]
            .clone()
            .try_into()
            .unwrap();
    let mut tools = Vec::new();
    for (name, table) in tables {
        let config: BackendConfig = toml::Value::Table(table.into_iter().collect())
            .try_into()
            .unwrap();
        tools.extend(config.build(&name).await.unwrap());
    }
    let executor = executor(tools);
    let specs = executor.tools();
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["echo", "mcp_echo"]);
    assert_eq!(specs[0].description, "Answers with its input");
    assert!(specs[0].annotations.read_only);
    assert_eq!(specs[0].input_schema["properties"]["sku"]["type"], "string");

    let envelope = executor
        .execute(ToolCall::new("echo", json!({"sku": "A-1"})))
        .await;
    assert_eq!(envelope.result, Some(json!({"sku": "A-1"})));
    let envelope = executor
        .execute(ToolCall::new("mcp_echo", json!({"text": "hi"})))
        .await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
}

#[test]
fn a_table_names_its_bad_or_unknown_key() {
    let parse = |text: &str| toml::from_str::<BackendConfig>(text).map_err(|e| e.to_string());
    let error = parse("backend = \"ftp\"\nurl = \"x\"\n").unwrap_err();
    assert!(error.contains("ftp"), "{error}");
    let error = parse("backend = \"process\"\nprogram = \"cat\"\nargs = \"-u\"\n").unwrap_err();
    assert!(
        error.contains("args") || error.contains("sequence"),
        "{error}"
    );
    let error = parse("backend = \"mcp\"\ncommand = \"x\"\nidle_timeout = 5\n").unwrap_err();
    assert!(error.contains("idle_timeout"), "{error}");
}
