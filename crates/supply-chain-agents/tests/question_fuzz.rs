//! The question parser under arbitrary and structure-aware input: every question
//! yields a clear refusal or a plan whose calls fit their tools' schemas, never a
//! panic, and quickly; numbers of any size are read with checked arithmetic.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use supply_chain::Store;
use supply_chain_agents::{Orchestrator, Query, MAX_HORIZON_DAYS};

/// The longest a question may take to parse and plan (generous for a debug build on a
/// loaded machine; typical questions take well under a millisecond).
const TIME_BOUND: Duration = Duration::from_millis(500);

fn assistant() -> &'static Orchestrator {
    static ASSISTANT: OnceLock<Orchestrator> = OnceLock::new();
    ASSISTANT.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let _guard = runtime.enter();
        let store = Arc::new(Store::in_memory_seeded(1).expect("seed the sample store"));
        Orchestrator::with_store(store).expect("build the orchestrator")
    })
}

fn validators() -> &'static Vec<(&'static str, jsonschema::Validator)> {
    static V: OnceLock<Vec<(&'static str, jsonschema::Validator)>> = OnceLock::new();
    V.get_or_init(|| {
        supply_chain::tools::definitions()
            .into_iter()
            .map(|d| {
                (
                    d.name,
                    jsonschema::validator_for(&(d.schema)()).expect("schema compiles"),
                )
            })
            .collect()
    })
}

/// Plans a question and checks the outcome: a refusal with a message, or calls that
/// fit their schemas; within the time bound.
fn check(question: &str) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let outcome = assistant().plan(question);
    let took = started.elapsed();
    prop_assert!(took < TIME_BOUND, "{question:?} took {took:?}");
    match outcome {
        Err(refused) => prop_assert!(!refused.message.trim().is_empty()),
        Ok((query, plan)) => {
            if let Some(days) = query.horizon_days {
                prop_assert!((1..=MAX_HORIZON_DAYS).contains(&days), "{days}");
            }
            for call in plan.calls.iter().filter(|c| !c.deferred) {
                let (_, validator) = validators()
                    .iter()
                    .find(|(name, _)| *name == call.tool)
                    .ok_or_else(|| TestCaseError::fail(format!("unknown tool {}", call.tool)))?;
                prop_assert!(
                    validator.is_valid(&call.input),
                    "{question:?}: {} {}",
                    call.tool,
                    call.input
                );
            }
        }
    }
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    "which SKUs in",
    "reorder",
    "what should",
    "order this week",
    "safety stock",
    "how much",
    "EOQ for the fastest-moving item at",
    "forecast demand for",
    "for the next",
    "weeks",
    "days",
    "months",
    "what if lead times double at",
    "demand rises",
    "%",
    "service level",
    "overstocked",
    "days of cover",
    "plan routes from",
    "tomorrow",
    "consolidate",
    "trucks",
    "which carrier should ship",
    "kg over",
    "km",
    "within",
    "rank suppliers of",
    "by price and on-time delivery",
    "top",
    "worst",
    "which supplier has gotten worse over the last",
    "supply risks",
    "full review of",
    "delete",
    "WH001",
    "wh 2",
    "WH009",
    "Distribution Center 3",
    "warehouse 12",
    "FAS-0001",
    "fas0002",
    "XYZ-1234",
    "SUP003",
    "supplier 77",
    "Prairie Express",
    "Acme Freight",
    "fasteners",
    "electonics",
    "category spaceships",
    "CA",
    "the Denver warehouse",
    "?",
    ",",
    "and",
];

fn structured() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        any::<u64>().prop_map(|n| n.to_string()),
        "[0-9]{1,40}",
        "[0-9]{1,6}\\.[0-9]{1,4}",
        "[a-zA-Z]{1,12}",
    ];
    proptest::collection::vec(fragment, 1..14).prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_gets_a_refusal_or_a_valid_plan(question in "\\PC{0,300}") {
        check(&question)?;
    }

    #[test]
    fn structure_aware_questions_get_a_refusal_or_a_valid_plan(question in structured()) {
        check(&question)?;
    }

    #[test]
    fn arbitrary_bytes_as_lossy_text_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&String::from_utf8_lossy(&bytes))?;
    }
}

#[test]
fn a_huge_week_count_is_capped_and_said_not_wrapped() {
    let (query, plan) = assistant()
        .plan("Forecast demand for FAS-0001 at WH001 for the next 613566757 weeks")
        .expect("a plan");
    assert_eq!(query.horizon_days, Some(MAX_HORIZON_DAYS));
    assert_eq!(query.horizon_capped_from, Some(Some(613_566_757 * 7)));
    assert_eq!(plan.calls[0].input["horizon_days"], MAX_HORIZON_DAYS);
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("4294967299 days") && n.contains("365")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn a_count_beyond_64_bits_is_capped_too() {
    let query: Query = assistant()
        .understand("forecast FAS-0001 at WH001 for the next 99999999999999999999999 weeks");
    assert_eq!(query.horizon_days, Some(MAX_HORIZON_DAYS));
    assert_eq!(query.horizon_capped_from, Some(None));
}

#[test]
fn a_very_long_question_is_cut_not_slow() {
    let question = "reorder WH001 ".repeat(10_000);
    let started = Instant::now();
    let _ = assistant().plan(&question);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
