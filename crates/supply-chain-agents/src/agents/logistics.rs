//! The logistics agent: delivery routes, truck consolidation and carrier choice.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{json, Value};
use toolexec::{Envelope, Executor, ToolCall};

use crate::agent::{Agent, Specialist};
use crate::answer::{fmt, num, pct, AgentAnswer, AnswerTable};
use crate::catalog::Catalog;
use crate::query::{Intent, Query};

const INTENTS: &[Intent] = &[Intent::Routes, Intent::Consolidation, Intent::Carrier];

/// Time the route solver may take per warehouse, so an answer comes back promptly.
const ROUTE_TIME_LIMIT_MS: u64 = 2000;

/// Answers logistics questions with `optimize_routes`, `consolidate_shipments` and
/// `select_carrier`.
pub struct LogisticsAgent {
    executor: Executor,
    catalog: Arc<Catalog>,
}

impl LogisticsAgent {
    /// An agent on a shared executor.
    pub fn new(executor: Executor, catalog: Arc<Catalog>) -> Self {
        Self { executor, catalog }
    }
}

enum Step {
    Routes(String),
    Consolidate(String),
    Carrier,
}

impl Agent for LogisticsAgent {
    fn name(&self) -> &'static str {
        "logistics optimizer"
    }

    fn description(&self) -> &'static str {
        "delivery routes from a warehouse (capacitated vehicle routing), consolidating open \
         orders into trucks, choosing a carrier for a shipment by cost and transit time"
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
            let warehouses = self.catalog.warehouses_for(query);
            let wants = query.wanted(INTENTS, &[Intent::Routes, Intent::Consolidation]);
            let mut steps = Vec::new();
            let mut calls = Vec::new();
            for intent in &wants {
                match intent {
                    Intent::Routes => {
                        for wh in &warehouses {
                            steps.push(Step::Routes(wh.clone()));
                            let input = json!({"warehouse_code": wh, "time_limit_ms": ROUTE_TIME_LIMIT_MS});
                            calls.push(ToolCall::new("optimize_routes", input).with_id(format!("routes-{wh}")));
                        }
                    }
                    Intent::Consolidation => {
                        for wh in &warehouses {
                            steps.push(Step::Consolidate(wh.clone()));
                            let input = json!({"warehouse_code": wh});
                            calls.push(ToolCall::new("consolidate_shipments", input).with_id(format!("consolidate-{wh}")));
                        }
                    }
                    Intent::Carrier => match (query.weight_kg, query.distance_km) {
                        (Some(weight), Some(distance)) if weight > 0.0 => {
                            steps.push(Step::Carrier);
                            let input = json!({"weight_kg": weight, "distance_km": distance});
                            calls.push(ToolCall::new("select_carrier", input).with_id("carrier"));
                        }
                        _ => answer.say(
                            "To choose a carrier, give the shipment's weight and distance, e.g. \"which carrier should ship 800 kg over 450 km?\"",
                        ),
                    },
                    _ => {}
                }
            }
            if query.day_offset == Some(1) && wants.contains(&Intent::Routes) {
                answer.say("Routes for tomorrow cover every open order of the warehouse.");
            }
            let envelopes = self.run_tools(calls).await;
            for (step, envelope) in steps.iter().zip(&envelopes) {
                match step {
                    Step::Routes(wh) => describe_routes(&mut answer, wh, envelope),
                    Step::Consolidate(wh) => describe_consolidation(&mut answer, wh, envelope),
                    Step::Carrier => describe_carriers(&mut answer, query, envelope),
                }
            }
            answer.envelopes = envelopes;
            answer
        })
    }
}

fn describe_routes(answer: &mut AgentAnswer, wh: &str, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("plan routes from {wh}"));
    };
    let routes: Vec<&Value> = result["routes"]
        .as_array()
        .map(|r| r.iter().collect())
        .unwrap_or_default();
    let stops: usize = routes
        .iter()
        .map(|r| r["stops"].as_array().map_or(0, Vec::len))
        .sum();
    let unit = if result["metric"] == "haversine" {
        " km"
    } else {
        ""
    };
    let unassigned = result["unassigned"].as_array().map_or(0, Vec::len);
    let mut line = format!(
        "{wh}: {} routes cover {stops} stops in {}{unit} in total",
        routes.len(),
        fmt(num(result, "/total_distance").unwrap_or(0.0))
    );
    if unassigned > 0 {
        line.push_str(&format!("; {unassigned} stops could not be assigned"));
    }
    line.push('.');
    answer.say(line);
    let mut table = AnswerTable::new(
        format!("Delivery routes from {wh}"),
        &[
            "vehicle",
            "stops",
            "sequence",
            "load",
            "utilization",
            "distance",
        ],
    );
    for route in routes {
        let sequence: Vec<&str> = route["stops"]
            .as_array()
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        table.push(vec![
            route["vehicle"].clone(),
            json!(sequence.len()),
            json!(format!("{wh} -> {} -> {wh}", sequence.join(" -> "))),
            route["load"].clone(),
            json!(num(route, "/utilization").map(pct).unwrap_or_default()),
            route["distance"].clone(),
        ]);
    }
    answer.tables.push(table);
}

fn describe_consolidation(answer: &mut AgentAnswer, wh: &str, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, &format!("consolidate shipments at {wh}"));
    };
    answer.say(format!(
        "{wh}: {} open orders fit in {} trucks (lower bound {}).",
        result["shipments"], result["trucks_used"], result["lower_bound_trucks"]
    ));
    let mut table = AnswerTable::new(
        format!("Truck loads at {wh}"),
        &[
            "truck",
            "orders",
            "weight (kg)",
            "weight used",
            "volume (m3)",
            "volume used",
        ],
    );
    for load in result["loads"].as_array().into_iter().flatten() {
        table.push(vec![
            load["truck"].clone(),
            json!(load["shipments"].as_array().map_or(0, Vec::len)),
            load["weight"].clone(),
            json!(num(load, "/weight_utilization")
                .map(pct)
                .unwrap_or_default()),
            load["volume"].clone(),
            json!(num(load, "/volume_utilization")
                .map(pct)
                .unwrap_or_default()),
        ]);
    }
    answer.tables.push(table);
}

fn describe_carriers(answer: &mut AgentAnswer, query: &Query, envelope: &Envelope) {
    let Some(result) = envelope.result.as_ref().filter(|_| envelope.success) else {
        return answer.report_failure(envelope, "compare carriers");
    };
    let carriers: Vec<&Value> = result["carriers"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["feasible"] == true).collect())
        .unwrap_or_default();
    let Some(best) = carriers.first() else {
        answer.say("No carrier can take this shipment within the transit limit.");
        return;
    };
    let fastest = carriers.iter().min_by(|a, b| {
        num(a, "/transit_days")
            .unwrap_or(f64::MAX)
            .total_cmp(&num(b, "/transit_days").unwrap_or(f64::MAX))
    });
    let mut line = format!(
        "For {} kg over {} km the cheapest carrier is {} at {} ({} days in transit)",
        fmt(query.weight_kg.unwrap_or(0.0)),
        fmt(query.distance_km.unwrap_or(0.0)),
        best["name"].as_str().unwrap_or("?"),
        fmt(num(best, "/total_cost").unwrap_or(0.0)),
        num(best, "/transit_days").unwrap_or(0.0)
    );
    if let Some(fast) = fastest.filter(|f| f["name"] != best["name"]) {
        line.push_str(&format!(
            "; the fastest is {} at {} ({} days)",
            fast["name"].as_str().unwrap_or("?"),
            fmt(num(fast, "/total_cost").unwrap_or(0.0)),
            num(fast, "/transit_days").unwrap_or(0.0)
        ));
    }
    line.push('.');
    answer.say(line);
    let mut table = AnswerTable::new(
        "Carriers, cheapest first",
        &["carrier", "total cost", "transit days", "pareto efficient"],
    );
    for c in carriers {
        table.push(vec![
            c["name"].clone(),
            c["total_cost"].clone(),
            c["transit_days"].clone(),
            c["pareto_efficient"].clone(),
        ]);
    }
    answer.tables.push(table);
}

impl Specialist for LogisticsAgent {
    fn with_executor(executor: Executor, catalog: Arc<Catalog>) -> Self {
        Self::new(executor, catalog)
    }
}
