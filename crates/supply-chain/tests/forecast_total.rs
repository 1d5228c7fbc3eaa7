//! `forecast_demand_total`: the sum of per-SKU forecasts, checked by brute force
//! against `forecast_demand` for every SKU in the scope.

use serde_json::json;
use supply_chain::{dispatch, Store};

#[test]
fn a_category_total_is_the_sum_of_each_skus_forecast() {
    let store = Store::in_memory_seeded(1).expect("seeded store");
    let total = dispatch(
        "inventory_optimizer",
        "forecast_demand_total",
        &json!({"warehouse_code": "WH001", "category": "electronics", "horizon_days": 14}),
        &store,
    )
    .expect("total");
    let items = total["items"].as_array().unwrap();
    assert!(items.len() > 5);
    let mut sum = 0.0;
    for item in items {
        assert_eq!(item["category"], "electronics");
        let one = dispatch(
            "inventory_optimizer",
            "forecast_demand",
            &json!({"warehouse_code": "WH001", "sku": item["sku"], "horizon_days": 14}),
            &store,
        )
        .expect("forecast");
        let expected = one["forecast"]["total"].as_f64().unwrap();
        assert!(
            (item["total"].as_f64().unwrap() - expected).abs() < 0.01,
            "{item}"
        );
        sum += expected;
    }
    assert!((total["total"].as_f64().unwrap() - sum).abs() < 0.05);
}

#[test]
fn every_warehouse_is_summed_when_none_is_named() {
    let store = Store::in_memory_seeded(1).expect("seeded store");
    let total = dispatch(
        "inventory_optimizer",
        "forecast_demand_total",
        &json!({}),
        &store,
    )
    .expect("total");
    let by_warehouse = total["by_warehouse"].as_object().unwrap();
    assert_eq!(by_warehouse.len(), 3);
    let sum: f64 = by_warehouse.values().map(|v| v.as_f64().unwrap()).sum();
    assert!((total["total"].as_f64().unwrap() - sum).abs() < 0.05);
    assert_eq!(total["horizon_days"], 28);
}

#[test]
fn an_unknown_warehouse_is_not_found() {
    let store = Store::in_memory_seeded(1).expect("seeded store");
    let error = dispatch(
        "inventory_optimizer",
        "forecast_demand_total",
        &json!({"warehouse_code": "WH404"}),
        &store,
    )
    .unwrap_err();
    assert!(error.to_string().contains("WH404"), "{error}");
}
