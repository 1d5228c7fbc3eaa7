//! Safety stock and reorder points for continuous review with uncertain demand and
//! uncertain lead time.

use super::distribution::z_score;

/// One item's reorder-point inputs, all rates per day.
#[derive(Debug, Clone, PartialEq)]
pub struct ReorderInput {
    /// Mean daily demand (units/day).
    pub mean_daily_demand: f64,
    /// Sample standard deviation of daily demand (units/day).
    pub std_daily_demand: f64,
    /// Mean replenishment lead time (days).
    pub lead_time_days: f64,
    /// Standard deviation of the lead time (days); 0 when it is fixed.
    pub std_lead_time_days: f64,
    /// Cycle service level: the probability of no stockout in a replenishment cycle.
    pub service_level: f64,
}

/// The reorder point of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ReorderPoint {
    /// The safety factor `z`, the standard normal quantile of the service level.
    pub z: f64,
    /// Expected demand over the lead time, `d L`.
    pub lead_time_demand: f64,
    /// Standard deviation of lead-time demand, `sqrt(L sd^2 + d^2 sL^2)`.
    pub lead_time_demand_std: f64,
    /// Safety stock `z * lead_time_demand_std` (unrounded units).
    pub safety_stock: f64,
    /// Reorder point `lead_time_demand + safety_stock` (unrounded units).
    pub reorder_point: f64,
}

/// Computes the reorder point for normally distributed lead-time demand, combining
/// demand and lead-time variability: `sigma_L = sqrt(L sigma_d^2 + d^2 sigma_LT^2)`
/// (Chopra & Meindl, "Supply Chain Management", safety inventory with lead-time
/// uncertainty; Silver, Pyke & Peterson, ch. 7). A service level below 0.5 would give
/// negative safety stock; it is floored at 0.
pub fn reorder_point(input: &ReorderInput) -> ReorderPoint {
    let z = z_score(input.service_level);
    let lead_time_demand = input.mean_daily_demand * input.lead_time_days;
    let variance = input.lead_time_days * input.std_daily_demand.powi(2)
        + input.mean_daily_demand.powi(2) * input.std_lead_time_days.powi(2);
    let lead_time_demand_std = variance.max(0.0).sqrt();
    let safety_stock = (z * lead_time_demand_std).max(0.0);
    ReorderPoint {
        z,
        lead_time_demand,
        lead_time_demand_std,
        safety_stock,
        reorder_point: lead_time_demand + safety_stock,
    }
}
