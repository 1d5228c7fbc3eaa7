//! `optimize_routes`: capacitated vehicle routing.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{not_found, one_source, store_error, RunContext, ToolDef};
use crate::input::{
    int_within, items_within, non_negative, parse, positive_at_most, round, within,
};
use crate::limits::{
    MAX_COORDINATE, MAX_ITERATIONS, MAX_STOPS, MAX_TIME_LIMIT_MS, MAX_VEHICLES,
    MAX_VEHICLE_CAPACITY, MIN_TIME_LIMIT_MS,
};
use crate::logistics::cvrp::{self, route_distance, CvrpProblem, SearchLimits};
use crate::logistics::distance::Metric;
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "optimize_routes",
    group: "logistics_optimizer",
    description: "Capacitated vehicle routing (CVRP): routes from the depot through the stops and \
        back, each within `vehicle_capacity`, minimizing total distance; solved by the vrp-core \
        metaheuristic (60 % of the budget) followed by a ruin-and-recreate local search, within \
        `time_limit_ms` (default 5000, capped by the call deadline) or `max_iterations`; \
        `vehicles` defaults to as many as could be needed (at most one per stop is used). Give `warehouse_code` (depot = the warehouse, stops = its \
        customers with open orders, demand = order weight in kg, a customer above one truck split into \
        several stops `ID#1`, `ID#2`, capacity = its largest vehicle) \
        or inline `depot`, `stops`, `vehicle_capacity`. Conventions: metric `euclidean` (exact, \
        coordinate units), `euc2d` (each edge rounded to the nearest integer, as TSPLIB/CVRPLIB) \
        or `haversine` (km, R = 6371); fractional demands are scaled to integers of 1/1000 unit \
        (demands rounded up, capacity down). Limits: at most 1000 stops and 1000 vehicles, \
        |x|, |y| <= 1e9, vehicle_capacity <= 1e9.",
    schema,
    handler,
};

fn schema() -> Value {
    let point = json!({"type": "object", "properties": {
        "id": {"type": ["string", "integer"]},
        "x": {"type": "number", "minimum": -MAX_COORDINATE, "maximum": MAX_COORDINATE},
        "y": {"type": "number", "minimum": -MAX_COORDINATE, "maximum": MAX_COORDINATE},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "demand": {"type": "number", "minimum": 0}}, "additionalProperties": false});
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "warehouse_code": {"type": "string"},
            "depot": point,
            "stops": {"type": "array", "minItems": 1, "maxItems": MAX_STOPS, "items": point},
            "vehicle_capacity": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_VEHICLE_CAPACITY},
            "vehicles": {"type": "integer", "minimum": 1, "maximum": MAX_VEHICLES},
            "metric": {"enum": ["euclidean", "euc2d", "haversine"]},
            "time_limit_ms": {"type": "integer", "minimum": MIN_TIME_LIMIT_MS,
                "maximum": MAX_TIME_LIMIT_MS, "default": 5000},
            "max_iterations": {"type": "integer", "minimum": 1, "maximum": MAX_ITERATIONS, "default": 3000}
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    warehouse_code: Option<String>,
    depot: Option<Point>,
    stops: Option<Vec<Point>>,
    vehicle_capacity: Option<f64>,
    vehicles: Option<usize>,
    metric: Option<Metric>,
    time_limit_ms: Option<u64>,
    max_iterations: Option<usize>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Point {
    id: Option<Value>,
    x: Option<f64>,
    y: Option<f64>,
    lat: Option<f64>,
    lon: Option<f64>,
    #[serde(default)]
    demand: f64,
}

fn coords(p: &Point, metric: Metric, at: &str) -> Result<(f64, f64), ToolError> {
    let pair = match metric {
        Metric::Haversine => (p.lat, p.lon, "lat", "lon"),
        _ => (p.x, p.y, "x", "y"),
    };
    match (pair.0, pair.1) {
        (Some(a), Some(b)) => {
            let bound = if metric == Metric::Haversine {
                180.0
            } else {
                MAX_COORDINATE
            };
            Ok((
                within(&format!("{at}.{}", pair.2), a, -bound, bound)?,
                within(&format!("{at}.{}", pair.3), b, -bound, bound)?,
            ))
        }
        _ => Err(ToolError::invalid_input(
            format!("{at}.{}", if pair.0.is_none() { pair.2 } else { pair.3 }),
            format!("required for metric {metric:?}"),
        )),
    }
}

fn id_text(p: &Point, fallback: usize) -> String {
    match &p.id {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => fallback.to_string(),
    }
}

/// Checks the counts that size the work, before anything is built from them.
fn check_bounds(req: &Input) -> Result<(), ToolError> {
    if let Some(stops) = &req.stops {
        items_within("stops", stops, MAX_STOPS)?;
    }
    if let Some(vehicles) = req.vehicles {
        int_within("vehicles", vehicles, 1, MAX_VEHICLES)?;
    }
    if let Some(ms) = req.time_limit_ms {
        int_within("time_limit_ms", ms, MIN_TIME_LIMIT_MS, MAX_TIME_LIMIT_MS)?;
    }
    if let Some(iterations) = req.max_iterations {
        int_within("max_iterations", iterations, 1, MAX_ITERATIONS)?;
    }
    Ok(())
}

fn handler(input: &Value, store: &Store, ctx: &RunContext) -> Result<Value, ToolError> {
    let mut req: Input = parse(input)?;
    check_bounds(&req)?;
    one_source(
        ("warehouse_code", req.warehouse_code.is_some()),
        ("stops", req.stops.is_some()),
    )?;
    if let Some(code) = req.warehouse_code.clone() {
        fill_from_store(&mut req, store, &code)?;
        let count = req.stops.as_ref().map_or(0, Vec::len);
        if count > MAX_STOPS {
            return Err(ToolError::invalid_input(
                "warehouse_code",
                format!("{code} has {count} stops to visit, more than the limit of {MAX_STOPS}"),
            ));
        }
    }
    let depot = req
        .depot
        .ok_or_else(|| ToolError::invalid_input("depot", "required with stops"))?;
    let stops = req.stops.unwrap_or_default();
    crate::input::non_empty("stops", &stops)?;
    let capacity = positive_at_most(
        "vehicle_capacity",
        req.vehicle_capacity
            .ok_or_else(|| ToolError::invalid_input("vehicle_capacity", "required"))?,
        MAX_VEHICLE_CAPACITY,
    )?;
    let metric = req.metric.unwrap_or(if depot.lat.is_some() {
        Metric::Haversine
    } else {
        Metric::Euclidean
    });
    if metric == Metric::Haversine {
        for (at, p) in std::iter::once(("depot".to_string(), &depot)).chain(
            stops
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("stops[{i}]"), s)),
        ) {
            if p.lat.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
                return Err(ToolError::invalid_input(
                    format!("{at}.lat"),
                    "must be within [-90, 90]",
                ));
            }
            if p.lon.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
                return Err(ToolError::invalid_input(
                    format!("{at}.lon"),
                    "must be within [-180, 180]",
                ));
            }
        }
    }
    let mut points = vec![coords(&depot, metric, "depot")?];
    for (i, s) in stops.iter().enumerate() {
        points.push(coords(s, metric, &format!("stops[{i}]"))?);
        non_negative(&format!("stops[{i}].demand"), s.demand)?;
        if s.demand > capacity {
            return Err(ToolError::invalid_input(
                format!("stops[{i}].demand"),
                format!("demand {} exceeds vehicle_capacity {capacity}", s.demand),
            ));
        }
    }
    let integral = stops.iter().all(|s| s.demand.fract() == 0.0) && capacity.fract() == 0.0;
    let factor = if integral { 1.0 } else { 1000.0 };
    if capacity * factor > f64::from(i32::MAX) / 2.0 {
        return Err(ToolError::invalid_input(
            "vehicle_capacity",
            "too large (max about 1e6 with fractional demands, 1e9 otherwise)",
        ));
    }
    let demands: Vec<i32> = stops
        .iter()
        .map(|s| (s.demand * factor).ceil() as i32)
        .collect();
    let total_demand: f64 = stops.iter().map(|s| s.demand).sum();
    // First fit never leaves two vehicles at most half full, so 2 * ceil(total / capacity)
    // + 1 vehicles always suffice; the default fleet is that, or one per stop if fewer.
    let enough = 2 * (total_demand / capacity).ceil() as usize + 2;
    // More vehicles than stops could never be used, so the fleet built is at most one
    // per stop, whatever was asked for.
    let vehicles = req.vehicles.unwrap_or(enough).clamp(1, stops.len());
    if (vehicles as f64) * capacity < total_demand {
        return Err(ToolError::invalid_input(
            "vehicles",
            format!("{vehicles} vehicles of capacity {capacity} cannot carry total demand {total_demand}"),
        ));
    }
    let problem = CvrpProblem {
        matrix: metric.matrix(&points),
        demands,
        capacity: (capacity * factor).floor() as i32,
        vehicles,
    };
    let mut time_limit = Duration::from_millis(req.time_limit_ms.unwrap_or(5000));
    if let Some(deadline) = ctx.deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        time_limit = time_limit.min(
            left.saturating_sub(Duration::from_millis(50))
                .max(Duration::from_millis(10)),
        );
    }
    let started = Instant::now();
    let solution = cvrp::solve(
        &problem,
        &SearchLimits {
            time_limit,
            max_generations: req.max_iterations.unwrap_or(3000),
            stop: ctx.cancelled.clone(),
        },
    )
    .map_err(|e| ToolError::failed(format!("routing solver: {e}")))?;
    let size = points.len();
    let routes: Vec<Value> = solution
        .routes
        .iter()
        .enumerate()
        .map(|(v, r)| {
            let load: f64 = r.iter().map(|&s| stops[s].demand).sum();
            json!({
                "vehicle": v + 1,
                "stops": r.iter().map(|&s| id_text(&stops[s], s + 1)).collect::<Vec<_>>(),
                "load": round(load, 3),
                "utilization": round(load / capacity, 4),
                "distance": round(route_distance(&problem.matrix, size, r), 3),
            })
        })
        .collect();
    Ok(json!({
        "warehouse_code": req.warehouse_code,
        "metric": metric,
        "conventions": {"distance": metric.convention(), "demand_scale": factor},
        "total_distance": round(solution.total_distance, 3),
        "vehicles_used": routes.len(),
        "routes": routes,
        "unassigned": solution.unassigned.iter().map(|&s| id_text(&stops[s], s + 1)).collect::<Vec<_>>(),
        "solver": {"name": "vrp-core 1.25 + ruin-and-recreate local search", "time_limit_ms": time_limit.as_millis() as u64,
            "elapsed_ms": started.elapsed().as_millis() as u64},
    }))
}

/// A customer's demand as deliveries no larger than one vehicle: full loads and the
/// rest. A customer who orders more than a truck holds is visited several times (stops
/// `C0001#1`, `C0001#2`, ...), so no demand is dropped.
fn split_demand(total: f64, capacity: f64) -> Vec<f64> {
    if capacity <= 0.0 || total <= capacity {
        return vec![total];
    }
    let full = (total / capacity).floor() as usize;
    let mut parts = vec![capacity; full];
    let rest = total - capacity * full as f64;
    if rest > 1e-9 {
        parts.push(rest);
    }
    parts
}

fn fill_from_store(req: &mut Input, store: &Store, code: &str) -> Result<(), ToolError> {
    let warehouse = store
        .warehouse(code)
        .map_err(store_error)?
        .ok_or_else(|| not_found(format!("warehouse {code} not found")))?;
    let customers = store.customers(code).map_err(store_error)?;
    let mut demand: BTreeMap<String, f64> = BTreeMap::new();
    for order in store.open_orders(code).map_err(store_error)? {
        *demand.entry(order.customer_id).or_default() += order.weight_kg;
    }
    let capacity = store
        .vehicles(code)
        .map_err(store_error)?
        .iter()
        .map(|v| v.capacity_kg)
        .fold(0.0, f64::max);
    req.depot = Some(Point {
        id: Some(json!(code)),
        x: None,
        y: None,
        lat: Some(warehouse.lat),
        lon: Some(warehouse.lon),
        demand: 0.0,
    });
    let mut stops = Vec::new();
    for customer in customers {
        let Some(&total) = demand.get(&customer.id) else {
            continue;
        };
        // The number of deliveries comes from the database: check it before sizing.
        if capacity > 0.0 && total / capacity > MAX_STOPS as f64 {
            return Err(ToolError::invalid_input(
                "warehouse_code",
                format!(
                    "customer {} orders {total} kg, more than {MAX_STOPS} loads of {capacity} kg",
                    customer.id
                ),
            ));
        }
        let parts = split_demand(total, capacity);
        let split = parts.len() > 1;
        for (i, part) in parts.into_iter().enumerate() {
            let id = if split {
                format!("{}#{}", customer.id, i + 1)
            } else {
                customer.id.clone()
            };
            stops.push(Point {
                id: Some(json!(id)),
                x: None,
                y: None,
                lat: Some(customer.lat),
                lon: Some(customer.lon),
                demand: part,
            });
        }
    }
    req.stops = Some(stops);
    req.vehicle_capacity.get_or_insert(capacity.max(1.0));
    req.metric.get_or_insert(Metric::Haversine);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_demand;

    #[test]
    fn demand_above_capacity_is_split_into_full_loads_and_the_rest() {
        assert_eq!(
            split_demand(25_000.0, 10_000.0),
            [10_000.0, 10_000.0, 5_000.0]
        );
        assert_eq!(split_demand(20_000.0, 10_000.0), [10_000.0, 10_000.0]);
        assert_eq!(split_demand(900.0, 10_000.0), [900.0]);
    }
}
