//! Economic order quantities: the classic EOQ, with planned backorders, with a finite
//! production rate (EPQ), and with all-units or incremental quantity discounts.
//!
//! All rates are per year; costs in the caller's currency.

use serde::Serialize;

/// The inputs of one EOQ problem.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EoqInput {
    /// Demand per year (units/year).
    pub annual_demand: f64,
    /// Fixed cost per order or setup.
    pub ordering_cost: f64,
    /// Holding cost per unit per year; with price breaks and a `holding_rate`, the
    /// holding cost is `holding_rate * price` instead.
    pub holding_cost: f64,
    /// Backorder cost per unit per year short, when shortages are planned.
    pub backorder_cost: Option<f64>,
    /// Production rate per year (must exceed demand), for a finite replenishment rate.
    pub production_rate: Option<f64>,
}

/// A quantity discount break: from `min_quantity` up, `unit_price` applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceBreak {
    /// The smallest order quantity for this price.
    pub min_quantity: f64,
    /// The unit price.
    pub unit_price: f64,
}

/// How price breaks apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountKind {
    /// The break's price applies to every unit of the order.
    AllUnits,
    /// The break's price applies only to the units beyond its threshold.
    Incremental,
}

/// The solution of an EOQ problem without discounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EoqSolution {
    /// The order quantity (unrounded units).
    pub order_quantity: f64,
    /// Orders per year.
    pub orders_per_year: f64,
    /// Days between orders (365-day year).
    pub cycle_days: f64,
    /// Largest inventory on hand.
    pub max_inventory: f64,
    /// Largest backorder level (0 without planned backorders).
    pub max_backorder: f64,
    /// Annual ordering cost.
    pub annual_ordering_cost: f64,
    /// Annual holding cost.
    pub annual_holding_cost: f64,
    /// Annual backorder cost.
    pub annual_backorder_cost: f64,
    /// Annual ordering + holding + backorder cost (purchase cost excluded).
    pub annual_inventory_cost: f64,
}

/// Solves the EOQ with optional planned backorders and finite production rate:
/// `Q = sqrt(2 D K (h + b) / (h b (1 - D/P)))`, largest backorder `Q (1 - D/P) h / (h + b)` (Hillier & Lieberman, ch. 18;
/// Nahmias, ch. 4). The caller guarantees positive finite inputs and `P > D`.
pub fn solve(input: &EoqInput) -> EoqSolution {
    let d = input.annual_demand;
    let k = input.ordering_cost;
    let h = input.holding_cost;
    let rho = input.production_rate.map_or(1.0, |p| 1.0 - d / p);
    let h_eff = h * rho;
    let backorder_factor = input.backorder_cost.map_or(1.0, |b| (h + b) / b);
    let q = (2.0 * d * k / h_eff * backorder_factor).sqrt();
    let peak = q * rho;
    let (max_backorder, holding, backorder) = match input.backorder_cost {
        Some(b) => {
            let s = peak * h / (h + b);
            let on_hand_peak = peak - s;
            let holding = h * on_hand_peak.powi(2) / (2.0 * peak);
            let backorder = b * s.powi(2) / (2.0 * peak);
            (s, holding, backorder)
        }
        None => (0.0, h * peak / 2.0, 0.0),
    };
    let ordering = d * k / q;
    EoqSolution {
        order_quantity: q,
        orders_per_year: d / q,
        cycle_days: 365.0 * q / d,
        max_inventory: peak - max_backorder,
        max_backorder,
        annual_ordering_cost: ordering,
        annual_holding_cost: holding,
        annual_backorder_cost: backorder,
        annual_inventory_cost: ordering + holding + backorder,
    }
}

/// One price interval evaluated by [`solve_with_discounts`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscountCandidate {
    /// The interval's unit price (marginal price for incremental discounts).
    pub unit_price: f64,
    /// The unconstrained optimum of this interval's cost curve.
    pub unconstrained_quantity: f64,
    /// Whether that optimum lies in the interval.
    pub realizable: bool,
    /// The best quantity in the interval.
    pub order_quantity: f64,
    /// Annual purchase + ordering + holding cost at that quantity.
    pub annual_total_cost: f64,
}

/// The solution of a quantity-discount problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscountSolution {
    /// The cheapest order quantity.
    pub order_quantity: f64,
    /// Its annual purchase + ordering + holding cost.
    pub annual_total_cost: f64,
    /// The average price paid per unit at that quantity.
    pub average_unit_price: f64,
    /// Every interval considered.
    pub candidates: Vec<DiscountCandidate>,
}

/// Solves EOQ with quantity discounts, holding cost `holding_rate * price` per unit per
/// year (Nahmias, "Production and Operations Analysis", sec. 4.7). Breaks must be sorted
/// by `min_quantity`, the first at 0 (or 1).
pub fn solve_with_discounts(
    annual_demand: f64,
    ordering_cost: f64,
    holding_rate: f64,
    breaks: &[PriceBreak],
    kind: DiscountKind,
) -> DiscountSolution {
    let (d, k, i) = (annual_demand, ordering_cost, holding_rate);
    let mut candidates = Vec::with_capacity(breaks.len());
    let mut fixed_cost_before = 0.0; // R_j: the cost of the first q_j units (incremental)
    for (j, brk) in breaks.iter().enumerate() {
        let lo = brk.min_quantity.max(f64::MIN_POSITIVE);
        let hi = breaks.get(j + 1).map_or(f64::INFINITY, |b| b.min_quantity);
        let c = brk.unit_price;
        // For incremental discounts, an order of Q in interval j costs
        // R_j + c (Q - q_j) = c Q + extra, with extra = R_j - c q_j.
        let extra = match kind {
            DiscountKind::AllUnits => 0.0,
            DiscountKind::Incremental => fixed_cost_before - c * brk.min_quantity,
        };
        let cost = |q: f64| d * c + d * (k + extra) / q + i * (c * q + extra) / 2.0;
        let q_star = (2.0 * d * (k + extra) / (i * c)).sqrt();
        let realizable = q_star >= lo && q_star < hi;
        let q = if realizable {
            q_star
        } else if q_star < lo {
            lo
        } else {
            // Above the interval: the curve is decreasing here; the next interval wins.
            (hi - 1.0).max(lo)
        };
        candidates.push(DiscountCandidate {
            unit_price: c,
            unconstrained_quantity: q_star,
            realizable,
            order_quantity: q,
            annual_total_cost: cost(q),
        });
        if let Some(next) = breaks.get(j + 1) {
            fixed_cost_before += c * (next.min_quantity - brk.min_quantity);
        }
    }
    let best = candidates
        .iter()
        .min_by(|a, b| a.annual_total_cost.total_cmp(&b.annual_total_cost))
        .cloned();
    let (order_quantity, annual_total_cost) = best
        .map(|c| (c.order_quantity, c.annual_total_cost))
        .unwrap_or((0.0, 0.0));
    let average_unit_price = purchase_cost(order_quantity, breaks, kind) / order_quantity;
    DiscountSolution {
        order_quantity,
        annual_total_cost,
        average_unit_price,
        candidates,
    }
}

/// The price of an order of `q` units under the breaks.
pub fn purchase_cost(q: f64, breaks: &[PriceBreak], kind: DiscountKind) -> f64 {
    match kind {
        DiscountKind::AllUnits => breaks
            .iter()
            .rev()
            .find(|b| q >= b.min_quantity)
            .map_or(0.0, |b| b.unit_price * q),
        DiscountKind::Incremental => {
            let mut total = 0.0;
            for (j, b) in breaks.iter().enumerate() {
                let hi = breaks.get(j + 1).map_or(f64::INFINITY, |n| n.min_quantity);
                if q > b.min_quantity {
                    total += b.unit_price * (q.min(hi) - b.min_quantity);
                }
            }
            total
        }
    }
}
