//! `optimize_order_quantities`: EOQ with backorders, finite production rate and
//! quantity discounts.

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{not_found, one_source, store_error, to_json, RunContext, ToolDef};
use crate::input::{at_most_items, items_within, parse, positive, round};
use crate::inventory::eoq::{self, DiscountKind, EoqInput, PriceBreak};
use crate::limits::{MAX_ITEMS, MAX_PRICE_BREAKS};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "optimize_order_quantities",
    group: "inventory_optimizer",
    description: "Economic order quantity per item: classic EOQ sqrt(2DK/h), with planned \
        backorders (backorder_cost_per_unit_year), a finite production rate \
        (production_rate_per_year > annual_demand, EPQ), and all-units or incremental quantity \
        discounts (price_breaks with holding_rate: h = rate x price). Give `warehouse_code` \
        (annual demand = last 365 days of history; costs from the product table) or inline \
        `items`. Conventions: demand and rates per year; costs per order and per unit-year; \
        quantities exact, with order_quantity_rounded to whole units; purchase cost is included \
        in annual cost only with price breaks.",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "warehouse_code": {"type": "string"},
            "skus": {"type": "array", "maxItems": MAX_ITEMS, "items": {"type": "string"}},
            "items": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS, "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["annual_demand", "ordering_cost"],
                "properties": {
                    "sku": {"type": "string"},
                    "annual_demand": {"type": "number", "exclusiveMinimum": 0},
                    "ordering_cost": {"type": "number", "exclusiveMinimum": 0},
                    "holding_cost_per_unit_year": {"type": "number", "exclusiveMinimum": 0},
                    "unit_cost": {"type": "number", "exclusiveMinimum": 0},
                    "holding_rate": {"type": "number", "exclusiveMinimum": 0, "description": "per year, fraction of unit price"},
                    "backorder_cost_per_unit_year": {"type": "number", "exclusiveMinimum": 0},
                    "production_rate_per_year": {"type": "number", "exclusiveMinimum": 0},
                    "price_breaks": {"type": "array", "minItems": 1, "maxItems": MAX_PRICE_BREAKS, "items": {
                        "type": "object", "additionalProperties": false,
                        "required": ["min_quantity", "unit_price"],
                        "properties": {"min_quantity": {"type": "number", "minimum": 0},
                                        "unit_price": {"type": "number", "exclusiveMinimum": 0}}}},
                    "discount_type": {"enum": ["all_units", "incremental"], "default": "all_units"}
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
    items: Option<Vec<Item>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Item {
    sku: Option<String>,
    annual_demand: f64,
    ordering_cost: f64,
    holding_cost_per_unit_year: Option<f64>,
    unit_cost: Option<f64>,
    holding_rate: Option<f64>,
    backorder_cost_per_unit_year: Option<f64>,
    production_rate_per_year: Option<f64>,
    price_breaks: Option<Vec<Break>>,
    discount_type: Option<Discount>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Break {
    min_quantity: f64,
    unit_price: f64,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Discount {
    AllUnits,
    Incremental,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    if let Some(items) = &req.items {
        items_within("items", items, MAX_ITEMS)?;
        for (i, item) in items.iter().enumerate() {
            if let Some(breaks) = &item.price_breaks {
                items_within(
                    &format!("items[{i}].price_breaks"),
                    breaks,
                    MAX_PRICE_BREAKS,
                )?;
            }
        }
    }
    if let Some(skus) = &req.skus {
        at_most_items("skus", skus, MAX_ITEMS)?;
    }
    one_source(
        ("warehouse_code", req.warehouse_code.is_some()),
        ("items", req.items.is_some()),
    )?;
    let items = match (req.items, &req.warehouse_code) {
        (Some(items), _) => items,
        (None, Some(code)) => from_store(store, code, req.skus.as_deref())?,
        (None, None) => Vec::new(),
    };
    let results = items
        .iter()
        .enumerate()
        .map(|(i, item)| solve_item(item, &format!("items[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "warehouse_code": req.warehouse_code,
        "conventions": {"time_unit": "year", "holding_cost": "per unit per year",
            "backorder_cost": "per unit backordered per year",
            "rounding": "order_quantity exact; order_quantity_rounded to the nearest unit"},
        "items": results,
    }))
}

fn from_store(store: &Store, code: &str, skus: Option<&[String]>) -> Result<Vec<Item>, ToolError> {
    let positions = store.inventory(code).map_err(store_error)?;
    if positions.is_empty() {
        return Err(not_found(format!(
            "warehouse {code} has no inventory (unknown code?)"
        )));
    }
    let histories = store.demand_histories(code, 365).map_err(store_error)?;
    let mut items = Vec::new();
    for product in store.products().map_err(store_error)? {
        if skus.is_some_and(|list| !list.contains(&product.sku)) {
            continue;
        }
        let demand: f64 = histories.get(&product.sku).map_or(0.0, |h| h.iter().sum());
        if demand <= 0.0 {
            continue;
        }
        items.push(Item {
            sku: Some(product.sku),
            annual_demand: demand,
            ordering_cost: product.ordering_cost,
            holding_cost_per_unit_year: Some(product.holding_rate * product.unit_cost),
            unit_cost: Some(product.unit_cost),
            holding_rate: Some(product.holding_rate),
            backorder_cost_per_unit_year: None,
            production_rate_per_year: None,
            price_breaks: None,
            discount_type: None,
        });
    }
    if items.is_empty() {
        return Err(not_found(format!("no SKUs with demand matched at {code}")));
    }
    Ok(items)
}

fn solve_item(item: &Item, at: &str) -> Result<Value, ToolError> {
    let f = |name: &str| format!("{at}.{name}");
    let d = positive(&f("annual_demand"), item.annual_demand)?;
    let k = positive(&f("ordering_cost"), item.ordering_cost)?;
    if let Some(breaks) = &item.price_breaks {
        let rate = item.holding_rate.ok_or_else(|| {
            ToolError::invalid_input(f("holding_rate"), "required with price_breaks")
        })?;
        positive(&f("holding_rate"), rate)?;
        let mut sorted = Vec::with_capacity(breaks.len());
        for (j, b) in breaks.iter().enumerate() {
            let at = format!("{at}.price_breaks[{j}]");
            if !(b.min_quantity.is_finite() && b.min_quantity >= 0.0) {
                return Err(ToolError::invalid_input(
                    format!("{at}.min_quantity"),
                    "must be >= 0",
                ));
            }
            positive(&format!("{at}.unit_price"), b.unit_price)?;
            sorted.push(PriceBreak {
                min_quantity: b.min_quantity,
                unit_price: b.unit_price,
            });
        }
        sorted.sort_by(|a, b| a.min_quantity.total_cmp(&b.min_quantity));
        if sorted
            .windows(2)
            .any(|w| w[0].min_quantity == w[1].min_quantity)
        {
            return Err(ToolError::invalid_input(
                f("price_breaks"),
                "min_quantity values must differ",
            ));
        }
        let kind = match item.discount_type.unwrap_or(Discount::AllUnits) {
            Discount::AllUnits => DiscountKind::AllUnits,
            Discount::Incremental => DiscountKind::Incremental,
        };
        let sol = eoq::solve_with_discounts(d, k, rate, &sorted, kind);
        return to_json(&json!({
            "sku": item.sku,
            "model": match kind { DiscountKind::AllUnits => "eoq_all_units_discount", DiscountKind::Incremental => "eoq_incremental_discount" },
            "order_quantity": round(sol.order_quantity, 3),
            "order_quantity_rounded": sol.order_quantity.round(),
            "annual_total_cost": round(sol.annual_total_cost, 2),
            "average_unit_price": round(sol.average_unit_price, 4),
            "candidates": sol.candidates,
        }));
    }
    let h = match (
        item.holding_cost_per_unit_year,
        item.holding_rate,
        item.unit_cost,
    ) {
        (Some(h), _, _) => positive(&f("holding_cost_per_unit_year"), h)?,
        (None, Some(rate), Some(cost)) => {
            positive(&f("holding_rate"), rate)? * positive(&f("unit_cost"), cost)?
        }
        _ => {
            return Err(ToolError::invalid_input(
                f("holding_cost_per_unit_year"),
                "required (or holding_rate with unit_cost)",
            ))
        }
    };
    if let Some(b) = item.backorder_cost_per_unit_year {
        positive(&f("backorder_cost_per_unit_year"), b)?;
    }
    if let Some(p) = item.production_rate_per_year {
        positive(&f("production_rate_per_year"), p)?;
        if p <= d {
            return Err(ToolError::invalid_input(
                f("production_rate_per_year"),
                "must exceed annual_demand",
            ));
        }
    }
    let sol = eoq::solve(&EoqInput {
        annual_demand: d,
        ordering_cost: k,
        holding_cost: h,
        backorder_cost: item.backorder_cost_per_unit_year,
        production_rate: item.production_rate_per_year,
    });
    let model = match (
        item.backorder_cost_per_unit_year,
        item.production_rate_per_year,
    ) {
        (None, None) => "eoq",
        (Some(_), None) => "eoq_planned_backorders",
        (None, Some(_)) => "epq_finite_production",
        (Some(_), Some(_)) => "epq_planned_backorders",
    };
    to_json(&json!({
        "sku": item.sku,
        "model": model,
        "holding_cost_per_unit_year": round(h, 4),
        "order_quantity": round(sol.order_quantity, 3),
        "order_quantity_rounded": sol.order_quantity.round(),
        "orders_per_year": round(sol.orders_per_year, 3),
        "cycle_days": round(sol.cycle_days, 2),
        "max_inventory": round(sol.max_inventory, 3),
        "max_backorder": round(sol.max_backorder, 3),
        "annual_ordering_cost": round(sol.annual_ordering_cost, 2),
        "annual_holding_cost": round(sol.annual_holding_cost, 2),
        "annual_backorder_cost": round(sol.annual_backorder_cost, 2),
        "annual_inventory_cost": round(sol.annual_inventory_cost, 2),
        "purchase_cost_annual": item.unit_cost.map(|c| round(c * d, 2)),
    }))
}
