//! Supplier performance and risk from inline delivery records, checked by hand.

use serde_json::{json, Value};
use supply_chain::{dispatch, Store};

/// (supplier, sku, order, promised, actual, ordered, received, defective, price)
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    f64,
    f64,
    f64,
    f64,
);

fn delivery(row: Row<'_>) -> Value {
    let (supplier, sku, order, promised, actual, qty, received, defective, price) = row;
    json!({"supplier_id": supplier, "sku": sku, "order_date": order, "promised_date": promised,
        "actual_date": actual, "quantity_ordered": qty, "quantity_received": received,
        "quantity_defective": defective, "unit_price": price})
}

fn deliveries() -> Value {
    let rows: [Row<'_>; 6] = [
        (
            "S1",
            "X",
            "2024-01-01",
            "2024-01-11",
            "2024-01-10",
            100.0,
            100.0,
            0.0,
            10.0,
        ),
        (
            "S1",
            "X",
            "2024-02-01",
            "2024-02-11",
            "2024-02-11",
            100.0,
            90.0,
            1.0,
            10.0,
        ),
        (
            "S1",
            "Y",
            "2024-03-01",
            "2024-03-11",
            "2024-03-15",
            100.0,
            100.0,
            9.0,
            20.0,
        ),
        (
            "S1",
            "Y",
            "2024-04-01",
            "2024-04-11",
            "2024-04-20",
            100.0,
            100.0,
            10.0,
            20.0,
        ),
        (
            "S2",
            "X",
            "2024-01-05",
            "2024-01-10",
            "2024-01-10",
            100.0,
            100.0,
            0.0,
            12.0,
        ),
        (
            "S2",
            "X",
            "2024-02-05",
            "2024-02-10",
            "2024-02-09",
            100.0,
            100.0,
            0.0,
            12.0,
        ),
    ];
    Value::Array(rows.into_iter().map(delivery).collect())
}

/// S1: on time 2 of 4; fill 390/400 = 0.975; defects 20/390 = 0.0513; lead times
/// 9, 10, 14, 19 days (mean 13, sample sd 4.5461); price index: X's mean price is
/// (10x200 + 12x200)/400 = 11, so X at 10 is 0.9091, Y (only S1) is 1.0; weighted
/// (0.9091x200 + 1x200)/400 = 0.9545. Earlier half on time 100 %, recent 0 %:
/// deteriorating.
#[test]
fn performance_metrics_match_hand_computation() {
    let store = Store::in_memory().expect("store");
    let r = dispatch(
        "supplier_analyzer",
        "analyze_supplier_performance",
        &json!({"supplier_id": "S1", "deliveries": deliveries()}),
        &store,
    )
    .expect("analysed");
    let s = &r["suppliers"][0];
    let get = |k: &str| s[k].as_f64().unwrap_or(f64::NAN);
    assert_eq!(get("on_time_rate"), 0.5);
    assert_eq!(get("fill_rate"), 0.975);
    assert!((get("defect_rate") - 20.0 / 390.0).abs() < 1e-4);
    assert_eq!(get("lead_time_mean_days"), 13.0);
    assert!((get("lead_time_std_days") - 4.5461).abs() < 1e-4);
    assert!((get("price_index") - 0.9545).abs() < 1e-4);
    assert_eq!(s["trend"]["direction"], "deteriorating");
}

/// Y has one supplier (S1): a single-source finding; S1's deterioration, defects and
/// lateness are findings too, each with evidence; the steady S2 has none of its own.
#[test]
fn risk_findings_carry_their_evidence() {
    let store = Store::in_memory().expect("store");
    let r = dispatch(
        "supplier_analyzer",
        "assess_supplier_risk",
        &json!({"deliveries": deliveries()}),
        &store,
    )
    .expect("assessed");
    let findings = r["findings"].as_array().expect("findings");
    let kinds = |supplier: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["supplier_id"] == supplier)
            .filter_map(|f| f["kind"].as_str().map(str::to_owned))
            .collect()
    };
    let s1 = kinds("S1");
    for kind in [
        "single_source",
        "deteriorating_trend",
        "quality",
        "delivery_reliability",
    ] {
        assert!(s1.iter().any(|k| k == kind), "{kind} missing from {s1:?}");
    }
    assert!(kinds("S2").is_empty(), "{:?}", kinds("S2"));
    let single = findings
        .iter()
        .find(|f| f["kind"] == "single_source")
        .expect("single source");
    assert_eq!(single["sku"], "Y");
    assert!(findings
        .iter()
        .all(|f| f["evidence"].is_object() && f["message"].is_string()));
    assert_eq!(r["source"], "inline");
}
