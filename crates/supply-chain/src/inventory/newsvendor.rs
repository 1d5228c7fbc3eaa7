//! The single-period newsvendor problem.

use serde::Serialize;

use super::distribution::Demand;

/// Newsvendor prices, per unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewsvendorPrices {
    /// Purchase cost per unit.
    pub unit_cost: f64,
    /// Selling price per unit.
    pub selling_price: f64,
    /// Value of a leftover unit at the end of the season.
    pub salvage_value: f64,
    /// Extra penalty per unit of unmet demand (lost goodwill).
    pub shortage_penalty: f64,
}

/// The optimal order and its expected outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewsvendorSolution {
    /// Underage cost `price - cost + penalty`.
    pub underage_cost: f64,
    /// Overage cost `cost - salvage`.
    pub overage_cost: f64,
    /// Critical ratio `cu / (cu + co)`.
    pub critical_ratio: f64,
    /// Optimal order quantity (integer for Poisson demand, unrounded for normal).
    pub order_quantity: f64,
    /// Expected units sold.
    pub expected_sales: f64,
    /// Expected leftover units.
    pub expected_leftover: f64,
    /// Expected unmet demand.
    pub expected_shortage: f64,
    /// Expected profit.
    pub expected_profit: f64,
    /// Expected cost of the mismatch between supply and demand.
    pub expected_mismatch_cost: f64,
}

/// Solves the newsvendor: order the critical-ratio quantile of demand
/// (Cachon & Terwiesch, "Matching Supply with Demand", ch. 14; Nahmias sec. 5.3).
pub fn solve(prices: &NewsvendorPrices, demand: &Demand) -> NewsvendorSolution {
    let cu = prices.selling_price - prices.unit_cost + prices.shortage_penalty;
    let co = prices.unit_cost - prices.salvage_value;
    // Selling at a loss (cu <= 0) means ordering nothing; the second form cannot
    // overflow where `cu + co` would.
    let ratio = if cu > 0.0 { 1.0 / (1.0 + co / cu) } else { 0.0 };
    let q = demand.quantile(ratio).max(0.0);
    evaluate(prices, demand, q)
}

/// The expected outcome of ordering `q`.
pub fn evaluate(prices: &NewsvendorPrices, demand: &Demand, q: f64) -> NewsvendorSolution {
    let cu = prices.selling_price - prices.unit_cost + prices.shortage_penalty;
    let co = prices.unit_cost - prices.salvage_value;
    let short = demand.expected_shortage(q);
    let sales = demand.mean() - short;
    let left = (q - sales).max(0.0);
    let profit = prices.selling_price * sales + prices.salvage_value * left
        - prices.unit_cost * q
        - prices.shortage_penalty * short;
    NewsvendorSolution {
        underage_cost: cu,
        overage_cost: co,
        critical_ratio: cu / (cu + co),
        order_quantity: q,
        expected_sales: sales,
        expected_leftover: left,
        expected_shortage: short,
        expected_profit: profit,
        expected_mismatch_cost: co * left + cu * short,
    }
}
