//! Realistic questions, answered end to end on the seeded sample database; each test
//! checks the numbers in the answer against the results of the tools that were called.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use serde_json::Value;
use supply_chain::Store;
use supply_chain_agents::{agents::reorder_now, Answer, Orchestrator};
use toolexec::{Envelope, ExecutionEvent};

fn store() -> Arc<Store> {
    static STORE: OnceLock<Arc<Store>> = OnceLock::new();
    STORE
        .get_or_init(|| Arc::new(Store::in_memory_seeded(1).expect("seed the sample store")))
        .clone()
}

fn assistant() -> Orchestrator {
    Orchestrator::with_store(store()).expect("build the orchestrator")
}

async fn ask(question: &str) -> Answer {
    let answer = assistant().ask(question).await.expect("an answer");
    for envelope in &answer.envelopes {
        assert!(envelope.success, "{question}: {envelope:?}");
    }
    answer
}

fn envelope<'a>(answer: &'a Answer, tool: &str) -> &'a Envelope {
    answer
        .envelopes
        .iter()
        .find(|e| &*e.tool_name == tool)
        .unwrap_or_else(|| panic!("no {tool} call in {:?}", answer.envelopes))
}

fn result<'a>(answer: &'a Answer, tool: &str) -> &'a Value {
    envelope(answer, tool).result.as_ref().expect("a result")
}

fn fmt(n: f64) -> String {
    if n.abs() >= 100.0 || n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn which_skus_in_wh001_must_be_reordered_now() {
    let answer = ask("Which SKUs in WH001 must be reordered now?").await;
    assert_eq!(answer.query.warehouses, ["WH001"]);
    let reorder = result(&answer, "calculate_reorder_points");
    let due: BTreeSet<&str> = reorder_now(reorder)
        .iter()
        .filter_map(|i| i["sku"].as_str())
        .collect();
    let total = reorder["items"].as_array().unwrap().len();
    let text = answer.text();
    assert!(
        text.contains(&format!(
            "WH001: {} of {total} SKUs must be reordered now",
            due.len()
        )),
        "{text}"
    );
    let table = &answer.agents[0].tables[0];
    let listed: BTreeSet<&str> = table.rows.iter().filter_map(|r| r[0].as_str()).collect();
    assert_eq!(listed, due, "the table lists exactly the SKUs to reorder");
    let eoq = result(&answer, "optimize_order_quantities");
    for row in &table.rows {
        let sku = row[0].as_str().unwrap();
        let item = eoq["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["sku"] == sku)
            .unwrap();
        assert_eq!(
            row[6], item["order_quantity_rounded"],
            "{sku}: order qty is the EOQ"
        );
        let position = row[3].as_f64().unwrap();
        let rop = row[5].as_f64().unwrap();
        assert!(position <= rop, "{sku}: {position} > {rop}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_are_the_order_quantities_for_wh002() {
    let answer = ask("What are the economic order quantities for WH002?").await;
    assert_eq!(answer.envelopes.len(), 1);
    let eoq = result(&answer, "optimize_order_quantities");
    let items = eoq["items"].as_array().unwrap();
    let total: f64 = items
        .iter()
        .map(|i| i["annual_inventory_cost"].as_f64().unwrap())
        .sum();
    let text = answer.text();
    assert!(
        text.contains(&format!("for {} SKUs", items.len())),
        "{text}"
    );
    assert!(
        text.contains(&format!("totals {} per year", fmt(total))),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn which_inventory_policy_for_fas_0001_at_wh002() {
    let answer = ask("What inventory policy should we use for FAS-0001 at WH002?").await;
    let policies = &result(&answer, "optimize_inventory_policy")["policies"];
    let costs = [
        (
            "(r, Q)",
            policies["r_q"]["annual_total_cost"].as_f64().unwrap(),
        ),
        (
            "(s, S)",
            policies["s_s"]["annual_total_cost"].as_f64().unwrap(),
        ),
        (
            "base stock",
            policies["base_stock"]["annual_total_cost"]
                .as_f64()
                .unwrap(),
        ),
    ];
    let (name, cost) = costs.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    let text = answer.text();
    assert!(
        text.contains(&format!("the cheapest policy is {name}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("expected cost {} per year", fmt(*cost))),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forecast_demand_for_a_sku_over_four_weeks() {
    let answer = ask("Forecast demand for ELE-0003 at WH002 for the next 4 weeks").await;
    let call = envelope(&answer, "forecast_demand");
    let forecast = call.result.as_ref().unwrap();
    assert_eq!(forecast["forecast"]["horizon_days"], 28);
    let text = answer.text();
    let total = forecast["forecast"]["total"].as_f64().unwrap();
    assert!(
        text.contains(&format!(
            "the next 28 days should need {} units",
            fmt(total)
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_tomorrows_delivery_routes_from_wh002() {
    let answer = ask("Plan tomorrow's delivery routes from WH002").await;
    let routes = result(&answer, "optimize_routes");
    let list = routes["routes"].as_array().unwrap();
    let stops: usize = list
        .iter()
        .map(|r| r["stops"].as_array().unwrap().len())
        .sum();
    let total = routes["total_distance"].as_f64().unwrap();
    let text = answer.text();
    assert!(
        text.contains(&format!(
            "WH002: {} routes cover {stops} stops in {} km",
            list.len(),
            fmt(total)
        )),
        "{text}"
    );
    assert!(routes["unassigned"].as_array().unwrap().is_empty());
    for route in list {
        assert!(
            route["utilization"].as_f64().unwrap() <= 1.0,
            "capacity respected"
        );
    }
    assert_eq!(answer.agents[0].tables[0].rows.len(), list.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consolidate_open_orders_at_wh003_into_trucks() {
    let answer = ask("How should we consolidate the open orders at WH003 into trucks?").await;
    let packed = result(&answer, "consolidate_shipments");
    let text = answer.text();
    assert!(
        text.contains(&format!(
            "WH003: {} open orders fit in {} trucks (lower bound {})",
            packed["shipments"], packed["trucks_used"], packed["lower_bound_trucks"]
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn which_carrier_should_ship_800_kg_over_450_km() {
    let answer = ask("Which carrier should ship 800 kg over 450 km?").await;
    let call = envelope(&answer, "select_carrier");
    let carriers = call.result.as_ref().unwrap()["carriers"]
        .as_array()
        .unwrap();
    let cheapest = carriers
        .iter()
        .filter(|c| c["feasible"] == true)
        .min_by(|a, b| {
            a["total_cost"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["total_cost"].as_f64().unwrap())
        })
        .unwrap();
    let text = answer.text();
    assert!(
        text.contains(&format!(
            "For 800 kg over 450 km the cheapest carrier is {} at {}",
            cheapest["name"].as_str().unwrap(),
            fmt(cheapest["total_cost"].as_f64().unwrap())
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rank_suppliers_of_fasteners_by_reliability_and_price() {
    let assistant = assistant();
    let answer = assistant
        .ask("Rank our suppliers of fasteners by reliability and price")
        .await
        .unwrap();
    assert_eq!(answer.query.categories, ["fasteners"]);
    let ranking_call = envelope(&answer, "rank_suppliers");
    let ranking = ranking_call.result.as_ref().unwrap();
    let criteria: Vec<&str> = ranking["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(criteria, ["on_time_rate", "fill_rate", "price_index"]);
    let ranked: BTreeSet<&str> = ranking["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let fastener_suppliers = assistant.catalog().suppliers_of_category("fasteners");
    let expected: BTreeSet<&str> = fastener_suppliers.iter().map(String::as_str).collect();
    assert_eq!(ranked, expected, "only suppliers of fasteners are ranked");
    let best = &ranking["ranking"][0];
    let text = answer.text();
    assert!(
        text.contains(&format!(
            "best {} ({})",
            best["id"].as_str().unwrap(),
            fmt(best["score"].as_f64().unwrap())
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn how_reliable_is_sup003() {
    let answer = ask("How reliable is SUP003?").await;
    let performance = result(&answer, "analyze_supplier_performance");
    let sup = performance["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["supplier_id"] == "SUP003")
        .unwrap();
    let on_time = sup["on_time_rate"].as_f64().unwrap() * 100.0;
    let text = answer.text();
    assert!(
        text.contains(&format!("SUP003: {on_time:.1}% on time")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_are_our_biggest_supply_risks() {
    let answer = ask("What are our biggest supply risks?").await;
    let risk = result(&answer, "assess_supplier_risk");
    let findings = risk["findings"].as_array().unwrap();
    let high = findings.iter().filter(|f| f["severity"] == "high").count();
    let single = findings
        .iter()
        .filter(|f| f["kind"] == "single_source")
        .count();
    let text = answer.text();
    assert!(
        text.contains(&format!(
            "{} supply-risk findings, {high} of high severity; {single} single-sourced SKUs",
            findings.len()
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_supply_chain_review_of_wh003_asks_every_agent() {
    let answer = ask("Full supply-chain review of WH003").await;
    let agents: Vec<&str> = answer.agents.iter().map(|a| a.agent.as_str()).collect();
    assert_eq!(
        agents,
        [
            "inventory optimizer",
            "logistics optimizer",
            "supplier analyzer"
        ]
    );
    let tools: BTreeSet<&str> = answer.envelopes.iter().map(|e| &*e.tool_name).collect();
    for tool in [
        "calculate_reorder_points",
        "optimize_order_quantities",
        "optimize_routes",
        "consolidate_shipments",
        "rank_suppliers",
        "assess_supplier_risk",
    ] {
        assert!(tools.contains(tool), "{tool} missing from {tools:?}");
    }
    for call in &answer.envelopes {
        if let Some(wh) = call
            .result
            .as_ref()
            .and_then(|r| r["warehouse_code"].as_str())
        {
            assert_eq!(wh, "WH003");
        }
    }
    assert_eq!(answer.stats.overall.total as usize, answer.envelopes.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_spanning_inventory_and_suppliers_runs_both_agents_in_parallel() {
    let assistant = assistant();
    let mut events = assistant.executor().subscribe();
    let answer = assistant
        .ask("Which SKUs in WH001 are running low, and what are the supply risks for fasteners?")
        .await
        .unwrap();
    let agents: Vec<&str> = answer.agents.iter().map(|a| a.agent.as_str()).collect();
    assert_eq!(agents, ["inventory optimizer", "supplier analyzer"]);
    let mut running = 0i32;
    let mut peak = 0;
    let mut tools_started = BTreeSet::new();
    while let Ok(event) = events.try_recv() {
        match event {
            ExecutionEvent::Started { tool_name, .. } => {
                running += 1;
                peak = peak.max(running);
                tools_started.insert(tool_name.to_string());
            }
            ExecutionEvent::Finished { .. } => running -= 1,
            _ => {}
        }
    }
    assert_eq!(
        peak as usize,
        answer.envelopes.len(),
        "every call was in flight at once"
    );
    assert!(tools_started.contains("assess_supplier_risk"));
    assert!(tools_started.contains("calculate_reorder_points"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_are_reported_overall_and_per_tool() {
    let assistant = assistant();
    assistant
        .ask("Which SKUs in WH002 must be reordered now?")
        .await
        .unwrap();
    assistant
        .ask("Which SKUs in WH003 must be reordered now?")
        .await
        .unwrap();
    let stats = assistant.tool_execution_stats();
    assert_eq!(stats.overall.total, 4);
    assert_eq!(stats.overall.success_rate, 1.0);
    let reorder = assistant.tool_stats("calculate_reorder_points").unwrap();
    assert_eq!(reorder.total, 2);
    assert!(reorder.avg_ms > 0.0);
    assert!(assistant.tool_stats("no_such_tool").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_it_cannot_serve_lists_what_it_can_answer() {
    let error = assistant()
        .ask("What is the meaning of life?")
        .await
        .unwrap_err();
    assert!(
        error.message.contains("inventory optimizer"),
        "{}",
        error.message
    );
    assert!(error
        .message
        .contains("Which SKUs in WH001 must be reordered now?"));
    assert!(error.message.contains("WH001, WH002, WH003"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_level_in_the_question_reaches_the_tool() {
    let answer = ask("Which SKUs in WH002 need reordering at a 99% service level?").await;
    let items = result(&answer, "calculate_reorder_points")["items"]
        .as_array()
        .unwrap();
    assert!(items.iter().all(|i| i["service_level"] == 0.99));
    assert!(
        answer.text().contains("99.0% cycle service level"),
        "{}",
        answer.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_built_without_an_executor_gets_a_default_one() {
    use supply_chain_agents::agents::SupplierAgent;
    use supply_chain_agents::{Agent, Catalog, Query, Specialist};
    let agent = SupplierAgent::standalone(store()).unwrap();
    assert_eq!(
        agent.executor().max_concurrency(),
        10,
        "the original's max_workers"
    );
    let catalog = Catalog::load(&store()).unwrap();
    let query = Query::parse("How reliable is SUP001?", &catalog);
    let answer = agent.answer(&query).await;
    assert!(answer.lines[0].starts_with("SUP001:"), "{:?}", answer.lines);
    assert_eq!(agent.execution_stats().overall.total, 1);
    let envelope = agent
        .run_tool(toolexec::ToolCall::new(
            "rank_suppliers",
            serde_json::json!({}),
        ))
        .await;
    assert!(envelope.success);
    assert_eq!(agent.tool_stats("rank_suppliers").unwrap().total, 1);
}
