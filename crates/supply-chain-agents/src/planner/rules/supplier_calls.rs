//! Supplier calls: performance (with trends), rankings (a ranking limited to a
//! category, region or list of suppliers ranks their figures from the performance
//! call), and supply risk.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::{reason, Plan, PlannedCall, Specialty};
use crate::catalog::Catalog;
use crate::query::{Intent, Measure, Query};

/// The intents the supplier analyzer serves.
pub const INTENTS: &[Intent] = &[
    Intent::SupplierPerformance,
    Intent::SupplierRanking,
    Intent::SupplierRisk,
];

/// The suppliers a question limits itself to (by id, category or region); `None` when
/// it does not.
pub fn scope(query: &Query, catalog: &Catalog) -> Option<BTreeSet<String>> {
    if !query.suppliers.is_empty() {
        return Some(query.suppliers.iter().cloned().collect());
    }
    if query.categories.is_empty() && query.regions.is_empty() {
        return None;
    }
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for category in &query.categories {
        ids.extend(catalog.suppliers_of_category(category));
    }
    if !query.regions.is_empty() {
        let in_region: BTreeSet<String> = query
            .regions
            .iter()
            .flat_map(|r| catalog.suppliers_in_region(r))
            .collect();
        ids = if query.categories.is_empty() {
            in_region
        } else {
            ids.intersection(&in_region).cloned().collect()
        };
    }
    Some(ids)
}

/// Ranking criteria from the question's words and rank words; the tool's defaults when
/// none match.
pub fn criteria(query: &Query) -> Vec<Value> {
    let lower = query.text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .collect();
    let has = |cues: &[&str]| {
        cues.iter().any(|cue| {
            if cue.contains(' ') {
                lower.contains(cue)
            } else {
                words
                    .iter()
                    .any(|w| *w == *cue || (cue.len() >= 5 && w.starts_with(cue)))
            }
        })
    };
    let measure = query.rank.map(|r| r.measure);
    let mut chosen: Vec<(&str, &str)> = Vec::new();
    if has(&["reliab", "on-time", "on time", "punctual", "deliver"]) {
        chosen.push(("on_time_rate", "benefit"));
        chosen.push(("fill_rate", "benefit"));
    }
    if has(&["price", "prices", "cost", "costs", "cheap", "expensive"])
        || measure == Some(Measure::Cost)
    {
        chosen.push(("price_index", "cost"));
    }
    if has(&["quality", "defect", "defects"]) {
        chosen.push(("defect_rate", "cost"));
    }
    if has(&["lead time", "speed", "fast", "faster", "quick"]) || measure == Some(Measure::Speed) {
        chosen.push(("lead_time_mean_days", "cost"));
        chosen.push(("lead_time_std_days", "cost"));
    }
    if chosen.is_empty() {
        chosen = vec![
            ("on_time_rate", "benefit"),
            ("fill_rate", "benefit"),
            ("defect_rate", "cost"),
            ("lead_time_mean_days", "cost"),
            ("lead_time_std_days", "cost"),
            ("price_index", "cost"),
        ];
    }
    let weight = 1.0 / chosen.len() as f64;
    chosen
        .into_iter()
        .map(|(name, direction)| json!({"name": name, "weight": weight, "direction": direction}))
        .collect()
}

/// The input of a ranking of the suppliers in scope, from the rows of an
/// `analyze_supplier_performance` result (numbers only, keyed by `id`).
pub fn scoped_ranking_input(query: &Query, performance: &[Value]) -> Value {
    let suppliers: Vec<Value> = performance
        .iter()
        .map(|s| {
            let mut row = s.clone();
            row["id"] = s["supplier_id"].clone();
            if let Some(map) = row.as_object_mut() {
                map.retain(|k, v| k == "id" || v.is_number());
            }
            row
        })
        .collect();
    json!({"suppliers": suppliers, "criteria": criteria(query), "method": "topsis"})
}

/// The supplier calls for a query.
pub fn plan(query: &Query, catalog: &Catalog) -> Plan {
    let mut plan = Plan::default();
    let wants = query.wanted(INTENTS, &[Intent::SupplierRanking, Intent::SupplierRisk]);
    let scope = scope(query, catalog);
    if scope.as_ref().is_some_and(BTreeSet::is_empty) {
        plan.notes
            .push("No supplier matches the category or region named.".to_owned());
        return plan;
    }
    let spec = Specialty::Supplier;
    let scope_words = match &scope {
        Some(ids) => format!("{} suppliers in scope", ids.len()),
        None => "every supplier".to_owned(),
    };
    let ranking = wants.contains(&Intent::SupplierRanking);
    if wants.contains(&Intent::SupplierPerformance) || (ranking && scope.is_some()) {
        let intent = if wants.contains(&Intent::SupplierPerformance) {
            Intent::SupplierPerformance
        } else {
            Intent::SupplierRanking
        };
        let detail = match (query.trend, query.period_days) {
            (Some(_), Some(days)) => format!("{scope_words}; trend of recent against earlier deliveries (asked over {days} days)"),
            (Some(_), None) => format!("{scope_words}; trend of recent against earlier deliveries"),
            _ => scope_words.clone(),
        };
        plan.push(
            spec,
            "analyze_supplier_performance",
            "supplier-performance".to_owned(),
            json!({}),
            reason(query, intent, &detail),
        );
    }
    if ranking {
        let names: Vec<String> = criteria(query)
            .iter()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .collect();
        match &scope {
            None => plan.push(
                spec,
                "rank_suppliers",
                "supplier-ranking".to_owned(),
                json!({"criteria": criteria(query)}),
                reason(
                    query,
                    Intent::SupplierRanking,
                    &format!("TOPSIS on {}", names.join(", ")),
                ),
            ),
            Some(_) => plan.calls.push(PlannedCall {
                specialty: spec,
                tool: "rank_suppliers",
                id: "supplier-ranking".to_owned(),
                input: json!({"criteria": criteria(query), "method": "topsis"}),
                why: reason(
                    query,
                    Intent::SupplierRanking,
                    &format!(
                        "TOPSIS on {} of the {scope_words}, after their performance is known",
                        names.join(", ")
                    ),
                ),
                deferred: true,
            }),
        }
    }
    if wants.contains(&Intent::SupplierRisk) {
        plan.push(
            spec,
            "assess_supplier_risk",
            "supplier-risk".to_owned(),
            json!({}),
            reason(query, Intent::SupplierRisk, &scope_words),
        );
    }
    plan
}
