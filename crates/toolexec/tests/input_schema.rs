//! The engine enforces each tool's advertised input schema before the first attempt:
//! an input past a published bound never reaches the tool, whatever the tool checks.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use common::builder;
use serde_json::{json, Value};
use toolexec::{
    tool_fn, CallStatus, ErrorKind, Fallback, Tool, ToolCall, ToolOptions, ToolRegistry, ToolSpec,
};

/// A routing-like tool with bounded `vehicles` and `stops`, counting its invocations.
fn bounded_tool(invocations: Arc<AtomicU32>) -> Arc<dyn Tool> {
    let spec = ToolSpec::new("route", "bounded input").with_input_schema(json!({
        "type": "object",
        "required": ["stops"],
        "additionalProperties": false,
        "properties": {
            "vehicles": {"type": "integer", "minimum": 1, "maximum": 1000},
            "stops": {"type": "array", "maxItems": 2000, "items": {
                "type": "object",
                "required": ["demand"],
                "properties": {"demand": {"type": "number", "minimum": 0}}
            }}
        }
    }));
    Arc::new(tool_fn(spec, move |_input, _ctx| {
        invocations.fetch_add(1, Ordering::SeqCst);
        async { Ok(json!("routed")) }
    }))
}

fn stops(n: usize) -> Value {
    Value::Array((0..n).map(|i| json!({"demand": i})).collect())
}

#[tokio::test(start_paused = true)]
async fn a_billion_vehicles_are_refused_before_the_tool_runs_naming_the_field() {
    let invocations = Arc::new(AtomicU32::new(0));
    let executor = builder()
        .tool(bounded_tool(invocations.clone()))
        .build()
        .unwrap();
    let input = json!({"vehicles": 1_000_000_000, "stops": stops(3)});
    let envelope = executor
        .execute(ToolCall::new("route", input).with_id("r-1"))
        .await;

    assert_eq!(envelope.status, CallStatus::Failed);
    assert_eq!(envelope.attempts, 0);
    assert!(envelope.attempt_log.is_empty());
    let error = envelope.error.as_ref().expect("an error");
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert_eq!(error.field.as_deref(), Some("vehicles"));
    assert!(!error.retryable);
    assert!(error.message.contains("at vehicles:"), "{}", error.message);
    assert_eq!(invocations.load(Ordering::SeqCst), 0);

    let record = executor.history().find("r-1").expect("recorded");
    assert_eq!(record.error_kind, Some(ErrorKind::InvalidInput));
    assert_eq!(record.attempts, 0);
    let stats = executor.tool_stats("route").unwrap();
    assert_eq!(stats.by_status.get(&CallStatus::Failed), Some(&1));
}

#[tokio::test(start_paused = true)]
async fn one_item_past_max_items_is_refused_and_the_limit_itself_runs() {
    let invocations = Arc::new(AtomicU32::new(0));
    let executor = builder()
        .tool(bounded_tool(invocations.clone()))
        .build()
        .unwrap();
    let over = executor
        .execute(ToolCall::new("route", json!({"stops": stops(2001)})))
        .await;
    assert_eq!(over.error_kind(), Some(ErrorKind::InvalidInput));
    assert_eq!(over.error.unwrap().field.as_deref(), Some("stops"));
    assert_eq!(invocations.load(Ordering::SeqCst), 0);

    let at_limit = executor
        .execute(ToolCall::new("route", json!({"stops": stops(2000)})))
        .await;
    assert_eq!(at_limit.status, CallStatus::Success);
    assert_eq!(invocations.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn nested_and_missing_fields_are_named_by_their_json_path() {
    let executor = builder()
        .tool(bounded_tool(Arc::default()))
        .build()
        .unwrap();
    let nested = json!({"stops": [{"demand": 1}, {"demand": -1}]});
    let field = |envelope: toolexec::Envelope| envelope.error.unwrap().field;
    let envelope = executor.execute(ToolCall::new("route", nested)).await;
    assert_eq!(field(envelope).as_deref(), Some("stops[1].demand"));
    let envelope = executor.execute(ToolCall::new("route", json!({}))).await;
    assert_eq!(field(envelope).as_deref(), Some("stops"));
    let envelope = executor
        .execute(ToolCall::new("route", json!({"stops": [], "extra": 1})))
        .await;
    assert_eq!(envelope.error_kind(), Some(ErrorKind::InvalidInput));
}

#[tokio::test(start_paused = true)]
async fn a_refused_input_is_not_retried_not_answered_by_a_fallback_and_leaves_the_circuit_closed() {
    let invocations = Arc::new(AtomicU32::new(0));
    let mut registry = ToolRegistry::new();
    let options = ToolOptions::default().with_fallback(Fallback::value(json!("fallback")));
    registry.register_with(bounded_tool(invocations.clone()), options);
    let executor = builder().registry(registry).build().unwrap();
    for _ in 0..10 {
        let envelope = executor
            .execute(ToolCall::new("route", json!({"vehicles": 0, "stops": []})))
            .await;
        assert_eq!(envelope.status, CallStatus::Failed);
        assert!(!envelope.fallback);
        assert_eq!(envelope.result, None);
    }
    let good = executor
        .execute(ToolCall::new("route", json!({"stops": []})))
        .await;
    assert_eq!(good.status, CallStatus::Success);
    assert_eq!(invocations.load(Ordering::SeqCst), 1);
}

#[test]
fn a_tool_whose_schema_cannot_compile_is_refused_when_the_executor_is_built() {
    let spec = ToolSpec::new("broken", "bad schema").with_input_schema(json!({"type": 7}));
    let tool = tool_fn(spec, |_input, _ctx| async { Ok(json!(null)) });
    let error = builder().tool(Arc::new(tool)).build().unwrap_err();
    assert_eq!(error.key, "tools.broken.input_schema");
}

#[test]
fn a_schema_referring_to_a_remote_document_is_refused_not_fetched() {
    let spec = ToolSpec::new("remote", "remote ref")
        .with_input_schema(json!({"$ref": "https://example.com/schema.json"}));
    let tool = tool_fn(spec, |_input, _ctx| async { Ok(json!(null)) });
    let error = builder().tool(Arc::new(tool)).build().unwrap_err();
    assert_eq!(error.key, "tools.remote.input_schema");
}
