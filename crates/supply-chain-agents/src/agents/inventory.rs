//! The inventory optimizer agent: reorder points and safety stock, order quantities,
//! inventory policies, demand forecasts (per SKU or summed), stock cover and what-if
//! recomputations, per warehouse and SKU.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;
use toolexec::{Envelope, Executor};

use crate::agent::{Agent, Specialist};
use crate::answer::{fmt, AgentAnswer};
use crate::catalog::Catalog;
use crate::planner::rules::{self, inventory_calls::INTENTS, PlannedCall, Specialty};
use crate::query::{Intent, Measure, Order, Query};

mod describe;
mod describe_more;

/// Answers inventory questions with `calculate_reorder_points`,
/// `optimize_order_quantities`, `optimize_inventory_policy`, `forecast_demand`,
/// `forecast_demand_total`, `assess_stock_cover` and `what_if_reorder`.
#[derive(Debug)]
pub struct InventoryAgent {
    executor: Executor,
    catalog: Arc<Catalog>,
}

impl InventoryAgent {
    /// An agent on a shared executor.
    pub fn new(executor: Executor, catalog: Arc<Catalog>) -> Self {
        Self { executor, catalog }
    }
}

fn warehouse(call: &PlannedCall) -> String {
    call.input["warehouse_code"]
        .as_str()
        .unwrap_or("every warehouse")
        .to_owned()
}

impl Agent for InventoryAgent {
    fn name(&self) -> &'static str {
        "inventory optimizer"
    }

    fn description(&self) -> &'static str {
        "which SKUs to reorder now (safety stock, reorder points), order quantities (EOQ), \
         inventory policies for a SKU ((r, Q), (s, S), base stock), demand forecasts per SKU \
         or summed over a category or warehouse, days of cover and excess stock, what-if \
         changes of lead time, demand or service level"
    }

    fn intents(&self) -> &'static [Intent] {
        INTENTS
    }

    fn executor(&self) -> &Executor {
        &self.executor
    }

    fn answer<'a>(&'a self, query: &'a Query) -> BoxFuture<'a, AgentAnswer> {
        Box::pin(async move {
            let mut answer = AgentAnswer::new(self.name());
            let plan = rules::plan_for(Specialty::Inventory, query, &self.catalog);
            let envelopes = self
                .run_tools(plan.calls.iter().map(PlannedCall::to_call).collect())
                .await;
            let wants = query.wanted(INTENTS, &[Intent::Reorder, Intent::OrderQuantity]);
            let reorder_asked = wants.contains(&Intent::Reorder);
            let quantities: BTreeMap<String, &Envelope> = plan
                .calls
                .iter()
                .zip(&envelopes)
                .filter(|(c, _)| c.tool == "optimize_order_quantities")
                .map(|(c, e)| (warehouse(c), e))
                .collect();
            let mut totals = Totals::default();
            for (call, envelope) in plan.calls.iter().zip(&envelopes) {
                let wh = warehouse(call);
                match call.tool {
                    "calculate_reorder_points" => {
                        if reorder_asked {
                            let window = query
                                .horizon_days
                                .filter(|d| *d <= 31 && !wants.contains(&Intent::Forecast));
                            describe::reorder(
                                &mut answer,
                                &wh,
                                envelope,
                                quantities.get(&wh).copied(),
                                window,
                            );
                        }
                        if wants.contains(&Intent::SafetyStock) {
                            describe::safety_stock(
                                &mut answer,
                                &wh,
                                envelope,
                                query,
                                &mut totals.safety,
                            );
                        }
                    }
                    "optimize_order_quantities" => {
                        if reorder_asked && !wants.contains(&Intent::OrderQuantity) {
                            // The order quantities fill the reorder table; only a
                            // failure is told on its own.
                            if !envelope.success {
                                answer.report_failure(
                                    envelope,
                                    &format!("compute order quantities for {wh}"),
                                );
                            }
                        } else {
                            describe::quantities(&mut answer, &wh, envelope, query);
                        }
                    }
                    "optimize_inventory_policy" => {
                        let sku = call.input["sku"].as_str().unwrap_or("?");
                        describe::policy(&mut answer, &wh, sku, envelope);
                    }
                    "forecast_demand" => {
                        let sku = call.input["sku"].as_str().unwrap_or("?");
                        describe::forecast(&mut answer, &wh, sku, envelope);
                    }
                    "forecast_demand_total" => {
                        describe_more::forecast_total(&mut answer, call, envelope, query)
                    }
                    "assess_stock_cover" => {
                        describe_more::cover(&mut answer, &wh, envelope, query, &mut totals.excess)
                    }
                    "what_if_reorder" => describe_more::what_if(
                        &mut answer,
                        &wh,
                        envelope,
                        query,
                        &mut totals.what_if,
                    ),
                    _ => {}
                }
            }
            totals.headline(&mut answer);
            for note in plan.notes {
                answer.say(note);
            }
            answer.envelopes = envelopes;
            answer
        })
    }
}

/// Sums over warehouses, for a headline when several were asked about.
#[derive(Default)]
pub(crate) struct Totals {
    /// (warehouse, units) of safety stock, and the service level wording.
    pub safety: Vec<(String, f64, String)>,
    /// (warehouse, units, value) of excess stock.
    pub excess: Vec<(String, f64, f64)>,
    /// (warehouse, safety stock before, after).
    pub what_if: Vec<(String, f64, f64)>,
}

impl Totals {
    fn headline(&self, answer: &mut AgentAnswer) {
        if self.safety.len() > 1 {
            let total: f64 = self.safety.iter().map(|s| s.1).sum();
            let parts: Vec<String> = self
                .safety
                .iter()
                .map(|(wh, u, _)| format!("{wh} {}", fmt(*u)))
                .collect();
            answer.lines.insert(
                0,
                format!(
                    "Safety stock totals {} units across {} warehouses ({}) at {}.",
                    fmt(total),
                    self.safety.len(),
                    parts.join(", "),
                    self.safety[0].2
                ),
            );
        }
        if self.excess.len() > 1 {
            let units: f64 = self.excess.iter().map(|s| s.1).sum();
            let value: f64 = self.excess.iter().map(|s| s.2).sum();
            let parts: Vec<String> = self
                .excess
                .iter()
                .map(|(wh, _, v)| format!("{wh} {}", fmt(*v)))
                .collect();
            answer.lines.insert(
                0,
                format!(
                    "Excess stock totals {} units worth {} across {} warehouses ({}).",
                    fmt(units),
                    fmt(value),
                    self.excess.len(),
                    parts.join(", ")
                ),
            );
        }
        if self.what_if.len() > 1 {
            let before: f64 = self.what_if.iter().map(|s| s.1).sum();
            let after: f64 = self.what_if.iter().map(|s| s.2).sum();
            answer.lines.insert(
                0,
                format!(
                    "Across {} warehouses, safety stock would go from {} to {} units ({}).",
                    self.what_if.len(),
                    fmt(before),
                    fmt(after),
                    change(before, after)
                ),
            );
        }
    }
}

/// A change in percent, signed ("+41.4%").
pub(crate) fn change(before: f64, after: f64) -> String {
    if before.abs() < 1e-9 {
        return if after.abs() < 1e-9 {
            "no change".to_owned()
        } else {
            "from zero".to_owned()
        };
    }
    format!("{:+.1}%", (after - before) / before * 100.0)
}

/// The rank asked for, when it ranks by one of `measures`.
pub(crate) fn rank_by(query: &Query, measures: &[Measure]) -> Option<(Measure, Order, usize)> {
    query
        .rank
        .filter(|r| measures.contains(&r.measure))
        .map(|r| (r.measure, r.order, r.top))
}

/// The SKUs of a `calculate_reorder_points` result that must be reordered now.
pub fn reorder_now(result: &Value) -> Vec<&Value> {
    result["items"]
        .as_array()
        .map(|items| items.iter().filter(|i| i["reorder_now"] == true).collect())
        .unwrap_or_default()
}

impl Specialist for InventoryAgent {
    fn with_executor(executor: Executor, catalog: Arc<Catalog>) -> Self {
        Self::new(executor, catalog)
    }
}
