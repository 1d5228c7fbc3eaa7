//! The logistics agent: delivery routes, truck consolidation and carrier choice.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{json, Value};
use toolexec::{Envelope, Executor};

use crate::agent::{Agent, Specialist};
use crate::answer::{fmt, num, pct, AgentAnswer, AnswerTable};
use crate::catalog::Catalog;
use crate::planner::rules::{self, logistics_calls::INTENTS, PlannedCall, Specialty};
use crate::query::{Intent, Measure, Order, Query};

/// Answers logistics questions with `optimize_routes`, `consolidate_shipments` and
/// `select_carrier`.
#[derive(Debug)]
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
            let plan = rules::plan_for(Specialty::Logistics, query, &self.catalog);
            let envelopes = self
                .run_tools(plan.calls.iter().map(PlannedCall::to_call).collect())
                .await;
            for (call, envelope) in plan.calls.iter().zip(&envelopes) {
                let wh = call.input["warehouse_code"].as_str().unwrap_or("?");
                match call.tool {
                    "optimize_routes" => describe_routes(&mut answer, wh, envelope),
                    "consolidate_shipments" => describe_consolidation(&mut answer, wh, envelope),
                    "select_carrier" => {
                        describe_carriers(&mut answer, query, &self.catalog, envelope)
                    }
                    _ => {}
                }
            }
            if query.day_offset == Some(1) && plan.calls.iter().any(|c| c.tool == "optimize_routes")
            {
                answer.say("Routes for tomorrow cover every open order of the warehouse.");
            }
            for note in plan.notes {
                answer.say(note);
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

fn describe_carriers(
    answer: &mut AgentAnswer,
    query: &Query,
    catalog: &Catalog,
    envelope: &Envelope,
) {
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
    let days = |c: &Value| num(c, "/transit_days").unwrap_or(f64::MAX);
    let fastest = carriers.iter().min_by(|a, b| {
        days(a).total_cmp(&days(b)).then(
            num(a, "/total_cost")
                .unwrap_or(f64::MAX)
                .total_cmp(&num(b, "/total_cost").unwrap_or(f64::MAX)),
        )
    });
    let shipment = format!(
        "{} kg over {} km",
        fmt(query.weight_kg.unwrap_or(0.0)),
        fmt(query.distance_km.unwrap_or(0.0))
    );
    let describe = |c: &Value| {
        format!(
            "{} at {} ({} days in transit)",
            c["name"].as_str().unwrap_or("?"),
            fmt(num(c, "/total_cost").unwrap_or(0.0)),
            num(c, "/transit_days").unwrap_or(0.0)
        )
    };
    let named: Vec<String> = query
        .carriers
        .iter()
        .map(|id| catalog.carrier_name(id))
        .collect();
    for name in &named {
        match result["carriers"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["name"] == name.as_str())
        {
            Some(c) if c["feasible"] == true => {
                answer.say(format!("For {shipment}, {}.", describe(c)))
            }
            Some(_) => answer.say(format!(
                "{name} cannot take {shipment} within the transit limit."
            )),
            None => answer.say(format!("{name} has no tariff for this shipment.")),
        }
    }
    let speed_first = query
        .rank
        .is_some_and(|r| r.measure == Measure::Speed && r.order == Order::Most);
    let mut line = match (speed_first, fastest) {
        (true, Some(fast)) => format!("For {shipment} the fastest carrier is {}", describe(fast)),
        _ => format!("For {shipment} the cheapest carrier is {}", describe(best)),
    };
    match (speed_first, fastest) {
        (true, _) => line.push_str(&format!("; the cheapest is {}", describe(best))),
        (false, Some(fast)) if fast["name"] != best["name"] => {
            line.push_str(&format!("; the fastest is {}", describe(fast)))
        }
        _ => {}
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
