//! Properties over random batches: one envelope per call, and the limit holds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;
use toolexec::{
    tool_fn, BatchOptions, CallPolicy, CircuitPolicy, Executor, FailureMode, Jitter, ToolCall,
    ToolError, ToolSpec,
};

#[derive(Debug, Clone)]
struct Script {
    latency_ms: u64,
    behaviour: u8,
}

fn script() -> impl Strategy<Value = Script> {
    (0u64..200, 0u8..6).prop_map(|(latency_ms, behaviour)| Script {
        latency_ms,
        behaviour,
    })
}

fn mode() -> impl Strategy<Value = FailureMode> {
    prop_oneof![
        Just(FailureMode::CollectAll),
        Just(FailureMode::FailFast),
        (0usize..4).prop_map(FailureMode::Tolerate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_call_yields_one_envelope_and_concurrency_stays_within_the_limit(
        scripts in prop::collection::vec(script(), 0..40),
        limit in 1usize..8,
        deadline_ms in prop::option::of(50u64..600),
        mode in mode(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (r, p) = (running.clone(), peak.clone());
        let tool = tool_fn(ToolSpec::new("s", "scripted"), move |input, _ctx| {
            let (running, peak) = (r.clone(), p.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let _guard = scopeguard(running);
                let latency = input["latency_ms"].as_u64().unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(latency)).await;
                match input["behaviour"].as_u64().unwrap_or(0) {
                    0 | 1 => Ok(json!(1)),
                    2 => Err(ToolError::transient("flaky")),
                    3 => Err(ToolError::invalid_input("x", "bad")),
                    4 => std::future::pending().await,
                    _ => panic!("scripted"),
                }
            }
        });
        let policy = CallPolicy {
            attempt_timeout: Duration::from_millis(300),
            max_retries: 2,
            circuit: CircuitPolicy::disabled(),
            backoff: toolexec::BackoffPolicy {
                initial: Duration::from_millis(10),
                jitter: Jitter::Full,
                ..Default::default()
            },
            ..CallPolicy::default()
        };
        let executor = Executor::builder()
            .max_concurrency(limit)
            .defaults(policy)
            .tool(Arc::new(tool))
            .build()
            .unwrap();
        let calls: Vec<ToolCall> = scripts
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let tool = if s.behaviour == 1 && i % 7 == 0 { "missing" } else { "s" };
                ToolCall::new(tool, json!({"latency_ms": s.latency_ms, "behaviour": s.behaviour}))
                    .with_id(format!("call-{i}"))
            })
            .collect();
        let mut options = BatchOptions::default().with_failure_mode(mode);
        options.deadline = deadline_ms.map(Duration::from_millis);
        let envelopes = runtime.block_on(executor.execute_batch(calls, options));

        prop_assert_eq!(envelopes.len(), scripts.len());
        for (i, envelope) in envelopes.iter().enumerate() {
            prop_assert_eq!(&*envelope.call_id, format!("call-{i}"));
            prop_assert!(envelope.status.is_final());
            prop_assert_eq!(envelope.success, envelope.result.is_some());
            prop_assert_eq!(envelope.success, envelope.error.is_none());
            prop_assert_eq!(envelope.attempts as usize, envelope.attempt_log.len());
        }
        prop_assert!(peak.load(Ordering::SeqCst) <= limit);
        prop_assert_eq!(executor.stats().overall.total as usize, scripts.len());
        prop_assert!(executor.in_flight().is_empty());
    }
}

struct Decrement(Arc<AtomicUsize>);

impl Drop for Decrement {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn scopeguard(counter: Arc<AtomicUsize>) -> Decrement {
    Decrement(counter)
}
