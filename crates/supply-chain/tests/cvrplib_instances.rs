//! CVRPLIB instances solved by `optimize_routes` with the `euc2d` metric, compared with
//! their best-known (proven optimal) costs as published by CVRPLIB
//! (http://vrp.galgos.inf.puc-rio.br/): A-n32-k5 = 784 and A-n45-k7 = 1146 (Augerat et
//! al. 1995, set A), E-n22-k4 = 375 (Christofides & Eilon 1969, set E). Instance files
//! are in tests/data (see tests/data/SOURCES.md).

use std::sync::Mutex;

use serde_json::{json, Value};
use supply_chain::{dispatch, Store};

struct Instance {
    capacity: f64,
    coords: Vec<(f64, f64)>,
    demands: Vec<f64>,
}

fn parse(text: &str) -> Instance {
    let mut capacity = 0.0;
    let (mut coords, mut demands) = (Vec::new(), Vec::new());
    let mut section = "";
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("CAPACITY") {
            capacity = rest
                .trim_start_matches([' ', ':'])
                .trim()
                .parse()
                .expect("capacity");
            continue;
        }
        if line.ends_with("_SECTION") || line == "EOF" {
            section = line;
            continue;
        }
        let fields: Vec<f64> = line
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        match section {
            "NODE_COORD_SECTION" if fields.len() == 3 => coords.push((fields[1], fields[2])),
            "DEMAND_SECTION" if fields.len() == 2 => demands.push(fields[1]),
            _ => {}
        }
    }
    Instance {
        capacity,
        coords,
        demands,
    }
}

/// The solves share two cores; one at a time keeps each run's budget comparable.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn solve(file: &str, best_known: f64, max_gap: f64) -> (f64, Value) {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let text = std::fs::read_to_string(format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR")))
        .expect("instance file");
    let inst = parse(&text);
    let stops: Vec<Value> = (1..inst.coords.len())
        .map(|i| json!({"id": i + 1, "x": inst.coords[i].0, "y": inst.coords[i].1, "demand": inst.demands[i]}))
        .collect();
    let input = json!({
        "depot": {"x": inst.coords[0].0, "y": inst.coords[0].1},
        "stops": stops,
        "vehicle_capacity": inst.capacity,
        "metric": "euc2d",
        "time_limit_ms": 6000,
        "max_iterations": 3000
    });
    let store = Store::in_memory().expect("store");
    let result =
        dispatch("logistics_optimizer", "optimize_routes", &input, &store).expect("solved");
    let cost = result["total_distance"].as_f64().expect("distance");
    let gap = (cost - best_known) / best_known * 100.0;
    println!(
        "{file}: cost {cost} vs best-known {best_known}: gap {gap:.2}% ({} routes, {} ms)",
        result["vehicles_used"], result["solver"]["elapsed_ms"]
    );
    assert!(result["unassigned"].as_array().is_some_and(Vec::is_empty));
    assert!(
        cost >= best_known - 1e-9,
        "below the proven optimum: distance bug"
    );
    assert!(gap <= max_gap, "{file}: gap {gap:.2}% above {max_gap}%");
    for route in result["routes"].as_array().expect("routes") {
        assert!(route["load"].as_f64().unwrap_or(f64::MAX) <= inst.capacity);
    }
    (cost, result)
}

#[test]
fn e_n22_k4_reaches_best_known_375_within_2_percent() {
    solve("E-n22-k4.vrp", 375.0, 2.0);
}

#[test]
fn a_n32_k5_reaches_best_known_784_within_3_percent() {
    solve("A-n32-k5.vrp", 784.0, 3.0);
}

#[test]
fn a_n45_k7_reaches_best_known_1146_within_4_percent() {
    solve("A-n45-k7.vrp", 1146.0, 4.0);
}
