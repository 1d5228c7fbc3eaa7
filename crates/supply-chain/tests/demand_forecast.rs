//! The demand summary and forecast of `forecast_demand`.

use serde_json::json;
use supply_chain::inventory::forecast::{mean_std, trend_slope};
use supply_chain::{dispatch, Store};

/// Sample statistics by hand: 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and sample standard
/// deviation sqrt(32/7) = 2.138 (the population one would be 2).
#[test]
fn summary_uses_the_sample_standard_deviation() {
    let (mean, std) = mean_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
    assert_eq!(mean, 5.0);
    assert!((std - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    assert!((trend_slope(&[1.0, 3.0, 5.0, 7.0]) - 2.0).abs() < 1e-12);
}

/// A noiseless series 10 + 0.5 t: the trend is recovered and the forecast continues it.
#[test]
fn forecast_continues_a_linear_trend() {
    let history: Vec<f64> = (0..120).map(|t| 10.0 + 0.5 * f64::from(t)).collect();
    let store = Store::in_memory().expect("store");
    let r = dispatch(
        "inventory_optimizer",
        "forecast_demand",
        &json!({"history": history, "horizon_days": 7}),
        &store,
    )
    .expect("forecast");
    assert!((r["summary"]["trend_per_day"].as_f64().expect("trend") - 0.5).abs() < 1e-9);
    let first = r["forecast"]["daily"][0].as_f64().expect("day 1");
    // The next value on the line is 10 + 0.5 x 120 = 70; the weekday indices of a
    // trending series are not exactly 1, so allow a few percent.
    assert!((first - 70.0).abs() < 3.5, "{first}");
    assert_eq!(r["forecast"]["daily"].as_array().expect("daily").len(), 7);
}
