//! The LLM planner held to the question corpus: a scripted chat-completions server on
//! 127.0.0.1 answers each corpus question with the corpus plan as the model's tool
//! calls (as a model would give them: JSON-string arguments, parallel calls), then a
//! final text. Misbehaving models are scripted too: an unknown tool, arguments that
//! fail the schema, and an answer with no tool call at all.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use supply_chain::Store;
use supply_chain_agents::planner::{LlmConfig, LlmPlanner};
use supply_chain_agents::Orchestrator;
use toolexec::ErrorKind;

#[derive(Debug, Deserialize)]
struct Case {
    q: String,
    #[serde(default)]
    refuse: Option<String>,
}

/// Question -> the tool calls the scripted model makes for it.
type Script = Arc<BTreeMap<String, Vec<Value>>>;

async fn chat(State(script): State<Script>, Json(body): Json<Value>) -> Json<Value> {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let question = messages
        .iter()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    let replies = messages.iter().filter(|m| m["role"] == "tool").count();
    let calls = script.get(&question).cloned().unwrap_or_default();
    let message = if replies == 0 && !calls.is_empty() {
        json!({"role": "assistant", "content": null, "tool_calls": calls})
    } else {
        json!({"role": "assistant", "content": format!("answered from {replies} tool results")})
    };
    Json(json!({"id": "x", "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}))
}

async fn start(script: Script) -> String {
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .with_state(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}/v1")
}

fn tool_call(id: &str, name: &str, arguments: &Value) -> Value {
    json!({"id": id, "type": "function",
        "function": {"name": name, "arguments": arguments.to_string()}})
}

fn planner(base_url: String) -> LlmPlanner {
    LlmPlanner::new(LlmConfig {
        base_url,
        model: "scripted".into(),
        api_key: None,
        max_rounds: 3,
        request_timeout: Duration::from_secs(60),
    })
    .expect("a planner")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_plan_given_by_a_model_runs_and_every_result_goes_back() {
    let store = Arc::new(Store::in_memory_seeded(1).expect("seed the sample store"));
    let assistant = Orchestrator::with_store(store).expect("build the orchestrator");
    let cases: Vec<Case> =
        serde_json::from_str(include_str!("corpus/questions.json")).expect("corpus");
    let mut script = BTreeMap::new();
    let mut expected: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for case in cases.iter().filter(|c| c.refuse.is_none()) {
        let (_, plan) = assistant.plan(&case.q).expect("the corpus plans it");
        let calls: Vec<Value> = plan
            .calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                // A model ranks every supplier when it cannot chain the scoped ranking.
                let input = if c.deferred {
                    json!({"criteria": c.input["criteria"]})
                } else {
                    c.input.clone()
                };
                tool_call(&format!("call_{i}"), c.tool, &input)
            })
            .collect();
        expected.insert(case.q.clone(), plan.calls.iter().map(|c| c.tool).collect());
        script.insert(case.q.clone(), calls);
    }
    let base = start(Arc::new(script)).await;
    let planner = planner(base);
    let executor = assistant.executor().clone();
    let outcomes: Vec<(String, Result<(), String>)> = futures::stream::iter(expected.iter())
        .map(|(question, tools)| {
            let planner = &planner;
            let executor = &executor;
            async move {
                let outcome = match planner.ask(executor, question).await {
                    Err(e) => Err(e.to_string()),
                    Ok(answer) => {
                        let ran: Vec<&str> =
                            answer.envelopes.iter().map(|e| &*e.tool_name).collect();
                        let failed: Vec<String> = answer
                            .envelopes
                            .iter()
                            .filter(|e| !e.success)
                            .map(|e| format!("{} {:?}", e.tool_name, e.error))
                            .collect();
                        if ran != *tools {
                            Err(format!("ran {ran:?}, planned {tools:?}"))
                        } else if !failed.is_empty() {
                            Err(format!("failed: {failed:?}"))
                        } else if answer.text
                            != format!("answered from {} tool results", tools.len())
                        {
                            Err(format!("final text {:?}", answer.text))
                        } else {
                            Ok(())
                        }
                    }
                };
                (question.clone(), outcome)
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let misses: Vec<String> = outcomes
        .iter()
        .filter_map(|(q, r)| r.as_ref().err().map(|e| format!("  {q:?}: {e}")))
        .collect();
    println!(
        "LLM planner on the corpus: {}/{} plans ran with every result returned",
        outcomes.len() - misses.len(),
        outcomes.len()
    );
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tools_schema_failures_and_silent_models_are_handled() {
    let store = Arc::new(Store::in_memory_seeded(1).expect("seed the sample store"));
    let executor = supply_chain_agents::default_executor(store).expect("an executor");
    let mut script = BTreeMap::new();
    script.insert(
        "unknown tool".to_owned(),
        vec![tool_call("a", "teleport_stock", &json!({"to": "WH001"}))],
    );
    script.insert(
        "bad arguments".to_owned(),
        vec![
            tool_call(
                "a",
                "forecast_demand",
                &json!({"warehouse_code": "WH001", "sku": "FAS-0001", "horizon_days": 100000}),
            ),
            tool_call(
                "b",
                "calculate_reorder_points",
                &json!({"warehouse_code": 7}),
            ),
            tool_call(
                "c",
                "select_carrier",
                &json!({"weight_kg": 800, "distance_km": 450, "colour": "red"}),
            ),
        ],
    );
    let base = start(Arc::new(script)).await;
    let planner = planner(base);

    let unknown = planner
        .ask(&executor, "unknown tool")
        .await
        .expect("an answer");
    assert_eq!(unknown.envelopes.len(), 1);
    assert_eq!(
        unknown.envelopes[0].error.as_ref().map(|e| e.kind),
        Some(ErrorKind::NotFound)
    );
    assert_eq!(
        unknown.text, "answered from 1 tool results",
        "the error went back to the model"
    );

    let bad = planner
        .ask(&executor, "bad arguments")
        .await
        .expect("an answer");
    assert!(
        bad.envelopes
            .iter()
            .all(|e| e.error.as_ref().map(|x| x.kind) == Some(ErrorKind::InvalidInput)),
        "{:?}",
        bad.envelopes
    );
    assert_eq!(bad.envelopes.len(), 3);
    assert!(
        bad.envelopes.iter().all(|e| e.attempts == 0),
        "input that does not fit the schema is refused before any attempt"
    );
    let fields: Vec<String> = bad
        .envelopes
        .iter()
        .filter_map(|e| e.error.as_ref().map(|x| x.message.clone()))
        .collect();
    assert!(fields[0].contains("horizon_days"), "{fields:?}");
    assert!(fields[1].contains("warehouse_code"), "{fields:?}");
    assert!(fields[2].contains("colour"), "{fields:?}");
    assert_eq!(bad.text, "answered from 3 tool results");

    let silent = planner
        .ask(&executor, "no tool call")
        .await
        .expect("an answer");
    assert!(silent.envelopes.is_empty());
    assert_eq!(silent.text, "answered from 0 tool results");
    assert_eq!(silent.rounds, 1);
}
