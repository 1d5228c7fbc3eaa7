//! The newsvendor policy of `optimize_inventory_policy` against Cachon & Terwiesch,
//! "Matching Supply with Demand", ch. "Betting on Uncertain Demand: The Newsvendor
//! Model" (O'Neill's Hammer 3/2 wetsuit).

use serde_json::json;
use supply_chain::{dispatch, Store};

/// O'Neill: cost $110, price $180, salvage $90, demand normal with mean 3,192 and
/// standard deviation 1,181. Critical ratio = 70 / (70 + 20) = 0.7778; the book reads
/// z = 0.77 from its table and orders 3,192 + 0.77 x 1,181 = 4,101. With the exact
/// quantile (z = 0.7647) the order is 4,095, within the table's rounding.
#[test]
fn oneill_wetsuit_order_matches_cachon_terwiesch() {
    let store = Store::in_memory().expect("store");
    let input = json!({"policies": ["newsvendor"], "newsvendor": {
        "mean_demand": 3192.0, "std_demand": 1181.0, "unit_cost": 110.0,
        "selling_price": 180.0, "salvage_value": 90.0}});
    let r = dispatch(
        "inventory_optimizer",
        "optimize_inventory_policy",
        &input,
        &store,
    )
    .expect("solved");
    let nv = &r["policies"]["newsvendor"];
    assert!((nv["critical_ratio"].as_f64().expect("ratio") - 0.7778).abs() < 1e-4);
    let q = nv["order_quantity"].as_f64().expect("q");
    assert!((q - 4101.0).abs() <= 7.0, "{q}");
    let exact_z = 0.7647;
    assert!((q - (3192.0 + exact_z * 1181.0)).abs() < 1.0);
    assert!(nv["expected_profit"].as_f64().expect("profit") > 0.0);
}

/// Under Poisson demand the order is an integer and meets the critical ratio.
#[test]
fn poisson_newsvendor_orders_whole_units() {
    let store = Store::in_memory().expect("store");
    let input = json!({"policies": ["newsvendor"], "distribution": "poisson", "newsvendor": {
        "mean_demand": 20.0, "unit_cost": 5.0, "selling_price": 10.0}});
    let r = dispatch(
        "inventory_optimizer",
        "optimize_inventory_policy",
        &input,
        &store,
    )
    .expect("solved");
    let q = r["policies"]["newsvendor"]["order_quantity"]
        .as_f64()
        .expect("q");
    assert_eq!(q.fract(), 0.0);
    // Critical ratio 0.5: the Poisson(20) median is 20.
    assert_eq!(q, 20.0);
}
