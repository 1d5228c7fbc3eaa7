//! Logistics calls: delivery routes, truck consolidation, carrier choice.

use serde_json::json;

use super::{reason, Plan, Specialty};
use crate::catalog::Catalog;
use crate::query::{Intent, Query};

/// The intents the logistics optimizer serves.
pub const INTENTS: &[Intent] = &[Intent::Routes, Intent::Consolidation, Intent::Carrier];

/// Time the route solver may take per warehouse, so an answer comes back promptly.
pub const ROUTE_TIME_LIMIT_MS: u64 = 2000;

/// The heaviest shipment a carrier question may ask about (kg): a few full trucks.
pub const MAX_WEIGHT_KG: f64 = 100_000.0;

/// The longest distance a carrier question may ask about (km).
pub const MAX_DISTANCE_KM: f64 = 20_000.0;

/// The logistics calls for a query.
pub fn plan(query: &Query, catalog: &Catalog) -> Plan {
    let mut plan = Plan::default();
    let warehouses = catalog.warehouses_for(query);
    let wants = query.wanted(INTENTS, &[Intent::Routes, Intent::Consolidation]);
    let spec = Specialty::Logistics;
    for intent in &wants {
        match intent {
            Intent::Routes => {
                for wh in &warehouses {
                    plan.push(spec, "optimize_routes", format!("routes-{wh}"),
                        json!({"warehouse_code": wh, "time_limit_ms": ROUTE_TIME_LIMIT_MS}),
                        reason(query, *intent, &format!("every open order of {wh}, solver limited to {ROUTE_TIME_LIMIT_MS} ms")));
                }
            }
            Intent::Consolidation => {
                for wh in &warehouses {
                    plan.push(spec, "consolidate_shipments", format!("consolidate-{wh}"),
                        json!({"warehouse_code": wh}),
                        reason(query, *intent, &format!("the open orders of {wh}")));
                }
            }
            Intent::Carrier => match (query.weight_kg, query.distance_km) {
                (Some(weight), Some(distance))
                    if weight > 0.0 && weight <= MAX_WEIGHT_KG && (0.0..=MAX_DISTANCE_KM).contains(&distance) =>
                {
                    let mut input = json!({"weight_kg": weight, "distance_km": distance});
                    let mut detail = format!("{weight} kg over {distance} km");
                    if let Some(days) = query.max_transit_days.filter(|d| d.is_finite() && *d > 0.0) {
                        input["max_transit_days"] = json!(days);
                        detail.push_str(&format!(" within {days} days"));
                    }
                    plan.push(spec, "select_carrier", "carrier".to_owned(), input, reason(query, *intent, &detail));
                }
                (Some(weight), Some(distance)) => plan.notes.push(format!(
                    "A shipment of {weight} kg over {distance} km is outside what the carrier tariffs cover (more than 0 and at most {MAX_WEIGHT_KG} kg, at most {MAX_DISTANCE_KM} km)."
                )),
                _ => plan.notes.push(
                    "To choose a carrier, give the shipment's weight and distance, e.g. \"which carrier should ship 800 kg over 450 km?\"".to_owned(),
                ),
            },
            _ => {}
        }
    }
    plan
}
