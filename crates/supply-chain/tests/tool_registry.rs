//! The tools as `toolexec::Tool`s: specs with schemas and read-only annotations, group
//! lists, calls through the trait, and the routing search honouring the call deadline
//! and cancellation.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use supply_chain::{builtin_tools, group_tools, Store, GROUPS};
use toolexec::CallContext;

fn store() -> Arc<Store> {
    Arc::new(Store::in_memory().expect("store"))
}

fn grid_routing_input(time_limit_ms: u64) -> Value {
    let stops: Vec<Value> = (0..60)
        .map(|i| json!({"id": i, "x": f64::from(i % 8) * 10.0, "y": f64::from(i / 8) * 10.0, "demand": 1 + i % 5}))
        .collect();
    json!({"depot": {"x": 35.0, "y": 35.0}, "stops": stops, "vehicle_capacity": 20,
        "time_limit_ms": time_limit_ms, "max_iterations": 100000})
}

#[test]
fn every_tool_has_a_schema_and_read_only_annotations() {
    let tools = builtin_tools(store());
    assert_eq!(tools.len(), 13);
    let names: BTreeSet<&str> = tools.iter().map(|t| t.spec().name.as_str()).collect();
    assert_eq!(names.len(), 13, "names are unique");
    for tool in &tools {
        let spec = tool.spec();
        assert_eq!(spec.input_schema["type"], "object", "{}", spec.name);
        assert!(spec.input_schema["properties"].is_object(), "{}", spec.name);
        assert!(spec.annotations.read_only && spec.annotations.idempotent);
        assert!(
            spec.description.len() > 100,
            "{} states its conventions",
            spec.name
        );
    }
}

#[test]
fn groups_partition_the_tools() {
    let sizes: Vec<usize> = GROUPS
        .iter()
        .map(|g| group_tools(g, store()).len())
        .collect();
    assert_eq!(sizes, [7, 3, 3]);
    assert!(group_tools("nope", store()).is_empty());
    let inventory: Vec<String> = group_tools("inventory_optimizer", store())
        .iter()
        .map(|t| t.spec().name.clone())
        .collect();
    assert!(inventory.contains(&"calculate_reorder_points".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_is_called_through_the_trait() {
    let tools = builtin_tools(store());
    let eoq = tools
        .iter()
        .find(|t| t.spec().name == "optimize_order_quantities")
        .expect("tool");
    let input = json!({"items": [{"annual_demand": 1200.0, "ordering_cost": 50.0, "holding_cost_per_unit_year": 3.0}]});
    let out = eoq
        .call(&input, CallContext::detached("c-1"))
        .await
        .expect("result");
    assert_eq!(out["items"][0]["order_quantity"], 200.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_stops_at_the_call_deadline() {
    let tools = builtin_tools(store());
    let routes = tools
        .iter()
        .find(|t| t.spec().name == "optimize_routes")
        .expect("tool");
    let mut ctx = CallContext::detached("c-2");
    ctx.deadline = Some(tokio::time::Instant::now() + Duration::from_millis(600));
    let started = Instant::now();
    let out = routes
        .call(&grid_routing_input(20_000), ctx)
        .await
        .expect("routes");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(out["solver"]["time_limit_ms"].as_u64().expect("limit") <= 600);
    assert!(out["unassigned"].as_array().expect("unassigned").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_stops_when_cancelled() {
    let tools = builtin_tools(store());
    let routes = tools
        .iter()
        .find(|t| t.spec().name == "optimize_routes")
        .expect("tool")
        .clone();
    let ctx = CallContext::detached("c-3");
    let token = ctx.cancellation.clone();
    let started = Instant::now();
    let input = grid_routing_input(20_000);
    let call = tokio::spawn(async move { routes.call(&input, ctx).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    token.cancel();
    let out = call.await.expect("joined").expect("routes");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(out["total_distance"].as_f64().expect("distance") > 0.0);
}
