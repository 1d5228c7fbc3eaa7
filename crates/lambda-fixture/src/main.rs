//! A tiny Lambda function for testing Lambda clients under `cargo lambda watch`.
//!
//! The event's `action` chooses what it does:
//! - `"echo"` (or none): answers `{"echo": EVENT}`;
//! - `"fail"`: fails with `errorType` `FixtureError` and the event's `message`;
//! - `"sleep"`: sleeps `ms` milliseconds, then answers `{"slept_ms": ms}`.

use std::time::Duration;

use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::{json, Value};

async fn handle(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    let payload = event.payload;
    match payload["action"].as_str().unwrap_or("echo") {
        "fail" => Err(Diagnostic {
            error_type: "FixtureError".to_owned(),
            error_message: payload["message"]
                .as_str()
                .unwrap_or("the fixture failed on purpose")
                .to_owned(),
        }),
        "sleep" => {
            let ms = payload["ms"].as_u64().unwrap_or(1000);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(json!({ "slept_ms": ms }))
        }
        _ => Ok(json!({ "echo": payload })),
    }
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(handle)).await
}
