//! `what_if_reorder`: before and after, checked by textbook scaling laws and by
//! recomputing the reorder point directly.

use serde_json::{json, Value};
use supply_chain::inventory::safety_stock::{reorder_point, ReorderInput};
use supply_chain::{dispatch, Store};

fn what_if(store: &Store, input: Value) -> Value {
    dispatch("inventory_optimizer", "what_if_reorder", &input, store).expect("recomputed")
}

fn item() -> Value {
    json!({"sku": "A", "mean_daily_demand": 100.0, "std_daily_demand": 20.0,
        "lead_time_days": 4.0, "service_level": 0.95, "ordering_cost": 50.0,
        "holding_cost_per_unit_year": 2.0, "unit_cost": 10.0})
}

/// With a fixed lead time, sigma_LTD = sd sqrt(L): doubling L scales safety stock by
/// sqrt(2). z(0.95) = 1.6449, sd sqrt(4) = 40: 65.8 -> 66 units before; 40 sqrt(8) x
/// 1.6449 = 186.1 -> 187 units after... of which the reorder point adds d L.
#[test]
fn doubling_a_fixed_lead_time_scales_safety_stock_by_root_two() {
    let store = Store::in_memory().expect("store");
    let r = what_if(
        &store,
        json!({"items": [item()], "changes": {"lead_time_factor": 2.0}}),
    );
    let row = &r["items"][0];
    assert_eq!(row["before"]["safety_stock"], 66.0);
    assert_eq!(row["before"]["reorder_point"], 466.0);
    let after = (1.644_853_6_f64 * 40.0 * 2f64.sqrt()).ceil();
    assert_eq!(row["after"]["safety_stock"], after);
    assert_eq!(
        row["after"]["reorder_point"],
        (800.0 + 1.644_853_6 * 40.0 * 2f64.sqrt()).ceil()
    );
    assert_eq!(
        row["before"]["order_quantity"], row["after"]["order_quantity"],
        "EOQ ignores lead time"
    );
}

/// EOQ = sqrt(2 D K / h): demand x 4 doubles it; D = 36,500, K = 50, h = 2 -> 1,351.
#[test]
fn quadrupling_demand_doubles_the_order_quantity() {
    let store = Store::in_memory().expect("store");
    let r = what_if(
        &store,
        json!({"items": [item()], "changes": {"demand_factor": 4.0}}),
    );
    let row = &r["items"][0];
    assert_eq!(row["before"]["order_quantity"], 1351.0);
    assert_eq!(row["after"]["order_quantity"], 2702.0);
    assert_eq!(
        row["after"]["safety_stock"],
        (1.644_853_6_f64 * 160.0).ceil()
    );
}

#[test]
fn a_service_level_change_matches_a_direct_recomputation_for_every_sku() {
    let store = Store::in_memory_seeded(1).expect("seeded store");
    let r = what_if(
        &store,
        json!({"warehouse_code": "WH003", "changes": {"service_level": 0.99}}),
    );
    let rop = dispatch(
        "inventory_optimizer",
        "calculate_reorder_points",
        &json!({"warehouse_code": "WH003"}),
        &store,
    )
    .unwrap();
    let items = r["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for (row, base) in items.iter().zip(rop["items"].as_array().unwrap()) {
        assert_eq!(row["sku"], base["sku"]);
        assert_eq!(
            row["before"]["safety_stock"], base["safety_stock"],
            "before = today's tool"
        );
        let direct = reorder_point(&ReorderInput {
            mean_daily_demand: base["mean_daily_demand"].as_f64().unwrap(),
            std_daily_demand: base["std_daily_demand"].as_f64().unwrap(),
            lead_time_days: base["lead_time_days"].as_f64().unwrap(),
            std_lead_time_days: base["std_lead_time_days"].as_f64().unwrap(),
            service_level: 0.99,
        });
        let after = row["after"]["safety_stock"].as_f64().unwrap();
        assert!((after - direct.safety_stock.ceil()).abs() <= 1.0, "{row}");
    }
    let total: f64 = items
        .iter()
        .map(|i| i["after"]["safety_stock"].as_f64().unwrap())
        .sum();
    assert_eq!(r["summary"]["safety_stock_after"].as_f64().unwrap(), total);
}

#[test]
fn no_change_at_all_is_invalid_input_naming_changes() {
    let store = Store::in_memory().expect("store");
    let error = dispatch(
        "inventory_optimizer",
        "what_if_reorder",
        &json!({"items": [item()], "changes": {}}),
        &store,
    )
    .unwrap_err();
    assert!(error.to_string().contains("changes"), "{error}");
}
