//! `consolidate_shipments`: orders into trucks by weight and volume.

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{not_found, one_source, store_error, to_json, RunContext, ToolDef};
use crate::input::{items_within, non_negative, parse, positive, round};
use crate::limits::MAX_SHIPMENTS;
use crate::logistics::binpack::{first_fit_decreasing, Parcel};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "consolidate_shipments",
    group: "logistics_optimizer",
    description: "Packs shipments into as few trucks as possible without exceeding the truck's \
        weight or volume capacity (first-fit decreasing on the larger normalized size) and \
        reports each truck's load and utilization plus a lower bound on the truck count. Give \
        `warehouse_code` (its open orders; truck = its largest vehicle) or inline `shipments` \
        and `truck`. Conventions: weight in kg, volume in m3; utilization as a fraction of \
        capacity rounded to 4 decimals.",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "warehouse_code": {"type": "string"},
            "shipments": {"type": "array", "minItems": 1, "maxItems": MAX_SHIPMENTS, "items": {"type": "object",
                "additionalProperties": false, "required": ["id", "weight_kg", "volume_m3"],
                "properties": {"id": {"type": "string"}, "weight_kg": {"type": "number", "minimum": 0},
                               "volume_m3": {"type": "number", "minimum": 0}}}},
            "truck": {"type": "object", "additionalProperties": false,
                "required": ["capacity_kg", "capacity_m3"],
                "properties": {"capacity_kg": {"type": "number", "exclusiveMinimum": 0},
                               "capacity_m3": {"type": "number", "exclusiveMinimum": 0},
                               "cost_per_truck": {"type": "number", "minimum": 0}}}
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    warehouse_code: Option<String>,
    shipments: Option<Vec<Shipment>>,
    truck: Option<Truck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipment {
    id: String,
    weight_kg: f64,
    volume_m3: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Truck {
    capacity_kg: f64,
    capacity_m3: f64,
    cost_per_truck: Option<f64>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    if let Some(list) = &req.shipments {
        items_within("shipments", list, MAX_SHIPMENTS)?;
    }
    one_source(
        ("warehouse_code", req.warehouse_code.is_some()),
        ("shipments", req.shipments.is_some()),
    )?;
    let (parcels, truck) = match (req.shipments, &req.warehouse_code) {
        (Some(list), _) => {
            let truck = req
                .truck
                .ok_or_else(|| ToolError::invalid_input("truck", "required with shipments"))?;
            let parcels = list
                .into_iter()
                .map(|s| Parcel {
                    id: s.id,
                    weight: s.weight_kg,
                    volume: s.volume_m3,
                })
                .collect::<Vec<_>>();
            (parcels, truck)
        }
        (None, Some(code)) => {
            let orders = store.open_orders(code).map_err(store_error)?;
            if orders.is_empty() {
                return Err(not_found(format!(
                    "no open orders at warehouse {code} (unknown code?)"
                )));
            }
            let biggest = store
                .vehicles(code)
                .map_err(store_error)?
                .into_iter()
                .max_by(|a, b| a.capacity_kg.total_cmp(&b.capacity_kg))
                .ok_or_else(|| not_found(format!("no vehicles at warehouse {code}")))?;
            let truck = req.truck.unwrap_or(Truck {
                capacity_kg: biggest.capacity_kg,
                capacity_m3: biggest.capacity_m3,
                cost_per_truck: None,
            });
            let parcels = orders
                .into_iter()
                .map(|o| Parcel {
                    id: o.id,
                    weight: o.weight_kg,
                    volume: o.volume_m3,
                })
                .collect();
            (parcels, truck)
        }
        (None, None) => return Err(ToolError::invalid_input("shipments", "required")),
    };
    let cap_w = positive("truck.capacity_kg", truck.capacity_kg)?;
    let cap_v = positive("truck.capacity_m3", truck.capacity_m3)?;
    for (i, p) in parcels.iter().enumerate() {
        non_negative(&format!("shipments[{i}].weight_kg"), p.weight)?;
        non_negative(&format!("shipments[{i}].volume_m3"), p.volume)?;
        if p.weight > cap_w || p.volume > cap_v {
            return Err(ToolError::invalid_input(
                format!("shipments[{i}]"),
                format!("shipment {} does not fit an empty truck", p.id),
            ));
        }
    }
    let packing = first_fit_decreasing(&parcels, cap_w, cap_v);
    let mut loads = to_json(&packing.loads)?;
    if let Some(list) = loads.as_array_mut() {
        for (i, load) in list.iter_mut().enumerate() {
            load["truck"] = json!(i + 1);
            for key in [
                "weight",
                "volume",
                "weight_utilization",
                "volume_utilization",
            ] {
                let v = load[key].as_f64().unwrap_or(0.0);
                load[key] = json!(round(v, 4));
            }
        }
    }
    let trucks = packing.loads.len();
    Ok(json!({
        "warehouse_code": req.warehouse_code,
        "conventions": {"weight": "kg", "volume": "m3", "utilization": "fraction of capacity"},
        "truck": {"capacity_kg": cap_w, "capacity_m3": cap_v},
        "shipments": parcels.len(),
        "trucks_used": trucks,
        "lower_bound_trucks": packing.lower_bound,
        "total_cost": truck.cost_per_truck.map(|c| c * trucks as f64),
        "loads": loads,
    }))
}
