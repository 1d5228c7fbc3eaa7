//! Choosing a carrier by cost and transit time.

use serde::Serialize;

/// A carrier's offer for one shipment.
#[derive(Debug, Clone, PartialEq)]
pub struct CarrierOffer {
    /// The carrier's name or id.
    pub name: String,
    /// Fixed charge per shipment.
    pub base_cost: f64,
    /// Charge per kg.
    pub cost_per_kg: f64,
    /// Charge per km.
    pub cost_per_km: f64,
    /// Mean transit time (days).
    pub transit_days: f64,
    /// Share of deliveries on time, in [0, 1].
    pub on_time_rate: f64,
}

/// One carrier's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarrierScore {
    /// The carrier.
    pub name: String,
    /// Freight cost `base + per_kg * weight + per_km * distance`.
    pub freight_cost: f64,
    /// Cost of time in transit `value_per_day * transit_days`.
    pub time_cost: f64,
    /// Expected lateness penalty `(1 - on_time_rate) * late_penalty`.
    pub expected_late_penalty: f64,
    /// The sum of the three: what the ranking minimizes.
    pub total_cost: f64,
    /// Transit days.
    pub transit_days: f64,
    /// Whether it meets the transit-time limit.
    pub feasible: bool,
    /// Whether no other feasible carrier is both cheaper and faster.
    pub pareto_efficient: bool,
}

/// Scores every carrier for a shipment and sorts feasible ones by total cost (ties by
/// transit time), infeasible ones last.
pub fn rank(
    offers: &[CarrierOffer],
    weight_kg: f64,
    distance_km: f64,
    value_per_day: f64,
    late_penalty: f64,
    max_transit_days: Option<f64>,
) -> Vec<CarrierScore> {
    let mut scores: Vec<CarrierScore> = offers
        .iter()
        .map(|o| {
            let freight = o.base_cost + o.cost_per_kg * weight_kg + o.cost_per_km * distance_km;
            let time = value_per_day * o.transit_days;
            let late = (1.0 - o.on_time_rate) * late_penalty;
            CarrierScore {
                name: o.name.clone(),
                freight_cost: freight,
                time_cost: time,
                expected_late_penalty: late,
                total_cost: freight + time + late,
                transit_days: o.transit_days,
                feasible: max_transit_days.is_none_or(|limit| o.transit_days <= limit),
                pareto_efficient: false,
            }
        })
        .collect();
    let snapshot = scores.clone();
    for s in &mut scores {
        s.pareto_efficient = s.feasible
            && !snapshot.iter().any(|o| {
                o.feasible
                    && o.freight_cost <= s.freight_cost
                    && o.transit_days <= s.transit_days
                    && (o.freight_cost < s.freight_cost || o.transit_days < s.transit_days)
            });
    }
    scores.sort_by(|a, b| {
        b.feasible
            .cmp(&a.feasible)
            .then(a.total_cost.total_cmp(&b.total_cost))
            .then(a.transit_days.total_cmp(&b.transit_days))
    });
    scores
}
