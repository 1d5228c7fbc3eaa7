//! The Lambda handler answers every event with the structured response
//! `{success, result | error, tool_name, execution_time_ms}`.

use std::sync::Arc;

use serde_json::json;
use supply_chain::Store;
use supply_chain_lambda::handle;

fn store() -> Arc<Store> {
    Arc::new(Store::in_memory().expect("store"))
}

#[tokio::test]
async fn successful_call_carries_result_and_timing() {
    let event = json!({"tool": "select_carrier", "input": {"weight_kg": 100, "distance_km": 50,
        "carriers": [{"name": "A", "base_cost": 10, "cost_per_kg": 0.1, "cost_per_km": 1, "transit_days": 2}]}});
    let response = handle("logistics_optimizer", event, store()).await;
    assert_eq!(response["success"], true);
    assert_eq!(response["tool_name"], "select_carrier");
    assert_eq!(response["result"]["recommended"], "A");
    assert!(response["error"].is_null());
    assert!(response["execution_time_ms"].as_f64().expect("time") >= 0.0);
}

#[tokio::test]
async fn invalid_input_is_reported_with_its_field() {
    let event = json!({"tool": "rank_suppliers", "input": {"suppliers": [{"id": "a", "x": 1}], "method": "vote"}});
    let response = handle("supplier_analyzer", event, store()).await;
    assert_eq!(response["success"], false);
    assert_eq!(response["error"]["kind"], "invalid_input");
    assert!(response["error"]["message"]
        .as_str()
        .expect("message")
        .contains("method"));
    assert_eq!(response["error"]["retryable"], false);
}

#[tokio::test]
async fn a_tool_of_another_group_is_not_found() {
    let event = json!({"tool": "optimize_routes", "input": {}});
    let response = handle("inventory_optimizer", event, store()).await;
    assert_eq!(response["success"], false);
    assert_eq!(response["error"]["kind"], "not_found");
}

#[tokio::test]
async fn an_event_without_a_tool_is_invalid() {
    let response = handle("inventory_optimizer", json!({"input": {}}), store()).await;
    assert_eq!(response["error"]["kind"], "invalid_input");
    assert!(response["tool_name"].is_null());
}

#[tokio::test]
async fn database_references_work_through_the_function() {
    let store = Arc::new(Store::in_memory_seeded(1).expect("seeded"));
    let event = json!({"tool": "calculate_reorder_points", "input": {"warehouse_code": "WH001", "skus": ["FAS-0001"]}});
    let response = handle("inventory_optimizer", event, store).await;
    assert_eq!(response["success"], true, "{response}");
    assert_eq!(response["result"]["items"][0]["sku"], "FAS-0001");
}
