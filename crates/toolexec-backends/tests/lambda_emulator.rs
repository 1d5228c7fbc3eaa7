//! The Lambda backend end to end against the cargo-lambda emulator on 127.0.0.1,
//! invoking the workspace's `lambda-fixture` function: success, a function error, an
//! unknown function, an attempt timeout under the engine, and the context deadline.
//!
//! A second test runs the workspace's three supply-chain functions
//! (`inventory_optimizer`, `logistics_optimizer`, `supplier_analyzer`, binaries of
//! `supply-chain-lambda`) through the structured protocol.
//!
//! Each test drives one emulator per package through its scenarios, since the
//! emulator builds the function on its first invocation. It needs cargo-lambda, which the test installs
//! with `scripts/setup/cargo-lambda.sh`; set `TOOLEXEC_SKIP_LAMBDA_EMULATOR=1` to skip
//! it on a machine without PyPI.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::emulator::{install_cargo_lambda, Emulator};
use common::{executor, scratch_dir};
use serde_json::{json, Value};
use toolexec::{CallContext, CallStatus, ErrorKind, Tool, ToolCall, ToolError};
use toolexec_backends::{LambdaConfig, LambdaProtocol};

/// The longest the emulator may take to build and start the function (cold, on a
/// busy two-core machine).
const FIRST_INVOCATION: Duration = Duration::from_secs(600);

/// Calls `tool` until the emulator answers: it binds its port at once, but builds the
/// function on its first invocation.
async fn first_invocation(tool: &Arc<dyn Tool>, input: Value) -> Result<Value, ToolError> {
    let started = Instant::now();
    loop {
        let mut ctx = CallContext::detached("warm-up");
        ctx.deadline = Some(tokio::time::Instant::now() + FIRST_INVOCATION);
        match tool.call(&input, ctx).await {
            Err(ToolError::Transient { .. }) if started.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => {
                eprintln!(
                    "{} answered after {:?}",
                    tool.spec().name,
                    started.elapsed()
                );
                return other;
            }
        }
    }
}

async fn lambda(name: &str, function: &str, endpoint: &str) -> Arc<dyn Tool> {
    LambdaConfig::new(function)
        .with_endpoint_url(endpoint)
        .build(name)
        .await
        .expect("a valid Lambda config")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lambda_backend_runs_against_the_cargo_lambda_emulator() {
    if std::env::var_os("TOOLEXEC_SKIP_LAMBDA_EMULATOR").is_some() {
        eprintln!("skipped: TOOLEXEC_SKIP_LAMBDA_EMULATOR is set");
        return;
    }
    install_cargo_lambda().expect("cargo-lambda is installed");
    let dir = scratch_dir("lambda-emulator");
    let emulator = Emulator::start(
        "crates/lambda-fixture/Cargo.toml",
        &[],
        dir.join("emulator.log"),
    );
    let endpoint = emulator.endpoint.clone();

    let fixture = lambda("fixture", "lambda-fixture", &endpoint).await;
    let warm_up = first_invocation(&fixture, json!({"action": "echo", "warm": true})).await;
    assert_eq!(
        warm_up.as_ref().ok(),
        Some(&json!({"echo": {"action": "echo", "warm": true}})),
        "{warm_up:?}\n{}",
        emulator.log_tail()
    );

    let executor = executor([
        fixture.clone(),
        lambda("missing", "no-such-function", &endpoint).await,
    ]);

    // Success through the engine.
    let envelope = executor
        .execute(ToolCall::new("fixture", json!({"sku": "A-1"})))
        .await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    assert_eq!(envelope.result, Some(json!({"echo": {"sku": "A-1"}})));

    // A function error: failed with the function's type and message, not retried.
    let envelope = executor
        .execute(ToolCall::new(
            "fixture",
            json!({"action": "fail", "message": "no stock for A-1"}),
        ))
        .await;
    let error = envelope.error.clone().unwrap();
    assert_eq!(error.kind, ErrorKind::ToolError, "{envelope:?}");
    assert_eq!(error.error_type.as_deref(), Some("FixtureError"));
    assert_eq!(error.message, "FixtureError: no stock for A-1");
    assert_eq!(envelope.attempts, 1);

    // An unknown function: not found, not retried.
    let envelope = executor.execute(ToolCall::new("missing", json!({}))).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::NotFound, "{error:?}");
    assert_eq!(envelope.attempts, 1);

    // The engine's attempt timeout cuts a slow invocation off. Lambda cannot stop a
    // running function: it runs on, and the emulator (one instance per function)
    // serves the next call once it ends.
    let started = Instant::now();
    let envelope = executor
        .execute(
            ToolCall::new("fixture", json!({"action": "sleep", "ms": 2500}))
                .with_timeout(Duration::from_millis(500))
                .with_max_retries(0),
        )
        .await;
    assert_eq!(envelope.status, CallStatus::Timeout, "{envelope:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    let envelope = executor
        .execute(ToolCall::new("fixture", json!({"after": "timeout"})))
        .await;
    assert!(envelope.success, "{envelope:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(2400),
        "the next call waited for the abandoned invocation: {:?}",
        started.elapsed()
    );

    // Called directly, the backend honours the deadline in its context.
    let mut ctx = CallContext::detached("direct");
    ctx.deadline = Some(tokio::time::Instant::now() + Duration::from_millis(300));
    let started = Instant::now();
    let result = fixture
        .call(&json!({"action": "sleep", "ms": 1500}), ctx)
        .await;
    assert!(
        matches!(result, Err(ToolError::OutcomeUnknown { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1000));

    drop(emulator);
}

/// A tool reaching `remote_tool` of the supply-chain function `group`.
async fn supply_chain_tool(
    name: &str,
    group: &str,
    remote_tool: &str,
    endpoint: &str,
) -> Arc<dyn Tool> {
    let mut config = LambdaConfig::new(group).with_endpoint_url(endpoint);
    config.protocol = LambdaProtocol::Structured;
    config.remote_tool = Some(remote_tool.to_owned());
    config.build(name).await.expect("a valid Lambda config")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supply_chain_functions_run_under_the_cargo_lambda_emulator() {
    if std::env::var_os("TOOLEXEC_SKIP_LAMBDA_EMULATOR").is_some() {
        eprintln!("skipped: TOOLEXEC_SKIP_LAMBDA_EMULATOR is set");
        return;
    }
    install_cargo_lambda().expect("cargo-lambda is installed");
    let dir = scratch_dir("supply-chain-lambda");
    // One emulator serves the three groups, each a binary named after its function.
    let db = dir.join("supply_chain.db").display().to_string();
    let emulator = Emulator::start(
        "crates/supply-chain-lambda/Cargo.toml",
        &[("SUPPLY_CHAIN_DB", db)],
        dir.join("emulator.log"),
    );
    let endpoint = emulator.endpoint.clone();
    let eoq = supply_chain_tool(
        "eoq",
        "inventory_optimizer",
        "optimize_order_quantities",
        &endpoint,
    )
    .await;
    let eoq_input = json!({"items": [
        {"annual_demand": 1200.0, "ordering_cost": 50.0, "holding_cost_per_unit_year": 3.0}]});
    let warm_up = first_invocation(&eoq, eoq_input.clone()).await;
    assert!(warm_up.is_ok(), "{warm_up:?}\n{}", emulator.log_tail());

    let carrier_input = json!({"weight_kg": 100, "distance_km": 50, "carriers": [
        {"name": "A", "base_cost": 10, "cost_per_kg": 0.1, "cost_per_km": 1, "transit_days": 2}]});
    let carrier = supply_chain_tool(
        "carrier",
        "logistics_optimizer",
        "select_carrier",
        &endpoint,
    )
    .await;
    let warm_up = first_invocation(&carrier, carrier_input.clone()).await;
    assert!(warm_up.is_ok(), "{warm_up:?}\n{}", emulator.log_tail());
    let rank = supply_chain_tool("rank", "supplier_analyzer", "rank_suppliers", &endpoint).await;
    let bad_rank = json!({"suppliers": [{"id": "a", "x": 1}], "method": "vote"});
    let warm_up = first_invocation(&rank, bad_rank.clone()).await;
    assert!(
        matches!(warm_up, Err(ToolError::InvalidInput { .. })),
        "{warm_up:?}\n{}",
        emulator.log_tail()
    );

    let executor = executor([
        eoq,
        carrier,
        rank,
        supply_chain_tool(
            "routes",
            "logistics_optimizer",
            "optimize_routes",
            &endpoint,
        )
        .await,
        supply_chain_tool(
            "wrong_group",
            "inventory_optimizer",
            "optimize_routes",
            &endpoint,
        )
        .await,
    ]);

    // inventory_optimizer: EOQ = sqrt(2 * 1200 * 50 / 3) = 200 (Harris's formula).
    let envelope = executor.execute(ToolCall::new("eoq", eoq_input)).await;
    assert_eq!(envelope.status, CallStatus::Success, "{envelope:?}");
    let result = envelope.result.unwrap_or_default();
    assert_eq!(result["items"][0]["order_quantity"], 200.0);

    // logistics_optimizer: the only carrier is recommended.
    let envelope = executor
        .execute(ToolCall::new("carrier", carrier_input))
        .await;
    assert_eq!(envelope.result.unwrap_or_default()["recommended"], "A");

    // supplier_analyzer: the function's structured error is invalid input, not retried.
    let envelope = executor.execute(ToolCall::new("rank", bad_rank)).await;
    let error = envelope.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(error.message.contains("method"), "{}", error.message);
    assert_eq!(envelope.attempts, 1);

    // A tool of another group: not found.
    let envelope = executor
        .execute(ToolCall::new("wrong_group", json!({})))
        .await;
    assert_eq!(envelope.error.unwrap().kind, ErrorKind::NotFound);

    // A routing run longer than the attempt timeout: the engine cuts it off.
    let stops: Vec<Value> = (0..150)
        .map(|i| json!({"id": format!("s{i}"), "x": (i * 37 % 101) as f64, "y": (i * 53 % 97) as f64, "demand": 1 + i % 5}))
        .collect();
    let routes_input = json!({"depot": {"x": 50.0, "y": 50.0}, "stops": stops,
        "vehicle_capacity": 20, "metric": "euclidean", "time_limit_ms": 5000});
    let started = Instant::now();
    let envelope = executor
        .execute(
            ToolCall::new("routes", routes_input)
                .with_timeout(Duration::from_millis(500))
                .with_max_retries(0),
        )
        .await;
    assert_eq!(envelope.status, CallStatus::Timeout, "{envelope:?}");
    assert!(started.elapsed() < Duration::from_millis(1500));

    drop(emulator);
}
