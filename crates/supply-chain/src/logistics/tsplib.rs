//! Reading CVRP instances in the TSPLIB format used by CVRPLIB, and turning them into
//! `optimize_routes` input.

use serde_json::{json, Value};

/// A CVRP instance with 2-D coordinates; node 0 is the depot.
#[derive(Debug, Clone, PartialEq)]
pub struct TsplibCvrp {
    /// The NAME field.
    pub name: String,
    /// Vehicle capacity.
    pub capacity: f64,
    /// Coordinates by node, depot first.
    pub coords: Vec<(f64, f64)>,
    /// Demand by node, depot first (0).
    pub demands: Vec<f64>,
}

/// Parses a CVRP file with NODE_COORD_SECTION, DEMAND_SECTION and a single depot
/// listed first (as in CVRPLIB sets A, B, E, P and X).
pub fn parse(text: &str) -> Result<TsplibCvrp, String> {
    let mut name = String::new();
    let mut capacity = None;
    let (mut coords, mut demands) = (Vec::new(), Vec::new());
    let mut section = "";
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some((key, value)) = line.split_once(':') {
            match key.trim() {
                "NAME" => name = value.trim().to_string(),
                "CAPACITY" => capacity = value.trim().parse::<f64>().ok(),
                _ => {}
            }
            continue;
        }
        if line.ends_with("_SECTION") || line == "EOF" {
            section = line;
            continue;
        }
        let fields: Vec<f64> = line
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        match (section, fields.as_slice()) {
            ("NODE_COORD_SECTION", [_, x, y]) => coords.push((*x, *y)),
            ("DEMAND_SECTION", [_, d]) => demands.push(*d),
            _ => {}
        }
    }
    let capacity = capacity.ok_or("no CAPACITY")?;
    if coords.is_empty() || coords.len() != demands.len() {
        return Err(format!(
            "{} coordinates but {} demands",
            coords.len(),
            demands.len()
        ));
    }
    Ok(TsplibCvrp {
        name,
        capacity,
        coords,
        demands,
    })
}

impl TsplibCvrp {
    /// The `optimize_routes` input for this instance with the `euc2d` metric.
    pub fn to_tool_input(&self, time_limit_ms: u64) -> Value {
        let stops: Vec<Value> = (1..self.coords.len())
            .map(|i| {
                json!({"id": i + 1, "x": self.coords[i].0, "y": self.coords[i].1, "demand": self.demands[i]})
            })
            .collect();
        json!({
            "depot": {"x": self.coords[0].0, "y": self.coords[0].1},
            "stops": stops,
            "vehicle_capacity": self.capacity,
            "metric": "euc2d",
            "time_limit_ms": time_limit_ms,
        })
    }
}
