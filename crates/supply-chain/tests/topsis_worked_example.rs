//! TOPSIS and weighted sum on the fighter-aircraft example of Hwang & Yoon, "Multiple
//! Attribute Decision Making" (Springer, 1981), the example TOPSIS was introduced with:
//! four aircraft on maximum speed, ferry range, maximum payload, purchasing cost (a
//! cost criterion), reliability and maneuverability, weights (0.2, 0.1, 0.1, 0.1, 0.2,
//! 0.3). Hwang & Yoon report the relative closeness C* = 0.643 (A1), 0.268 (A2),
//! 0.613 (A3), 0.312 (A4), ranking A1 > A3 > A4 > A2.

use serde_json::{json, Value};
use supply_chain::{dispatch, Store};

fn aircraft() -> Value {
    json!([
        {"id": "A1", "speed": 2.0, "range": 1500, "payload": 20000, "cost": 5.5, "reliability": 5, "maneuverability": 9},
        {"id": "A2", "speed": 2.5, "range": 2700, "payload": 18000, "cost": 6.5, "reliability": 3, "maneuverability": 5},
        {"id": "A3", "speed": 1.8, "range": 2000, "payload": 21000, "cost": 4.5, "reliability": 7, "maneuverability": 7},
        {"id": "A4", "speed": 2.2, "range": 1800, "payload": 20000, "cost": 5.0, "reliability": 5, "maneuverability": 5}
    ])
}

fn criteria() -> Value {
    json!([
        {"name": "speed", "weight": 0.2, "direction": "benefit"},
        {"name": "range", "weight": 0.1, "direction": "benefit"},
        {"name": "payload", "weight": 0.1, "direction": "benefit"},
        {"name": "cost", "weight": 0.1, "direction": "cost"},
        {"name": "reliability", "weight": 0.2, "direction": "benefit"},
        {"name": "maneuverability", "weight": 0.3, "direction": "benefit"}
    ])
}

fn rank(method: &str) -> Value {
    let store = Store::in_memory().expect("store");
    let input = json!({"suppliers": aircraft(), "criteria": criteria(), "method": method});
    dispatch("supplier_analyzer", "rank_suppliers", &input, &store).expect("ranked")
}

#[test]
fn topsis_reproduces_hwang_and_yoon_closeness_coefficients() {
    let result = rank("topsis");
    let ranking = result["ranking"].as_array().expect("ranking");
    let score = |id: &str| {
        ranking
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["score"].as_f64())
            .expect("score")
    };
    for (id, published) in [("A1", 0.643), ("A2", 0.268), ("A3", 0.613), ("A4", 0.312)] {
        println!("{id}: {} (published {published})", score(id));
    }
    for (id, published) in [("A1", 0.643), ("A2", 0.268), ("A3", 0.613), ("A4", 0.312)] {
        assert!(
            (score(id) - published).abs() < 0.002,
            "{id}: {} vs {published}",
            score(id)
        );
    }
    let order: Vec<&str> = ranking.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(order, ["A1", "A3", "A4", "A2"]);
}

#[test]
fn weighted_sum_scores_are_normalized_and_ranked() {
    let result = rank("weighted_sum");
    let ranking = result["ranking"].as_array().expect("ranking");
    assert_eq!(ranking.len(), 4);
    let scores: Vec<f64> = ranking.iter().filter_map(|r| r["score"].as_f64()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    let weights: f64 = result["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .filter_map(|c| c["weight"].as_f64())
        .sum();
    assert!((weights - 1.0).abs() < 1e-9);
}
