//! Stochastic inventory policies with backorders: continuous-review (r, Q), periodic
//! (s, S) and periodic base-stock (order-up-to), each with its expected annual cost.
//!
//! Time: `annual_demand` per year, holding cost per unit per year, stockout cost per unit
//! short, fixed cost per order; lead-time and review-period demand as [`Demand`].

use serde::Serialize;

use super::distribution::Demand;

/// Costs shared by the policies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolicyCosts {
    /// Mean demand per year.
    pub annual_demand: f64,
    /// Fixed cost per order.
    pub ordering_cost: f64,
    /// Holding cost per unit per year.
    pub holding_cost: f64,
    /// Cost per unit backordered (charged once per unit short).
    pub stockout_cost: f64,
}

/// An (r, Q) or (s, S) policy and what it is expected to cost and achieve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReorderPolicy {
    /// Reorder point r (or s): order when the inventory position falls to it.
    pub reorder_point: f64,
    /// Order quantity Q (for (s, S): `S - s`).
    pub order_quantity: f64,
    /// Order-up-to level S (`r + Q`).
    pub order_up_to: f64,
    /// Safety stock `r - E[demand over the protection interval]`.
    pub safety_stock: f64,
    /// Probability of no stockout in a cycle, `F(r)`.
    pub cycle_service_level: f64,
    /// Fraction of demand met from stock, `1 - n(r)/Q`.
    pub fill_rate: f64,
    /// Expected units short per cycle, `n(r)`.
    pub expected_shortage_per_cycle: f64,
    /// Expected annual holding cost.
    pub annual_holding_cost: f64,
    /// Expected annual ordering cost.
    pub annual_ordering_cost: f64,
    /// Expected annual stockout cost.
    pub annual_stockout_cost: f64,
    /// Sum of the three.
    pub annual_total_cost: f64,
    /// Iterations until Q and r settled.
    pub iterations: u32,
}

/// The (Q, r) model of Hadley & Whitin, solved by the iteration in Nahmias,
/// "Production and Operations Analysis", sec. 5.4: start at the EOQ, then alternate
/// `1 - F(r) = Q h / (p lambda)` and `Q = sqrt(2 lambda (K + p n(r)) / h)` until both
/// change by less than 0.01 units.
///
/// Expected annual cost `h (Q/2 + r - mu) + K lambda / Q + p lambda n(r) / Q`.
pub fn continuous_review(costs: &PolicyCosts, lead_time_demand: &Demand) -> ReorderPolicy {
    let PolicyCosts {
        annual_demand: lambda,
        ordering_cost: k,
        holding_cost: h,
        stockout_cost: p,
    } = *costs;
    let mut q = (2.0 * lambda * k / h).sqrt();
    let mut r = lead_time_demand.mean();
    let mut iterations = 0;
    while iterations < 100 {
        iterations += 1;
        let tail = (q * h / (p * lambda)).clamp(1e-9, 1.0 - 1e-9);
        let new_r = lead_time_demand.quantile(1.0 - tail).max(0.0);
        let n = lead_time_demand.expected_shortage(new_r);
        let new_q = (2.0 * lambda * (k + p * n) / h).sqrt();
        let settled = (new_q - q).abs() < 0.01 && (new_r - r).abs() < 0.01;
        q = new_q;
        r = new_r;
        if settled {
            break;
        }
    }
    evaluate(costs, lead_time_demand, r, q, iterations)
}

/// The cost and service of a given (r, Q) pair.
pub fn evaluate(
    costs: &PolicyCosts,
    protection_demand: &Demand,
    r: f64,
    q: f64,
    iterations: u32,
) -> ReorderPolicy {
    let mu = protection_demand.mean();
    let n = protection_demand.expected_shortage(r);
    let holding = costs.holding_cost * (q / 2.0 + r - mu).max(0.0);
    let ordering = costs.ordering_cost * costs.annual_demand / q;
    let stockout = costs.stockout_cost * costs.annual_demand * n / q;
    ReorderPolicy {
        reorder_point: r,
        order_quantity: q,
        order_up_to: r + q,
        safety_stock: r - mu,
        cycle_service_level: protection_demand.cdf(r),
        fill_rate: (1.0 - n / q).clamp(0.0, 1.0),
        expected_shortage_per_cycle: n,
        annual_holding_cost: holding,
        annual_ordering_cost: ordering,
        annual_stockout_cost: stockout,
        annual_total_cost: holding + ordering + stockout,
        iterations,
    }
}

/// A periodic-review (R, s, S) policy by the common approximation of Silver, Pyke &
/// Peterson ("Inventory Management and Production Planning and Scheduling", ch. 7):
/// treat the review period plus lead time as the protection interval and solve the
/// (Q, r) model on it; then `s = r`, `S = s + max(Q, mean demand per review)`, with
/// expected on-hand stock `Q/2 + s - E[D(R+L)] + E[D(R)]/2`.
pub fn periodic_review(
    costs: &PolicyCosts,
    daily_demand: &Demand,
    lead_time_days: f64,
    review_period_days: f64,
) -> ReorderPolicy {
    let protection = daily_demand.scaled(lead_time_days + review_period_days);
    let mut policy = continuous_review(costs, &protection);
    let per_review = daily_demand.mean() * review_period_days;
    if policy.order_quantity < per_review {
        policy = evaluate(
            costs,
            &protection,
            policy.reorder_point,
            per_review,
            policy.iterations,
        );
    }
    // Orders are placed only at reviews, so stock falls on average half a review
    // period's demand below s before the order: on-hand is higher by that much.
    let undershoot_holding = costs.holding_cost * per_review / 2.0;
    policy.annual_holding_cost += undershoot_holding;
    policy.annual_total_cost += undershoot_holding;
    policy
}

/// A periodic base-stock (order-up-to) policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseStockPolicy {
    /// The order-up-to level S.
    pub base_stock_level: f64,
    /// The critical ratio `p / (p + h R/365)` that S meets.
    pub critical_ratio: f64,
    /// Safety stock `S - E[demand over R + L]`.
    pub safety_stock: f64,
    /// Expected units short per review period.
    pub expected_shortage_per_period: f64,
    /// Expected units left at the end of a review period.
    pub expected_on_hand_per_period: f64,
    /// Expected annual holding cost.
    pub annual_holding_cost: f64,
    /// Expected annual stockout cost.
    pub annual_stockout_cost: f64,
    /// Annual ordering cost (one order per review).
    pub annual_ordering_cost: f64,
    /// Sum of the three.
    pub annual_total_cost: f64,
}

/// The base-stock level for review period R and lead time L: the newsvendor quantile
/// of demand over R + L with underage cost p and overage cost `h R / 365`.
pub fn base_stock(
    costs: &PolicyCosts,
    daily_demand: &Demand,
    lead_time_days: f64,
    review_period_days: f64,
) -> BaseStockPolicy {
    let protection = daily_demand.scaled(lead_time_days + review_period_days);
    let overage = costs.holding_cost * review_period_days / 365.0;
    let ratio = costs.stockout_cost / (costs.stockout_cost + overage);
    let level = protection.quantile(ratio).max(0.0);
    let short = protection.expected_shortage(level);
    let left = protection.expected_leftover(level);
    let periods = 365.0 / review_period_days;
    let holding = overage * left * periods;
    let stockout = costs.stockout_cost * short * periods;
    let ordering = costs.ordering_cost * periods;
    BaseStockPolicy {
        base_stock_level: level,
        critical_ratio: ratio,
        safety_stock: level - protection.mean(),
        expected_shortage_per_period: short,
        expected_on_hand_per_period: left,
        annual_holding_cost: holding,
        annual_stockout_cost: stockout,
        annual_ordering_cost: ordering,
        annual_total_cost: holding + stockout + ordering,
    }
}
