//! Every count that drives a tool's memory or time is bounded, in its advertised JSON
//! Schema and in the tool itself: an input past a bound is refused with
//! `invalid_input` naming the field, quickly and before any work is sized from it.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use supply_chain::limits::{
    MAX_CARRIERS, MAX_CRITERIA, MAX_DELIVERIES, MAX_HISTORY_DAYS, MAX_ITEMS,
    MAX_LOT_SIZING_PERIODS, MAX_POLICIES, MAX_PRICE_BREAKS, MAX_SHIPMENTS, MAX_SOURCES_PER_SKU,
    MAX_SOURCE_SKUS, MAX_STOPS, MAX_SUPPLIERS,
};
use supply_chain::tools::definitions;
use supply_chain::{dispatch, Store};
use toolexec::ToolError;

const INV: &str = "inventory_optimizer";
const LOG: &str = "logistics_optimizer";
const SUP: &str = "supplier_analyzer";

/// Runs the tool and returns the field its `invalid_input` error names, failing the
/// test on any other outcome or when the refusal took longer than a second.
fn refused_field(group: &str, tool: &str, input: &Value) -> String {
    let store = Store::in_memory().expect("store");
    let started = Instant::now();
    let outcome = dispatch(group, tool, input, &store);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{tool}: refusing took {:?}",
        started.elapsed()
    );
    match outcome {
        Err(ToolError::InvalidInput {
            field: Some(field),
            message,
        }) => {
            assert!(!message.is_empty());
            field
        }
        other => panic!("{tool}: expected invalid_input, got {other:?}"),
    }
}

fn stop(i: usize) -> Value {
    json!({"id": i, "x": (i % 50) as f64, "y": (i / 50) as f64, "demand": 1})
}

fn routing(stops: usize) -> Value {
    json!({"depot": {"x": 0.0, "y": 0.0}, "vehicle_capacity": 10,
        "stops": (0..stops).map(stop).collect::<Vec<_>>(), "time_limit_ms": 100})
}

/// `n` copies of `item`, for lists at and past their bounds.
fn copies(item: Value, n: usize) -> Value {
    Value::Array(vec![item; n])
}

#[test]
fn a_billion_vehicles_are_refused_before_any_fleet_is_built() {
    let input = json!({"depot": {"x": 0, "y": 0}, "stops": [{"id": "a", "x": 1, "y": 1, "demand": 1},
        {"id": "b", "x": 2, "y": 2, "demand": 1}], "vehicle_capacity": 10, "vehicles": 1_000_000_000u64});
    assert!(
        input.to_string().len() < 210,
        "the reported 206-byte request"
    );
    assert_eq!(refused_field(LOG, "optimize_routes", &input), "vehicles");
}

#[test]
fn twenty_thousand_inline_stops_are_refused_naming_stops() {
    assert_eq!(
        refused_field(LOG, "optimize_routes", &routing(20_000)),
        "stops"
    );
}

#[test]
fn one_stop_past_the_advertised_max_items_is_refused() {
    let schema = definitions()
        .into_iter()
        .find(|d| d.name == "optimize_routes")
        .map(|d| (d.schema)())
        .expect("routes");
    assert_eq!(schema["properties"]["stops"]["maxItems"], MAX_STOPS);
    assert_eq!(
        refused_field(LOG, "optimize_routes", &routing(MAX_STOPS + 1)),
        "stops"
    );
    // The reported request: 2,001 stops once "succeeded" with 1,841 of them unassigned.
    assert_eq!(
        refused_field(LOG, "optimize_routes", &routing(2_001)),
        "stops"
    );
}

#[test]
fn more_vehicles_than_stops_build_one_vehicle_per_stop() {
    let store = Store::in_memory().expect("store");
    let mut input = routing(3);
    input["vehicles"] = json!(MAX_STOPS);
    let started = Instant::now();
    let out = dispatch(LOG, "optimize_routes", &input, &store).expect("routes");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(out["vehicles_used"].as_u64().expect("used") <= 3);
    assert!(out["unassigned"].as_array().expect("list").is_empty());
}

#[test]
fn routing_numbers_out_of_range_are_refused_not_clamped() {
    let with = |key: &str, value: Value| {
        let mut input = routing(3);
        input[key] = value;
        refused_field(LOG, "optimize_routes", &input)
    };
    assert_eq!(with("vehicles", json!(MAX_STOPS + 1)), "vehicles");
    assert_eq!(with("time_limit_ms", json!(120_001)), "time_limit_ms");
    assert_eq!(with("time_limit_ms", json!(5)), "time_limit_ms");
    assert_eq!(with("max_iterations", json!(100_001)), "max_iterations");
    assert_eq!(with("max_iterations", json!(0)), "max_iterations");
    assert_eq!(with("vehicle_capacity", json!(2e9)), "vehicle_capacity");
    assert_eq!(with("vehicles", json!(-1)), "vehicles");
    let mut far = routing(3);
    far["stops"][2]["x"] = json!(1e300);
    assert_eq!(refused_field(LOG, "optimize_routes", &far), "stops[2].x");
}

#[test]
fn inventory_lists_past_their_bounds_are_refused_naming_them() {
    let item = json!({"sku": "A", "mean_daily_demand": 1.0, "std_daily_demand": 0.5, "lead_time_days": 2.0});
    let items = json!({"items": copies(item, MAX_ITEMS + 1)});
    assert_eq!(
        refused_field(INV, "calculate_reorder_points", &items),
        "items"
    );
    let skus = json!({"warehouse_code": "WH001", "skus": copies(json!("A"), MAX_ITEMS + 1)});
    assert_eq!(
        refused_field(INV, "calculate_reorder_points", &skus),
        "skus"
    );
    let eoq =
        json!({"annual_demand": 100.0, "ordering_cost": 5.0, "holding_cost_per_unit_year": 1.0});
    assert_eq!(
        refused_field(
            INV,
            "optimize_order_quantities",
            &json!({"items": copies(eoq, MAX_ITEMS + 1)})
        ),
        "items"
    );
    let breaks = copies(
        json!({"min_quantity": 1.0, "unit_price": 1.0}),
        MAX_PRICE_BREAKS + 1,
    );
    let discounted = json!({"items": [{"annual_demand": 100.0, "ordering_cost": 5.0,
        "holding_rate": 0.2, "price_breaks": breaks}]});
    assert_eq!(
        refused_field(INV, "optimize_order_quantities", &discounted),
        "items[0].price_breaks"
    );
    let history = json!({"history": copies(json!(1.0), MAX_HISTORY_DAYS + 1)});
    assert_eq!(refused_field(INV, "forecast_demand", &history), "history");
    let lot = json!({"policies": ["wagner_whitin"], "lot_sizing": {"demand": copies(json!(1.0), MAX_LOT_SIZING_PERIODS + 1),
        "ordering_cost": 1.0, "holding_cost_per_unit_period": 1.0}});
    assert_eq!(
        refused_field(INV, "optimize_inventory_policy", &lot),
        "lot_sizing.demand"
    );
    let policies = json!({"policies": copies(json!("newsvendor"), MAX_POLICIES + 1)});
    assert_eq!(
        refused_field(INV, "optimize_inventory_policy", &policies),
        "policies"
    );
}

#[test]
fn inventory_horizons_and_periods_out_of_range_are_refused() {
    let history = json!([1.0, 2.0, 3.0]);
    assert_eq!(
        refused_field(
            INV,
            "forecast_demand",
            &json!({"history": history, "horizon_days": 613_566_757u64 * 7})
        ),
        "horizon_days"
    );
    assert_eq!(
        refused_field(
            INV,
            "forecast_demand",
            &json!({"history": history, "history_days": 100_000})
        ),
        "history_days"
    );
    let item = json!({"sku": "A", "mean_daily_demand": 1.0, "std_daily_demand": 0.5, "lead_time_days": 1e12});
    assert_eq!(
        refused_field(INV, "calculate_reorder_points", &json!({"items": [item]})),
        "items[0].lead_time_days"
    );
    let policy = json!({"mean_daily_demand": 1.0, "std_daily_demand": 0.5, "lead_time_days": 3.0,
        "review_period_days": 1e9, "ordering_cost": 1.0, "holding_cost_per_unit_year": 1.0,
        "stockout_cost_per_unit": 1.0});
    assert_eq!(
        refused_field(INV, "optimize_inventory_policy", &policy),
        "review_period_days"
    );
}

#[test]
fn logistics_and_supplier_lists_past_their_bounds_are_refused_naming_them() {
    let shipment = json!({"id": "s", "weight_kg": 1.0, "volume_m3": 0.1});
    let shipments = json!({"shipments": copies(shipment, MAX_SHIPMENTS + 1),
        "truck": {"capacity_kg": 10.0, "capacity_m3": 10.0}});
    assert_eq!(
        refused_field(LOG, "consolidate_shipments", &shipments),
        "shipments"
    );
    let carrier = json!({"name": "c", "base_cost": 1.0, "cost_per_kg": 1.0, "cost_per_km": 1.0, "transit_days": 1.0});
    let carriers = json!({"weight_kg": 1.0, "distance_km": 1.0, "carriers": copies(carrier, MAX_CARRIERS + 1)});
    assert_eq!(refused_field(LOG, "select_carrier", &carriers), "carriers");
    let delivery = json!({"supplier_id": "S1", "order_date": "2024-01-05", "promised_date": "2024-01-15",
        "actual_date": "2024-01-14", "quantity_ordered": 100.0});
    let deliveries = json!({"deliveries": copies(delivery.clone(), MAX_DELIVERIES + 1)});
    for tool in ["analyze_supplier_performance", "assess_supplier_risk"] {
        assert_eq!(refused_field(SUP, tool, &deliveries), "deliveries");
    }
    let criterion = |i: usize| json!({"name": format!("c{i}"), "weight": 1.0, "direction": "cost"});
    let ranking = json!({"suppliers": copies(json!({"id": "a", "c0": 1.0}), MAX_SUPPLIERS + 1),
        "criteria": [criterion(0)]});
    assert_eq!(refused_field(SUP, "rank_suppliers", &ranking), "suppliers");
    let ranking = json!({"suppliers": [{"id": "a"}],
        "criteria": (0..=MAX_CRITERIA).map(criterion).collect::<Vec<_>>()});
    assert_eq!(refused_field(SUP, "rank_suppliers", &ranking), "criteria");
    let many_skus: serde_json::Map<String, Value> = (0..=MAX_SOURCE_SKUS)
        .map(|i| (format!("SKU{i}"), json!(["S1"])))
        .collect();
    let risk = json!({"deliveries": [delivery.clone()], "sources": many_skus});
    assert_eq!(refused_field(SUP, "assess_supplier_risk", &risk), "sources");
    let risk = json!({"deliveries": [delivery],
        "sources": {"SKU1": copies(json!("S1"), MAX_SOURCES_PER_SKU + 1)}});
    assert_eq!(
        refused_field(SUP, "assess_supplier_risk", &risk),
        "sources.SKU1"
    );
}

#[test]
fn dates_outside_years_one_to_9999_are_refused() {
    for date in ["99999999999999999-01-01", "0000-01-01", "-5-01-01"] {
        let delivery = json!({"supplier_id": "S1", "order_date": date, "promised_date": "2024-01-15",
            "actual_date": "2024-01-14", "quantity_ordered": 100.0});
        assert_eq!(
            refused_field(
                SUP,
                "analyze_supplier_performance",
                &json!({"deliveries": [delivery]})
            ),
            "deliveries[0].order_date",
            "{date}"
        );
    }
}

#[test]
fn the_longest_lot_sizing_series_is_solved_quickly() {
    let store = Store::in_memory().expect("store");
    let demand: Vec<f64> = (0..MAX_LOT_SIZING_PERIODS)
        .map(|i| (i % 7) as f64 * 10.0)
        .collect();
    let input = json!({"policies": ["wagner_whitin"], "lot_sizing": {"demand": demand,
        "ordering_cost": 100.0, "holding_cost_per_unit_period": 0.5}});
    let started = Instant::now();
    let out = dispatch(INV, "optimize_inventory_policy", &input, &store).expect("plan");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(out["policies"]["wagner_whitin"]["total_cost"].as_f64() > Some(0.0));
}

/// Walks a schema and collects the JSON paths of counts left unbounded: arrays without
/// `maxItems`, integers without `maximum`, maps without `maxProperties`.
fn unbounded(schema: &Value, path: &str, found: &mut Vec<String>) {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"array") {
        if schema.get("maxItems").is_none() {
            found.push(path.to_string());
        }
        unbounded(&schema["items"], &format!("{path}[]"), found);
    }
    // Integers that are identifiers (also allowed as strings) size nothing.
    if types == ["integer"] && schema.get("maximum").is_none() {
        found.push(path.to_string());
    }
    if let Some(properties) = schema["properties"].as_object() {
        for (name, sub) in properties {
            unbounded(sub, &format!("{path}.{name}"), found);
        }
    }
    if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        if schema.get("maxProperties").is_none() {
            found.push(path.to_string());
        }
        unbounded(values, &format!("{path}.*"), found);
    }
}

#[test]
fn every_advertised_schema_bounds_every_list_integer_and_map() {
    let mut found = Vec::new();
    for def in definitions() {
        unbounded(&(def.schema)(), def.name, &mut found);
    }
    assert!(found.is_empty(), "unbounded counts: {found:?}");
}

/// Runs a tool on its largest accepted input and returns how long it took.
fn timed(group: &str, tool: &str, input: &Value) -> Duration {
    let store = Store::in_memory().expect("store");
    let started = Instant::now();
    let out = dispatch(group, tool, input, &store);
    assert!(out.is_ok(), "{tool}: {out:?}");
    started.elapsed()
}

/// Measured on the reference machine: 0.33 s, 0.02 s, 0.62 s and 0.12 s in a release
/// build, about 2 s at most in a debug build.
#[test]
fn the_largest_accepted_quadratic_inputs_finish_in_seconds() {
    // Every shipment needs a truck of its own: first fit scans every open truck.
    let shipments: Vec<Value> = (0..MAX_SHIPMENTS)
        .map(|i| json!({"id": format!("s{i}"), "weight_kg": 6.0, "volume_m3": 1.0}))
        .collect();
    let packing =
        json!({"shipments": shipments, "truck": {"capacity_kg": 10.0, "capacity_m3": 10.0}});
    let carriers: Vec<Value> = (0..MAX_CARRIERS)
        .map(|i| {
            json!({"name": format!("c{i}"), "base_cost": i as f64, "cost_per_kg": 1.0,
            "cost_per_km": 1.0, "transit_days": 1.0 + (MAX_CARRIERS - i) as f64})
        })
        .collect();
    let carrier = json!({"weight_kg": 100.0, "distance_km": 50.0, "carriers": carriers});
    // Every delivery from its own supplier, and every SKU single-sourced.
    let deliveries: Vec<Value> = (0..MAX_DELIVERIES)
        .map(|i| {
            json!({"supplier_id": format!("S{i}"), "sku": format!("K{}", i % MAX_SOURCE_SKUS),
            "order_date": "2024-01-05", "promised_date": "2024-01-15", "actual_date": "2024-01-20",
            "quantity_ordered": 100.0, "quantity_defective": 5.0})
        })
        .collect();
    let sources: serde_json::Map<String, Value> = (0..MAX_SOURCE_SKUS)
        .map(|i| {
            (
                format!("K{i}"),
                json!([format!("S{}", MAX_DELIVERIES - 1 - i)]),
            )
        })
        .collect();
    let risk = json!({"deliveries": deliveries, "sources": sources});
    let criteria: Vec<Value> = (0..MAX_CRITERIA)
        .map(|j| json!({"name": format!("c{j}"), "weight": 1.0, "direction": "benefit"}))
        .collect();
    let suppliers: Vec<Value> = (0..MAX_SUPPLIERS)
        .map(|i| {
            let mut s: serde_json::Map<String, Value> = (0..MAX_CRITERIA)
                .map(|j| (format!("c{j}"), json!(((i * 7 + j) % 13) as f64)))
                .collect();
            s.insert("id".into(), json!(i));
            Value::Object(s)
        })
        .collect();
    let ranking = json!({"suppliers": suppliers, "criteria": criteria});
    for (group, tool, input) in [
        (LOG, "consolidate_shipments", &packing),
        (LOG, "select_carrier", &carrier),
        (SUP, "assess_supplier_risk", &risk),
        (SUP, "rank_suppliers", &ranking),
    ] {
        let took = timed(group, tool, input);
        assert!(took < Duration::from_secs(10), "{tool} took {took:?}");
    }
}
