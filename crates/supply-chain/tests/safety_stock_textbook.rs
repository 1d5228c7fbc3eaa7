//! `calculate_reorder_points` against Chopra & Meindl, "Supply Chain Management:
//! Strategy, Planning, and Operation", ch. "Managing Uncertainty: Safety Inventory".

use serde_json::{json, Value};
use supply_chain::{dispatch, Store};

fn reorder(items: Value) -> Value {
    let store = Store::in_memory().expect("store");
    dispatch(
        "inventory_optimizer",
        "calculate_reorder_points",
        &json!({"items": items}),
        &store,
    )
    .expect("computed")
}

/// Chopra & Meindl (Lego at Walmart): weekly demand mean 2,500, sd 500, lead time 2
/// weeks, cycle service level 0.90: safety inventory = NORMSINV(0.9) x sqrt(2) x 500
/// = 906, reorder point = 5,906. Time unit here: the week.
#[test]
fn chopra_meindl_fixed_lead_time_safety_stock_is_906() {
    let r = reorder(
        json!([{"sku": "LEGO", "mean_daily_demand": 2500.0, "std_daily_demand": 500.0,
        "lead_time_days": 2.0, "service_level": 0.90, "on_hand": 6000.0, "on_order": 0.0}]),
    );
    let item = &r["items"][0];
    let ss = item["safety_stock_exact"].as_f64().expect("ss");
    assert!((ss - 906.0).abs() < 1.0, "{ss}");
    assert!((item["reorder_point_exact"].as_f64().expect("rop") - 5906.0).abs() < 1.0);
    assert_eq!(item["reorder_now"], false, "position 6000 is above 5907");
}

/// Chopra & Meindl (Dell, lead-time uncertainty): daily demand mean 2,500, sd 500, lead
/// time mean 7 days with sd 7 days, CSL 0.90: sigma_L = sqrt(7 x 500^2 + 2500^2 x 7^2)
/// = 17,550 and safety inventory = NORMSINV(0.9) x 17,550 = 22,491.
#[test]
fn chopra_meindl_lead_time_uncertainty_safety_stock_is_22491() {
    let r = reorder(
        json!([{"sku": "DELL", "mean_daily_demand": 2500.0, "std_daily_demand": 500.0,
        "lead_time_days": 7.0, "std_lead_time_days": 7.0, "service_level": 0.90,
        "on_hand": 10000.0, "on_order": 5000.0}]),
    );
    let item = &r["items"][0];
    assert!((item["lead_time_demand_std"].as_f64().expect("std") - 17_550.0).abs() < 1.0);
    assert!(
        (item["safety_stock_exact"].as_f64().expect("ss") - 22_491.0).abs() < 2.0,
        "{item}"
    );
    assert_eq!(item["reorder_now"], true);
}

/// With stockout and holding costs the service level is the critical ratio p/(p+h):
/// p = 9, h = 1 gives 0.90, the same answer as above.
#[test]
fn stockout_cost_sets_critical_ratio_service_level() {
    let r = reorder(
        json!([{"sku": "X", "mean_daily_demand": 2500.0, "std_daily_demand": 500.0,
        "lead_time_days": 2.0, "stockout_cost": 9.0, "holding_cost": 1.0}]),
    );
    let item = &r["items"][0];
    assert_eq!(item["service_level_source"], "critical_ratio");
    assert!((item["service_level"].as_f64().expect("sl") - 0.9).abs() < 1e-9);
    assert!((item["safety_stock_exact"].as_f64().expect("ss") - 906.0).abs() < 1.0);
}
