//! Distance metrics between stops.

use serde::{Deserialize, Serialize};

/// Mean Earth radius in kilometres, for haversine distances.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// How distances are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Exact Euclidean distance between (x, y) points, unrounded.
    Euclidean,
    /// Euclidean distance rounded to the nearest integer, as TSPLIB's EUC_2D and CVRPLIB.
    Euc2d,
    /// Great-circle distance in kilometres between (lat, lon) points in degrees.
    Haversine,
}

impl Metric {
    /// The distance between two points: (x, y), or (lat, lon) for haversine.
    pub fn distance(self, a: (f64, f64), b: (f64, f64)) -> f64 {
        match self {
            Metric::Euclidean => (a.0 - b.0).hypot(a.1 - b.1),
            Metric::Euc2d => (a.0 - b.0).hypot(a.1 - b.1).round(),
            Metric::Haversine => haversine_km(a, b),
        }
    }

    /// The full distance matrix over `points`, row-major.
    pub fn matrix(self, points: &[(f64, f64)]) -> Vec<f64> {
        let mut out = Vec::with_capacity(points.len() * points.len());
        for a in points {
            for b in points {
                out.push(self.distance(*a, *b));
            }
        }
        out
    }

    /// What the metric's unit and rounding are, for tool results.
    pub fn convention(self) -> &'static str {
        match self {
            Metric::Euclidean => "exact Euclidean distance in input coordinate units",
            Metric::Euc2d => {
                "Euclidean distance rounded to the nearest integer per edge (TSPLIB EUC_2D)"
            }
            Metric::Haversine => "great-circle distance in km (haversine, R = 6371 km)",
        }
    }
}

/// The haversine distance in km between (lat, lon) points in degrees.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}
