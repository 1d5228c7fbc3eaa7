//! The (r, Q), (s, S), base-stock and Wagner-Whitin policies of
//! `optimize_inventory_policy`.

use serde_json::json;
use supply_chain::inventory::lot_sizing::wagner_whitin;
use supply_chain::{dispatch, Store};

/// Nahmias, "Production and Operations Analysis", sec. 5.4 (Harvey's Specialty Shop):
/// lambda = 200 units/year, K = $50, h = $2 per unit-year, p = $25 per unit short, lead
/// time demand normal with mean 100 and sd 25. The book's iterations settle at
/// Q = 110 to 111 and R = 143. Here lead-time demand is expressed per day: mean
/// 200/365 per day over 182.5 days, daily sd 25/sqrt(182.5).
#[test]
fn nahmias_harvey_q_r_policy() {
    let store = Store::in_memory().expect("store");
    let lead = 182.5_f64;
    let input = json!({"policies": ["r_q"], "mean_daily_demand": 200.0 / 365.0,
        "std_daily_demand": 25.0 / lead.sqrt(), "lead_time_days": lead,
        "ordering_cost": 50.0, "holding_cost_per_unit_year": 2.0, "stockout_cost_per_unit": 25.0});
    let r = dispatch(
        "inventory_optimizer",
        "optimize_inventory_policy",
        &input,
        &store,
    )
    .expect("solved");
    let p = &r["policies"]["r_q"];
    let q = p["order_quantity"].as_f64().expect("q");
    let reorder = p["reorder_point"].as_f64().expect("r");
    println!(
        "Q = {q:.2}, R = {reorder:.2}, cost = {}",
        p["annual_total_cost"]
    );
    assert!((110.0..=111.5).contains(&q), "{q}");
    assert!((reorder - 143.0).abs() < 1.0, "{reorder}");
    let total = p["annual_total_cost"].as_f64().expect("cost");
    let parts: f64 = [
        "annual_holding_cost",
        "annual_ordering_cost",
        "annual_stockout_cost",
    ]
    .iter()
    .filter_map(|k| p[*k].as_f64())
    .sum();
    assert!((total - parts).abs() < 1e-6);
}

/// Base stock meets its critical ratio p / (p + hR/365), and (s, S) protects over R + L.
#[test]
fn periodic_policies_meet_their_critical_ratios() {
    let store = Store::in_memory().expect("store");
    let input = json!({"mean_daily_demand": 10.0, "std_daily_demand": 3.0, "lead_time_days": 5.0,
        "review_period_days": 7.0, "ordering_cost": 40.0, "holding_cost_per_unit_year": 5.0,
        "stockout_cost_per_unit": 4.0});
    let r = dispatch(
        "inventory_optimizer",
        "optimize_inventory_policy",
        &input,
        &store,
    )
    .expect("solved");
    let base = &r["policies"]["base_stock"];
    let ratio = 4.0 / (4.0 + 5.0 * 7.0 / 365.0);
    assert!((base["critical_ratio"].as_f64().expect("ratio") - ratio).abs() < 1e-4);
    let level = base["base_stock_level"].as_f64().expect("S");
    // Normal quantile of demand over 12 days: mean 120, sd 3 sqrt(12).
    assert!(level > 120.0 && level < 120.0 + 4.0 * 3.0 * 12f64.sqrt());
    let ss = &r["policies"]["s_s"];
    assert!(ss["order_up_to"].as_f64() > ss["reorder_point"].as_f64());
    assert!(
        r["policies"]["r_q"]["annual_total_cost"]
            .as_f64()
            .expect("cost")
            > 0.0
    );
}

/// Poisson demand gives integer reorder points.
#[test]
fn poisson_policies_use_whole_units() {
    let store = Store::in_memory().expect("store");
    let input = json!({"distribution": "poisson", "mean_daily_demand": 2.0, "lead_time_days": 4.0,
        "ordering_cost": 20.0, "holding_cost_per_unit_year": 3.0, "stockout_cost_per_unit": 10.0});
    let r = dispatch(
        "inventory_optimizer",
        "optimize_inventory_policy",
        &input,
        &store,
    )
    .expect("solved");
    let rq = &r["policies"]["r_q"];
    assert_eq!(rq["reorder_point"].as_f64().expect("r").fract(), 0.0);
    assert!(rq["cycle_service_level"].as_f64().expect("csl") > 0.5);
}

fn brute_force(demand: &[f64], setup: f64, holding: f64) -> f64 {
    let n = demand.len();
    let mut best = f64::INFINITY;
    for mask in 0..(1u32 << (n - 1)) {
        // Period 0 always orders; bit t-1 set means period t orders.
        let mut cost = 0.0;
        let mut last = 0;
        for (t, d) in demand.iter().enumerate() {
            if t > 0 && mask & (1 << (t - 1)) != 0 {
                last = t;
            }
            if t == last {
                cost += setup;
            }
            cost += holding * (t - last) as f64 * d;
        }
        best = best.min(cost);
    }
    best
}

/// Wagner-Whitin (Wagner & Whitin, Management Science 5(1), 1958) on a four-period
/// textbook-style instance (demands 52, 87, 23, 56; K = $75; h = $1 per unit-period):
/// the optimum orders in periods 1, 2 and 4 at $248 (hand-computed: f1 = 75,
/// f2 = 150, f3 = 173, f4 = f3 + 75 = 248). A 12-period series is checked against
/// exhaustive enumeration of all 2^(n-1) order plans.
#[test]
fn wagner_whitin_is_optimal() {
    let plan = wagner_whitin(&[52.0, 87.0, 23.0, 56.0], 75.0, 1.0);
    assert_eq!(plan.total_cost, 248.0);
    let periods: Vec<usize> = plan.lots.iter().map(|l| l.period).collect();
    assert_eq!(periods, [1, 2, 4]);
    assert_eq!(plan.lots[1].quantity, 110.0);

    let demand = [
        20.0, 50.0, 10.0, 50.0, 50.0, 10.0, 20.0, 40.0, 20.0, 30.0, 5.0, 60.0,
    ];
    let plan = wagner_whitin(&demand, 100.0, 0.8);
    assert!((plan.total_cost - brute_force(&demand, 100.0, 0.8)).abs() < 1e-9);
    assert_eq!(
        plan.lots.iter().map(|l| l.quantity).sum::<f64>(),
        demand.iter().sum::<f64>()
    );
}
