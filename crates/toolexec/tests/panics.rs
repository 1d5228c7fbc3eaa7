//! A panicking tool yields a `panic` envelope and the executor keeps working.

mod common;

use std::sync::Arc;

use common::{builder, latency, sim};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use toolexec::{
    BatchOptions, CallContext, CallStatus, ErrorKind, SimConfig, Tool, ToolCall, ToolError,
    ToolSpec,
};

#[tokio::test(start_paused = true)]
async fn a_panic_becomes_a_panic_envelope_and_later_calls_still_run() {
    let every_other = SimConfig {
        panic_every: 2,
        ..latency(5)
    };
    let executor = builder()
        .max_concurrency(1)
        .tool(sim("p", every_other))
        .build()
        .unwrap();
    let calls: Vec<ToolCall> = (0..4)
        .map(|_| ToolCall::new("p", json!({})).with_max_retries(0))
        .collect();
    let envelopes = executor.execute_batch(calls, BatchOptions::default()).await;
    let panics = envelopes
        .iter()
        .filter(|e| e.error_kind() == Some(ErrorKind::Panic))
        .count();
    assert_eq!(panics, 2);
    assert_eq!(envelopes.iter().filter(|e| e.success).count(), 2);
    let panicked = envelopes.iter().find(|e| !e.success).unwrap();
    assert_eq!(panicked.status, CallStatus::Failed);
    assert!(panicked
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("scripted panic"));
    assert_eq!(
        executor.running_attempts(),
        0,
        "the panicking attempt released its permit"
    );
}

struct PanicsBeforeItsFuture(ToolSpec);

impl Tool for PanicsBeforeItsFuture {
    fn spec(&self) -> &ToolSpec {
        &self.0
    }

    fn call<'a>(&'a self, _: &'a Value, _: CallContext) -> BoxFuture<'a, Result<Value, ToolError>> {
        panic!("panicked while building the future")
    }
}

#[tokio::test]
async fn a_panic_while_building_the_future_is_caught_too() {
    let tool = PanicsBeforeItsFuture(ToolSpec::new("eager", "panics at once"));
    let executor = builder().tool(Arc::new(tool)).build().unwrap();
    let envelope = executor.execute(ToolCall::new("eager", json!({}))).await;
    assert_eq!(envelope.error_kind(), Some(ErrorKind::Panic));
    assert_eq!(envelope.attempts, 1, "a panic is not retried");
}
