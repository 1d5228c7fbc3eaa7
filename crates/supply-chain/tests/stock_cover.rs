//! `assess_stock_cover`: days of cover and excess stock, by hand on inline items and
//! against the reorder-point and EOQ tools on the seeded database.

use serde_json::{json, Value};
use supply_chain::{dispatch, Store};

fn cover(store: &Store, input: Value) -> Value {
    dispatch("inventory_optimizer", "assess_stock_cover", &input, store).expect("assessed")
}

/// 500 on hand + 100 on order against r = 120, Q = 200: the (r, Q) policy never holds
/// a position above 320, so 280 units are excess (28 days of demand at 10/day, worth 560
/// at 2 each); 500 on hand last 50 days. Stock of an item without demand is all excess.
#[test]
fn excess_is_the_position_above_reorder_point_plus_order_quantity() {
    let store = Store::in_memory().expect("store");
    let result = cover(
        &store,
        json!({"items": [
            {"sku": "A", "on_hand": 500, "on_order": 100, "mean_daily_demand": 10,
             "reorder_point": 120, "order_quantity": 200, "unit_cost": 2},
            {"sku": "B", "on_hand": 50, "mean_daily_demand": 10,
             "reorder_point": 120, "order_quantity": 200},
            {"sku": "C", "on_hand": 7, "mean_daily_demand": 0,
             "reorder_point": 0, "order_quantity": 0}
        ]}),
    );
    let a = &result["items"][0];
    assert_eq!(a["days_of_cover"], 50.0);
    assert_eq!(a["position_days_of_cover"], 60.0);
    assert_eq!(a["policy_max"], 320.0);
    assert_eq!(a["excess_units"], 280.0);
    assert_eq!(a["excess_days"], 28.0);
    assert_eq!(a["excess_value"], 560.0);
    let b = &result["items"][1];
    assert_eq!(b["excess_units"], 0.0);
    assert_eq!(b["days_of_cover"], 5.0);
    let c = &result["items"][2];
    assert!(c["days_of_cover"].is_null(), "no demand, no finite cover");
    assert_eq!(c["excess_units"], 7.0, "stock without demand is all excess");
    assert_eq!(result["summary"]["items_with_excess"], 2);
    assert_eq!(result["summary"]["excess_value"], 560.0);
}

#[test]
fn the_policy_maximum_agrees_with_the_reorder_point_and_eoq_tools() {
    let store = Store::in_memory_seeded(1).expect("seeded store");
    let result = cover(&store, json!({"warehouse_code": "WH001"}));
    let rop = dispatch(
        "inventory_optimizer",
        "calculate_reorder_points",
        &json!({"warehouse_code": "WH001"}),
        &store,
    )
    .expect("reorder points");
    let eoq = dispatch(
        "inventory_optimizer",
        "optimize_order_quantities",
        &json!({"warehouse_code": "WH001"}),
        &store,
    )
    .expect("order quantities");
    let items = result["items"].as_array().expect("items");
    assert_eq!(items.len(), rop["items"].as_array().expect("items").len());
    let mut checked = 0;
    for item in items {
        let sku = &item["sku"];
        let r = rop["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| &i["sku"] == sku)
            .unwrap();
        assert_eq!(item["reorder_point"], r["reorder_point"], "{sku}");
        let Some(q) = eoq["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| &i["sku"] == sku)
        else {
            continue;
        };
        assert_eq!(item["order_quantity"], q["order_quantity_rounded"], "{sku}");
        let position = item["inventory_position"].as_f64().unwrap();
        let max =
            r["reorder_point"].as_f64().unwrap() + q["order_quantity_rounded"].as_f64().unwrap();
        let excess = (position - max).max(0.0);
        assert!(
            (item["excess_units"].as_f64().unwrap() - excess).abs() < 0.01,
            "{sku}"
        );
        checked += 1;
    }
    assert!(checked > 100, "checked {checked} SKUs");
}

#[test]
fn a_category_limits_the_items_and_an_unknown_one_is_not_found() {
    let store = Store::in_memory_seeded(1).expect("seeded store");
    let result = cover(
        &store,
        json!({"warehouse_code": "WH002", "category": "tools"}),
    );
    for item in result["items"].as_array().unwrap() {
        assert!(item["sku"].as_str().unwrap().starts_with("TOL-"), "{item}");
    }
    let error = dispatch(
        "inventory_optimizer",
        "assess_stock_cover",
        &json!({"warehouse_code": "WH002", "category": "spaceships"}),
        &store,
    )
    .unwrap_err();
    assert!(error.to_string().contains("spaceships"), "{error}");
}
