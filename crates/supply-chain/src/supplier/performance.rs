//! Supplier performance from delivery records: on-time, fill and defect rates, lead
//! time, price index and trend.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::inventory::forecast::{mean_std, trend_slope};
use crate::model::Delivery;

/// How much worse the recent half must be to call a trend deteriorating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendThresholds {
    /// Drop in on-time rate (absolute, e.g. 0.10 = 10 points).
    pub on_time_drop: f64,
    /// Rise in defect rate (absolute, e.g. 0.01 = 1 point).
    pub defect_rise: f64,
}

impl Default for TrendThresholds {
    /// # Default
    ///
    /// A 10-point on-time drop or a 1-point defect-rate rise.
    fn default() -> Self {
        Self {
            on_time_drop: 0.10,
            defect_rise: 0.01,
        }
    }
}

/// Earlier half versus recent half of a supplier's deliveries, by order date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// On-time rate of the earlier half.
    pub on_time_rate_earlier: f64,
    /// On-time rate of the recent half.
    pub on_time_rate_recent: f64,
    /// Defect rate of the earlier half.
    pub defect_rate_earlier: f64,
    /// Defect rate of the recent half.
    pub defect_rate_recent: f64,
    /// Least-squares slope of days late per delivery, in days per 30 days of order date.
    pub lateness_slope_per_30_days: f64,
    /// `improving`, `stable` or `deteriorating`.
    pub direction: String,
}

/// A supplier's performance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Performance {
    /// The supplier.
    pub supplier_id: String,
    /// Deliveries analysed.
    pub deliveries: usize,
    /// Share of deliveries arriving on or before the promised date.
    pub on_time_rate: f64,
    /// Units received over units ordered.
    pub fill_rate: f64,
    /// Defective units over units received.
    pub defect_rate: f64,
    /// Mean lead time, order to arrival (days).
    pub lead_time_mean_days: f64,
    /// Sample standard deviation of lead time (days).
    pub lead_time_std_days: f64,
    /// Mean days late over late deliveries (0 when none).
    pub mean_days_late: f64,
    /// Quantity-weighted price relative to the mean price of the same SKU over all
    /// suppliers in the data (1.0 = market average, < 1 cheaper).
    pub price_index: f64,
    /// Total spend (quantity ordered times unit price).
    pub total_spend: f64,
    /// Recent against earlier performance.
    pub trend: Trend,
}

struct Rates {
    on_time: f64,
    defect: f64,
}

fn rates(deliveries: &[&Delivery]) -> Rates {
    let on_time = deliveries
        .iter()
        .filter(|d| d.actual_day <= d.promised_day)
        .count();
    let received: f64 = deliveries.iter().map(|d| d.quantity_received).sum();
    let defective: f64 = deliveries.iter().map(|d| d.quantity_defective).sum();
    Rates {
        on_time: if deliveries.is_empty() {
            0.0
        } else {
            on_time as f64 / deliveries.len() as f64
        },
        defect: if received > 0.0 {
            defective / received
        } else {
            0.0
        },
    }
}

/// Analyses every supplier in `deliveries`, sorted by supplier id.
pub fn analyze(deliveries: &[Delivery], thresholds: TrendThresholds) -> Vec<Performance> {
    let mut sku_prices: HashMap<&str, (f64, f64)> = HashMap::new();
    for d in deliveries {
        let entry = sku_prices.entry(d.sku.as_str()).or_default();
        entry.0 += d.unit_price * d.quantity_ordered;
        entry.1 += d.quantity_ordered;
    }
    let mut by_supplier: BTreeMap<&str, Vec<&Delivery>> = BTreeMap::new();
    for d in deliveries {
        by_supplier
            .entry(d.supplier_id.as_str())
            .or_default()
            .push(d);
    }
    by_supplier
        .into_iter()
        .map(|(id, mut list)| {
            list.sort_by_key(|d| (d.order_day, d.promised_day));
            let all = rates(&list);
            let ordered: f64 = list.iter().map(|d| d.quantity_ordered).sum();
            let received: f64 = list.iter().map(|d| d.quantity_received).sum();
            let lead: Vec<f64> = list
                .iter()
                .map(|d| (d.actual_day - d.order_day) as f64)
                .collect();
            let (lead_mean, lead_std) = mean_std(&lead);
            let late: Vec<f64> = list
                .iter()
                .filter(|d| d.actual_day > d.promised_day)
                .map(|d| (d.actual_day - d.promised_day) as f64)
                .collect();
            let (mut price_weighted, mut weight) = (0.0, 0.0);
            for d in &list {
                if let Some(&(value, qty)) = sku_prices.get(d.sku.as_str()) {
                    if value > 0.0 && qty > 0.0 {
                        price_weighted += d.unit_price / (value / qty) * d.quantity_ordered;
                        weight += d.quantity_ordered;
                    }
                }
            }
            let half = list.len() / 2;
            let (earlier, recent) = list.split_at(half);
            let (e, r) = (rates(earlier), rates(recent));
            let lateness: Vec<f64> = list
                .iter()
                .map(|d| (d.actual_day - d.promised_day).max(0) as f64)
                .collect();
            let span_days =
                list.last().map_or(0, |d| d.order_day) - list.first().map_or(0, |d| d.order_day);
            let per_delivery = trend_slope(&lateness);
            let per_30_days = if span_days > 0 {
                per_delivery * (list.len() as f64 - 1.0) / span_days as f64 * 30.0
            } else {
                0.0
            };
            let direction = if earlier.is_empty() {
                "stable"
            } else if e.on_time - r.on_time >= thresholds.on_time_drop
                || r.defect - e.defect >= thresholds.defect_rise
            {
                "deteriorating"
            } else if r.on_time - e.on_time >= thresholds.on_time_drop
                || e.defect - r.defect >= thresholds.defect_rise
            {
                "improving"
            } else {
                "stable"
            };
            Performance {
                supplier_id: id.to_string(),
                deliveries: list.len(),
                on_time_rate: all.on_time,
                fill_rate: if ordered > 0.0 {
                    received / ordered
                } else {
                    0.0
                },
                defect_rate: all.defect,
                lead_time_mean_days: lead_mean,
                lead_time_std_days: lead_std,
                mean_days_late: mean_std(&late).0,
                price_index: if weight > 0.0 {
                    price_weighted / weight
                } else {
                    1.0
                },
                total_spend: list.iter().map(|d| d.unit_price * d.quantity_ordered).sum(),
                trend: Trend {
                    on_time_rate_earlier: e.on_time,
                    on_time_rate_recent: r.on_time,
                    defect_rate_earlier: e.defect,
                    defect_rate_recent: r.defect,
                    lateness_slope_per_30_days: per_30_days,
                    direction: direction.to_string(),
                },
            }
        })
        .collect()
}
