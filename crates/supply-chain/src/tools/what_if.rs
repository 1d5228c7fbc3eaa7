//! `what_if_reorder`: safety stock, reorder point and order quantity recomputed after a
//! change to the lead time, the demand level or the service level, before and after.

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{not_found, one_source, store_error, to_json, RunContext, ToolDef};
use crate::input::{non_negative, open_probability, parse, positive, round};
use crate::inventory::eoq::{self, EoqInput};
use crate::inventory::forecast::mean_std;
use crate::inventory::safety_stock::{reorder_point, ReorderInput};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "what_if_reorder",
    group: "inventory_optimizer",
    description: "What-if recomputation of safety stock, reorder point and economic order \
        quantity when inputs change: `changes.lead_time_factor` (x mean and sd of the lead \
        time) or `changes.lead_time_add_days` (added to the mean), `changes.demand_factor` (x \
        mean and sd of daily demand), `changes.service_level` (cycle service level). Shows \
        each item before and after. Give `warehouse_code` (optionally `skus` or a `category`; \
        statistics from the last 90 days) or inline `items`; annual demand D = 365 x mean daily demand. \
        Conventions as calculate_reorder_points: sigma_LTD = sqrt(L sd^2 + d^2 sL^2), safety \
        stock and reorder point rounded up; EOQ = sqrt(2 D K / h) rounded to whole units; \
        safety-stock value at unit cost.",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["changes"],
        "properties": {
            "warehouse_code": {"type": "string"},
            "skus": {"type": "array", "maxItems": 1000, "items": {"type": "string"}},
            "category": {"type": "string"},
            "changes": {"type": "object", "additionalProperties": false, "minProperties": 1,
                "properties": {
                    "lead_time_factor": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                    "lead_time_add_days": {"type": "number", "minimum": -365, "maximum": 365},
                    "demand_factor": {"type": "number", "minimum": 0, "maximum": 100},
                    "service_level": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}
                }},
            "items": {"type": "array", "minItems": 1, "maxItems": 5000, "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["sku", "mean_daily_demand", "std_daily_demand", "lead_time_days"],
                "properties": {
                    "sku": {"type": "string"},
                    "mean_daily_demand": {"type": "number", "minimum": 0},
                    "std_daily_demand": {"type": "number", "minimum": 0},
                    "lead_time_days": {"type": "number", "exclusiveMinimum": 0},
                    "std_lead_time_days": {"type": "number", "minimum": 0, "default": 0},
                    "service_level": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.95},
                    "ordering_cost": {"type": "number", "minimum": 0},
                    "holding_cost_per_unit_year": {"type": "number", "minimum": 0},
                    "unit_cost": {"type": "number", "minimum": 0}
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
    category: Option<String>,
    changes: Changes,
    items: Option<Vec<Item>>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct Changes {
    lead_time_factor: Option<f64>,
    lead_time_add_days: Option<f64>,
    demand_factor: Option<f64>,
    service_level: Option<f64>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Item {
    sku: String,
    mean_daily_demand: f64,
    std_daily_demand: f64,
    lead_time_days: f64,
    #[serde(default)]
    std_lead_time_days: f64,
    service_level: Option<f64>,
    ordering_cost: Option<f64>,
    holding_cost_per_unit_year: Option<f64>,
    unit_cost: Option<f64>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    one_source(
        ("warehouse_code", req.warehouse_code.is_some()),
        ("items", req.items.is_some()),
    )?;
    let changes = check_changes(req.changes)?;
    let items = match (&req.warehouse_code, req.items) {
        (_, Some(items)) => {
            crate::input::non_empty("items", &items)?;
            items
        }
        (Some(code), None) => {
            from_store(store, code, req.skus.as_deref(), req.category.as_deref())?
        }
        (None, None) => Vec::new(),
    };
    let mut rows = Vec::with_capacity(items.len());
    let mut totals = [0.0f64; 4];
    for (i, item) in items.iter().enumerate() {
        let at = format!("items[{i}]");
        let before = evaluate(item, &at)?;
        let after = evaluate(&apply(item, changes), &at)?;
        totals[0] += before.safety_stock;
        totals[1] += after.safety_stock;
        totals[2] += before.safety_stock * item.unit_cost.unwrap_or(0.0);
        totals[3] += after.safety_stock * item.unit_cost.unwrap_or(0.0);
        rows.push(json!({
            "sku": item.sku,
            "before": before.json(),
            "after": after.json(),
            "safety_stock_change": after.safety_stock - before.safety_stock,
            "reorder_point_change": after.reorder_point - before.reorder_point,
        }));
    }
    to_json(&json!({
        "warehouse_code": req.warehouse_code,
        "changes": {
            "lead_time_factor": changes.lead_time_factor,
            "lead_time_add_days": changes.lead_time_add_days,
            "demand_factor": changes.demand_factor,
            "service_level": changes.service_level,
        },
        "conventions": {"time_unit": "day",
            "service_level": "cycle service level",
            "rounding": "safety_stock and reorder_point rounded up; order_quantity to the nearest unit"},
        "items": rows,
        "summary": {
            "items": items.len(),
            "safety_stock_before": totals[0],
            "safety_stock_after": totals[1],
            "safety_stock_value_before": round(totals[2], 2),
            "safety_stock_value_after": round(totals[3], 2),
        }
    }))
}

fn check_changes(changes: Changes) -> Result<Changes, ToolError> {
    if let Some(f) = changes.lead_time_factor {
        if !(f.is_finite() && f > 0.0 && f <= 100.0) {
            return Err(ToolError::invalid_input(
                "changes.lead_time_factor",
                "must be > 0 and <= 100",
            ));
        }
    }
    if let Some(d) = changes.lead_time_add_days {
        if !(d.is_finite() && (-365.0..=365.0).contains(&d)) {
            return Err(ToolError::invalid_input(
                "changes.lead_time_add_days",
                "must be between -365 and 365",
            ));
        }
    }
    if let Some(f) = changes.demand_factor {
        if !(f.is_finite() && (0.0..=100.0).contains(&f)) {
            return Err(ToolError::invalid_input(
                "changes.demand_factor",
                "must be between 0 and 100",
            ));
        }
    }
    if let Some(level) = changes.service_level {
        open_probability("changes.service_level", level)?;
    }
    let none = changes.lead_time_factor.is_none()
        && changes.lead_time_add_days.is_none()
        && changes.demand_factor.is_none()
        && changes.service_level.is_none();
    if none {
        return Err(ToolError::invalid_input(
            "changes",
            "name at least one change: lead_time_factor, lead_time_add_days, demand_factor or service_level",
        ));
    }
    Ok(changes)
}

/// The item with the changes applied; a lead time is kept above zero (0.1 day).
fn apply(item: &Item, changes: Changes) -> Item {
    let mut out = item.clone();
    if let Some(f) = changes.lead_time_factor {
        out.lead_time_days *= f;
        out.std_lead_time_days *= f;
    }
    if let Some(d) = changes.lead_time_add_days {
        out.lead_time_days = (out.lead_time_days + d).max(0.1);
    }
    if let Some(f) = changes.demand_factor {
        out.mean_daily_demand *= f;
        out.std_daily_demand *= f;
    }
    if let Some(level) = changes.service_level {
        out.service_level = Some(level);
    }
    out
}

/// One side (before or after) of an item.
struct Side {
    service_level: f64,
    lead_time_days: f64,
    mean_daily_demand: f64,
    safety_stock: f64,
    reorder_point: f64,
    order_quantity: Option<f64>,
}

impl Side {
    fn json(&self) -> Value {
        json!({
            "service_level": round(self.service_level, 4),
            "lead_time_days": round(self.lead_time_days, 3),
            "mean_daily_demand": round(self.mean_daily_demand, 3),
            "safety_stock": self.safety_stock,
            "reorder_point": self.reorder_point,
            "order_quantity": self.order_quantity,
        })
    }
}

fn evaluate(item: &Item, at: &str) -> Result<Side, ToolError> {
    let f = |name: &str| format!("{at}.{name}");
    non_negative(&f("mean_daily_demand"), item.mean_daily_demand)?;
    non_negative(&f("std_daily_demand"), item.std_daily_demand)?;
    positive(&f("lead_time_days"), item.lead_time_days)?;
    non_negative(&f("std_lead_time_days"), item.std_lead_time_days)?;
    let level = open_probability(&f("service_level"), item.service_level.unwrap_or(0.95))?;
    let rp = reorder_point(&ReorderInput {
        mean_daily_demand: item.mean_daily_demand,
        std_daily_demand: item.std_daily_demand,
        lead_time_days: item.lead_time_days,
        std_lead_time_days: item.std_lead_time_days,
        service_level: level,
    });
    let annual = item.mean_daily_demand * 365.0;
    let order_quantity = match (item.ordering_cost, item.holding_cost_per_unit_year) {
        (Some(k), Some(h)) if annual > 0.0 && k > 0.0 && h > 0.0 => Some(
            eoq::solve(&EoqInput {
                annual_demand: annual,
                ordering_cost: k,
                holding_cost: h,
                ..EoqInput::default()
            })
            .order_quantity
            .round(),
        ),
        _ => None,
    };
    Ok(Side {
        service_level: level,
        lead_time_days: item.lead_time_days,
        mean_daily_demand: item.mean_daily_demand,
        safety_stock: rp.safety_stock.ceil(),
        reorder_point: rp.reorder_point.ceil(),
        order_quantity,
    })
}

fn from_store(
    store: &Store,
    code: &str,
    skus: Option<&[String]>,
    category: Option<&str>,
) -> Result<Vec<Item>, ToolError> {
    let positions = store.inventory(code).map_err(store_error)?;
    if positions.is_empty() {
        return Err(not_found(format!(
            "warehouse {code} has no inventory (unknown code?)"
        )));
    }
    let products = store.products().map_err(store_error)?;
    if let Some(category) = category {
        if !products.iter().any(|p| p.category == category) {
            return Err(not_found(format!("no product category {category:?}")));
        }
    }
    let histories = store.demand_histories(code, 90).map_err(store_error)?;
    let mut items = Vec::new();
    for p in positions {
        if skus.is_some_and(|list| !list.contains(&p.sku)) {
            continue;
        }
        let Some(product) = products.iter().find(|x| x.sku == p.sku) else {
            continue;
        };
        if category.is_some_and(|c| product.category != c) {
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
            ordering_cost: Some(product.ordering_cost),
            holding_cost_per_unit_year: Some(product.holding_rate * product.unit_cost),
            unit_cost: Some(product.unit_cost),
        });
    }
    if let Some(list) = skus {
        if let Some(missing) = list.iter().find(|s| !items.iter().any(|i| &i.sku == *s)) {
            return Err(not_found(format!("SKU {missing} is not stocked at {code}")));
        }
    }
    Ok(items)
}
