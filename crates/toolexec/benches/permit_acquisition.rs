//! Permit acquisition: the concurrency permit every attempt takes, free (the engine's
//! fast path) and contended (a queued call woken by a released permit).

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use tokio::sync::Semaphore;

fn permit_acquisition(c: &mut Criterion) {
    let mut group = c.benchmark_group("permits");
    let permits = Arc::new(Semaphore::new(64));
    group.bench_function("try_acquire_owned_free", |b| {
        b.iter(|| permits.clone().try_acquire_owned().is_ok())
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let single = Arc::new(Semaphore::new(1));
    group.bench_function("acquire_owned_after_release_100_waiters", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let mut waiters = tokio::task::JoinSet::new();
                for _ in 0..100 {
                    let single = single.clone();
                    waiters.spawn(async move { single.acquire_owned().await.is_ok() });
                }
                while waiters.join_next().await.is_some() {}
            })
        })
    });
    group.finish();
}

criterion_group!(benches, permit_acquisition);
criterion_main!(benches);
