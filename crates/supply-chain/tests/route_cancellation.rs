//! A route search stops when its call ends: after an attempt timeout or a batch
//! cancellation the solver's blocking thread is free again within a short bound, so a
//! timed-out call leaves no work behind and a retry does not run beside it.
//!
//! The runtime has a single blocking thread, so a probe task sent to the blocking pool
//! right after the call's envelope starts only once the solver has let go of it; the
//! probe's wait is how long the solver kept running after its call ended.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use supply_chain::{builtin_tools, Store};
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;
use toolexec::{CallStatus, Executor, ToolCall};

/// How long the solver may keep its thread after the call ended. Stopping takes one
/// step of vrp-core's insertion or of the local search; the bound leaves room for an
/// unoptimized build on a shared machine.
const STOP_BOUND: Duration = Duration::from_millis(1500);

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

fn executor() -> Executor {
    let store = Arc::new(Store::in_memory().expect("store"));
    let mut builder = Executor::builder();
    for tool in builtin_tools(store) {
        builder = builder.tool(tool);
    }
    builder.build().expect("executor")
}

/// A 300-stop problem with a two-minute time limit and 100,000 iterations: a minute
/// of work or more, unless something stops it.
fn long_route_problem() -> Value {
    let mut rng = fastrand::Rng::with_seed(13);
    let stops: Vec<Value> = (0..300)
        .map(|i| json!({"id": i, "x": rng.f64() * 1000.0, "y": rng.f64() * 1000.0, "demand": rng.u32(1..20)}))
        .collect();
    json!({"depot": {"x": 500.0, "y": 500.0}, "stops": stops, "vehicle_capacity": 100,
        "time_limit_ms": 120_000, "max_iterations": 100_000})
}

/// How long a task sent to the (single-thread) blocking pool now waits to start.
async fn blocking_pool_wait() -> Duration {
    let sent = Instant::now();
    tokio::task::spawn_blocking(move || sent.elapsed())
        .await
        .expect("probe")
}

/// The search aims to end a little before the attempt's deadline; where it cannot (an
/// unoptimized build is slower than the time it gave itself) the attempt times out.
/// Either way the thread is free soon after the call's end.
#[test]
fn a_route_call_under_a_short_timeout_frees_its_solver_thread_promptly() {
    runtime().block_on(async {
        let executor = executor();
        let call = ToolCall::new("optimize_routes", long_route_problem())
            .with_timeout(Duration::from_millis(400))
            .with_max_retries(0);
        let started = Instant::now();
        let envelope = executor.execute(call).await;
        let ended = started.elapsed();
        assert!(
            matches!(envelope.status, CallStatus::Timeout | CallStatus::Success),
            "{envelope:?}"
        );
        assert!(ended < Duration::from_millis(1000), "ended at {ended:?}");
        let waited = blocking_pool_wait().await;
        assert!(
            waited < STOP_BOUND,
            "the solver ran {waited:?} past its call's end at {ended:?}"
        );
    });
}

#[test]
fn a_cancelled_route_call_frees_its_solver_thread_promptly() {
    runtime().block_on(async {
        let executor = executor();
        // No timeout or deadline comes near: only the cancellation can stop the search.
        let call = ToolCall::new("optimize_routes", long_route_problem())
            .with_timeout(Duration::from_secs(60))
            .with_max_retries(0);
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(600)).await;
            trigger.cancel();
        });
        let envelope = executor.execute_cancellable(call, cancel).await;
        assert_eq!(envelope.status, CallStatus::Cancelled, "{envelope:?}");
        let waited = blocking_pool_wait().await;
        assert!(
            waited < STOP_BOUND,
            "the solver ran {waited:?} past its cancellation"
        );
    });
}
