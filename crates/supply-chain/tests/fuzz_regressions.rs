//! Inputs the property tests (`input_fuzz.rs`) found breaking a tool, kept as named
//! cases.

use std::time::{Duration, Instant};

use serde_json::json;
use supply_chain::{dispatch, Store};
use toolexec::ToolError;

const INV: &str = "inventory_optimizer";

#[test]
fn a_newsvendor_selling_below_cost_orders_nothing_instead_of_panicking() {
    let store = Store::in_memory().expect("store");
    let input = json!({"policies": ["newsvendor"], "newsvendor": {"mean_demand": 50.0,
        "std_demand": 10.0, "unit_cost": 10.0, "selling_price": 4.0}});
    let out = dispatch(INV, "optimize_inventory_policy", &input, &store).expect("plan");
    assert_eq!(out["policies"]["newsvendor"]["order_quantity"], 0.0);
}

#[test]
fn an_unknown_empty_key_is_refused_naming_the_input() {
    let store = Store::in_memory().expect("store");
    match dispatch(
        "logistics_optimizer",
        "consolidate_shipments",
        &json!({"": 216}),
        &store,
    ) {
        Err(ToolError::InvalidInput {
            field: Some(field), ..
        }) => assert_eq!(field, "input"),
        other => panic!("expected invalid_input, got {other:?}"),
    }
}

#[test]
fn a_critical_ratio_that_rounds_to_one_gives_a_finite_poisson_level_quickly() {
    let store = Store::in_memory().expect("store");
    let input = json!({"policies": ["base_stock"], "distribution": "poisson",
        "mean_daily_demand": 5.0, "lead_time_days": 3.0, "ordering_cost": 1.0,
        "holding_cost_per_unit_year": 1e-300, "stockout_cost_per_unit": 1.0});
    let started = Instant::now();
    let out = dispatch(INV, "optimize_inventory_policy", &input, &store).expect("plan");
    assert!(started.elapsed() < Duration::from_secs(2));
    let level = out["policies"]["base_stock"]["base_stock_level"].as_f64();
    assert!(level.is_some_and(f64::is_finite), "{out}");
}
