//! Backoff computation: the delays of one call's retries, with and without jitter.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use toolexec::{BackoffPolicy, Jitter};

fn backoff_computation(c: &mut Criterion) {
    let mut group = c.benchmark_group("backoff");
    for (name, jitter) in [
        ("none", Jitter::None),
        ("full", Jitter::Full),
        ("equal", Jitter::Equal),
    ] {
        let policy = BackoffPolicy {
            jitter,
            ..BackoffPolicy::default()
        };
        group.bench_function(format!("first_three_delays_{name}_jitter"), |b| {
            b.iter(|| {
                let mut delays = policy.delays(black_box(42));
                (delays.next(), delays.next(), delays.next())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, backoff_computation);
criterion_main!(benches);
