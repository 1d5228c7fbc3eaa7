//! The routing metrics: TSPLIB rounding and the haversine great-circle distance.

use supply_chain::logistics::distance::{haversine_km, Metric, EARTH_RADIUS_KM};

/// TSPLIB (Reinelt 1991, "TSPLIB 95" documentation): EUC_2D distances are
/// `nint(sqrt(xd^2 + yd^2))`. Nodes 1 (82, 76) and 2 (96, 44) of A-n32-k5 are
/// sqrt(14^2 + 32^2) = 34.93 apart, so 35.
#[test]
fn euc2d_rounds_to_the_nearest_integer() {
    let (a, b) = ((82.0, 76.0), (96.0, 44.0));
    assert_eq!(Metric::Euc2d.distance(a, b), 35.0);
    assert!((Metric::Euclidean.distance(a, b) - 34.928_498).abs() < 1e-6);
}

/// Rosetta Code, "Haversine formula": Nashville BNA (36.12, -86.67) to Los Angeles LAX
/// (33.94, -118.40) is 2887.2599506071106 km with an Earth radius of 6372.8 km; this
/// crate uses the mean radius 6371.0 km, so the answer scales by 6371.0 / 6372.8.
#[test]
fn haversine_matches_the_rosetta_code_example() {
    let km = haversine_km((36.12, -86.67), (33.94, -118.40));
    let expected = 2_887.259_950_607_110_6 * EARTH_RADIUS_KM / 6372.8;
    assert!((km - expected).abs() < 1e-6, "{km} vs {expected}");
    assert_eq!(haversine_km((10.0, 20.0), (10.0, 20.0)), 0.0);
}
