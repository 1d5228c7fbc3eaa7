//! The sample database: schema version, deterministic seeding, and every tool answering
//! from database references (warehouse codes, supplier ids).

use std::sync::OnceLock;
use std::time::Instant;

use serde_json::{json, Value};
use supply_chain::store::SCHEMA_VERSION;
use supply_chain::{dispatch, Store};
use toolexec::ToolError;

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let started = Instant::now();
        let store = Store::in_memory_seeded(1).expect("seeded");
        println!("seeded scale 1 in {:?}", started.elapsed());
        store
    })
}

fn call(group: &str, tool: &str, input: Value) -> Value {
    dispatch(group, tool, &input, store()).unwrap_or_else(|e| panic!("{tool}: {e}"))
}

#[test]
fn seeded_store_has_the_sample_set() {
    let s = store();
    assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
    let warehouses = s.warehouses().expect("warehouses");
    assert_eq!(
        warehouses
            .iter()
            .map(|w| w.code.as_str())
            .collect::<Vec<_>>(),
        ["WH001", "WH002", "WH003"]
    );
    let products = s.products().expect("products");
    assert_eq!(products.len(), 200);
    let categories: std::collections::BTreeSet<_> =
        products.iter().map(|p| p.category.as_str()).collect();
    assert!(
        categories.contains("fasteners")
            && categories.contains("electronics")
            && categories.contains("packaging")
    );
    assert_eq!(
        s.demand_history("WH001", &products[0].sku, None)
            .expect("history")
            .len(),
        730
    );
    assert_eq!(s.suppliers().expect("suppliers").len(), 24);
    assert!(s.deliveries(None).expect("deliveries").len() > 1000);
    assert_eq!(s.customers("WH001").expect("customers").len(), 30);
    assert!(!s.open_orders("WH002").expect("orders").is_empty());
    assert_eq!(s.vehicles("WH003").expect("vehicles").len(), 4);
    assert_eq!(s.carriers().expect("carriers").len(), 8);
}

#[test]
fn seeding_is_deterministic() {
    let other = Store::in_memory_seeded(1).expect("seeded");
    let sku = "ELE-0001";
    assert_eq!(
        other
            .demand_history("WH002", sku, Some(30))
            .expect("history"),
        store()
            .demand_history("WH002", sku, Some(30))
            .expect("history")
    );
    assert_eq!(
        other.deliveries(Some("SUP003")).expect("d"),
        store().deliveries(Some("SUP003")).expect("d")
    );
}

#[test]
fn file_store_is_seeded_once_and_reopened() {
    let path = std::env::temp_dir().join(format!("supply-chain-test-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let first = Store::open_or_seed(&path, 1).expect("seeded");
    let customers = first.customers("WH001").expect("customers");
    drop(first);
    let again = Store::open_or_seed(&path, 1).expect("reopened");
    assert_eq!(again.customers("WH001").expect("customers"), customers);
    drop(again);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn reorder_points_for_warehouse_wh001() {
    let r = call(
        "inventory_optimizer",
        "calculate_reorder_points",
        json!({"warehouse_code": "WH001"}),
    );
    let items = r["items"].as_array().expect("items");
    assert_eq!(items.len(), 200);
    assert!(items
        .iter()
        .all(|i| i["reorder_point"].as_f64() >= i["safety_stock"].as_f64()));
    let due = r["summary"]["reorder_now"].as_u64().expect("count");
    assert!(
        due > 0 && due < 200,
        "some but not all items need ordering: {due}"
    );
}

#[test]
fn other_inventory_tools_answer_from_the_database() {
    let r = call(
        "inventory_optimizer",
        "optimize_order_quantities",
        json!({"warehouse_code": "WH002", "skus": ["FAS-0001", "ELE-0002"]}),
    );
    assert_eq!(r["items"].as_array().expect("items").len(), 2);
    let r = call(
        "inventory_optimizer",
        "optimize_inventory_policy",
        json!({"warehouse_code": "WH001", "sku": "PKG-0003"}),
    );
    for policy in ["r_q", "s_s", "base_stock", "wagner_whitin"] {
        assert!(r["policies"][policy].is_object(), "{policy} missing: {r}");
    }
    let r = call(
        "inventory_optimizer",
        "forecast_demand",
        json!({"warehouse_code": "WH003", "sku": "TOL-0001", "horizon_days": 14}),
    );
    assert_eq!(r["forecast"]["daily"].as_array().expect("daily").len(), 14);
    assert!(r["summary"]["mean_daily"].as_f64().expect("mean") > 0.0);
}

#[test]
fn logistics_tools_answer_from_the_database() {
    let r = call(
        "logistics_optimizer",
        "optimize_routes",
        json!({"warehouse_code": "WH001", "time_limit_ms": 1500}),
    );
    assert_eq!(r["metric"], "haversine");
    assert!(r["unassigned"].as_array().expect("unassigned").is_empty());
    assert!(r["total_distance"].as_f64().expect("distance") > 0.0);
    let r = call(
        "logistics_optimizer",
        "consolidate_shipments",
        json!({"warehouse_code": "WH002"}),
    );
    let used = r["trucks_used"].as_u64().expect("trucks");
    assert!(used >= r["lower_bound_trucks"].as_u64().expect("bound"));
    let r = call(
        "logistics_optimizer",
        "select_carrier",
        json!({"weight_kg": 800, "distance_km": 350, "value_per_day": 50}),
    );
    assert!(r["recommended"].is_string());
}

#[test]
fn supplier_tools_answer_from_the_database() {
    let r = call(
        "supplier_analyzer",
        "analyze_supplier_performance",
        json!({"supplier_id": "SUP001"}),
    );
    let s = &r["suppliers"][0];
    assert_eq!(s["supplier_id"], "SUP001");
    for key in ["on_time_rate", "fill_rate", "defect_rate"] {
        assert!((0.0..=1.0).contains(&s[key].as_f64().expect(key)));
    }
    let r = call("supplier_analyzer", "rank_suppliers", json!({}));
    assert_eq!(r["ranking"].as_array().expect("ranking").len(), 24);
    let r = call("supplier_analyzer", "assess_supplier_risk", json!({}));
    let findings = r["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| f["kind"] == "single_source"));
    assert!(
        findings.iter().any(|f| f["kind"] == "deteriorating_trend"),
        "the generator makes every sixth supplier deteriorate"
    );
    assert!(findings.iter().all(|f| f["evidence"].is_object()));
}

#[test]
fn unknown_references_are_not_found() {
    for (group, tool, input) in [
        (
            "inventory_optimizer",
            "calculate_reorder_points",
            json!({"warehouse_code": "WH999"}),
        ),
        (
            "logistics_optimizer",
            "optimize_routes",
            json!({"warehouse_code": "WH999"}),
        ),
        (
            "supplier_analyzer",
            "analyze_supplier_performance",
            json!({"supplier_id": "SUP999"}),
        ),
        (
            "inventory_optimizer",
            "optimize_inventory_policy",
            json!({"warehouse_code": "WH001", "sku": "NOPE"}),
        ),
    ] {
        let err = dispatch(group, tool, &input, store()).expect_err("unknown reference");
        assert!(matches!(err, ToolError::NotFound { .. }), "{tool}: {err}");
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let path = std::env::temp_dir().join(format!("supply-chain-newer-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    {
        let conn = rusqlite::Connection::open(&path).expect("sqlite");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("pragma");
    }
    let err = Store::open(&path).expect_err("newer schema");
    assert!(
        matches!(err, supply_chain::StoreError::NewerSchema { .. }),
        "{err}"
    );
    let _ = std::fs::remove_file(&path);
}
