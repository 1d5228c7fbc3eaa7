//! Demand summaries and short-term forecasts from a daily demand history.

use serde::Serialize;

/// Smoothing constants of the forecast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smoothing {
    /// Level smoothing constant (alpha), in (0, 1).
    pub alpha: f64,
    /// Trend smoothing constant (beta), in (0, 1).
    pub beta: f64,
}

impl Default for Smoothing {
    /// # Default
    ///
    /// `alpha = 0.2, beta = 0.05`: a slow-moving level and trend suited to daily data.
    fn default() -> Self {
        Self {
            alpha: 0.2,
            beta: 0.05,
        }
    }
}

/// Statistics of a daily demand history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandSummary {
    /// Days of history.
    pub days: usize,
    /// Total demand.
    pub total: f64,
    /// Mean daily demand.
    pub mean_daily: f64,
    /// Sample standard deviation of daily demand (n - 1 denominator).
    pub std_daily: f64,
    /// Coefficient of variation `std / mean`.
    pub coefficient_of_variation: f64,
    /// Least-squares trend slope, units/day per day.
    pub trend_per_day: f64,
    /// Demand over the last 365 days scaled to a year (all history if shorter).
    pub annualized_demand: f64,
    /// Multiplicative day-of-week indices (position 0 = the first day of the history),
    /// present with at least two full weeks.
    pub weekly_seasonality: Option<Vec<f64>>,
}

/// A forecast over a horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Forecast for each day after the history.
    pub daily: Vec<f64>,
    /// Their sum.
    pub total: f64,
    /// Root mean squared one-step-ahead error over the history.
    pub rmse: f64,
}

/// The sample mean and sample standard deviation (n - 1); (0, 0) for no data.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, var.sqrt())
}

/// The least-squares slope of `values` against their index.
pub fn trend_slope(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    if values.len() < 2 {
        return 0.0;
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    if sxx > 0.0 {
        sxy / sxx
    } else {
        0.0
    }
}

/// Summarizes a daily history.
pub fn summarize(history: &[f64]) -> DemandSummary {
    let (mean, std) = mean_std(history);
    let last_year = &history[history.len().saturating_sub(365)..];
    let annualized = if last_year.is_empty() {
        0.0
    } else {
        last_year.iter().sum::<f64>() * 365.0 / last_year.len() as f64
    };
    DemandSummary {
        days: history.len(),
        total: history.iter().sum(),
        mean_daily: mean,
        std_daily: std,
        coefficient_of_variation: if mean > 0.0 { std / mean } else { 0.0 },
        trend_per_day: trend_slope(history),
        annualized_demand: annualized,
        weekly_seasonality: weekly_indices(history),
    }
}

/// Day-of-week indices: mean demand on each weekday position over the overall mean.
pub fn weekly_indices(history: &[f64]) -> Option<Vec<f64>> {
    if history.len() < 14 {
        return None;
    }
    let mean = history.iter().sum::<f64>() / history.len() as f64;
    if mean <= 0.0 {
        return None;
    }
    let mut sums = [0.0; 7];
    let mut counts = [0.0; 7];
    for (i, v) in history.iter().enumerate() {
        sums[i % 7] += v;
        counts[i % 7] += 1.0;
    }
    Some((0..7).map(|d| sums[d] / counts[d] / mean).collect())
}

/// Holt's linear exponential smoothing on deseasonalized demand, reseasonalized with
/// the day-of-week indices; forecasts are floored at 0.
pub fn forecast(history: &[f64], horizon: usize, smoothing: Smoothing) -> Forecast {
    let indices = weekly_indices(history).unwrap_or_else(|| vec![1.0; 7]);
    let season = |i: usize| indices[i % 7].max(1e-6);
    let Some(&first) = history.first() else {
        return Forecast {
            daily: vec![0.0; horizon],
            total: 0.0,
            rmse: 0.0,
        };
    };
    let mut level = first / season(0);
    let mut trend = 0.0;
    let mut squared_error = 0.0;
    for (i, &y) in history.iter().enumerate().skip(1) {
        let predicted = (level + trend) * season(i);
        squared_error += (y - predicted).powi(2);
        let previous = level;
        level = smoothing.alpha * (y / season(i)) + (1.0 - smoothing.alpha) * (level + trend);
        trend = smoothing.beta * (level - previous) + (1.0 - smoothing.beta) * trend;
    }
    let n = history.len();
    let daily: Vec<f64> = (1..=horizon)
        .map(|h| ((level + trend * h as f64) * season(n + h - 1)).max(0.0))
        .collect();
    Forecast {
        total: daily.iter().sum(),
        daily,
        rmse: if n > 1 {
            (squared_error / (n - 1) as f64).sqrt()
        } else {
            0.0
        },
    }
}
