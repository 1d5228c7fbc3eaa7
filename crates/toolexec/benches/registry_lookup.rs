//! Registry lookup: finding a tool by name among a realistic number of tools, as every
//! call does first.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use toolexec::{SimConfig, SimTool, ToolRegistry};

fn registry_lookup(c: &mut Criterion) {
    let mut registry = ToolRegistry::new();
    for i in 0..50 {
        registry.register(Arc::new(SimTool::new(
            format!("tool_{i}"),
            SimConfig::default(),
        )));
    }
    let mut group = c.benchmark_group("registry");
    group.bench_function("lookup_hit_of_50", |b| {
        b.iter(|| registry.get(black_box("tool_37")).is_some())
    });
    group.bench_function("lookup_miss_of_50", |b| {
        b.iter(|| registry.get(black_box("no_such_tool")).is_some())
    });
    group.finish();
}

criterion_group!(benches, registry_lookup);
criterion_main!(benches);
