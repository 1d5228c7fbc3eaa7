//! The Lambda backend end to end against the cargo-lambda emulator on 127.0.0.1,
//! invoking the workspace's `lambda-fixture` function: success, a function error, an
//! unknown function, an attempt timeout under the engine, and the context deadline.
//!
//! One test drives one emulator through every scenario, since the emulator builds the
//! function on its first invocation. It needs cargo-lambda, which the test installs
//! with `scripts/setup/cargo-lambda.sh`; set `TOOLEXEC_SKIP_LAMBDA_EMULATOR=1` to skip
//! it on a machine without PyPI.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::emulator::{install_cargo_lambda, Emulator};
use common::{executor, scratch_dir};
use serde_json::json;
use toolexec::{CallContext, CallStatus, ErrorKind, Tool, ToolCall, ToolError};
use toolexec_backends::LambdaConfig;

/// The longest the emulator may take to build and start the function (cold, on a
/// busy two-core machine).
const FIRST_INVOCATION: Duration = Duration::from_secs(600);

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
    let emulator = Emulator::start("crates/lambda-fixture/Cargo.toml", dir.join("emulator.log"));
    let endpoint = emulator.endpoint.clone();

    // The first invocation builds the function; wait for it, bounded.
    let fixture = lambda("fixture", "lambda-fixture", &endpoint).await;
    let started = Instant::now();
    let warm_up = loop {
        let mut ctx = CallContext::detached("warm-up");
        ctx.deadline = Some(tokio::time::Instant::now() + FIRST_INVOCATION);
        match fixture
            .call(&json!({"action": "echo", "warm": true}), ctx)
            .await
        {
            Err(ToolError::Transient { .. }) if started.elapsed() < Duration::from_secs(30) => {
                // The emulator is still binding its port.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => break other,
        }
    };
    assert_eq!(
        warm_up.as_ref().ok(),
        Some(&json!({"echo": {"action": "echo", "warm": true}})),
        "{warm_up:?}\n{}",
        emulator.log_tail()
    );
    eprintln!("the emulator answered after {:?}", started.elapsed());

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
