//! `select_carrier`: the cost and transit-time trade-off between carriers.

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{store_error, to_json, RunContext, ToolDef};
use crate::input::{items_within, non_negative, parse, positive, round};
use crate::limits::MAX_CARRIERS;
use crate::logistics::carrier::{rank, CarrierOffer};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "select_carrier",
    group: "logistics_optimizer",
    description: "Ranks carriers for one shipment by total cost = freight (base + per_kg x weight \
        + per_km x distance) + value_per_day x transit days + (1 - on_time_rate) x late_penalty, \
        excluding carriers slower than max_transit_days, and marks the Pareto-efficient ones \
        (no other carrier both cheaper and faster). Carriers come from the database unless \
        given inline. Conventions: weight kg, distance km, time in days, money in the tariff's \
        currency, costs rounded to cents.",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["weight_kg", "distance_km"],
        "properties": {
            "weight_kg": {"type": "number", "exclusiveMinimum": 0},
            "distance_km": {"type": "number", "minimum": 0},
            "value_per_day": {"type": "number", "minimum": 0, "default": 0},
            "late_penalty": {"type": "number", "minimum": 0, "default": 0},
            "max_transit_days": {"type": "number", "exclusiveMinimum": 0},
            "carriers": {"type": "array", "minItems": 1, "maxItems": MAX_CARRIERS, "items": {"type": "object",
                "additionalProperties": false,
                "required": ["name", "base_cost", "cost_per_kg", "cost_per_km", "transit_days"],
                "properties": {"name": {"type": "string"}, "base_cost": {"type": "number", "minimum": 0},
                    "cost_per_kg": {"type": "number", "minimum": 0}, "cost_per_km": {"type": "number", "minimum": 0},
                    "transit_days": {"type": "number", "exclusiveMinimum": 0},
                    "on_time_rate": {"type": "number", "minimum": 0, "maximum": 1, "default": 1}}}}
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    weight_kg: f64,
    distance_km: f64,
    #[serde(default)]
    value_per_day: f64,
    #[serde(default)]
    late_penalty: f64,
    max_transit_days: Option<f64>,
    carriers: Option<Vec<Offer>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Offer {
    name: String,
    base_cost: f64,
    cost_per_kg: f64,
    cost_per_km: f64,
    transit_days: f64,
    on_time_rate: Option<f64>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    if let Some(list) = &req.carriers {
        items_within("carriers", list, MAX_CARRIERS)?;
    }
    let weight = positive("weight_kg", req.weight_kg)?;
    let distance = non_negative("distance_km", req.distance_km)?;
    non_negative("value_per_day", req.value_per_day)?;
    non_negative("late_penalty", req.late_penalty)?;
    if let Some(limit) = req.max_transit_days {
        positive("max_transit_days", limit)?;
    }
    let offers = match req.carriers {
        Some(list) => {
            let mut offers = Vec::with_capacity(list.len());
            for (i, o) in list.into_iter().enumerate() {
                let at = |f: &str| format!("carriers[{i}].{f}");
                let on_time = o.on_time_rate.unwrap_or(1.0);
                if !(0.0..=1.0).contains(&on_time) {
                    return Err(ToolError::invalid_input(
                        at("on_time_rate"),
                        "must be in [0, 1]",
                    ));
                }
                offers.push(CarrierOffer {
                    base_cost: non_negative(&at("base_cost"), o.base_cost)?,
                    cost_per_kg: non_negative(&at("cost_per_kg"), o.cost_per_kg)?,
                    cost_per_km: non_negative(&at("cost_per_km"), o.cost_per_km)?,
                    transit_days: positive(&at("transit_days"), o.transit_days)?,
                    on_time_rate: on_time,
                    name: o.name,
                });
            }
            offers
        }
        None => store
            .carriers()
            .map_err(store_error)?
            .into_iter()
            .map(|c| CarrierOffer {
                name: c.name,
                base_cost: c.base_cost,
                cost_per_kg: c.cost_per_kg,
                cost_per_km: c.cost_per_km,
                transit_days: c.transit_days,
                on_time_rate: c.on_time_rate,
            })
            .collect(),
    };
    let mut scores = rank(
        &offers,
        weight,
        distance,
        req.value_per_day,
        req.late_penalty,
        req.max_transit_days,
    );
    for s in &mut scores {
        s.freight_cost = round(s.freight_cost, 2);
        s.time_cost = round(s.time_cost, 2);
        s.expected_late_penalty = round(s.expected_late_penalty, 2);
        s.total_cost = round(s.total_cost, 2);
    }
    let best = scores
        .first()
        .filter(|s| s.feasible)
        .map(|s| s.name.clone());
    Ok(json!({
        "conventions": {"weight": "kg", "distance": "km", "time": "days",
            "total_cost": "freight + value_per_day x transit_days + (1 - on_time_rate) x late_penalty"},
        "recommended": best,
        "carriers": to_json(&scores)?,
    }))
}
