//! Statistics recording and reading. Recording is internal to the call path, so it is
//! measured as the cost of one whole call of a tool that answers at once (status,
//! stats, history and circuit recording included); reading is one `stats()` call after
//! 100,000 recorded calls.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use toolexec::{BatchOptions, Executor, SimConfig, SimTool, ToolCall};

fn noop_executor() -> Executor {
    Executor::builder()
        .max_concurrency(64)
        .tool(Arc::new(SimTool::new("noop", SimConfig::default())))
        .build()
        .expect("valid executor")
}

fn stats_recording(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let executor = noop_executor();
    let mut group = c.benchmark_group("stats");
    group.bench_function("execute_one_noop_call_recording_everything", |b| {
        b.iter(|| runtime.block_on(executor.execute(ToolCall::new("noop", json!({})))))
    });
    let loaded = noop_executor();
    runtime.block_on(async {
        for _ in 0..10 {
            let calls = (0..10_000)
                .map(|_| ToolCall::new("noop", json!({})))
                .collect();
            let _ = loaded.execute_batch(calls, BatchOptions::default()).await;
        }
    });
    group.bench_function("read_after_100k_calls", |b| {
        b.iter(|| black_box(loaded.stats()))
    });
    group.finish();
}

criterion_group!(benches, stats_recording);
criterion_main!(benches);
