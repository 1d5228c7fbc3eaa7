//! The supplier analyzer agent: supplier performance, rankings and supply risk.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{json, Value};
use toolexec::{Envelope, Executor};

use crate::agent::{Agent, Specialist};
use crate::answer::{fmt, num, pct, AgentAnswer, AnswerTable};
use crate::catalog::Catalog;
use crate::planner::rules::{
    self, supplier_calls, supplier_calls::INTENTS, PlannedCall, Specialty,
};
use crate::query::{Intent, Order, Query, Trend};

/// Answers supplier questions with `analyze_supplier_performance`, `rank_suppliers`
/// and `assess_supplier_risk`. A ranking limited to a category or region takes two
/// steps: performance first, then a ranking of the matching suppliers' figures.
#[derive(Debug)]
pub struct SupplierAgent {
    executor: Executor,
    catalog: Arc<Catalog>,
}

impl SupplierAgent {
    /// An agent on a shared executor.
    pub fn new(executor: Executor, catalog: Arc<Catalog>) -> Self {
        Self { executor, catalog }
    }
}

pub use crate::planner::rules::supplier_calls::criteria;

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
            let plan = rules::plan_for(Specialty::Supplier, query, &self.catalog);
            let scope = supplier_calls::scope(query, &self.catalog);
            let (first, deferred): (Vec<&PlannedCall>, Vec<&PlannedCall>) =
                plan.calls.iter().partition(|c| !c.deferred);
            let mut envelopes = self
                .run_tools(first.iter().map(|c| c.to_call()).collect())
                .await;
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
            let wants_performance = query.intents.contains(&Intent::SupplierPerformance);
            if let Some(i) = find("analyze_supplier_performance", &envelopes) {
                if !envelopes[i].success {
                    answer.report_failure(&envelopes[i], "analyze supplier performance");
                } else if wants_performance {
                    if let Some(trend) = query.trend {
                        describe_trend(&mut answer, &performance, trend, query.period_days);
                    }
                    describe_performance(&mut answer, &performance);
                }
            }
            for call in deferred {
                if performance.is_empty() {
                    continue;
                }
                let mut planned = call.clone();
                planned.input = supplier_calls::scoped_ranking_input(query, &performance);
                envelopes.push(self.run_tool(planned.to_call()).await);
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
            for note in plan.notes {
                answer.say(note);
            }
            answer.envelopes = envelopes;
            answer
        })
    }
}

/// Suppliers whose recent deliveries are worse (or better) than their earlier ones.
fn describe_trend(
    answer: &mut AgentAnswer,
    suppliers: &[Value],
    trend: Trend,
    period: Option<u32>,
) {
    let direction = match trend {
        Trend::Worse => "deteriorating",
        Trend::Better => "improving",
    };
    let matching: Vec<&Value> = suppliers
        .iter()
        .filter(|s| s["trend"]["direction"] == direction)
        .collect();
    let rule = "on-time rate down 10 points or more, or defect rate up 1 point or more, recent half of deliveries against the earlier half";
    let rule = match trend {
        Trend::Worse => rule.to_owned(),
        Trend::Better => {
            "the reverse of the deteriorating rule (on-time up, defects down)".to_owned()
        }
    };
    if matching.is_empty() {
        answer.say(format!(
            "None of the {} suppliers is {direction} ({rule}).",
            suppliers.len()
        ));
    } else {
        let list: Vec<String> = matching
            .iter()
            .map(|s| {
                format!(
                    "{} (on time {} -> {}, defects {} -> {})",
                    s["supplier_id"].as_str().unwrap_or("?"),
                    pct(num(s, "/trend/on_time_rate_earlier").unwrap_or(0.0)),
                    pct(num(s, "/trend/on_time_rate_recent").unwrap_or(0.0)),
                    pct(num(s, "/trend/defect_rate_earlier").unwrap_or(0.0)),
                    pct(num(s, "/trend/defect_rate_recent").unwrap_or(0.0)),
                )
            })
            .collect();
        answer.say(format!(
            "{} of {} suppliers are {direction}: {} ({rule}).",
            matching.len(),
            suppliers.len(),
            list.join(", ")
        ));
    }
    if let Some(days) = period {
        answer.say(format!(
            "The trend compares each supplier's earlier and recent halves of all recorded deliveries; the {days}-day period asked for is not applied separately."
        ));
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
    let entry = |r: &Value| {
        format!(
            "{} ({})",
            r["id"].as_str().unwrap_or("?"),
            fmt(num(r, "/score").unwrap_or(0.0))
        )
    };
    let method = result["method"].as_str().unwrap_or("topsis");
    match query
        .rank
        .filter(|r| r.measure != crate::query::Measure::Movement)
    {
        Some(mut rank) => {
            // "cheapest", "fastest": the best on that criterion; only "worst" ranks
            // from the bottom.
            if rank.measure != crate::query::Measure::Overall {
                rank.order = Order::Most;
            }
            let picked: Vec<String> = match rank.order {
                Order::Most => ranking.iter().take(rank.top).map(entry).collect(),
                Order::Least => ranking.iter().rev().take(rank.top).map(entry).collect(),
            };
            let word = if rank.order == Order::Most {
                "best"
            } else {
                "worst"
            };
            if rank.top == 1 {
                answer.say(format!(
                    "The {word} supplier{scope} by {} is {} ({method}, of {} suppliers ranked).",
                    names.join(", "),
                    picked.first().cloned().unwrap_or_default(),
                    ranking.len()
                ));
            } else {
                answer.say(format!(
                    "The {} {word} suppliers{scope} by {}: {} ({method}, of {} ranked).",
                    picked.len(),
                    names.join(", "),
                    picked.join(", "),
                    ranking.len()
                ));
            }
        }
        None => {
            let top: Vec<String> = ranking.iter().take(3).map(entry).collect();
            answer.say(format!(
                "Ranking of {} suppliers{scope} by {} ({method}): best {}.",
                ranking.len(),
                names.join(", "),
                top.join(", then ")
            ));
        }
    }
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
