//! `tools/call` with arbitrary tool names and arguments (proptest, structure-aware, a
//! bounded number of cases) over the in-memory pipe: every call ends in a result or a
//! protocol error within the test bound, never a panic or a hang, and the server keeps
//! serving.

mod common;

use common::{executor, Harness, Via, BOUND};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rmcp::model::CallToolRequestParams;
use rmcp::ServiceError;
use serde_json::{json, Value};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,16}".prop_map(Value::from),
        Just(json!("tool_error")),
        Just(json!("invalid_input")),
        Just(json!("transient")),
        Just(json!("panic")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 20, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("sku".to_owned()),
        Just("fail_with".to_owned()),
        Just("fail_attempts".to_owned()),
        "[a-z_]{0,8}",
    ]
}

/// Arguments a tool may see; the sim tool's timing keys (`latency_ms`,
/// `retry_after_ms`) are left out: they bound how long a call takes, which the engine's
/// own caps govern and its tests cover.
fn arguments() -> impl Strategy<Value = Option<serde_json::Map<String, Value>>> {
    prop::option::of(
        prop::collection::btree_map(key(), value(), 0..5)
            .prop_map(|m| m.into_iter().collect::<serde_json::Map<_, _>>()),
    )
}

fn tool_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("sim".to_owned()),
        Just("flaky".to_owned()),
        Just("lookup".to_owned()),
        Just("delete".to_owned()),
        ".{0,12}",
    ]
}

#[test]
fn arbitrary_tool_calls_end_in_a_result_or_an_error_never_a_hang() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let harness = runtime.block_on(Harness::start(Via::Pipe, executor()));
    let mut runner = TestRunner::new(Config {
        cases: 128,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(tool_name(), arguments()), |(name, arguments)| {
            let mut params = CallToolRequestParams::new(name.clone());
            params.arguments = arguments;
            let answered = runtime.block_on(async {
                tokio::time::timeout(BOUND, harness.client.call_tool(params)).await
            });
            let outcome = answered.map_err(|_| {
                TestCaseError::fail(format!("`{name}`: no answer within {BOUND:?}"))
            })?;
            match outcome {
                Ok(result) => {
                    prop_assert!(!result.content.is_empty(), "`{}`: an empty result", name);
                    if result.is_error == Some(true) {
                        let envelope = result.structured_content.unwrap_or_default();
                        prop_assert!(envelope["error"]["kind"].is_string(), "{}", envelope);
                    }
                }
                Err(ServiceError::McpError(error)) => {
                    prop_assert!(!error.message.is_empty(), "`{}`: {:?}", name, error);
                }
                Err(other) => {
                    return Err(TestCaseError::fail(format!("`{name}`: {other}")));
                }
            }
            Ok(())
        })
        .expect("every call is answered");
    runtime.block_on(harness.finish());
}
