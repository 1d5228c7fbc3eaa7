//! Shipment consolidation and carrier selection on small cases with known answers.

use serde_json::{json, Value};
use supply_chain::{dispatch, Store};

fn call(tool: &str, input: Value) -> Value {
    let store = Store::in_memory().expect("store");
    dispatch("logistics_optimizer", tool, &input, &store).expect("answered")
}

/// Six shipments whose weights pair up exactly into three full 1,000 kg trucks
/// (600+400, 700+300, 500+500): first-fit decreasing reaches the lower bound of 3.
#[test]
fn consolidation_reaches_the_weight_lower_bound() {
    let shipments: Vec<Value> = [600, 400, 700, 300, 500, 500]
        .iter()
        .enumerate()
        .map(|(i, w)| json!({"id": format!("S{i}"), "weight_kg": w, "volume_m3": 1.0}))
        .collect();
    let r = call(
        "consolidate_shipments",
        json!({"shipments": shipments, "truck": {"capacity_kg": 1000, "capacity_m3": 10}}),
    );
    assert_eq!(r["trucks_used"], 3);
    assert_eq!(r["lower_bound_trucks"], 3);
    for load in r["loads"].as_array().expect("loads") {
        assert_eq!(load["weight"], 1000.0);
    }
}

/// Light but bulky shipments: volume, not weight, decides the truck count.
#[test]
fn consolidation_respects_volume() {
    let shipments: Vec<Value> = (0..4)
        .map(|i| json!({"id": i.to_string(), "weight_kg": 10, "volume_m3": 6}))
        .collect();
    let r = call(
        "consolidate_shipments",
        json!({"shipments": shipments, "truck": {"capacity_kg": 1000, "capacity_m3": 10, "cost_per_truck": 250}}),
    );
    assert_eq!(r["trucks_used"], 4);
    assert_eq!(r["lower_bound_trucks"], 3);
    assert_eq!(r["total_cost"], 1000.0);
}

/// Freight for 500 kg over 200 km: A = 100 + 0.1x500 + 1x200 = 350 in 3 days;
/// B = 50 + 0.2x500 + 1.5x200 = 450 in 1 day; C = 400 + 0 + 0 = 400 in 5 days.
/// With time worth 40/day: A 470, B 490, C 600. C is dominated by A (dearer and slower).
#[test]
fn carrier_selection_trades_cost_against_time() {
    let carriers = json!([
        {"name": "A", "base_cost": 100, "cost_per_kg": 0.1, "cost_per_km": 1.0, "transit_days": 3},
        {"name": "B", "base_cost": 50, "cost_per_kg": 0.2, "cost_per_km": 1.5, "transit_days": 1},
        {"name": "C", "base_cost": 400, "cost_per_kg": 0.0, "cost_per_km": 0.0, "transit_days": 5}
    ]);
    let r = call(
        "select_carrier",
        json!({"weight_kg": 500, "distance_km": 200, "value_per_day": 40, "carriers": carriers}),
    );
    assert_eq!(r["recommended"], "A");
    let list = r["carriers"].as_array().expect("carriers");
    let totals: Vec<f64> = list
        .iter()
        .filter_map(|c| c["total_cost"].as_f64())
        .collect();
    assert_eq!(totals, [470.0, 490.0, 600.0]);
    let efficient: Vec<bool> = list
        .iter()
        .filter_map(|c| c["pareto_efficient"].as_bool())
        .collect();
    assert_eq!(efficient, [true, true, false]);

    let urgent = call(
        "select_carrier",
        json!({"weight_kg": 500, "distance_km": 200, "max_transit_days": 2, "carriers": carriers}),
    );
    assert_eq!(urgent["recommended"], "B");
}

/// A tiny haversine instance: two clusters far apart need two routes when one vehicle
/// cannot carry both.
#[test]
fn haversine_routes_split_by_capacity() {
    let r = call(
        "optimize_routes",
        json!({
            "depot": {"lat": 41.88, "lon": -87.63},
            "stops": [
                {"id": "north-1", "lat": 42.30, "lon": -87.70, "demand": 6},
                {"id": "north-2", "lat": 42.32, "lon": -87.72, "demand": 3},
                {"id": "south-1", "lat": 41.40, "lon": -87.60, "demand": 6},
                {"id": "south-2", "lat": 41.38, "lon": -87.58, "demand": 3}
            ],
            "vehicle_capacity": 10, "time_limit_ms": 500
        }),
    );
    assert_eq!(r["metric"], "haversine");
    assert_eq!(r["vehicles_used"], 2);
    for route in r["routes"].as_array().expect("routes") {
        let stops: Vec<&str> = route["stops"]
            .as_array()
            .expect("stops")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            stops.iter().all(|s| s.starts_with("north"))
                || stops.iter().all(|s| s.starts_with("south")),
            "{stops:?}"
        );
    }
}
