//! `calculate_reorder_points`: safety stock, reorder point and whether to order now.

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{not_found, one_source, store_error, to_json, RunContext, ToolDef};
use crate::input::{
    at_most_items, int_within, items_within, non_negative, non_negative_at_most, open_probability,
    parse, positive, positive_at_most, round,
};
use crate::inventory::forecast::mean_std;
use crate::inventory::safety_stock::{reorder_point, ReorderInput};
use crate::limits::{MAX_DAYS, MAX_ITEMS};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "calculate_reorder_points",
    group: "inventory_optimizer",
    description: "Safety stock and reorder point per item for continuous review, and whether to \
        reorder now (inventory position = on_hand + on_order <= reorder point). Give \
        `warehouse_code` (demand statistics from the last `history_days` days of history, default \
        90; lead times from the inventory table) or inline `items`. Conventions: rates per day; \
        service level is the cycle service level (probability of no stockout per cycle, z = \
        normal quantile) unless both stockout_cost and holding_cost (per unit, per cycle) are \
        given, then the critical ratio p/(p+h); sigma_LTD = sqrt(L sd^2 + d^2 sL^2) with the \
        sample standard deviation of daily demand; safety stock and reorder point rounded up to \
        whole units (exact values also given).",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "warehouse_code": {"type": "string", "description": "e.g. WH001"},
            "skus": {"type": "array", "maxItems": MAX_ITEMS, "items": {"type": "string"},
                "description": "limit to these SKUs (database mode)"},
            "history_days": {"type": "integer", "minimum": 7, "maximum": 730, "default": 90},
            "service_level": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1,
                "description": "overrides every item's service level"},
            "items": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS, "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["sku", "mean_daily_demand", "std_daily_demand", "lead_time_days"],
                "properties": {
                    "sku": {"type": "string"},
                    "mean_daily_demand": {"type": "number", "minimum": 0},
                    "std_daily_demand": {"type": "number", "minimum": 0},
                    "lead_time_days": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_DAYS},
                    "std_lead_time_days": {"type": "number", "minimum": 0, "maximum": MAX_DAYS, "default": 0},
                    "service_level": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.95},
                    "on_hand": {"type": "number", "minimum": 0},
                    "on_order": {"type": "number", "minimum": 0, "default": 0},
                    "stockout_cost": {"type": "number", "exclusiveMinimum": 0},
                    "holding_cost": {"type": "number", "exclusiveMinimum": 0}
                }
            }}
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    warehouse_code: Option<String>,
    skus: Option<Vec<String>>,
    history_days: Option<usize>,
    service_level: Option<f64>,
    items: Option<Vec<Item>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    sku: String,
    mean_daily_demand: f64,
    std_daily_demand: f64,
    lead_time_days: f64,
    #[serde(default)]
    std_lead_time_days: f64,
    service_level: Option<f64>,
    on_hand: Option<f64>,
    #[serde(default)]
    on_order: f64,
    stockout_cost: Option<f64>,
    holding_cost: Option<f64>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    if let Some(items) = &req.items {
        items_within("items", items, MAX_ITEMS)?;
    }
    if let Some(skus) = &req.skus {
        at_most_items("skus", skus, MAX_ITEMS)?;
    }
    if let Some(days) = req.history_days {
        int_within("history_days", days, 7, 730)?;
    }
    one_source(
        ("warehouse_code", req.warehouse_code.is_some()),
        ("items", req.items.is_some()),
    )?;
    if let Some(level) = req.service_level {
        open_probability("service_level", level)?;
    }
    let items = match (&req.warehouse_code, req.items) {
        (_, Some(items)) => items,
        (Some(code), None) => items_from_store(store, code, req.skus.as_deref(), req.history_days)?,
        (None, None) => Vec::new(),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(evaluate(item, req.service_level, &format!("items[{i}]"))?);
    }
    let reorder_count = out
        .iter()
        .filter(|v| v["reorder_now"] == json!(true))
        .count();
    Ok(json!({
        "warehouse_code": req.warehouse_code,
        "conventions": {
            "time_unit": "day",
            "service_level": "cycle service level (no stockout per replenishment cycle) unless stockout_cost and holding_cost give the critical ratio p/(p+h)",
            "demand_std": "sample standard deviation (n-1) of daily demand",
            "rounding": "safety_stock and reorder_point rounded up to whole units"
        },
        "items": out,
        "summary": {"items": items.len(), "reorder_now": reorder_count}
    }))
}

fn items_from_store(
    store: &Store,
    code: &str,
    skus: Option<&[String]>,
    history_days: Option<usize>,
) -> Result<Vec<Item>, ToolError> {
    let days = history_days.unwrap_or(90);
    if !(7..=730).contains(&days) {
        return Err(ToolError::invalid_input(
            "history_days",
            "must be between 7 and 730",
        ));
    }
    let positions = store.inventory(code).map_err(store_error)?;
    if positions.is_empty() {
        return Err(not_found(format!(
            "warehouse {code} has no inventory (unknown code?)"
        )));
    }
    let histories = store.demand_histories(code, days).map_err(store_error)?;
    let mut items = Vec::new();
    for p in positions {
        if skus.is_some_and(|list| !list.contains(&p.sku)) {
            continue;
        }
        let (mean, std) = mean_std(histories.get(&p.sku).map_or(&[][..], |h| h.as_slice()));
        items.push(Item {
            sku: p.sku,
            mean_daily_demand: mean,
            std_daily_demand: std,
            lead_time_days: p.lead_time_days,
            std_lead_time_days: p.std_lead_time_days,
            service_level: Some(p.service_level),
            on_hand: Some(p.on_hand),
            on_order: p.on_order,
            stockout_cost: None,
            holding_cost: None,
        });
    }
    if let Some(list) = skus {
        if let Some(missing) = list.iter().find(|s| !items.iter().any(|i| &i.sku == *s)) {
            return Err(not_found(format!("SKU {missing} is not stocked at {code}")));
        }
    }
    Ok(items)
}

fn evaluate(item: &Item, override_level: Option<f64>, at: &str) -> Result<Value, ToolError> {
    let f = |name: &str| format!("{at}.{name}");
    non_negative(&f("mean_daily_demand"), item.mean_daily_demand)?;
    non_negative(&f("std_daily_demand"), item.std_daily_demand)?;
    positive_at_most(&f("lead_time_days"), item.lead_time_days, MAX_DAYS)?;
    non_negative_at_most(&f("std_lead_time_days"), item.std_lead_time_days, MAX_DAYS)?;
    non_negative(&f("on_order"), item.on_order)?;
    if let Some(v) = item.on_hand {
        non_negative(&f("on_hand"), v)?;
    }
    let (level, source) = match (override_level, item.stockout_cost, item.holding_cost) {
        (Some(level), _, _) => (level, "override"),
        (None, Some(p), Some(h)) => {
            positive(&f("stockout_cost"), p)?;
            positive(&f("holding_cost"), h)?;
            (p / (p + h), "critical_ratio")
        }
        (None, _, _) => match item.service_level {
            Some(level) => (open_probability(&f("service_level"), level)?, "given"),
            None => (0.95, "default"),
        },
    };
    let rp = reorder_point(&ReorderInput {
        mean_daily_demand: item.mean_daily_demand,
        std_daily_demand: item.std_daily_demand,
        lead_time_days: item.lead_time_days,
        std_lead_time_days: item.std_lead_time_days,
        service_level: level,
    });
    let rop = rp.reorder_point.ceil();
    let position = item.on_hand.map(|h| h + item.on_order);
    let result = json!({
        "sku": item.sku,
        "service_level": round(level, 4),
        "service_level_source": source,
        "z": round(rp.z, 4),
        "mean_daily_demand": round(item.mean_daily_demand, 3),
        "std_daily_demand": round(item.std_daily_demand, 3),
        "lead_time_days": item.lead_time_days,
        "std_lead_time_days": item.std_lead_time_days,
        "lead_time_demand": round(rp.lead_time_demand, 2),
        "lead_time_demand_std": round(rp.lead_time_demand_std, 3),
        "safety_stock": rp.safety_stock.ceil(),
        "safety_stock_exact": round(rp.safety_stock, 3),
        "reorder_point": rop,
        "reorder_point_exact": round(rp.reorder_point, 3),
        "on_hand": item.on_hand,
        "on_order": item.on_order,
        "inventory_position": position,
        "reorder_now": position.map(|p| p <= rop),
    });
    to_json(&result)
}
