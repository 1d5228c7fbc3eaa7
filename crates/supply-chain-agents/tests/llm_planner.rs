//! The LLM planner against a local server on 127.0.0.1 that speaks the
//! chat-completions API and returns scripted tool calls.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use parking_lot::Mutex;
use serde_json::{json, Value};
use supply_chain::Store;
use supply_chain_agents::default_executor;
use supply_chain_agents::planner::{LlmConfig, LlmError, LlmPlanner};

#[derive(Default)]
struct Script {
    requests: Vec<(Option<String>, Value)>,
}

type Shared = Arc<Mutex<Script>>;

/// Turn 1: three tool calls (a real one, an unknown tool, arguments that are not JSON).
/// Turn 2: the final answer, quoting the number of SKUs the real call found.
async fn chat(
    State(script): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let turn = {
        let mut script = script.lock();
        script.requests.push((auth, body.clone()));
        script.requests.len()
    };
    let message = if turn == 1 {
        json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_a", "type": "function", "function": {"name": "calculate_reorder_points", "arguments": "{\"warehouse_code\": \"WH001\"}"}},
            {"id": "call_b", "type": "function", "function": {"name": "teleport_stock", "arguments": "{}"}},
            {"id": "call_c", "type": "function", "function": {"name": "rank_suppliers", "arguments": "{not json"}}
        ]})
    } else {
        let messages = body["messages"].as_array().cloned().unwrap_or_default();
        let reorder = messages
            .iter()
            .find(|m| m["tool_call_id"] == "call_a")
            .cloned()
            .unwrap_or_default();
        let result: Value =
            serde_json::from_str(reorder["content"].as_str().unwrap_or("null")).unwrap_or_default();
        let due = result["items"]
            .as_array()
            .map(|items| items.iter().filter(|i| i["reorder_now"] == true).count())
            .unwrap_or(0);
        json!({"role": "assistant", "content": format!("{due} SKUs in WH001 must be reordered now.")})
    };
    (
        StatusCode::OK,
        Json(
            json!({"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}),
        ),
    )
}

async fn start(script: Shared) -> String {
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

fn store() -> Arc<Store> {
    static STORE: OnceLock<Arc<Store>> = OnceLock::new();
    STORE
        .get_or_init(|| Arc::new(Store::in_memory_seeded(1).expect("seed the sample store")))
        .clone()
}

fn config(base_url: String) -> LlmConfig {
    LlmConfig {
        base_url,
        model: "scripted".into(),
        api_key: Some("sk-test-secret".into()),
        max_rounds: 4,
        request_timeout: Duration::from_secs(30),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_calls_tools_in_parallel_and_gets_every_result_back() {
    let script = Shared::default();
    let base = start(script.clone()).await;
    let executor = default_executor(store()).unwrap();
    let planner = LlmPlanner::new(config(base)).unwrap();
    let answer = planner
        .ask(&executor, "Which SKUs in WH001 must be reordered now?")
        .await
        .unwrap();

    assert_eq!(answer.rounds, 2);
    assert_eq!(
        answer.envelopes.len(),
        2,
        "the call with bad arguments never ran"
    );
    let reorder = &answer.envelopes[0];
    assert!(reorder.success);
    let due = reorder.result.as_ref().unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["reorder_now"] == true)
        .count();
    assert_eq!(
        answer.text,
        format!("{due} SKUs in WH001 must be reordered now.")
    );
    assert_eq!(
        answer.envelopes[1].error.as_ref().unwrap().kind,
        toolexec::ErrorKind::NotFound
    );

    let requests = &script.lock().requests;
    let (auth, first) = &requests[0];
    assert_eq!(auth.as_deref(), Some("Bearer sk-test-secret"));
    let offered: Vec<&str> = first["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert!(offered.contains(&"calculate_reorder_points") && offered.contains(&"optimize_routes"));
    let schema = &first["tools"][0]["function"]["parameters"];
    assert_eq!(
        schema["type"], "object",
        "tools are offered with their JSON Schemas"
    );

    let second = &requests[1].1["messages"];
    let replies: Vec<&Value> = second
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .collect();
    assert_eq!(replies.len(), 3, "one tool message per tool call");
    let text_of = |id: &str| {
        replies.iter().find(|m| m["tool_call_id"] == id).unwrap()["content"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        text_of("call_b").contains("not_found"),
        "{}",
        text_of("call_b")
    );
    assert!(
        text_of("call_c").contains("must be a JSON object"),
        "{}",
        text_of("call_c")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_error_is_reported_with_its_status() {
    let app = Router::new().route(
        "/v1/chat/completions",
        post(|| async {
            (
                StatusCode::UNAUTHORIZED,
                "{\"error\": {\"message\": \"bad key\"}}",
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let planner = LlmPlanner::new(config(format!("http://{addr}/v1"))).unwrap();
    let executor = default_executor(store()).unwrap();
    let error = planner.ask(&executor, "anything").await.unwrap_err();
    assert!(
        matches!(error, LlmError::Api { status: 401, .. }),
        "{error}"
    );
    assert!(
        !format!("{error:?}").contains("sk-test-secret"),
        "the key never appears"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_a_transport_error() {
    let planner = LlmPlanner::new(config("http://127.0.0.1:9/v1".into())).unwrap();
    let executor = default_executor(store()).unwrap();
    let error = planner.ask(&executor, "anything").await.unwrap_err();
    assert!(matches!(error, LlmError::Transport { .. }), "{error}");
}
