//! The inventory optimizer agent: reorder points, order quantities, inventory policies
//! and demand forecasts per warehouse and SKU.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{json, Value};
use toolexec::{Envelope, Executor, ToolCall};

use crate::agent::{Agent, Specialist};
use crate::answer::{cell, fmt, num, pct, AgentAnswer, AnswerTable};
use crate::catalog::Catalog;
use crate::query::{Intent, Query};

const INTENTS: &[Intent] = &[
    Intent::Reorder,
    Intent::OrderQuantity,
    Intent::InventoryPolicy,
    Intent::Forecast,
];

/// Answers inventory questions with `calculate_reorder_points`,
/// `optimize_order_quantities`, `optimize_inventory_policy` and `forecast_demand`.
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

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Reorder(String),
    Quantities(String),
    Policy(String, String),
    Forecast(String, String),
}

impl InventoryAgent {
    fn plan(&self, query: &Query) -> (Vec<Step>, Vec<ToolCall>) {
        let warehouses = self.catalog.warehouses_for(query);
        let mut wants = query.wanted(INTENTS, &[Intent::Reorder, Intent::OrderQuantity]);
        if wants.contains(&Intent::Reorder) && !wants.contains(&Intent::OrderQuantity) {
            wants.push(Intent::OrderQuantity);
        }
        let skus = json!(query.skus);
        let mut steps = Vec::new();
        let mut calls = Vec::new();
        for wh in &warehouses {
            for intent in &wants {
                match intent {
                    Intent::Reorder => {
                        let mut input = json!({"warehouse_code": wh});
                        if let Some(level) = query.service_level {
                            input["service_level"] = json!(level);
                        }
                        if !query.skus.is_empty() {
                            input["skus"] = skus.clone();
                        }
                        steps.push(Step::Reorder(wh.clone()));
                        calls.push(call(
                            "calculate_reorder_points",
                            input,
                            &format!("reorder-{wh}"),
                        ));
                    }
                    Intent::OrderQuantity => {
                        let mut input = json!({"warehouse_code": wh});
                        if !query.skus.is_empty() {
                            input["skus"] = skus.clone();
                        }
                        steps.push(Step::Quantities(wh.clone()));
                        calls.push(call(
                            "optimize_order_quantities",
                            input,
                            &format!("eoq-{wh}"),
                        ));
                    }
                    Intent::InventoryPolicy => {
                        for sku in &query.skus {
                            let mut input = json!({"warehouse_code": wh, "sku": sku});
                            if let Some(level) = query.service_level {
                                input["service_level"] = json!(level);
                            }
                            steps.push(Step::Policy(wh.clone(), sku.clone()));
                            calls.push(call(
                                "optimize_inventory_policy",
                                input,
                                &format!("policy-{wh}-{sku}"),
                            ));
                        }
                    }
                    Intent::Forecast => {
                        for sku in &query.skus {
                            let mut input = json!({"warehouse_code": wh, "sku": sku});
                            if let Some(days) = query.horizon_days {
                                input["horizon_days"] = json!(days.clamp(1, 365));
                            }
                            steps.push(Step::Forecast(wh.clone(), sku.clone()));
                            calls.push(call(
                                "forecast_demand",
                                input,
                                &format!("forecast-{wh}-{sku}"),
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        (steps, calls)
    }
}

fn call(tool: &str, input: Value, id: &str) -> ToolCall {
    ToolCall::new(tool, input).with_id(id)
}

impl Agent for InventoryAgent {
    fn name(&self) -> &'static str {
        "inventory optimizer"
    }

    fn description(&self) -> &'static str {
        "which SKUs to reorder now (safety stock, reorder points), order quantities (EOQ), \
         inventory policies for a SKU ((r, Q), (s, S), base stock), demand forecasts"
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
            let (steps, calls) = self.plan(query);
            let wants_sku = query.intents.contains(&Intent::InventoryPolicy)
                || query.intents.contains(&Intent::Forecast);
            if wants_sku && query.skus.is_empty() {
                let example = self.catalog.skus.iter().next().cloned().unwrap_or_default();
                answer.say(format!(
                    "Policies and forecasts are per SKU: name one, e.g. \"forecast demand for {example} at WH001\"."
                ));
            }
            let envelopes = self.run_tools(calls).await;
            let quantities: BTreeMap<String, &Envelope> = steps
                .iter()
                .zip(&envelopes)
                .filter_map(|(step, e)| match step {
                    Step::Quantities(wh) => Some((wh.clone(), e)),
                    _ => None,
                })
                .collect();
            let reorder_asked = steps.iter().any(|s| matches!(s, Step::Reorder(_)));
            for (step, envelope) in steps.iter().zip(&envelopes) {
                match step {
                    Step::Reorder(wh) => {
                        describe_reorder(&mut answer, wh, envelope, quantities.get(wh).copied())
                    }
                    Step::Quantities(wh) if !reorder_asked => {
                        describe_quantities(&mut answer, wh, envelope)
                    }
                    Step::Quantities(wh) => {
                        if !envelope.success {
                            answer.report_failure(
                                envelope,
                                &format!("compute order quantities for {wh}"),
                            );
                        }
                    }
                    Step::Policy(wh, sku) => describe_policy(&mut answer, wh, sku, envelope),
                    Step::Forecast(wh, sku) => describe_forecast(&mut answer, wh, sku, envelope),
                }
            }
            answer.envelopes = envelopes;
            answer
        })
    }
}

/// The SKUs of a `calculate_reorder_points` result that must be reordered now.
pub fn reorder_now(result: &Value) -> Vec<&Value> {
    result["items"]
        .as_array()
        .map(|items| items.iter().filter(|i| i["reorder_now"] == true).collect())
        .unwrap_or_default()
}

/// SKUs named in the sentence; the table lists them all.
const MOST_URGENT: usize = 10;

/// Inventory position as a fraction of the reorder point: lower is more urgent.
fn cover(item: &Value) -> f64 {
    let position = num(item, "/inventory_position").unwrap_or(0.0);
    let rop = num(item, "/reorder_point").unwrap_or(0.0);
    if rop > 0.0 {
        position / rop
    } else {
        f64::MAX
    }
}

fn describe_reorder(
    answer: &mut AgentAnswer,
    wh: &str,
    envelope: &Envelope,
    eoq: Option<&Envelope>,
) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("compute reorder points for {wh}"));
    };
    let total = result["items"].as_array().map_or(0, Vec::len);
    let due = reorder_now(result);
    let eoq_of = |sku: &str| -> Option<f64> {
        eoq.and_then(|e| e.result.as_ref())
            .and_then(|r| r["items"].as_array())
            .and_then(|items| items.iter().find(|i| i["sku"] == sku))
            .and_then(|i| num(i, "/order_quantity_rounded"))
    };
    let levels: Vec<f64> = result["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| num(i, "/service_level"))
        .collect();
    let (low, high) = levels
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), l| (lo.min(*l), hi.max(*l)));
    let level = if levels.is_empty() {
        "the default service level".to_owned()
    } else if (high - low).abs() < 1e-9 {
        format!("{} cycle service level", pct(low))
    } else {
        format!("cycle service levels {} to {}", pct(low), pct(high))
    };
    if due.is_empty() {
        answer.say(format!(
            "{wh}: none of the {total} SKUs is at or below its reorder point ({level}); nothing to reorder now."
        ));
        return;
    }
    let mut due = due;
    due.sort_by(|a, b| cover(a).total_cmp(&cover(b)));
    let shown: Vec<String> = due
        .iter()
        .take(MOST_URGENT)
        .map(|i| {
            let sku = i["sku"].as_str().unwrap_or("?");
            let position = num(i, "/inventory_position").unwrap_or(0.0);
            let rop = num(i, "/reorder_point").unwrap_or(0.0);
            match eoq_of(sku) {
                Some(q) => format!(
                    "{sku} (position {} <= reorder point {}; order {} units)",
                    fmt(position),
                    fmt(rop),
                    fmt(q)
                ),
                None => format!(
                    "{sku} (position {} <= reorder point {})",
                    fmt(position),
                    fmt(rop)
                ),
            }
        })
        .collect();
    let more = due.len().saturating_sub(MOST_URGENT);
    let tail = if more > 0 {
        format!("; {more} more in the table")
    } else {
        String::new()
    };
    answer.say(format!(
        "{wh}: {} of {total} SKUs must be reordered now ({level}). Most urgent: {}{tail}.",
        due.len(),
        shown.join(", ")
    ));
    let mut table = AnswerTable::new(
        format!("Reorder now at {wh}"),
        &[
            "sku",
            "on hand",
            "on order",
            "position",
            "safety stock",
            "reorder point",
            "order qty (EOQ)",
        ],
    );
    for item in due {
        let sku = item["sku"].as_str().unwrap_or("?");
        table.push(vec![
            json!(sku),
            item["on_hand"].clone(),
            item["on_order"].clone(),
            item["inventory_position"].clone(),
            item["safety_stock"].clone(),
            item["reorder_point"].clone(),
            eoq_of(sku).map(|q| json!(q)).unwrap_or(Value::Null),
        ]);
    }
    answer.tables.push(table);
}

fn describe_quantities(answer: &mut AgentAnswer, wh: &str, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("compute order quantities for {wh}"));
    };
    let mut items: Vec<&Value> = result["items"]
        .as_array()
        .map(|i| i.iter().collect())
        .unwrap_or_default();
    let total_cost: f64 = items
        .iter()
        .filter_map(|i| num(i, "/annual_inventory_cost"))
        .sum();
    answer.say(format!(
        "{wh}: economic order quantities for {} SKUs; their ordering plus holding cost totals {} per year.",
        items.len(),
        fmt(total_cost)
    ));
    items.sort_by(|a, b| {
        let cost = |v: &Value| num(v, "/annual_inventory_cost").unwrap_or(0.0);
        cost(b).total_cmp(&cost(a))
    });
    let mut table = AnswerTable::new(
        format!("Order quantities at {wh} (largest annual cost first)"),
        &[
            "sku",
            "order qty",
            "orders/year",
            "cycle days",
            "annual cost",
        ],
    );
    for item in items.iter().take(10) {
        table.push(vec![
            item["sku"].clone(),
            item["order_quantity_rounded"].clone(),
            item["orders_per_year"].clone(),
            item["cycle_days"].clone(),
            item["annual_inventory_cost"].clone(),
        ]);
    }
    answer.tables.push(table);
}

fn describe_policy(answer: &mut AgentAnswer, wh: &str, sku: &str, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("compare policies for {sku} at {wh}"));
    };
    let policies = &result["policies"];
    let mut table = AnswerTable::new(
        format!("Inventory policies for {sku} at {wh}"),
        &["policy", "parameters", "annual cost"],
    );
    let mut costs = Vec::new();
    let mut add = |name: &str, params: String, cost: Option<f64>| {
        if let Some(cost) = cost {
            costs.push((name.to_owned(), params.clone(), cost));
            table.push(vec![json!(name), json!(params), cell(cost, 2)]);
        }
    };
    let p = |pointer: &str| {
        num(policies, pointer)
            .map(fmt)
            .unwrap_or_else(|| "?".into())
    };
    if policies.get("r_q").is_some() {
        add(
            "(r, Q)",
            format!(
                "r = {}, Q = {}",
                p("/r_q/reorder_point"),
                p("/r_q/order_quantity")
            ),
            num(policies, "/r_q/annual_total_cost"),
        );
    }
    if policies.get("s_s").is_some() {
        add(
            "(s, S)",
            format!(
                "s = {}, S = {}",
                p("/s_s/reorder_point"),
                p("/s_s/order_up_to")
            ),
            num(policies, "/s_s/annual_total_cost"),
        );
    }
    if policies.get("base_stock").is_some() {
        add(
            "base stock",
            format!("order up to {}", p("/base_stock/base_stock_level")),
            num(policies, "/base_stock/annual_total_cost"),
        );
    }
    if let Some((name, params, cost)) = costs.iter().min_by(|a, b| a.2.total_cmp(&b.2)) {
        answer.say(format!(
            "{sku} at {wh}: the cheapest policy is {name} with {params}, expected cost {} per year.",
            fmt(*cost)
        ));
    }
    if let Some(total) = num(policies, "/wagner_whitin/total_cost") {
        let lots = policies["wagner_whitin"]["lots"]
            .as_array()
            .map_or(0, Vec::len);
        answer.say(format!(
            "{sku} at {wh}: Wagner-Whitin lot sizing over the forecast orders {lots} times at a total cost of {}.",
            fmt(total)
        ));
    }
    answer.tables.push(table);
}

fn describe_forecast(answer: &mut AgentAnswer, wh: &str, sku: &str, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("forecast {sku} at {wh}"));
    };
    let s = |p: &str| num(result, p).unwrap_or(0.0);
    answer.say(format!(
        "{sku} at {wh}: demand averaged {} units/day (sample sd {}, CV {}) with a trend of {} units/day per day; the next {} days should need {} units ({} per day).",
        fmt(s("/summary/mean_daily")),
        fmt(s("/summary/std_daily")),
        fmt(s("/summary/coefficient_of_variation")),
        fmt(s("/summary/trend_per_day")),
        s("/forecast/horizon_days"),
        fmt(s("/forecast/total")),
        fmt(s("/forecast/mean_daily")),
    ));
}

impl Specialist for InventoryAgent {
    fn with_executor(executor: Executor, catalog: Arc<Catalog>) -> Self {
        Self::new(executor, catalog)
    }
}
