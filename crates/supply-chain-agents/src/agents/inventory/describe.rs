//! Inventory answers from reorder points, order quantities, policies and forecasts.

use serde_json::{json, Value};
use toolexec::Envelope;

use super::{rank_by, reorder_now};
use crate::answer::{cell, fmt, num, pct, AgentAnswer, AnswerTable};
use crate::query::{Measure, Order, Query};

/// SKUs named in the sentence; the table lists them all.
const MOST_URGENT: usize = 10;

/// Inventory position as a fraction of the reorder point: lower is more urgent.
fn urgency(item: &Value) -> f64 {
    let position = num(item, "/inventory_position").unwrap_or(0.0);
    let rop = num(item, "/reorder_point").unwrap_or(0.0);
    if rop > 0.0 {
        position / rop
    } else {
        f64::MAX
    }
}

fn levels(result: &Value) -> String {
    let levels: Vec<f64> = result["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| num(i, "/service_level"))
        .collect();
    let (low, high) = levels
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), l| (lo.min(*l), hi.max(*l)));
    if levels.is_empty() {
        "the default service level".to_owned()
    } else if (high - low).abs() < 1e-9 {
        format!("{} cycle service level", pct(low))
    } else {
        format!("cycle service levels {} to {}", pct(low), pct(high))
    }
}

/// Days until an item's position falls to its reorder point at mean demand (0 when it
/// is there already).
fn days_to_reorder(item: &Value) -> Option<f64> {
    let position = num(item, "/inventory_position")?;
    let rop = num(item, "/reorder_point")?;
    let demand = num(item, "/mean_daily_demand")?;
    if position <= rop {
        Some(0.0)
    } else if demand > 0.0 {
        Some((position - rop) / demand)
    } else {
        None
    }
}

/// Which SKUs to order now, or within `window` days.
pub(super) fn reorder(
    answer: &mut AgentAnswer,
    wh: &str,
    envelope: &Envelope,
    eoq: Option<&Envelope>,
    window: Option<u32>,
) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("compute reorder points for {wh}"));
    };
    let total = result["items"].as_array().map_or(0, Vec::len);
    let now = reorder_now(result).len();
    let mut due: Vec<&Value> = result["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| match window {
            Some(days) => days_to_reorder(i).is_some_and(|d| d <= f64::from(days)),
            None => i["reorder_now"] == true,
        })
        .collect();
    let eoq_of = |sku: &str| -> Option<f64> {
        eoq.and_then(|e| e.result.as_ref())
            .and_then(|r| r["items"].as_array())
            .and_then(|items| items.iter().find(|i| i["sku"] == sku))
            .and_then(|i| num(i, "/order_quantity_rounded"))
    };
    let level = levels(result);
    if due.is_empty() {
        let when = window.map_or("now".to_owned(), |d| format!("within {d} days"));
        answer.say(format!(
            "{wh}: none of the {total} SKUs reaches its reorder point {when} ({level}); nothing to order."
        ));
        return;
    }
    due.sort_by(|a, b| urgency(a).total_cmp(&urgency(b)));
    let shown: Vec<String> = due
        .iter()
        .take(MOST_URGENT)
        .map(|i| {
            let sku = i["sku"].as_str().unwrap_or("?");
            let position = num(i, "/inventory_position").unwrap_or(0.0);
            let rop = num(i, "/reorder_point").unwrap_or(0.0);
            let relation = if position <= rop { "<=" } else { ">" };
            match eoq_of(sku) {
                Some(q) => format!(
                    "{sku} (position {} {relation} reorder point {}; order {} units)",
                    fmt(position),
                    fmt(rop),
                    fmt(q)
                ),
                None => format!(
                    "{sku} (position {} {relation} reorder point {})",
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
    let headline = match window {
        Some(days) => format!(
            "{wh}: {} of {total} SKUs must be ordered within {days} days ({now} now, {} more reach their reorder point within {days} days at mean demand; {level}). Most urgent: {}{tail}.",
            due.len(),
            due.len().saturating_sub(now),
            shown.join(", ")
        ),
        None => format!(
            "{wh}: {} of {total} SKUs must be reordered now ({level}). Most urgent: {}{tail}.",
            due.len(),
            shown.join(", ")
        ),
    };
    answer.say(headline);
    let title = match window {
        Some(days) => format!("Order within {days} days at {wh}"),
        None => format!("Reorder now at {wh}"),
    };
    let mut table = AnswerTable::new(
        title,
        &[
            "sku",
            "on hand",
            "on order",
            "position",
            "safety stock",
            "reorder point",
            "order qty (EOQ)",
            "days to reorder point",
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
            days_to_reorder(item)
                .map(|d| cell(d, 1))
                .unwrap_or(Value::Null),
        ]);
    }
    answer.tables.push(table);
}

/// The safety stock of every SKU and its total.
pub(super) fn safety_stock(
    answer: &mut AgentAnswer,
    wh: &str,
    envelope: &Envelope,
    query: &Query,
    totals: &mut Vec<(String, f64, String)>,
) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("compute safety stock for {wh}"));
    };
    let mut items: Vec<&Value> = result["items"].as_array().into_iter().flatten().collect();
    let total: f64 = items.iter().filter_map(|i| num(i, "/safety_stock")).sum();
    items.sort_by(|a, b| {
        let s = |v: &Value| num(v, "/safety_stock").unwrap_or(0.0);
        s(b).total_cmp(&s(a))
    });
    let level = levels(result);
    let largest: Vec<String> = items
        .iter()
        .take(3)
        .map(|i| {
            format!(
                "{} {}",
                i["sku"].as_str().unwrap_or("?"),
                fmt(num(i, "/safety_stock").unwrap_or(0.0))
            )
        })
        .collect();
    let scope = if query.skus.len() == 1 {
        String::new()
    } else {
        format!(" for {} SKUs", items.len())
    };
    answer.say(format!(
        "{wh}: safety stock{scope} totals {} units at {level} (largest: {}).",
        fmt(total),
        largest.join(", ")
    ));
    totals.push((wh.to_owned(), total, level));
    let mut table = AnswerTable::new(
        format!("Safety stock at {wh} (largest first)"),
        &[
            "sku",
            "safety stock",
            "reorder point",
            "service level",
            "lead-time demand",
            "sd of lead-time demand",
        ],
    );
    for item in items {
        table.push(vec![
            item["sku"].clone(),
            item["safety_stock"].clone(),
            item["reorder_point"].clone(),
            item["service_level"].clone(),
            item["lead_time_demand"].clone(),
            item["lead_time_demand_std"].clone(),
        ]);
    }
    answer.tables.push(table);
}

/// Annual demand of an EOQ row: orders per year x order quantity.
fn annual_demand(item: &Value) -> f64 {
    num(item, "/orders_per_year").unwrap_or(0.0) * num(item, "/order_quantity").unwrap_or(0.0)
}

/// Order quantities, ranked when the question asks for a superlative.
pub(super) fn quantities(answer: &mut AgentAnswer, wh: &str, envelope: &Envelope, query: &Query) {
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
    let cost = |v: &Value| num(v, "/annual_inventory_cost").unwrap_or(0.0);
    let rank = rank_by(query, &[Measure::Movement, Measure::Cost]);
    match rank {
        Some((Measure::Movement, order, _)) => items.sort_by(|a, b| match order {
            Order::Most => annual_demand(b).total_cmp(&annual_demand(a)),
            Order::Least => annual_demand(a).total_cmp(&annual_demand(b)),
        }),
        Some((_, Order::Least, _)) => items.sort_by(|a, b| cost(a).total_cmp(&cost(b))),
        _ => items.sort_by(|a, b| cost(b).total_cmp(&cost(a))),
    }
    let shown = match rank {
        Some((measure, order, top)) => {
            let words = match (measure, order) {
                (Measure::Movement, Order::Most) => "fastest-moving",
                (Measure::Movement, Order::Least) => "slowest-moving",
                (_, Order::Most) => "most costly to stock",
                (_, Order::Least) => "least costly to stock",
            };
            let picked: Vec<&&Value> = items.iter().take(top).collect();
            if top == 1 {
                if let Some(item) = picked.first() {
                    answer.say(format!(
                        "The {words} item at {wh} is {} ({} units a year); its economic order quantity is {} units ({} orders a year, one every {} days, {} a year to order and hold).",
                        item["sku"].as_str().unwrap_or("?"),
                        fmt(annual_demand(item)),
                        fmt(num(item, "/order_quantity_rounded").unwrap_or(0.0)),
                        fmt(num(item, "/orders_per_year").unwrap_or(0.0)),
                        fmt(num(item, "/cycle_days").unwrap_or(0.0)),
                        fmt(cost(item)),
                    ));
                }
            } else {
                let list: Vec<String> = picked
                    .iter()
                    .map(|i| {
                        format!(
                            "{} (EOQ {} units, {} a year)",
                            i["sku"].as_str().unwrap_or("?"),
                            fmt(num(i, "/order_quantity_rounded").unwrap_or(0.0)),
                            fmt(annual_demand(i))
                        )
                    })
                    .collect();
                answer.say(format!(
                    "The {} {words} items at {wh}: {}.",
                    picked.len(),
                    list.join(", ")
                ));
            }
            top
        }
        None => {
            answer.say(format!(
                "{wh}: economic order quantities for {} SKUs; their ordering plus holding cost totals {} per year.",
                items.len(),
                fmt(total_cost)
            ));
            10
        }
    };
    let title = match rank {
        Some((Measure::Movement, Order::Most, _)) => {
            format!("Order quantities at {wh} (fastest-moving first)")
        }
        Some((Measure::Movement, Order::Least, _)) => {
            format!("Order quantities at {wh} (slowest-moving first)")
        }
        Some((_, Order::Least, _)) => {
            format!("Order quantities at {wh} (smallest annual cost first)")
        }
        _ => format!("Order quantities at {wh} (largest annual cost first)"),
    };
    let mut table = AnswerTable::new(
        title,
        &[
            "sku",
            "annual demand",
            "order qty",
            "orders/year",
            "cycle days",
            "annual cost",
        ],
    );
    for item in items.iter().take(shown.max(1)) {
        table.push(vec![
            item["sku"].clone(),
            cell(annual_demand(item), 0),
            item["order_quantity_rounded"].clone(),
            item["orders_per_year"].clone(),
            item["cycle_days"].clone(),
            item["annual_inventory_cost"].clone(),
        ]);
    }
    answer.tables.push(table);
}

/// The cheapest of the policies compared for one SKU.
pub(super) fn policy(answer: &mut AgentAnswer, wh: &str, sku: &str, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("compare policies for {sku} at {wh}"));
    };
    let policies = &result["policies"];
    let mut table = AnswerTable::new(
        format!("Inventory policies for {sku} at {wh}"),
        &["policy", "parameters", "annual cost"],
    );
    let mut costs = Vec::new();
    let p = |pointer: &str| {
        num(policies, pointer)
            .map(fmt)
            .unwrap_or_else(|| "?".into())
    };
    let candidates = [
        (
            "r_q",
            "(r, Q)",
            format!(
                "r = {}, Q = {}",
                p("/r_q/reorder_point"),
                p("/r_q/order_quantity")
            ),
            "/r_q/annual_total_cost",
        ),
        (
            "s_s",
            "(s, S)",
            format!(
                "s = {}, S = {}",
                p("/s_s/reorder_point"),
                p("/s_s/order_up_to")
            ),
            "/s_s/annual_total_cost",
        ),
        (
            "base_stock",
            "base stock",
            format!("order up to {}", p("/base_stock/base_stock_level")),
            "/base_stock/annual_total_cost",
        ),
    ];
    for (key, name, params, pointer) in candidates {
        if policies.get(key).is_none() {
            continue;
        }
        if let Some(cost) = num(policies, pointer) {
            table.push(vec![json!(name), json!(params.clone()), cell(cost, 2)]);
            costs.push((name, params, cost));
        }
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

/// One SKU's demand summary and forecast.
pub(super) fn forecast(answer: &mut AgentAnswer, wh: &str, sku: &str, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("forecast {sku} at {wh}"));
    };
    let s = |p: &str| num(result, p).unwrap_or(0.0);
    answer.say(format!(
        "{sku} at {wh}: the next {} days should need {} units ({} per day); demand averaged {} units/day (sample sd {}, CV {}) with a trend of {} units/day per day.",
        s("/forecast/horizon_days"),
        fmt(s("/forecast/total")),
        fmt(s("/forecast/mean_daily")),
        fmt(s("/summary/mean_daily")),
        fmt(s("/summary/std_daily")),
        fmt(s("/summary/coefficient_of_variation")),
        fmt(s("/summary/trend_per_day")),
    ));
}
