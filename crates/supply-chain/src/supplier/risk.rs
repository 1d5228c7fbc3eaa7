//! Supplier risk findings, each with the evidence behind it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::performance::Performance;

/// Limits beyond which a supplier is flagged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskThresholds {
    /// Lead-time coefficient of variation (std / mean) above which lead time is erratic.
    pub lead_time_cv: f64,
    /// Defect rate above which quality is a risk.
    pub defect_rate: f64,
    /// On-time rate below which delivery is a risk.
    pub on_time_rate: f64,
}

impl Default for RiskThresholds {
    /// # Default
    ///
    /// Lead-time CV 0.3, defect rate 3 %, on-time rate 85 %.
    fn default() -> Self {
        Self {
            lead_time_cv: 0.3,
            defect_rate: 0.03,
            on_time_rate: 0.85,
        }
    }
}

/// One risk finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// `single_source`, `deteriorating_trend`, `lead_time_variability`,
    /// `quality` or `delivery_reliability`.
    pub kind: String,
    /// `high`, `medium` or `low`.
    pub severity: String,
    /// The supplier concerned.
    pub supplier_id: String,
    /// The SKU concerned, for single-sourcing.
    pub sku: Option<String>,
    /// A sentence a person can read.
    pub message: String,
    /// The numbers behind the finding.
    pub evidence: Value,
}

/// Flags SKUs with a single supplier (`sources`: SKU -> supplier ids) and suppliers whose
/// performance crosses the thresholds. Findings are sorted high severity first.
pub fn assess(
    performances: &[Performance],
    sources: &BTreeMap<String, Vec<String>>,
    thresholds: RiskThresholds,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (sku, suppliers) in sources {
        if let [only] = suppliers.as_slice() {
            let perf = performances.iter().find(|p| &p.supplier_id == only);
            let shaky = perf.is_some_and(|p| {
                p.on_time_rate < thresholds.on_time_rate || p.trend.direction == "deteriorating"
            });
            findings.push(Finding {
                kind: "single_source".into(),
                severity: if shaky { "high" } else { "medium" }.into(),
                supplier_id: only.clone(),
                sku: Some(sku.clone()),
                message: format!("SKU {sku} has one supplier ({only}); no alternative source"),
                evidence: json!({
                    "suppliers_for_sku": 1,
                    "supplier_on_time_rate": perf.map(|p| p.on_time_rate),
                    "supplier_trend": perf.map(|p| p.trend.direction.clone()),
                }),
            });
        }
    }
    for p in performances {
        let t = &p.trend;
        if t.direction == "deteriorating" {
            findings.push(Finding {
                kind: "deteriorating_trend".into(),
                severity: "high".into(),
                supplier_id: p.supplier_id.clone(),
                sku: None,
                message: format!(
                    "on-time rate {:.0}% -> {:.0}%, defect rate {:.1}% -> {:.1}% (earlier vs recent half)",
                    t.on_time_rate_earlier * 100.0,
                    t.on_time_rate_recent * 100.0,
                    t.defect_rate_earlier * 100.0,
                    t.defect_rate_recent * 100.0
                ),
                evidence: json!(t),
            });
        }
        let cv = if p.lead_time_mean_days > 0.0 {
            p.lead_time_std_days / p.lead_time_mean_days
        } else {
            0.0
        };
        if cv > thresholds.lead_time_cv {
            findings.push(Finding {
                kind: "lead_time_variability".into(),
                severity: if cv > 2.0 * thresholds.lead_time_cv { "high" } else { "medium" }.into(),
                supplier_id: p.supplier_id.clone(),
                sku: None,
                message: format!(
                    "lead time {:.1} +/- {:.1} days (CV {:.2} > {:.2})",
                    p.lead_time_mean_days, p.lead_time_std_days, cv, thresholds.lead_time_cv
                ),
                evidence: json!({"lead_time_mean_days": p.lead_time_mean_days,
                    "lead_time_std_days": p.lead_time_std_days, "cv": cv, "deliveries": p.deliveries}),
            });
        }
        if p.defect_rate > thresholds.defect_rate {
            findings.push(Finding {
                kind: "quality".into(),
                severity: if p.defect_rate > 2.0 * thresholds.defect_rate {
                    "high"
                } else {
                    "medium"
                }
                .into(),
                supplier_id: p.supplier_id.clone(),
                sku: None,
                message: format!(
                    "defect rate {:.1}% above {:.1}%",
                    p.defect_rate * 100.0,
                    thresholds.defect_rate * 100.0
                ),
                evidence: json!({"defect_rate": p.defect_rate, "deliveries": p.deliveries}),
            });
        }
        if p.on_time_rate < thresholds.on_time_rate {
            findings.push(Finding {
                kind: "delivery_reliability".into(),
                severity: if p.on_time_rate < thresholds.on_time_rate - 0.15 {
                    "high"
                } else {
                    "medium"
                }
                .into(),
                supplier_id: p.supplier_id.clone(),
                sku: None,
                message: format!(
                    "on-time rate {:.0}% below {:.0}%",
                    p.on_time_rate * 100.0,
                    thresholds.on_time_rate * 100.0
                ),
                evidence: json!({"on_time_rate": p.on_time_rate, "mean_days_late": p.mean_days_late,
                    "fill_rate": p.fill_rate, "deliveries": p.deliveries}),
            });
        }
    }
    let rank = |s: &str| match s {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    findings.sort_by_key(|f| rank(&f.severity));
    findings
}
