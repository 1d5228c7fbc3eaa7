//! `optimize_inventory_policy`: (r, Q), (s, S), base-stock, newsvendor and
//! Wagner-Whitin, each with expected costs.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolexec::ToolError;

use super::{not_found, store_error, to_json, RunContext, ToolDef};
use crate::input::{
    at_most_items, items_within, non_negative, parse, positive, positive_at_most, round_json,
};
use crate::inventory::distribution::{Demand, MAX_POISSON_MEAN};
use crate::inventory::forecast::{forecast, mean_std, Smoothing};
use crate::inventory::lot_sizing::wagner_whitin;
use crate::inventory::newsvendor::{self, NewsvendorPrices};
use crate::inventory::policy::{base_stock, continuous_review, periodic_review, PolicyCosts};
use crate::limits::{MAX_DAYS, MAX_LOT_SIZING_PERIODS, MAX_POLICIES};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "optimize_inventory_policy",
    group: "inventory_optimizer",
    description: "Stochastic inventory policies with expected annual costs: continuous-review \
        (r, Q) by the Hadley-Whitin iteration, periodic (s, S) with protection interval R + L, \
        periodic base-stock (order-up-to) at the critical ratio p/(p + hR/365), the newsvendor \
        (critical ratio (price - cost + penalty)/(price - salvage + penalty)), and Wagner-Whitin \
        dynamic lot sizing for a known demand series. Demand is normal (mean, sample std per \
        day) or Poisson. Give `warehouse_code` + `sku` (statistics from the last 90 days; \
        lot sizing over a 12-week forecast) or the parameters inline. Conventions: demand per \
        day, 365-day year; holding cost per unit per year; stockout cost per unit backordered; \
        ordering cost per order; levels unrounded (integers under Poisson demand); numbers \
        rounded to 4 decimals.",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "warehouse_code": {"type": "string"},
            "sku": {"type": "string"},
            "policies": {"type": "array", "maxItems": MAX_POLICIES, "items": {"enum": ["r_q", "s_s", "base_stock", "newsvendor", "wagner_whitin"]}},
            "distribution": {"enum": ["normal", "poisson"], "default": "normal"},
            "mean_daily_demand": {"type": "number", "exclusiveMinimum": 0},
            "std_daily_demand": {"type": "number", "minimum": 0},
            "lead_time_days": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_DAYS},
            "review_period_days": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_DAYS, "default": 7},
            "ordering_cost": {"type": "number", "minimum": 0},
            "holding_cost_per_unit_year": {"type": "number", "exclusiveMinimum": 0},
            "stockout_cost_per_unit": {"type": "number", "exclusiveMinimum": 0},
            "newsvendor": {"type": "object", "additionalProperties": false,
                "required": ["mean_demand", "unit_cost", "selling_price"],
                "properties": {
                    "mean_demand": {"type": "number", "exclusiveMinimum": 0},
                    "std_demand": {"type": "number", "minimum": 0},
                    "unit_cost": {"type": "number", "exclusiveMinimum": 0},
                    "selling_price": {"type": "number", "exclusiveMinimum": 0},
                    "salvage_value": {"type": "number", "minimum": 0, "default": 0},
                    "shortage_penalty": {"type": "number", "minimum": 0, "default": 0}}},
            "lot_sizing": {"type": "object", "additionalProperties": false,
                "required": ["demand", "ordering_cost", "holding_cost_per_unit_period"],
                "properties": {
                    "demand": {"type": "array", "minItems": 1, "maxItems": MAX_LOT_SIZING_PERIODS, "items": {"type": "number", "minimum": 0}},
                    "ordering_cost": {"type": "number", "minimum": 0},
                    "holding_cost_per_unit_period": {"type": "number", "minimum": 0}}}
        }
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Input {
    warehouse_code: Option<String>,
    sku: Option<String>,
    policies: Option<Vec<Policy>>,
    distribution: Option<Dist>,
    mean_daily_demand: Option<f64>,
    std_daily_demand: Option<f64>,
    lead_time_days: Option<f64>,
    review_period_days: Option<f64>,
    ordering_cost: Option<f64>,
    holding_cost_per_unit_year: Option<f64>,
    stockout_cost_per_unit: Option<f64>,
    newsvendor: Option<Newsvendor>,
    lot_sizing: Option<LotSizing>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Policy {
    RQ,
    SS,
    BaseStock,
    Newsvendor,
    WagnerWhitin,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Dist {
    Normal,
    Poisson,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Newsvendor {
    mean_demand: f64,
    std_demand: Option<f64>,
    unit_cost: f64,
    selling_price: f64,
    #[serde(default)]
    salvage_value: f64,
    #[serde(default)]
    shortage_penalty: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LotSizing {
    demand: Vec<f64>,
    ordering_cost: f64,
    holding_cost_per_unit_period: f64,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let mut req: Input = parse(input)?;
    if let Some(policies) = &req.policies {
        at_most_items("policies", policies, MAX_POLICIES)?;
    }
    if let Some(lot) = &req.lot_sizing {
        items_within("lot_sizing.demand", &lot.demand, MAX_LOT_SIZING_PERIODS)?;
    }
    if let Some(code) = req.warehouse_code.clone() {
        let sku = req
            .sku
            .clone()
            .ok_or_else(|| ToolError::invalid_input("sku", "required with warehouse_code"))?;
        fill_from_store(&mut req, store, &code, &sku)?;
    }
    let dist = req.distribution.unwrap_or(Dist::Normal);
    let mut out = Map::new();
    let stochastic = req.mean_daily_demand.is_some();
    let wanted = req.policies.clone().unwrap_or_else(|| {
        let mut all = Vec::new();
        if stochastic {
            all.extend([Policy::RQ, Policy::SS, Policy::BaseStock]);
        }
        if req.newsvendor.is_some() {
            all.push(Policy::Newsvendor);
        }
        if req.lot_sizing.is_some() {
            all.push(Policy::WagnerWhitin);
        }
        all
    });
    if wanted.is_empty() {
        return Err(ToolError::invalid_input(
            "mean_daily_demand",
            "give demand parameters, `newsvendor`, `lot_sizing`, or warehouse_code + sku",
        ));
    }
    if wanted
        .iter()
        .any(|p| matches!(p, Policy::RQ | Policy::SS | Policy::BaseStock))
    {
        stochastic_policies(&req, dist, &wanted, &mut out)?;
    }
    if wanted.contains(&Policy::Newsvendor) {
        let nv = req.newsvendor.as_ref().ok_or_else(|| {
            ToolError::invalid_input("newsvendor", "required for the newsvendor policy")
        })?;
        out.insert("newsvendor".into(), solve_newsvendor(nv, dist)?);
    }
    if wanted.contains(&Policy::WagnerWhitin) {
        let lot = req
            .lot_sizing
            .as_ref()
            .ok_or_else(|| ToolError::invalid_input("lot_sizing", "required for wagner_whitin"))?;
        for (i, d) in lot.demand.iter().enumerate() {
            non_negative(&format!("lot_sizing.demand[{i}]"), *d)?;
        }
        non_negative("lot_sizing.ordering_cost", lot.ordering_cost)?;
        non_negative(
            "lot_sizing.holding_cost_per_unit_period",
            lot.holding_cost_per_unit_period,
        )?;
        let plan = wagner_whitin(
            &lot.demand,
            lot.ordering_cost,
            lot.holding_cost_per_unit_period,
        );
        out.insert("wagner_whitin".into(), to_json(&plan)?);
    }
    let mut result = json!({
        "warehouse_code": req.warehouse_code,
        "sku": req.sku,
        "distribution": match dist { Dist::Normal => "normal", Dist::Poisson => "poisson" },
        "conventions": {"demand": "per day", "year_days": 365, "holding_cost": "per unit per year",
            "stockout_cost": "per unit backordered", "lot_sizing_costs": "per period of the demand series"},
        "policies": out,
    });
    round_json(&mut result, 4);
    Ok(result)
}

fn fill_from_store(req: &mut Input, store: &Store, code: &str, sku: &str) -> Result<(), ToolError> {
    let product = store
        .product(sku)
        .map_err(store_error)?
        .ok_or_else(|| not_found(format!("SKU {sku} not found")))?;
    let position = store
        .inventory(code)
        .map_err(store_error)?
        .into_iter()
        .find(|p| p.sku == sku)
        .ok_or_else(|| not_found(format!("SKU {sku} is not stocked at warehouse {code}")))?;
    let history = store
        .demand_history(code, sku, Some(90))
        .map_err(store_error)?;
    let (mean, std) = mean_std(&history);
    let h = product.holding_rate * product.unit_cost;
    req.mean_daily_demand.get_or_insert(mean.max(1e-6));
    req.std_daily_demand.get_or_insert(std);
    req.lead_time_days.get_or_insert(position.lead_time_days);
    req.ordering_cost.get_or_insert(product.ordering_cost);
    req.holding_cost_per_unit_year.get_or_insert(h);
    req.stockout_cost_per_unit
        .get_or_insert(product.stockout_cost);
    if req.lot_sizing.is_none() {
        let full = store
            .demand_history(code, sku, Some(365))
            .map_err(store_error)?;
        let daily = forecast(&full, 84, Smoothing::default()).daily;
        req.lot_sizing = Some(LotSizing {
            demand: daily
                .chunks(7)
                .map(|w| w.iter().sum::<f64>().round())
                .collect(),
            ordering_cost: product.ordering_cost,
            holding_cost_per_unit_period: h / 52.0,
        });
    }
    Ok(())
}

fn required(value: Option<f64>, field: &str) -> Result<f64, ToolError> {
    value.ok_or_else(|| {
        ToolError::invalid_input(field, "required for (r, Q), (s, S) and base-stock policies")
    })
}

fn stochastic_policies(
    req: &Input,
    dist: Dist,
    wanted: &[Policy],
    out: &mut Map<String, Value>,
) -> Result<(), ToolError> {
    let mean = positive(
        "mean_daily_demand",
        required(req.mean_daily_demand, "mean_daily_demand")?,
    )?;
    let lead = positive_at_most(
        "lead_time_days",
        required(req.lead_time_days, "lead_time_days")?,
        MAX_DAYS,
    )?;
    let review = positive_at_most(
        "review_period_days",
        req.review_period_days.unwrap_or(7.0),
        MAX_DAYS,
    )?;
    let costs = PolicyCosts {
        annual_demand: mean * 365.0,
        ordering_cost: non_negative(
            "ordering_cost",
            required(req.ordering_cost, "ordering_cost")?,
        )?,
        holding_cost: positive(
            "holding_cost_per_unit_year",
            required(req.holding_cost_per_unit_year, "holding_cost_per_unit_year")?,
        )?,
        stockout_cost: positive(
            "stockout_cost_per_unit",
            required(req.stockout_cost_per_unit, "stockout_cost_per_unit")?,
        )?,
    };
    let daily = match dist {
        Dist::Normal => Demand::Normal {
            mean,
            std: non_negative(
                "std_daily_demand",
                required(req.std_daily_demand, "std_daily_demand")?,
            )?,
        },
        Dist::Poisson => {
            if mean * (lead + review) > MAX_POISSON_MEAN {
                return Err(ToolError::invalid_input(
                    "mean_daily_demand",
                    "Poisson demand over the protection interval above 100000 units: use the normal distribution",
                ));
            }
            Demand::Poisson { mean }
        }
    };
    if costs.ordering_cost <= 0.0 && wanted.iter().any(|p| matches!(p, Policy::RQ | Policy::SS)) {
        return Err(ToolError::invalid_input(
            "ordering_cost",
            "must be > 0 for (r, Q) and (s, S)",
        ));
    }
    if wanted.contains(&Policy::RQ) {
        let policy = continuous_review(&costs, &daily.scaled(lead));
        out.insert("r_q".into(), to_json(&policy)?);
    }
    if wanted.contains(&Policy::SS) {
        let policy = periodic_review(&costs, &daily, lead, review);
        let mut v = to_json(&policy)?;
        v["review_period_days"] = json!(review);
        out.insert("s_s".into(), v);
    }
    if wanted.contains(&Policy::BaseStock) {
        let mut v = to_json(&base_stock(&costs, &daily, lead, review))?;
        v["review_period_days"] = json!(review);
        out.insert("base_stock".into(), v);
    }
    Ok(())
}

fn solve_newsvendor(nv: &Newsvendor, dist: Dist) -> Result<Value, ToolError> {
    let mean = positive("newsvendor.mean_demand", nv.mean_demand)?;
    let prices = NewsvendorPrices {
        unit_cost: positive("newsvendor.unit_cost", nv.unit_cost)?,
        selling_price: positive("newsvendor.selling_price", nv.selling_price)?,
        salvage_value: non_negative("newsvendor.salvage_value", nv.salvage_value)?,
        shortage_penalty: non_negative("newsvendor.shortage_penalty", nv.shortage_penalty)?,
    };
    if prices.salvage_value >= prices.unit_cost {
        return Err(ToolError::invalid_input(
            "newsvendor.salvage_value",
            "must be below unit_cost",
        ));
    }
    let demand = match dist {
        Dist::Normal => Demand::Normal {
            mean,
            std: non_negative(
                "newsvendor.std_demand",
                nv.std_demand.ok_or_else(|| {
                    ToolError::invalid_input("newsvendor.std_demand", "required for normal demand")
                })?,
            )?,
        },
        Dist::Poisson if mean > MAX_POISSON_MEAN => {
            return Err(ToolError::invalid_input(
                "newsvendor.mean_demand",
                "too large for Poisson",
            ))
        }
        Dist::Poisson => Demand::Poisson { mean },
    };
    to_json(&newsvendor::solve(&prices, &demand))
}
