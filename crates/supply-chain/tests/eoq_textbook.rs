//! `optimize_order_quantities` against textbook examples with their stated answers.

use serde_json::{json, Value};
use supply_chain::{dispatch, Store};

fn eoq(item: Value) -> Value {
    let store = Store::in_memory().expect("store");
    let result = dispatch(
        "inventory_optimizer",
        "optimize_order_quantities",
        &json!({"items": [item]}),
        &store,
    )
    .expect("solved");
    result["items"][0].clone()
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// Nahmias, "Production and Operations Analysis", ch. 4 (No. 2 pencils at the campus
/// bookstore): 60 pencils/week (3120/year), K = $12, h = 25% x $0.02 = $0.005 per
/// pencil-year; the book's answer is Q* = 3,870.
#[test]
fn nahmias_pencil_eoq_is_3870() {
    let r = eoq(json!({"annual_demand": 3120.0, "ordering_cost": 12.0,
        "unit_cost": 0.02, "holding_rate": 0.25}));
    assert_eq!(num(&r, "order_quantity_rounded"), 3870.0);
}

/// Hillier & Lieberman, "Introduction to Operations Research", sec. 18.3 (TV speakers):
/// d = 8,000/month, K = $12,000, h = $0.30 per speaker-month, shortage p = $1.10 per
/// speaker-month; book answers Q* = 25,298 (basic EOQ), Q* = 28,540 with maximum
/// inventory S* = 22,424 (planned shortages), and Q* = 56,569 with production rate
/// 10,000/month (gradual replenishment). Monthly figures are given here per year (x12).
#[test]
fn hillier_lieberman_speaker_example() {
    let base = json!({"annual_demand": 96_000.0, "ordering_cost": 12_000.0,
        "holding_cost_per_unit_year": 3.6});
    assert_eq!(num(&eoq(base.clone()), "order_quantity_rounded"), 25_298.0);

    let mut shortages = base.clone();
    shortages["backorder_cost_per_unit_year"] = json!(13.2);
    let r = eoq(shortages);
    assert_eq!(num(&r, "order_quantity_rounded"), 28_540.0);
    assert!((num(&r, "max_inventory") - 22_424.0).abs() < 1.0, "{r}");
    assert_eq!(r["model"], "eoq_planned_backorders");

    let mut production = base;
    production["production_rate_per_year"] = json!(120_000.0);
    let r = eoq(production);
    assert_eq!(num(&r, "order_quantity_rounded"), 56_569.0);
    assert!((num(&r, "max_inventory") - 56_569.0 * 0.2).abs() < 1.0);
}

fn trash_bags(kind: &str) -> Value {
    json!({"annual_demand": 600.0, "ordering_cost": 8.0, "holding_rate": 0.2,
        "discount_type": kind,
        "price_breaks": [{"min_quantity": 0, "unit_price": 0.30},
                         {"min_quantity": 500, "unit_price": 0.29},
                         {"min_quantity": 1000, "unit_price": 0.28}]})
}

/// Nahmias, "Production and Operations Analysis", sec. 4.7 (quantity discounts on
/// trash bags): D = 600/year, K = $8, i = 20%, $0.30 below 500, $0.29 from 500, $0.28
/// from 1,000. All-units: Q(0) = 400 realizable with G = $204; Q(1) = 406.8 and
/// Q(2) = 414 not realizable, so evaluate G(500) = $198.10 and G(1000) = $200.80; the
/// optimum is 500 bags at $198.10 a year.
#[test]
fn nahmias_all_units_discount_orders_500() {
    let r = eoq(trash_bags("all_units"));
    assert_eq!(num(&r, "order_quantity"), 500.0);
    assert!((num(&r, "annual_total_cost") - 198.10).abs() < 0.01, "{r}");
    let costs: Vec<f64> = r["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter_map(|c| c["annual_total_cost"].as_f64())
        .collect();
    assert!(
        (costs[0] - 204.0).abs() < 0.01 && (costs[2] - 200.80).abs() < 0.01,
        "{costs:?}"
    );
}

/// Same example with incremental discounts (Nahmias sec. 4.7): Q(0) = 400 (G = $204.00),
/// Q(1) = 519 realizable (G = $204.58), Q(2) = 702 not realizable; the optimum is 400.
#[test]
fn nahmias_incremental_discount_orders_400() {
    let r = eoq(trash_bags("incremental"));
    assert_eq!(num(&r, "order_quantity_rounded"), 400.0);
    assert!((num(&r, "annual_total_cost") - 204.0).abs() < 0.01, "{r}");
    let candidates = r["candidates"].as_array().expect("candidates");
    assert_eq!(candidates[1]["realizable"], true);
    assert!((num(&candidates[1], "unconstrained_quantity") - 518.6).abs() < 0.5);
    assert!((num(&candidates[1], "annual_total_cost") - 204.58).abs() < 0.01);
    assert_eq!(candidates[2]["realizable"], false);
}
