//! Envelope creation: the one result every call yields, built and turned into JSON.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use toolexec::{AttemptRecord, CallStatus, Envelope};

fn envelope(call_id: &Arc<str>, tool: &Arc<str>) -> Envelope {
    Envelope {
        call_id: call_id.clone(),
        tool_name: tool.clone(),
        status: CallStatus::Success,
        success: true,
        result: Some(json!({"ok": true, "attempt": 1})),
        error: None,
        attempts: 1,
        execution_time_ms: 0.25,
        fallback: false,
        attempt_log: vec![AttemptRecord {
            attempt: 1,
            outcome: "success".into(),
            duration_ms: 0.25,
            backoff_ms: None,
            retry_stopped_by: None,
            hedge: false,
        }],
    }
}

fn envelope_creation(c: &mut Criterion) {
    let call_id: Arc<str> = "c-12345".into();
    let tool: Arc<str> = "sim".into();
    let mut group = c.benchmark_group("envelope");
    group.bench_function("create_success", |b| {
        b.iter(|| envelope(black_box(&call_id), black_box(&tool)))
    });
    let built = envelope(&call_id, &tool);
    group.bench_function("to_json", |b| b.iter(|| black_box(&built).to_json()));
    group.finish();
}

criterion_group!(benches, envelope_creation);
criterion_main!(benches);
