//! Invalid inputs are answered with `invalid_input` naming the offending field (as a
//! JSON path), never with a panic; unknown tools and groups are `not_found`.

use serde_json::{json, Value};
use supply_chain::{dispatch, Store};
use toolexec::{ErrorKind, ToolError};

fn field_of(group: &str, tool: &str, input: Value) -> String {
    let store = Store::in_memory().expect("store");
    match dispatch(group, tool, &input, &store) {
        Err(ToolError::InvalidInput {
            field: Some(field),
            message,
        }) => {
            assert!(!message.is_empty());
            field
        }
        other => panic!("{tool} {input}: expected invalid_input, got {other:?}"),
    }
}

const INV: &str = "inventory_optimizer";
const LOG: &str = "logistics_optimizer";
const SUP: &str = "supplier_analyzer";

fn item() -> Value {
    json!({"sku": "A", "mean_daily_demand": 10.0, "std_daily_demand": 2.0, "lead_time_days": 5.0})
}

#[test]
fn reorder_point_fields_are_named() {
    let mut negative = item();
    negative["mean_daily_demand"] = json!(-1.0);
    assert_eq!(
        field_of(
            INV,
            "calculate_reorder_points",
            json!({"items": [item(), negative]})
        ),
        "items[1].mean_daily_demand"
    );
    let mut wrong_type = item();
    wrong_type["lead_time_days"] = json!("five");
    assert_eq!(
        field_of(
            INV,
            "calculate_reorder_points",
            json!({"items": [wrong_type]})
        ),
        "items[0].lead_time_days"
    );
    assert_eq!(
        field_of(
            INV,
            "calculate_reorder_points",
            json!({"items": [{"sku": "A"}]})
        ),
        "items[0].mean_daily_demand"
    );
    let mut level = item();
    level["service_level"] = json!(1.5);
    assert_eq!(
        field_of(INV, "calculate_reorder_points", json!({"items": [level]})),
        "items[0].service_level"
    );
    assert_eq!(
        field_of(
            INV,
            "calculate_reorder_points",
            json!({"warehouse": "WH001"})
        ),
        "warehouse"
    );
    assert_eq!(
        field_of(INV, "calculate_reorder_points", json!({})),
        "warehouse_code"
    );
    assert_eq!(
        field_of(
            INV,
            "calculate_reorder_points",
            json!({"warehouse_code": "WH001", "items": [item()]})
        ),
        "items"
    );
    assert_eq!(
        field_of(INV, "calculate_reorder_points", json!({"items": []})),
        "items"
    );
    assert_eq!(
        field_of(INV, "calculate_reorder_points", json!([1, 2])),
        "input"
    );
}

#[test]
fn order_quantity_and_policy_fields_are_named() {
    let eoq = |extra: Value| {
        let mut i = json!({"annual_demand": 1000.0, "ordering_cost": 50.0, "holding_cost_per_unit_year": 2.0});
        if let (Some(map), Some(add)) = (i.as_object_mut(), extra.as_object()) {
            map.extend(add.clone());
        }
        json!({"items": [i]})
    };
    assert_eq!(
        field_of(
            INV,
            "optimize_order_quantities",
            eoq(json!({"ordering_cost": 0.0}))
        ),
        "items[0].ordering_cost"
    );
    assert_eq!(
        field_of(
            INV,
            "optimize_order_quantities",
            eoq(json!({"production_rate_per_year": 500.0}))
        ),
        "items[0].production_rate_per_year"
    );
    assert_eq!(
        field_of(
            INV,
            "optimize_order_quantities",
            eoq(json!({"price_breaks": [{"min_quantity": 0, "unit_price": 1.0}]}))
        ),
        "items[0].holding_rate"
    );
    assert_eq!(
        field_of(
            INV,
            "optimize_order_quantities",
            eoq(json!({"discount_type": "some"}))
        ),
        "items[0].discount_type"
    );
    assert_eq!(
        field_of(
            INV,
            "optimize_inventory_policy",
            json!({"mean_daily_demand": 5.0})
        ),
        "lead_time_days"
    );
    assert_eq!(
        field_of(
            INV,
            "optimize_inventory_policy",
            json!({"policies": ["wagner_whitin"], "lot_sizing": {"demand": [1.0, -2.0], "ordering_cost": 1.0, "holding_cost_per_unit_period": 1.0}})
        ),
        "lot_sizing.demand[1]"
    );
    assert_eq!(
        field_of(
            INV,
            "optimize_inventory_policy",
            json!({"policies": ["newsvendor"], "newsvendor": {"mean_demand": 10.0, "std_demand": 2.0, "unit_cost": 5.0, "selling_price": 8.0, "salvage_value": 6.0}})
        ),
        "newsvendor.salvage_value"
    );
    assert_eq!(
        field_of(
            INV,
            "optimize_inventory_policy",
            json!({"warehouse_code": "WH001"})
        ),
        "sku"
    );
    assert_eq!(
        field_of(
            INV,
            "forecast_demand",
            json!({"history": [1.0, 2.0], "horizon_days": 0})
        ),
        "horizon_days"
    );
}

#[test]
fn routing_fields_are_named() {
    let base = || {
        json!({"depot": {"x": 0.0, "y": 0.0}, "vehicle_capacity": 10.0,
        "stops": [{"id": "a", "x": 1.0, "y": 1.0, "demand": 4.0}, {"id": "b", "x": 2.0, "y": 0.0, "demand": 5.0}]})
    };
    let mut heavy = base();
    heavy["stops"][1]["demand"] = json!(11.0);
    assert_eq!(field_of(LOG, "optimize_routes", heavy), "stops[1].demand");
    let mut no_y = base();
    no_y["stops"][0] = json!({"x": 1.0, "demand": 1.0});
    assert_eq!(field_of(LOG, "optimize_routes", no_y), "stops[0].y");
    let mut metric = base();
    metric["metric"] = json!("manhattan");
    assert_eq!(field_of(LOG, "optimize_routes", metric), "metric");
    let mut haversine = base();
    haversine["metric"] = json!("haversine");
    assert_eq!(field_of(LOG, "optimize_routes", haversine), "depot.lat");
    let mut few = base();
    few["vehicles"] = json!(0);
    assert_eq!(field_of(LOG, "optimize_routes", few), "vehicles");
    let mut capacity = base();
    capacity["vehicle_capacity"] = json!(-5.0);
    assert_eq!(
        field_of(LOG, "optimize_routes", capacity),
        "vehicle_capacity"
    );
    assert_eq!(
        field_of(
            LOG,
            "consolidate_shipments",
            json!({"shipments": [{"id": "s", "weight_kg": 50.0, "volume_m3": 1.0}], "truck": {"capacity_kg": 10.0, "capacity_m3": 5.0}})
        ),
        "shipments[0]"
    );
    assert_eq!(
        field_of(
            LOG,
            "select_carrier",
            json!({"weight_kg": 0.0, "distance_km": 10.0})
        ),
        "weight_kg"
    );
    assert_eq!(
        field_of(LOG, "select_carrier", json!({"weight_kg": 1.0})),
        "distance_km"
    );
}

#[test]
fn supplier_fields_are_named() {
    let delivery = json!({"supplier_id": "S1", "order_date": "2024-01-05", "promised_date": "2024-01-15",
        "actual_date": "2024-01-14", "quantity_ordered": 100.0});
    let mut bad_date = delivery.clone();
    bad_date["order_date"] = json!("2024-13-01");
    assert_eq!(
        field_of(
            SUP,
            "analyze_supplier_performance",
            json!({"deliveries": [delivery.clone(), bad_date]})
        ),
        "deliveries[1].order_date"
    );
    let mut defects = delivery.clone();
    defects["quantity_defective"] = json!(500.0);
    assert_eq!(
        field_of(
            SUP,
            "assess_supplier_risk",
            json!({"deliveries": [defects]})
        ),
        "deliveries[0].quantity_defective"
    );
    let suppliers = json!([{"id": "a", "price": 1.0}, {"id": "b"}]);
    let criteria = json!([{"name": "price", "weight": 1.0, "direction": "cost"}]);
    assert_eq!(
        field_of(
            SUP,
            "rank_suppliers",
            json!({"suppliers": suppliers, "criteria": criteria})
        ),
        "suppliers[1].price"
    );
    assert_eq!(
        field_of(
            SUP,
            "rank_suppliers",
            json!({"suppliers": [{"id": "a", "price": 1.0}], "criteria": [{"name": "price", "weight": 1.0, "direction": "up"}]})
        ),
        "criteria[0].direction"
    );
    assert_eq!(
        field_of(
            SUP,
            "rank_suppliers",
            json!({"suppliers": [{"id": "a", "price": 1.0}], "criteria": [{"name": "price", "weight": -1.0, "direction": "cost"}]})
        ),
        "criteria[0].weight"
    );
    assert_eq!(
        field_of(
            SUP,
            "rank_suppliers",
            json!({"suppliers": [{"id": "a", "price": 1.0}]})
        ),
        "criteria"
    );
}

#[test]
fn unknown_tools_and_groups_are_not_found() {
    let store = Store::in_memory().expect("store");
    let err = dispatch(INV, "optimize_routes", &json!({}), &store).expect_err("wrong group");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = dispatch("warehouse_robot", "lift", &json!({}), &store).expect_err("no group");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(!err.is_retryable());
}

#[test]
fn extreme_numbers_do_not_panic() {
    let store = Store::in_memory().expect("store");
    let huge = json!({"items": [{"annual_demand": 1e308, "ordering_cost": 1e308, "holding_cost_per_unit_year": 1e-308}]});
    let _ = dispatch(INV, "optimize_order_quantities", &huge, &store);
    let tiny = json!({"mean_daily_demand": 1e-300, "std_daily_demand": 0.0, "lead_time_days": 1e-300,
        "ordering_cost": 1e-300, "holding_cost_per_unit_year": 1e300, "stockout_cost_per_unit": 1e-300});
    let _ = dispatch(INV, "optimize_inventory_policy", &tiny, &store);
    let poisson = json!({"distribution": "poisson", "mean_daily_demand": 1e9, "lead_time_days": 1e9,
        "ordering_cost": 1.0, "holding_cost_per_unit_year": 1.0, "stockout_cost_per_unit": 1.0});
    assert_eq!(
        dispatch(INV, "optimize_inventory_policy", &poisson, &store)
            .expect_err("too big")
            .kind(),
        ErrorKind::InvalidInput
    );
}
