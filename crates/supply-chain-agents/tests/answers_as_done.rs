//! `Orchestrator::ask_as_done`: each agent's answer as soon as that agent's calls are
//! done, while the final answer keeps its fixed agent order.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::json;
use supply_chain::Store;
use supply_chain_agents::{Catalog, Orchestrator};
use tokio::time::Instant;
use toolexec::{tool_fn, Executor, Tool, ToolError};

fn store() -> Arc<Store> {
    static STORE: OnceLock<Arc<Store>> = OnceLock::new();
    STORE
        .get_or_init(|| Arc::new(Store::in_memory_seeded(1).expect("seed the sample store")))
        .clone()
}

/// Every supply-chain tool under its own name and spec, answering after the delay of
/// its group (no real work, so the answer's timing is all virtual): inventory tools
/// take 10 s, logistics tools 100 ms, supplier tools 1 s. `fail` makes them fail.
fn slow_tools(fail: bool) -> Vec<Arc<dyn Tool>> {
    let delays = [
        ("inventory_optimizer", 10_000),
        ("logistics_optimizer", 100),
        ("supplier_analyzer", 1_000),
    ];
    let mut tools: Vec<Arc<dyn Tool>> = Vec::new();
    for (group, ms) in delays {
        for real in supply_chain::group_tools(group, store()) {
            let delay = Duration::from_millis(ms);
            tools.push(Arc::new(tool_fn(
                real.spec().clone(),
                move |_, _| async move {
                    tokio::time::sleep(delay).await;
                    if fail {
                        Err(ToolError::failed("offline"))
                    } else {
                        Ok(json!({}))
                    }
                },
            )));
        }
    }
    tools
}

fn assistant(fail: bool) -> Orchestrator {
    let mut builder = Executor::builder().max_concurrency(50);
    for tool in slow_tools(fail) {
        builder = builder.tool(tool);
    }
    let catalog = Catalog::load(&store()).expect("the catalog");
    Orchestrator::new(builder.build().expect("an executor"), Arc::new(catalog))
}

#[tokio::test(start_paused = true)]
async fn each_agent_is_shown_when_its_calls_are_done_and_the_answer_keeps_its_order() {
    let assistant = assistant(true);
    let start = Instant::now();
    let mut shown = Vec::new();
    let answer = assistant
        .ask_as_done("Full supply-chain review of WH003", |agent| {
            let calls_ended = agent.envelopes.len();
            shown.push((agent.agent.clone(), start.elapsed(), calls_ended));
        })
        .await
        .expect("an answer");
    let order: Vec<&str> = shown.iter().map(|(name, ..)| name.as_str()).collect();
    assert_eq!(
        order,
        [
            "logistics optimizer",
            "supplier analyzer",
            "inventory optimizer"
        ]
    );
    let (logistics_at, supplier_at, inventory_at) = (shown[0].1, shown[1].1, shown[2].1);
    assert_eq!(
        logistics_at.as_millis() % 100,
        0,
        "right as a round of calls ended"
    );
    assert!(
        logistics_at < Duration::from_millis(1_000),
        "{logistics_at:?}"
    );
    assert!(
        supplier_at < Duration::from_millis(10_000),
        "{supplier_at:?}"
    );
    assert!(inventory_at >= Duration::from_millis(10_000));
    assert!(shown.iter().all(|(_, _, calls)| *calls > 0), "{shown:?}");
    let fixed: Vec<&str> = answer.agents.iter().map(|a| a.agent.as_str()).collect();
    assert_eq!(
        fixed,
        [
            "inventory optimizer",
            "logistics optimizer",
            "supplier analyzer"
        ]
    );
    let handed: usize = shown.iter().map(|(_, _, calls)| calls).sum();
    assert_eq!(
        handed,
        answer.envelopes.len(),
        "every envelope was in some agent's answer"
    );
}

#[tokio::test(start_paused = true)]
async fn ask_gives_the_same_answer_as_ask_as_done() {
    let question = "Full supply-chain review of WH003";
    let plain = assistant(false).ask(question).await.expect("an answer");
    let mut seen = 0;
    let streamed = assistant(false)
        .ask_as_done(question, |_| seen += 1)
        .await
        .expect("an answer");
    assert_eq!(seen, 3);
    assert_eq!(plain.text(), streamed.text());
    let calls = |answer: &supply_chain_agents::Answer| {
        answer
            .envelopes
            .iter()
            .map(|e| (e.tool_name.to_string(), e.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(calls(&plain), calls(&streamed));
}
