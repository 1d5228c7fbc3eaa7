//! The supplier analyzer agent: supplier performance, rankings and supply risk.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{json, Value};
use toolexec::{Envelope, Executor, ToolCall};

use crate::agent::{Agent, Specialist};
use crate::answer::{fmt, num, pct, AgentAnswer, AnswerTable};
use crate::catalog::Catalog;
use crate::query::{Intent, Query};

const INTENTS: &[Intent] = &[
    Intent::SupplierPerformance,
    Intent::SupplierRanking,
    Intent::SupplierRisk,
];

/// Answers supplier questions with `analyze_supplier_performance`, `rank_suppliers`
/// and `assess_supplier_risk`. A ranking limited to a category or region takes two
/// steps: performance first, then a ranking of the matching suppliers' figures.
pub struct SupplierAgent {
    executor: Executor,
    catalog: Arc<Catalog>,
}

impl SupplierAgent {
    /// An agent on a shared executor.
    pub fn new(executor: Executor, catalog: Arc<Catalog>) -> Self {
        Self { executor, catalog }
    }

    /// The suppliers a question limits itself to (by id, category or region); `None`
    /// when it does not.
    fn scope(&self, query: &Query) -> Option<BTreeSet<String>> {
        if !query.suppliers.is_empty() {
            return Some(query.suppliers.iter().cloned().collect());
        }
        if query.categories.is_empty() && query.regions.is_empty() {
            return None;
        }
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for category in &query.categories {
            ids.extend(self.catalog.suppliers_of_category(category));
        }
        if !query.regions.is_empty() {
            let in_region: BTreeSet<String> = query
                .regions
                .iter()
                .flat_map(|r| self.catalog.suppliers_in_region(r))
                .collect();
            ids = if query.categories.is_empty() {
                in_region
            } else {
                ids.intersection(&in_region).cloned().collect()
            };
        }
        Some(ids)
    }
}

/// Ranking criteria from the question's words; the tool's defaults when none match.
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
    let mut chosen: Vec<(&str, &str)> = Vec::new();
    if has(&["reliab", "on-time", "on time", "punctual", "deliver"]) {
        chosen.push(("on_time_rate", "benefit"));
        chosen.push(("fill_rate", "benefit"));
    }
    if has(&["price", "cost", "costs", "cheap", "expensive"]) {
        chosen.push(("price_index", "cost"));
    }
    if has(&["quality", "defect"]) {
        chosen.push(("defect_rate", "cost"));
    }
    if has(&["lead time", "speed", "fast", "faster", "fastest", "quick"]) {
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

impl Agent for SupplierAgent {
    fn name(&self) -> &'static str {
        "supplier analyzer"
    }

    fn description(&self) -> &'static str {
        "supplier performance (on-time, fill and defect rates, lead times, prices, trends), \
         supplier rankings by the criteria you name (TOPSIS), supply risks such as single-sourced SKUs"
    }

    fn intents(&self) -> &'static [Intent] {
        INTENTS
    }

    fn executor(&self) -> &Executor {
        &self.executor
    }

    fn answer<'a>(&'a self, query: &'a Query) -> BoxFuture<'a, AgentAnswer> {
        Box::pin(async move {
            let mut answer = AgentAnswer::new(self.name());
            let wants = query.wanted(INTENTS, &[Intent::SupplierRanking, Intent::SupplierRisk]);
            let scope = self.scope(query);
            if scope.as_ref().is_some_and(BTreeSet::is_empty) {
                answer.say("No supplier matches the category or region named.");
                return answer;
            }
            let needs_performance = wants.contains(&Intent::SupplierPerformance)
                || (wants.contains(&Intent::SupplierRanking) && scope.is_some());
            let mut calls = Vec::new();
            if needs_performance {
                calls.push(
                    ToolCall::new("analyze_supplier_performance", json!({}))
                        .with_id("supplier-performance"),
                );
            }
            let rank_in_db = wants.contains(&Intent::SupplierRanking) && scope.is_none();
            if rank_in_db {
                calls.push(
                    ToolCall::new("rank_suppliers", json!({"criteria": criteria(query)}))
                        .with_id("supplier-ranking"),
                );
            }
            if wants.contains(&Intent::SupplierRisk) {
                calls.push(
                    ToolCall::new("assess_supplier_risk", json!({})).with_id("supplier-risk"),
                );
            }
            let mut envelopes = self.run_tools(calls).await;
            let find = |tool: &str, envelopes: &[Envelope]| {
                envelopes.iter().position(|e| &*e.tool_name == tool)
            };

            let performance: Vec<Value> = find("analyze_supplier_performance", &envelopes)
                .and_then(|i| {
                    envelopes[i]
                        .result
                        .as_ref()
                        .filter(|_| envelopes[i].success)
                })
                .and_then(|r| r["suppliers"].as_array())
                .map(|all| {
                    all.iter()
                        .filter(|s| {
                            scope.as_ref().is_none_or(|ids| {
                                s["supplier_id"].as_str().is_some_and(|id| ids.contains(id))
                            })
                        })
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            if let Some(i) = find("analyze_supplier_performance", &envelopes) {
                if !envelopes[i].success {
                    answer.report_failure(&envelopes[i], "analyze supplier performance");
                } else if wants.contains(&Intent::SupplierPerformance) {
                    describe_performance(&mut answer, &performance);
                }
            }
            if wants.contains(&Intent::SupplierRanking)
                && scope.is_some()
                && !performance.is_empty()
            {
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
                let input = json!({"suppliers": suppliers, "criteria": criteria(query), "method": "topsis"});
                let ranked = self
                    .run_tool(ToolCall::new("rank_suppliers", input).with_id("supplier-ranking"))
                    .await;
                envelopes.push(ranked);
            }
            if let Some(i) = find("rank_suppliers", &envelopes) {
                describe_ranking(&mut answer, query, &envelopes[i]);
            }
            if let Some(i) = find("assess_supplier_risk", &envelopes) {
                describe_risk(
                    &mut answer,
                    &self.catalog,
                    query,
                    scope.as_ref(),
                    &envelopes[i],
                );
            }
            answer.envelopes = envelopes;
            answer
        })
    }
}

fn describe_performance(answer: &mut AgentAnswer, suppliers: &[Value]) {
    if suppliers.is_empty() {
        answer.say("No deliveries recorded for the suppliers asked about.");
        return;
    }
    let mut table = AnswerTable::new(
        "Supplier performance",
        &[
            "supplier",
            "deliveries",
            "on time",
            "fill rate",
            "defects",
            "lead time (d)",
            "lead time sd",
            "price index",
            "trend",
        ],
    );
    for s in suppliers {
        table.push(vec![
            s["supplier_id"].clone(),
            s["deliveries"].clone(),
            json!(num(s, "/on_time_rate").map(pct).unwrap_or_default()),
            json!(num(s, "/fill_rate").map(pct).unwrap_or_default()),
            json!(num(s, "/defect_rate").map(pct).unwrap_or_default()),
            json!(fmt(num(s, "/lead_time_mean_days").unwrap_or(0.0))),
            json!(fmt(num(s, "/lead_time_std_days").unwrap_or(0.0))),
            json!(fmt(num(s, "/price_index").unwrap_or(0.0))),
            s["trend"]["direction"].clone(),
        ]);
    }
    if suppliers.len() == 1 {
        let s = &suppliers[0];
        answer.say(format!(
            "{}: {} on time, fill rate {}, defect rate {}, lead time {} days (sd {}), price index {}, trend {}.",
            s["supplier_id"].as_str().unwrap_or("?"),
            pct(num(s, "/on_time_rate").unwrap_or(0.0)),
            pct(num(s, "/fill_rate").unwrap_or(0.0)),
            pct(num(s, "/defect_rate").unwrap_or(0.0)),
            fmt(num(s, "/lead_time_mean_days").unwrap_or(0.0)),
            fmt(num(s, "/lead_time_std_days").unwrap_or(0.0)),
            fmt(num(s, "/price_index").unwrap_or(0.0)),
            s["trend"]["direction"].as_str().unwrap_or("unknown"),
        ));
    } else {
        let best = suppliers.iter().max_by(|a, b| {
            num(a, "/on_time_rate")
                .unwrap_or(0.0)
                .total_cmp(&num(b, "/on_time_rate").unwrap_or(0.0))
        });
        let worst = suppliers.iter().min_by(|a, b| {
            num(a, "/on_time_rate")
                .unwrap_or(0.0)
                .total_cmp(&num(b, "/on_time_rate").unwrap_or(0.0))
        });
        let deteriorating: Vec<&str> = suppliers
            .iter()
            .filter(|s| s["trend"]["direction"] == "deteriorating")
            .filter_map(|s| s["supplier_id"].as_str())
            .collect();
        if let (Some(best), Some(worst)) = (best, worst) {
            answer.say(format!(
                "{} suppliers: the most punctual is {} ({} on time), the least {} ({} on time); deteriorating: {}.",
                suppliers.len(),
                best["supplier_id"].as_str().unwrap_or("?"),
                pct(num(best, "/on_time_rate").unwrap_or(0.0)),
                worst["supplier_id"].as_str().unwrap_or("?"),
                pct(num(worst, "/on_time_rate").unwrap_or(0.0)),
                if deteriorating.is_empty() { "none".to_owned() } else { deteriorating.join(", ") }
            ));
        }
    }
    answer.tables.push(table);
}

fn describe_ranking(answer: &mut AgentAnswer, query: &Query, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, "rank suppliers");
    };
    let ranking = result["ranking"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = result["criteria"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let scope = if query.categories.is_empty() {
        String::new()
    } else {
        format!(" of {}", query.categories.join(" and "))
    };
    let top: Vec<String> = ranking
        .iter()
        .take(3)
        .map(|r| {
            format!(
                "{} ({})",
                r["id"].as_str().unwrap_or("?"),
                fmt(num(r, "/score").unwrap_or(0.0))
            )
        })
        .collect();
    answer.say(format!(
        "Ranking of {} suppliers{scope} by {} ({}): best {}.",
        ranking.len(),
        names.join(", "),
        result["method"].as_str().unwrap_or("topsis"),
        top.join(", then ")
    ));
    let mut table = AnswerTable::new(
        format!("Supplier ranking{scope}"),
        &["rank", "supplier", "score"],
    );
    for r in &ranking {
        table.push(vec![r["rank"].clone(), r["id"].clone(), r["score"].clone()]);
    }
    answer.tables.push(table);
}

fn describe_risk(
    answer: &mut AgentAnswer,
    catalog: &Catalog,
    query: &Query,
    scope: Option<&BTreeSet<String>>,
    envelope: &Envelope,
) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, "assess supply risk");
    };
    let findings: Vec<&Value> = result["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            let in_category = query.categories.is_empty()
                || f["sku"]
                    .as_str()
                    .and_then(|sku| catalog.sku_category.get(sku))
                    .is_some_and(|c| query.categories.contains(c));
            let in_scope =
                scope.is_none_or(|ids| f["supplier_id"].as_str().is_none_or(|id| ids.contains(id)));
            in_category && in_scope
        })
        .collect();
    let high: Vec<&&Value> = findings
        .iter()
        .filter(|f| f["severity"] == "high")
        .collect();
    let single = findings
        .iter()
        .filter(|f| f["kind"] == "single_source")
        .count();
    answer.say(format!(
        "{} supply-risk findings, {} of high severity; {single} single-sourced SKUs.",
        findings.len(),
        high.len()
    ));
    for finding in high.iter().take(5) {
        answer.say(format!(
            "High risk: {}.",
            finding["message"].as_str().unwrap_or("?")
        ));
    }
    let mut table = AnswerTable::new(
        "Supply risks",
        &["severity", "kind", "supplier", "sku", "finding"],
    );
    for f in findings.iter().take(25) {
        table.push(vec![
            f["severity"].clone(),
            f["kind"].clone(),
            f["supplier_id"].clone(),
            f["sku"].clone(),
            f["message"].clone(),
        ]);
    }
    answer.tables.push(table);
}

impl Specialist for SupplierAgent {
    fn with_executor(executor: Executor, catalog: Arc<Catalog>) -> Self {
        Self::new(executor, catalog)
    }
}
