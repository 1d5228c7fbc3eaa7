//! Dynamic lot sizing for known, time-varying demand: the Wagner-Whitin algorithm.

use serde::Serialize;

/// One order of a lot-sizing plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lot {
    /// The period (1-based) in which the order arrives.
    pub period: usize,
    /// The quantity, covering demand of `period..=covers_through`.
    pub quantity: f64,
    /// The last period the lot covers (1-based).
    pub covers_through: usize,
}

/// An optimal lot-sizing plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotPlan {
    /// The orders, in time order.
    pub lots: Vec<Lot>,
    /// Total setup cost.
    pub setup_cost: f64,
    /// Total holding cost (end-of-period inventory times the holding cost).
    pub holding_cost: f64,
    /// Setup plus holding cost.
    pub total_cost: f64,
}

/// Solves uncapacitated lot sizing exactly by the Wagner-Whitin dynamic program
/// (Wagner & Whitin 1958; Nahmias sec. 7.2): `f(j) = min_i f(i-1) + K + h sum_{t=i}^{j}
/// (t - i) d_t`, with holding cost `h` per unit per period charged on end-of-period
/// inventory. Zero-demand periods at the start need no order. O(n^2): the holding cost
/// of a lot is built up period by period as its first period moves earlier.
pub fn wagner_whitin(demand: &[f64], setup_cost: f64, holding_cost: f64) -> LotPlan {
    let n = demand.len();
    let mut best = vec![0.0; n + 1];
    let mut choice = vec![0usize; n + 1];
    for j in 1..=n {
        best[j] = f64::INFINITY;
        // The lot arriving in period i covers demand[i - 1..j]; `later` is the demand of
        // its periods after the first, each held one period longer when i moves down.
        let (mut holding, mut later, mut needs_order) = (0.0, 0.0, false);
        for i in (1..=j).rev() {
            if i < j {
                later += demand[i];
                holding += holding_cost * later;
            }
            needs_order |= demand[i - 1] > 0.0;
            let cost = best[i - 1] + if needs_order { setup_cost } else { 0.0 } + holding;
            // `<=` going down keeps the earliest of equal choices.
            if cost <= best[j] {
                best[j] = cost;
                choice[j] = i;
            }
        }
    }
    let mut lots = Vec::new();
    let mut j = n;
    while j > 0 {
        let i = choice[j].max(1);
        let quantity: f64 = demand[i - 1..j].iter().sum();
        if quantity > 0.0 {
            lots.push(Lot {
                period: i,
                quantity,
                covers_through: j,
            });
        }
        j = i - 1;
    }
    lots.reverse();
    let setup = setup_cost * lots.len() as f64;
    let total = best[n];
    LotPlan {
        lots,
        setup_cost: setup,
        holding_cost: total - setup,
        total_cost: total,
    }
}
