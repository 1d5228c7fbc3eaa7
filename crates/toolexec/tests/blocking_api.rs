//! The blocking mirror for synchronous callers.

mod common;

use common::{builder, latency, sim};
use serde_json::json;
use toolexec::{BatchOptions, BlockingError, BlockingExecutor, CallStatus, ToolCall};

#[test]
fn blocking_executor_runs_calls_and_batches_from_sync_code() {
    let executor = builder().tool(sim("t", latency(5))).build().unwrap();
    let blocking = BlockingExecutor::new(executor).unwrap();
    let one = blocking.execute(ToolCall::new("t", json!({}))).unwrap();
    assert_eq!(one.status, CallStatus::Success);
    let batch: Vec<ToolCall> = (0..3).map(|_| ToolCall::new("t", json!({}))).collect();
    let envelopes = blocking
        .execute_batch(batch, BatchOptions::default())
        .unwrap();
    assert_eq!(envelopes.len(), 3);
    assert_eq!(blocking.stats().overall.total, 4);
    assert_eq!(blocking.tool_stats("t").unwrap().total, 4);
}

#[tokio::test]
async fn blocking_executor_inside_a_runtime_returns_an_error() {
    let executor = builder().tool(sim("t", latency(5))).build().unwrap();
    let blocking = BlockingExecutor::new(executor).unwrap();
    let outcome = blocking.execute(ToolCall::new("t", json!({})));
    assert!(matches!(outcome, Err(BlockingError::InsideRuntime)));
    drop(blocking);
}
