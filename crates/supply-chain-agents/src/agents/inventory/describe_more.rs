//! Inventory answers from summed forecasts, stock cover and what-if recomputations.

use serde_json::Value;
use toolexec::Envelope;

use super::{change, rank_by};
use crate::answer::{fmt, num, AgentAnswer, AnswerTable};
use crate::planner::rules::PlannedCall;
use crate::query::{Measure, Order, Query};

/// A forecast summed over a warehouse or category.
pub(super) fn forecast_total(
    answer: &mut AgentAnswer,
    call: &PlannedCall,
    envelope: &Envelope,
    query: &Query,
) {
    let mut scope = String::new();
    if let Some(category) = call.input["category"].as_str() {
        scope.push_str(&format!(" for {category}"));
    }
    match call.input["warehouse_code"].as_str() {
        Some(wh) => scope.push_str(&format!(" at {wh}")),
        None => scope.push_str(" across every warehouse"),
    }
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("forecast demand{scope}"));
    };
    let items: Vec<&Value> = result["items"].as_array().into_iter().flatten().collect();
    let mut line = format!(
        "Forecast demand{scope} over the next {} days: {} units ({} per day) over {} SKU-warehouse pairs",
        result["horizon_days"],
        fmt(num(result, "/total").unwrap_or(0.0)),
        fmt(num(result, "/mean_daily").unwrap_or(0.0)),
        items.len(),
    );
    if let Some(by) = result["by_warehouse"].as_object().filter(|m| m.len() > 1) {
        let parts: Vec<String> = by
            .iter()
            .map(|(wh, v)| format!("{wh} {}", fmt(v.as_f64().unwrap_or(0.0))))
            .collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    line.push('.');
    answer.say(line);
    let (order, top) = match rank_by(query, &[Measure::Movement, Measure::Overall]) {
        Some((_, order, top)) => (order, top),
        None => (Order::Most, 10),
    };
    let mut ranked = items.clone();
    if order == Order::Least {
        ranked.reverse();
    }
    let mut table = AnswerTable::new(
        format!(
            "Forecast{scope} ({} first)",
            if order == Order::Most {
                "largest"
            } else {
                "smallest"
            }
        ),
        &["sku", "warehouse", "category", "forecast units"],
    );
    for item in ranked.iter().take(top) {
        table.push(vec![
            item["sku"].clone(),
            item["warehouse_code"].clone(),
            item["category"].clone(),
            item["total"].clone(),
        ]);
    }
    answer.tables.push(table);
}

/// Days of cover and excess stock.
pub(super) fn cover(
    answer: &mut AgentAnswer,
    wh: &str,
    envelope: &Envelope,
    query: &Query,
    totals: &mut Vec<(String, f64, f64)>,
) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("assess stock cover at {wh}"));
    };
    let mut items: Vec<&Value> = result["items"].as_array().into_iter().flatten().collect();
    let units = num(result, "/summary/excess_units").unwrap_or(0.0);
    let value = num(result, "/summary/excess_value").unwrap_or(0.0);
    let with_excess = result["summary"]["items_with_excess"].as_u64().unwrap_or(0);
    let mut covers: Vec<f64> = items
        .iter()
        .filter_map(|i| num(i, "/days_of_cover"))
        .collect();
    covers.sort_by(f64::total_cmp);
    let median = covers.get(covers.len() / 2).copied();
    let by_cover = rank_by(query, &[Measure::Cover]).is_some()
        || (query
            .evidence
            .get(&crate::Intent::StockCover)
            .is_some_and(|e| e.contains("cover") || e.contains("last") || e.contains("how long"))
            && rank_by(query, &[Measure::Excess]).is_none());
    let cover_of = |v: &Value| num(v, "/days_of_cover").unwrap_or(f64::MAX);
    let excess_of = |v: &Value| num(v, "/excess_value").unwrap_or(0.0);
    let top = query.rank.map_or(if by_cover { 10 } else { 25 }, |r| r.top);
    if by_cover {
        items.sort_by(|a, b| cover_of(a).total_cmp(&cover_of(b)));
        let list: Vec<String> = items
            .iter()
            .take(top.min(5))
            .map(|i| {
                format!(
                    "{} {} days",
                    i["sku"].as_str().unwrap_or("?"),
                    num(i, "/days_of_cover").map_or("no demand".to_owned(), fmt)
                )
            })
            .collect();
        let one = if query.skus.len() == 1 {
            items
                .first()
                .map(|i| num(i, "/days_of_cover").map_or("no finite".to_owned(), fmt))
        } else {
            None
        };
        match one {
            Some(days) => answer.say(format!(
                "{wh}: {} has {days} days of cover on hand at mean demand.",
                query.skus[0]
            )),
            None => answer.say(format!(
                "{wh}: median cover is {} days over {} SKUs; the least: {}.",
                median.map_or("?".to_owned(), fmt),
                items.len(),
                list.join(", ")
            )),
        }
    } else {
        items.sort_by(|a, b| excess_of(b).total_cmp(&excess_of(a)));
        answer.say(format!(
            "{wh}: {with_excess} of {} SKUs hold stock above their (r, Q) policy maximum: {} excess units worth {}; median cover {} days.",
            items.len(), fmt(units), fmt(value), median.map_or("?".to_owned(), fmt)
        ));
    }
    totals.push((wh.to_owned(), units, value));
    let mut table = AnswerTable::new(
        if by_cover {
            format!("Days of cover at {wh} (least first)")
        } else {
            format!("Excess stock at {wh} (largest value first)")
        },
        &[
            "sku",
            "on hand",
            "position",
            "days of cover",
            "policy max",
            "excess units",
            "excess value",
        ],
    );
    for item in items
        .iter()
        .filter(|i| by_cover || excess_of(i) > 0.0)
        .take(top)
    {
        table.push(vec![
            item["sku"].clone(),
            item["on_hand"].clone(),
            item["inventory_position"].clone(),
            item["days_of_cover"].clone(),
            item["policy_max"].clone(),
            item["excess_units"].clone(),
            item["excess_value"].clone(),
        ]);
    }
    answer.tables.push(table);
}

fn changes_words(changes: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(f) = num(changes, "/lead_time_factor") {
        parts.push(format!("lead times x{}", fmt(f)));
    }
    if let Some(d) = num(changes, "/lead_time_add_days") {
        parts.push(format!("lead times {:+} days", d));
    }
    if let Some(f) = num(changes, "/demand_factor") {
        parts.push(format!("demand x{}", fmt(f)));
    }
    if let Some(level) = num(changes, "/service_level") {
        parts.push(format!("a {:.1}% service level", level * 100.0));
    }
    parts.join(" and ")
}

/// Before and after a what-if change.
pub(super) fn what_if(
    answer: &mut AgentAnswer,
    wh: &str,
    envelope: &Envelope,
    query: &Query,
    totals: &mut Vec<(String, f64, f64)>,
) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("recompute the what-if at {wh}"));
    };
    let s = |p: &str| num(result, p).unwrap_or(0.0);
    let (before, after) = (
        s("/summary/safety_stock_before"),
        s("/summary/safety_stock_after"),
    );
    let mut items: Vec<&Value> = result["items"].as_array().into_iter().flatten().collect();
    let eoq = |i: &Value, side: &str| num(i, &format!("/{side}/order_quantity")).unwrap_or(0.0);
    let eoq_before: f64 = items.iter().map(|i| eoq(i, "before")).sum();
    let eoq_after: f64 = items.iter().map(|i| eoq(i, "after")).sum();
    let mut line = format!(
        "{wh}: with {}, safety stock for {} SKUs goes from {} to {} units ({}), worth {} -> {}",
        changes_words(&result["changes"]),
        items.len(),
        fmt(before),
        fmt(after),
        change(before, after),
        fmt(s("/summary/safety_stock_value_before")),
        fmt(s("/summary/safety_stock_value_after")),
    );
    if (eoq_after - eoq_before).abs() > 0.5 {
        line.push_str(&format!(
            "; order quantities sum {} -> {} units ({})",
            fmt(eoq_before),
            fmt(eoq_after),
            change(eoq_before, eoq_after)
        ));
    }
    line.push('.');
    answer.say(line);
    totals.push((wh.to_owned(), before, after));
    let delta = |i: &Value| num(i, "/safety_stock_change").unwrap_or(0.0).abs();
    items.sort_by(|a, b| delta(b).total_cmp(&delta(a)));
    let mut table = AnswerTable::new(
        format!("What-if at {wh} (largest change first)"),
        &[
            "sku",
            "safety stock before",
            "after",
            "reorder point before",
            "after",
            "EOQ before",
            "after",
        ],
    );
    for item in items.iter().take(query.rank.map_or(25, |r| r.top)) {
        table.push(vec![
            item["sku"].clone(),
            item["before"]["safety_stock"].clone(),
            item["after"]["safety_stock"].clone(),
            item["before"]["reorder_point"].clone(),
            item["after"]["reorder_point"].clone(),
            item["before"]["order_quantity"].clone(),
            item["after"]["order_quantity"].clone(),
        ]);
    }
    answer.tables.push(table);
}
