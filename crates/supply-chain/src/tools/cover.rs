//! `assess_stock_cover`: days of cover and excess stock per SKU, against the maximum
//! inventory position of the item's (r, Q) reorder policy.

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
    name: "assess_stock_cover",
    group: "inventory_optimizer",
    description: "Days of cover and excess stock per SKU. Days of cover = on hand / mean daily \
        demand (position cover uses on hand + on order). The policy maximum is the largest \
        inventory position a continuous-review (r, Q) policy reaches: reorder point r (safety \
        stock at the item's cycle service level, sigma_LTD = sqrt(L sd^2 + d^2 sL^2), rounded up) \
        plus the economic order quantity Q = sqrt(2 D K / h) (D = demand of the last 365 days, \
        K = ordering cost, h = holding rate x unit cost, rounded to whole units). Excess = \
        position above that maximum, valued at unit cost. Give `warehouse_code` (optionally \
        `skus` or a `category`; demand statistics from the last `history_days`, default 90) or \
        inline `items`. Conventions: demand per day; a SKU without demand has no finite cover \
        (null).",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "warehouse_code": {"type": "string", "description": "e.g. WH001"},
            "skus": {"type": "array", "maxItems": 1000, "items": {"type": "string"}},
            "category": {"type": "string", "description": "limit to a product category"},
            "history_days": {"type": "integer", "minimum": 7, "maximum": 730, "default": 90},
            "items": {"type": "array", "minItems": 1, "maxItems": 5000, "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["sku", "on_hand", "mean_daily_demand", "reorder_point", "order_quantity"],
                "properties": {
                    "sku": {"type": "string"},
                    "on_hand": {"type": "number", "minimum": 0},
                    "on_order": {"type": "number", "minimum": 0, "default": 0},
                    "mean_daily_demand": {"type": "number", "minimum": 0},
                    "reorder_point": {"type": "number", "minimum": 0},
                    "order_quantity": {"type": "number", "minimum": 0},
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
    history_days: Option<usize>,
    items: Option<Vec<Item>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    sku: String,
    on_hand: f64,
    #[serde(default)]
    on_order: f64,
    mean_daily_demand: f64,
    reorder_point: f64,
    order_quantity: f64,
    unit_cost: Option<f64>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    one_source(
        ("warehouse_code", req.warehouse_code.is_some()),
        ("items", req.items.is_some()),
    )?;
    let items = match (&req.warehouse_code, req.items) {
        (_, Some(items)) => {
            crate::input::non_empty("items", &items)?;
            items
        }
        (Some(code), None) => from_store(
            store,
            code,
            req.skus.as_deref(),
            req.category.as_deref(),
            req.history_days.unwrap_or(90),
        )?,
        (None, None) => Vec::new(),
    };
    let mut out = Vec::with_capacity(items.len());
    let (mut excess_units, mut excess_value, mut with_excess) = (0.0, 0.0, 0usize);
    for (i, item) in items.iter().enumerate() {
        let row = evaluate(item, &format!("items[{i}]"))?;
        excess_units += row.excess_units;
        excess_value += row.excess_value.unwrap_or(0.0);
        if row.excess_units > 0.0 {
            with_excess += 1;
        }
        out.push(row.json);
    }
    Ok(json!({
        "warehouse_code": req.warehouse_code,
        "conventions": {
            "time_unit": "day",
            "days_of_cover": "on_hand / mean_daily_demand; null without demand",
            "policy_max": "reorder point + EOQ, the largest position of an (r, Q) policy",
            "excess": "inventory position above policy_max, valued at unit_cost"
        },
        "items": out,
        "summary": {
            "items": items.len(),
            "items_with_excess": with_excess,
            "excess_units": round(excess_units, 2),
            "excess_value": round(excess_value, 2),
        }
    }))
}

/// One evaluated item: its JSON row and the sums the summary needs.
struct Row {
    json: Value,
    excess_units: f64,
    excess_value: Option<f64>,
}

fn evaluate(item: &Item, at: &str) -> Result<Row, ToolError> {
    let f = |name: &str| format!("{at}.{name}");
    non_negative(&f("on_hand"), item.on_hand)?;
    non_negative(&f("on_order"), item.on_order)?;
    let demand = non_negative(&f("mean_daily_demand"), item.mean_daily_demand)?;
    non_negative(&f("reorder_point"), item.reorder_point)?;
    non_negative(&f("order_quantity"), item.order_quantity)?;
    if let Some(cost) = item.unit_cost {
        non_negative(&f("unit_cost"), cost)?;
    }
    let position = item.on_hand + item.on_order;
    let policy_max = item.reorder_point + item.order_quantity;
    let excess = (position - policy_max).max(0.0);
    let cover = |units: f64| (demand > 0.0).then(|| round(units / demand, 1));
    let excess_value = item.unit_cost.map(|c| excess * c);
    let json = to_json(&json!({
        "sku": item.sku,
        "on_hand": item.on_hand,
        "on_order": item.on_order,
        "inventory_position": position,
        "mean_daily_demand": round(demand, 3),
        "days_of_cover": cover(item.on_hand),
        "position_days_of_cover": cover(position),
        "reorder_point": item.reorder_point,
        "order_quantity": item.order_quantity,
        "policy_max": policy_max,
        "excess_units": round(excess, 2),
        "excess_days": cover(excess),
        "unit_cost": item.unit_cost,
        "excess_value": excess_value.map(|v| round(v, 2)),
    }))?;
    Ok(Row {
        json,
        excess_units: excess,
        excess_value,
    })
}

fn from_store(
    store: &Store,
    code: &str,
    skus: Option<&[String]>,
    category: Option<&str>,
    days: usize,
) -> Result<Vec<Item>, ToolError> {
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
    let products = store.products().map_err(store_error)?;
    if let Some(category) = category {
        if !products.iter().any(|p| p.category == category) {
            return Err(not_found(format!("no product category {category:?}")));
        }
    }
    let recent = store.demand_histories(code, days).map_err(store_error)?;
    let year = store.demand_histories(code, 365).map_err(store_error)?;
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
        let (mean, std) = mean_std(recent.get(&p.sku).map_or(&[][..], |h| h.as_slice()));
        let level = open_probability("service_level", p.service_level)?;
        let rop = reorder_point(&ReorderInput {
            mean_daily_demand: mean,
            std_daily_demand: std,
            lead_time_days: positive("lead_time_days", p.lead_time_days)?,
            std_lead_time_days: p.std_lead_time_days,
            service_level: level,
        })
        .reorder_point
        .ceil();
        let annual: f64 = year.get(&p.sku).map_or(0.0, |h| h.iter().sum());
        let holding = product.holding_rate * product.unit_cost;
        let quantity = if annual > 0.0 && product.ordering_cost > 0.0 && holding > 0.0 {
            eoq::solve(&EoqInput {
                annual_demand: annual,
                ordering_cost: product.ordering_cost,
                holding_cost: holding,
                ..EoqInput::default()
            })
            .order_quantity
            .round()
        } else {
            0.0
        };
        items.push(Item {
            sku: p.sku,
            on_hand: p.on_hand,
            on_order: p.on_order,
            mean_daily_demand: mean,
            reorder_point: rop,
            order_quantity: quantity,
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
