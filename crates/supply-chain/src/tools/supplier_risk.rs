//! `assess_supplier_risk`: single sourcing, deteriorating trends, erratic lead times.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};
use toolexec::ToolError;

use super::supplier_perf::{convert, delivery_schema, DeliveryIn};
use super::{not_found, store_error, to_json, RunContext, ToolDef};
use crate::input::{at_most_items, open_probability, parse, positive, round_json};
use crate::limits::{MAX_SOURCES_PER_SKU, MAX_SOURCE_SKUS};
use crate::supplier::performance::{analyze, TrendThresholds};
use crate::supplier::risk::{assess, RiskThresholds};
use crate::Store;

pub(super) const DEF: ToolDef = ToolDef {
    name: "assess_supplier_risk",
    group: "supplier_analyzer",
    description: "Supply risk findings, each with its evidence and a severity: single-sourced \
        SKUs (one approved supplier), deteriorating trends (recent half of deliveries vs \
        earlier), lead-time variability (coefficient of variation above lead_time_cv, default \
        0.3), quality (defect rate above 3 %) and delivery reliability (on-time rate below \
        85 %). Uses the database (optionally one `supplier_id`) or inline `deliveries` with \
        optional `sources` (SKU -> supplier ids; inferred from deliveries when absent).",
    schema,
    handler,
};

fn schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "supplier_id": {"type": "string"},
            "deliveries": delivery_schema(),
            "sources": {"type": "object", "maxProperties": MAX_SOURCE_SKUS, "additionalProperties":
                {"type": "array", "maxItems": MAX_SOURCES_PER_SKU, "items": {"type": "string"}}},
            "lead_time_cv": {"type": "number", "exclusiveMinimum": 0, "default": 0.3},
            "defect_rate": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.03},
            "on_time_rate": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.85}
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    supplier_id: Option<String>,
    deliveries: Option<Vec<DeliveryIn>>,
    sources: Option<BTreeMap<String, Vec<String>>>,
    lead_time_cv: Option<f64>,
    defect_rate: Option<f64>,
    on_time_rate: Option<f64>,
}

fn handler(input: &Value, store: &Store, _: &RunContext) -> Result<Value, ToolError> {
    let req: Input = parse(input)?;
    if let Some(sources) = &req.sources {
        if sources.len() > MAX_SOURCE_SKUS {
            return Err(ToolError::invalid_input(
                "sources",
                format!(
                    "has {} SKUs, more than the limit of {MAX_SOURCE_SKUS}",
                    sources.len()
                ),
            ));
        }
        for (sku, suppliers) in sources {
            at_most_items(&format!("sources.{sku}"), suppliers, MAX_SOURCES_PER_SKU)?;
        }
    }
    let defaults = RiskThresholds::default();
    let thresholds = RiskThresholds {
        lead_time_cv: positive(
            "lead_time_cv",
            req.lead_time_cv.unwrap_or(defaults.lead_time_cv),
        )?,
        defect_rate: open_probability(
            "defect_rate",
            req.defect_rate.unwrap_or(defaults.defect_rate),
        )?,
        on_time_rate: open_probability(
            "on_time_rate",
            req.on_time_rate.unwrap_or(defaults.on_time_rate),
        )?,
    };
    let inline = req.deliveries.is_some();
    let (deliveries, sources) = match req.deliveries {
        Some(list) => {
            let deliveries = convert(list)?;
            let sources = req.sources.unwrap_or_else(|| {
                let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for d in deliveries.iter().filter(|d| !d.sku.is_empty()) {
                    let list = map.entry(d.sku.clone()).or_default();
                    if !list.contains(&d.supplier_id) {
                        list.push(d.supplier_id.clone());
                    }
                }
                map
            });
            (deliveries, sources)
        }
        None => (
            store.deliveries(None).map_err(store_error)?,
            store.supplier_sources().map_err(store_error)?,
        ),
    };
    let mut perf = analyze(&deliveries, TrendThresholds::default());
    let mut findings = assess(&perf, &sources, thresholds);
    if let Some(id) = &req.supplier_id {
        if !perf.iter().any(|p| &p.supplier_id == id) {
            return Err(not_found(format!("no deliveries for supplier {id}")));
        }
        findings.retain(|f| &f.supplier_id == id);
        perf.retain(|p| &p.supplier_id == id);
    }
    let mut findings_json = to_json(&findings)?;
    round_json(&mut findings_json, 4);
    let findings_count = |s: &str| findings.iter().filter(|f| f.severity == s).count();
    Ok(json!({
        "source": if inline { "inline" } else { "database" },
        "conventions": {"lead_time_cv": "std / mean of order-to-arrival days",
            "trend": "earlier vs recent half of deliveries by order date"},
        "thresholds": {"lead_time_cv": thresholds.lead_time_cv, "defect_rate": thresholds.defect_rate,
            "on_time_rate": thresholds.on_time_rate},
        "suppliers_assessed": perf.len(),
        "summary": {"high": findings_count("high"), "medium": findings_count("medium"), "low": findings_count("low")},
        "findings": findings_json,
    }))
}
