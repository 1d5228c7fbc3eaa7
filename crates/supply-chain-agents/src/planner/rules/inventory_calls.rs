//! Inventory calls: reorder points and safety stock, order quantities, policies,
//! forecasts (per SKU or summed), stock cover and what-if recomputations.

use serde_json::{json, Value};

use super::{reason, Plan, Specialty};
use crate::catalog::Catalog;
use crate::query::{Intent, Query, WhatIf, MAX_HORIZON_DAYS};

/// The intents the inventory optimizer serves.
pub const INTENTS: &[Intent] = &[
    Intent::Reorder,
    Intent::SafetyStock,
    Intent::OrderQuantity,
    Intent::InventoryPolicy,
    Intent::Forecast,
    Intent::StockCover,
    Intent::WhatIf,
];

/// The SKUs a query limits itself to: those named, or those of the categories named.
pub fn sku_scope(query: &Query, catalog: &Catalog) -> Option<Vec<String>> {
    if !query.skus.is_empty() {
        return Some(query.skus.clone());
    }
    if query.categories.is_empty() {
        return None;
    }
    let mut skus: Vec<String> = query
        .categories
        .iter()
        .flat_map(|c| catalog.skus_of_category(c))
        .collect();
    skus.sort();
    skus.dedup();
    Some(skus)
}

fn scope_words(query: &Query, wh: &str) -> String {
    let mut s = format!("at {wh}");
    if !query.skus.is_empty() {
        s.push_str(&format!(" for {}", query.skus.join(", ")));
    } else if !query.categories.is_empty() {
        s.push_str(&format!(" for {}", query.categories.join(" and ")));
    }
    s
}

/// Adds `skus` or `category` to a tool input that takes both.
fn limit(input: &mut Value, query: &Query, catalog: &Catalog, category_field: bool) {
    if category_field && query.skus.is_empty() && query.categories.len() == 1 {
        input["category"] = json!(query.categories[0]);
    } else if let Some(skus) = sku_scope(query, catalog) {
        input["skus"] = json!(skus);
    }
}

/// A service level the tools accept (strictly between 0 and 1), or none.
fn service_level(level: Option<f64>) -> Option<f64> {
    level.filter(|l| l.is_finite() && *l > 0.0 && *l < 1.0)
}

/// What-if changes within the bounds of `what_if_reorder`; out-of-range ones dropped.
fn sanitized(w: WhatIf) -> WhatIf {
    let within = |v: Option<f64>, low: f64, high: f64| {
        v.filter(|x| x.is_finite() && *x >= low && *x <= high)
    };
    WhatIf {
        lead_time_factor: within(w.lead_time_factor, f64::MIN_POSITIVE, 100.0),
        lead_time_add_days: within(w.lead_time_add_days, -365.0, 365.0),
        demand_factor: within(w.demand_factor, 0.0, 100.0),
        service_level: service_level(w.service_level),
    }
}

/// The inventory calls for a query.
pub fn plan(query: &Query, catalog: &Catalog) -> Plan {
    let mut plan = Plan::default();
    let warehouses = catalog.warehouses_for(query);
    let wants = query.wanted(INTENTS, &[Intent::Reorder, Intent::OrderQuantity]);
    let inv = Specialty::Inventory;
    for intent in &wants {
        match intent {
            Intent::Reorder | Intent::SafetyStock => {
                for wh in &warehouses {
                    let mut input = json!({"warehouse_code": wh});
                    if let Some(level) = service_level(query.service_level) {
                        input["service_level"] = json!(level);
                    }
                    limit(&mut input, query, catalog, false);
                    let detail = match service_level(query.service_level) {
                        Some(level) => format!(
                            "{} at a {:.1}% cycle service level",
                            scope_words(query, wh),
                            level * 100.0
                        ),
                        None => scope_words(query, wh),
                    };
                    plan.push(
                        inv,
                        "calculate_reorder_points",
                        format!("reorder-{wh}"),
                        input,
                        reason(query, *intent, &detail),
                    );
                    if *intent == Intent::Reorder {
                        let mut input = json!({"warehouse_code": wh});
                        limit(&mut input, query, catalog, false);
                        plan.push(
                            inv,
                            "optimize_order_quantities",
                            format!("eoq-{wh}"),
                            input,
                            reason(
                                query,
                                *intent,
                                &format!(
                                    "the order quantity of each SKU to reorder {}",
                                    scope_words(query, wh)
                                ),
                            ),
                        );
                    }
                }
            }
            Intent::OrderQuantity => {
                for wh in &warehouses {
                    let mut input = json!({"warehouse_code": wh});
                    limit(&mut input, query, catalog, false);
                    plan.push(
                        inv,
                        "optimize_order_quantities",
                        format!("eoq-{wh}"),
                        input,
                        reason(query, *intent, &scope_words(query, wh)),
                    );
                }
            }
            Intent::InventoryPolicy => {
                if query.skus.is_empty() {
                    let example = catalog.skus.iter().next().cloned().unwrap_or_default();
                    plan.notes.push(format!(
                        "Policies are compared per SKU: name one, e.g. \"which inventory policy for {example} at WH001?\""
                    ));
                }
                if query.service_level.is_some() && !query.skus.is_empty() {
                    plan.notes.push("The policy comparison balances ordering, holding and stockout costs; it does not take a target service level, so the one given was not used for it.".to_owned());
                }
                for wh in &warehouses {
                    for sku in &query.skus {
                        plan.push(
                            inv,
                            "optimize_inventory_policy",
                            format!("policy-{wh}-{sku}"),
                            json!({"warehouse_code": wh, "sku": sku}),
                            reason(query, *intent, &format!("{sku} at {wh}")),
                        );
                    }
                }
            }
            Intent::Forecast => forecast(&mut plan, query, catalog),
            Intent::StockCover => {
                for wh in &warehouses {
                    let mut input = json!({"warehouse_code": wh});
                    limit(&mut input, query, catalog, true);
                    plan.push(
                        inv,
                        "assess_stock_cover",
                        format!("cover-{wh}"),
                        input,
                        reason(query, *intent, &scope_words(query, wh)),
                    );
                }
            }
            Intent::WhatIf => {
                let w = sanitized(query.what_if);
                if w.is_empty() {
                    plan.notes.push("Name the change to recompute, e.g. \"what if lead times double at WH001?\", \"what if demand rises 20%?\" or \"what if we target a 99% service level?\"".to_owned());
                    continue;
                }
                let mut changes = serde_json::Map::new();
                if let Some(f) = w.lead_time_factor {
                    changes.insert("lead_time_factor".into(), json!(f));
                }
                if let Some(d) = w.lead_time_add_days {
                    changes.insert("lead_time_add_days".into(), json!(d));
                }
                if let Some(f) = w.demand_factor {
                    changes.insert("demand_factor".into(), json!(f));
                }
                if let Some(level) = w.service_level {
                    changes.insert("service_level".into(), json!(level));
                }
                for wh in &warehouses {
                    let mut input = json!({"warehouse_code": wh, "changes": changes});
                    limit(&mut input, query, catalog, true);
                    plan.push(
                        inv,
                        "what_if_reorder",
                        format!("what-if-{wh}"),
                        input,
                        reason(query, *intent, &scope_words(query, wh)),
                    );
                }
            }
            _ => {}
        }
    }
    plan
}

fn forecast(plan: &mut Plan, query: &Query, catalog: &Catalog) {
    let inv = Specialty::Inventory;
    if let Some(asked) = query.horizon_capped_from {
        let asked = match asked {
            Some(days) if days > 0 => format!("{days} days"),
            Some(_) => "a horizon of zero days".to_owned(),
            None => "more days than can be counted".to_owned(),
        };
        plan.notes.push(format!(
            "The horizon asked for ({asked}) is outside 1 to {MAX_HORIZON_DAYS} days; the forecast covers {} days.",
            query.horizon_days.unwrap_or(MAX_HORIZON_DAYS)
        ));
    }
    let horizon = query.horizon_days.map(|d| d.clamp(1, MAX_HORIZON_DAYS));
    if !query.skus.is_empty() {
        for wh in &catalog.warehouses_for(query) {
            for sku in &query.skus {
                let mut input = json!({"warehouse_code": wh, "sku": sku});
                if let Some(days) = horizon {
                    input["horizon_days"] = json!(days);
                }
                plan.push(
                    inv,
                    "forecast_demand",
                    format!("forecast-{wh}-{sku}"),
                    input,
                    reason(query, Intent::Forecast, &format!("{sku} at {wh}")),
                );
            }
        }
        return;
    }
    let warehouses: Vec<Option<&String>> = if query.warehouses.is_empty() {
        vec![None]
    } else {
        query.warehouses.iter().map(Some).collect()
    };
    let categories: Vec<Option<&String>> = if query.categories.is_empty() {
        vec![None]
    } else {
        query.categories.iter().map(Some).collect()
    };
    for wh in &warehouses {
        for category in &categories {
            let mut input = json!({});
            let mut id = "forecast-total".to_owned();
            let mut scope = Vec::new();
            if let Some(wh) = wh {
                input["warehouse_code"] = json!(wh);
                id.push_str(&format!("-{wh}"));
                scope.push(format!("at {wh}"));
            } else {
                scope.push("over every warehouse".to_owned());
            }
            if let Some(category) = category {
                input["category"] = json!(category);
                id.push_str(&format!("-{category}"));
                scope.push(format!("for {category}"));
            }
            if let Some(days) = horizon {
                input["horizon_days"] = json!(days);
            }
            plan.push(
                inv,
                "forecast_demand_total",
                id,
                input,
                reason(
                    query,
                    Intent::Forecast,
                    &format!("summed {}", scope.join(" ")),
                ),
            );
        }
    }
}
