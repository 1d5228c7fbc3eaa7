//! `forecast_demand`: a demand summary and short-term forecast per item.

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::{not_found, one_source, store_error, RunContext, ToolDef};
use crate::input::{int_within, items_within, non_negative, open_probability, parse, round};
use crate::inventory::forecast::{forecast, summarize, Smoothing};
use crate::limits::{MAX_HISTORY_DAYS, MAX_HORIZON_DAYS};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "forecast_demand",
    group: "inventory_optimizer",
    description: "Daily demand summary (mean, sample standard deviation, coefficient of \
        variation, least-squares trend, annualized demand, day-of-week indices) and a forecast \
        for the next `horizon_days` by Holt's linear exponential smoothing with multiplicative \
        day-of-week seasonality. Give `warehouse_code` + `sku` (last `history_days` of history, \
        default 365) or an inline daily `history`. Conventions: units per day; forecasts \
        floored at 0 and rounded to 2 decimals.",
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
            "history_days": {"type": "integer", "minimum": 14, "maximum": 730, "default": 365},
            "history": {"type": "array", "minItems": 2, "maxItems": MAX_HISTORY_DAYS, "items": {"type": "number", "minimum": 0}},
            "horizon_days": {"type": "integer", "minimum": 1, "maximum": MAX_HORIZON_DAYS, "default": 28},
            "alpha": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.2},
            "beta": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.05}
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    warehouse_code: Option<String>,
    sku: Option<String>,
    history_days: Option<usize>,
    history: Option<Vec<f64>>,
    horizon_days: Option<usize>,
    alpha: Option<f64>,
    beta: Option<f64>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    one_source(
        ("warehouse_code", req.warehouse_code.is_some()),
        ("history", req.history.is_some()),
    )?;
    if let Some(history) = &req.history {
        items_within("history", history, MAX_HISTORY_DAYS)?;
    }
    if let Some(days) = req.history_days {
        int_within("history_days", days, 14, 730)?;
    }
    let horizon = int_within(
        "horizon_days",
        req.horizon_days.unwrap_or(28),
        1,
        MAX_HORIZON_DAYS,
    )?;
    let defaults = Smoothing::default();
    let smoothing = Smoothing {
        alpha: open_probability("alpha", req.alpha.unwrap_or(defaults.alpha))?,
        beta: open_probability("beta", req.beta.unwrap_or(defaults.beta))?,
    };
    let history = match (req.history, &req.warehouse_code) {
        (Some(history), _) => {
            if history.len() < 2 {
                return Err(ToolError::invalid_input("history", "needs at least 2 days"));
            }
            for (i, v) in history.iter().enumerate() {
                non_negative(&format!("history[{i}]"), *v)?;
            }
            history
        }
        (None, Some(code)) => {
            let sku = req
                .sku
                .as_deref()
                .ok_or_else(|| ToolError::invalid_input("sku", "required with warehouse_code"))?;
            let days = req.history_days.unwrap_or(365);
            if !(14..=730).contains(&days) {
                return Err(ToolError::invalid_input(
                    "history_days",
                    "must be between 14 and 730",
                ));
            }
            let h = store
                .demand_history(code, sku, Some(days))
                .map_err(store_error)?;
            if h.is_empty() {
                return Err(not_found(format!("no demand history for {sku} at {code}")));
            }
            h
        }
        (None, None) => Vec::new(),
    };
    let summary = summarize(&history);
    let fc = forecast(&history, horizon, smoothing);
    Ok(json!({
        "warehouse_code": req.warehouse_code,
        "sku": req.sku,
        "conventions": {"time_unit": "day", "std": "sample (n-1)",
            "method": "Holt linear exponential smoothing with day-of-week indices"},
        "summary": {
            "days": summary.days,
            "total": summary.total,
            "mean_daily": round(summary.mean_daily, 3),
            "std_daily": round(summary.std_daily, 3),
            "coefficient_of_variation": round(summary.coefficient_of_variation, 4),
            "trend_per_day": round(summary.trend_per_day, 5),
            "annualized_demand": round(summary.annualized_demand, 1),
            "weekly_seasonality": summary.weekly_seasonality.map(|w| w.iter().map(|v| round(*v, 3)).collect::<Vec<_>>()),
        },
        "forecast": {
            "horizon_days": horizon,
            "daily": fc.daily.iter().map(|v| round(*v, 2)).collect::<Vec<_>>(),
            "total": round(fc.total, 2),
            "mean_daily": round(fc.total / horizon as f64, 3),
            "in_sample_rmse": round(fc.rmse, 3),
        }
    }))
}
