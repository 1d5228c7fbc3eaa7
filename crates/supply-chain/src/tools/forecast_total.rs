//! `forecast_demand_total`: demand forecasts summed over a warehouse, a category or
//! a list of SKUs, with the totals by warehouse, by category and by SKU.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{not_found, store_error, to_json, RunContext, ToolDef};
use crate::input::{parse, round};
use crate::inventory::forecast::{forecast, Smoothing};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "forecast_demand_total",
    group: "inventory_optimizer",
    description: "Demand forecasts summed over a scope: one warehouse (`warehouse_code`) or \
        every warehouse (omit it), optionally one product `category` or a list of `skus`. Each \
        SKU at each warehouse is forecast exactly as forecast_demand does (Holt's linear \
        exponential smoothing with day-of-week indices, alpha 0.2, beta 0.05, on the last \
        `history_days` of history, default 365) for the next `horizon_days` (default 28), and \
        the forecasts are added up. Returns the grand total, totals by warehouse and by \
        category, and every SKU's total, largest first. Conventions: units; forecasts floored \
        at 0; totals rounded to 2 decimals.",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "warehouse_code": {"type": "string", "description": "omit for every warehouse"},
            "category": {"type": "string"},
            "skus": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "string"}},
            "horizon_days": {"type": "integer", "minimum": 1, "maximum": 365, "default": 28},
            "history_days": {"type": "integer", "minimum": 14, "maximum": 730, "default": 365}
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    warehouse_code: Option<String>,
    category: Option<String>,
    skus: Option<Vec<String>>,
    horizon_days: Option<usize>,
    history_days: Option<usize>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    let horizon = req.horizon_days.unwrap_or(28);
    if !(1..=365).contains(&horizon) {
        return Err(ToolError::invalid_input(
            "horizon_days",
            "must be between 1 and 365",
        ));
    }
    let days = req.history_days.unwrap_or(365);
    if !(14..=730).contains(&days) {
        return Err(ToolError::invalid_input(
            "history_days",
            "must be between 14 and 730",
        ));
    }
    let warehouses: Vec<String> = match &req.warehouse_code {
        Some(code) => {
            if store.warehouse(code).map_err(store_error)?.is_none() {
                return Err(not_found(format!("no warehouse {code}")));
            }
            vec![code.clone()]
        }
        None => store
            .warehouses()
            .map_err(store_error)?
            .into_iter()
            .map(|w| w.code)
            .collect(),
    };
    let category_of: BTreeMap<String, String> = store
        .products()
        .map_err(store_error)?
        .into_iter()
        .map(|p| (p.sku, p.category))
        .collect();
    if let Some(category) = &req.category {
        if !category_of.values().any(|c| c == category) {
            return Err(not_found(format!("no product category {category:?}")));
        }
    }
    if let Some(skus) = &req.skus {
        if let Some(unknown) = skus.iter().find(|s| !category_of.contains_key(*s)) {
            return Err(not_found(format!("no SKU {unknown}")));
        }
    }
    let wanted = |sku: &str| {
        req.skus
            .as_ref()
            .is_none_or(|list| list.iter().any(|s| s == sku))
            && req
                .category
                .as_ref()
                .is_none_or(|c| category_of.get(sku) == Some(c))
    };
    let mut items = Vec::new();
    let mut by_warehouse: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_category: BTreeMap<String, f64> = BTreeMap::new();
    for code in &warehouses {
        let histories = store.demand_histories(code, days).map_err(store_error)?;
        let mut skus: Vec<&String> = histories.keys().filter(|s| wanted(s)).collect();
        skus.sort();
        for sku in skus {
            let history = &histories[sku];
            if history.len() < 2 {
                continue;
            }
            let total = forecast(history, horizon, Smoothing::default()).total;
            *by_warehouse.entry(code.clone()).or_default() += total;
            let category = category_of.get(sku).cloned().unwrap_or_default();
            *by_category.entry(category.clone()).or_default() += total;
            items.push((sku.clone(), code.clone(), category, total));
        }
    }
    if items.is_empty() {
        return Err(not_found("no demand history in the scope asked for"));
    }
    items.sort_by(|a, b| b.3.total_cmp(&a.3).then_with(|| a.0.cmp(&b.0)));
    let total: f64 = items.iter().map(|i| i.3).sum();
    let totals = |map: BTreeMap<String, f64>| -> Value {
        map.into_iter()
            .map(|(k, v)| (k, json!(round(v, 2))))
            .collect::<serde_json::Map<String, Value>>()
            .into()
    };
    to_json(&json!({
        "warehouse_code": req.warehouse_code,
        "category": req.category,
        "horizon_days": horizon,
        "conventions": {"unit": "units over the horizon",
            "method": "Holt linear exponential smoothing with day-of-week indices, per SKU and warehouse, summed"},
        "total": round(total, 2),
        "mean_daily": round(total / horizon as f64, 3),
        "by_warehouse": totals(by_warehouse),
        "by_category": totals(by_category),
        "items": items.iter().map(|(sku, wh, category, total)| json!({
            "sku": sku, "warehouse_code": wh, "category": category, "total": round(*total, 2)
        })).collect::<Vec<_>>(),
        "summary": {"items": items.len(), "warehouses": warehouses.len()},
    }))
}
