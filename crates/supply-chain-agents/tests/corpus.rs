//! The question corpus (`tests/corpus/questions.json`): everyday questions with
//! paraphrases, casing, typos, mixed agents, unknown names and questions to refuse,
//! each with the plan expected (tools and key inputs) and a check on the answer's
//! first line. Every question is planned and answered on the seeded sample database;
//! the test prints the accuracy and fails on any miss.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Deserialize;
use serde_json::Value;
use supply_chain::Store;
use supply_chain_agents::{Orchestrator, RefusalKind};

#[derive(Debug, Deserialize)]
struct Case {
    q: String,
    #[serde(default)]
    tools: Vec<String>,
    #[serde(default)]
    inputs: serde_json::Map<String, Value>,
    #[serde(default)]
    calls: Option<usize>,
    #[serde(default)]
    first: Vec<String>,
    #[serde(default)]
    refuse: Option<String>,
    #[serde(default)]
    unknown: Vec<String>,
}

fn corpus() -> Vec<Case> {
    serde_json::from_str(include_str!("corpus/questions.json")).expect("the corpus parses")
}

/// Whether every key of `want` is in `got` with the same value (numbers compared as
/// numbers).
fn contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| contains(gv, v))),
        (Value::Number(g), Value::Number(w)) => {
            (g.as_f64().unwrap_or(f64::NAN) - w.as_f64().unwrap_or(f64::NAN)).abs() < 1e-9
        }
        _ => got == want,
    }
}

/// Checks one case; `Err` says what missed.
async fn check(assistant: &Orchestrator, case: &Case) -> Result<(), String> {
    let refusal = |kind: RefusalKind| -> &'static str {
        match kind {
            RefusalKind::Unclear => "unclear",
            RefusalKind::UnknownName => "unknown_name",
            RefusalKind::ReadOnly => "read_only",
        }
    };
    let query = assistant.understand(&case.q);
    for name in &case.unknown {
        if !query
            .unknown
            .iter()
            .any(|u| u.given.contains(name.as_str()))
        {
            return Err(format!("{name} not reported unknown: {:?}", query.unknown));
        }
    }
    let planned = assistant.plan(&case.q);
    match (&case.refuse, planned) {
        (Some(kind), Err(refused)) if refusal(refused.kind) == kind => {
            if kind == "unknown_name" && !refused.message.contains("closest") {
                return Err(format!("no closest names in {:?}", refused.message));
            }
            return Ok(());
        }
        (Some(kind), Err(refused)) => {
            return Err(format!("refused as {:?}, expected {kind}", refused.kind))
        }
        (Some(kind), Ok((_, plan))) => {
            return Err(format!(
                "expected a {kind} refusal, planned {:?}",
                plan.calls.iter().map(|c| c.tool).collect::<Vec<_>>()
            ))
        }
        (None, Err(refused)) => return Err(format!("refused: {}", refused.message)),
        (None, Ok((_, plan))) => {
            let tools: BTreeSet<&str> = plan.calls.iter().map(|c| c.tool).collect();
            let want: BTreeSet<&str> = case.tools.iter().map(String::as_str).collect();
            if tools != want {
                return Err(format!("planned {tools:?}, expected {want:?}"));
            }
            if let Some(n) = case.calls {
                if plan.calls.len() != n {
                    return Err(format!("{} calls planned, expected {n}", plan.calls.len()));
                }
            }
            for (tool, input) in &case.inputs {
                if !plan
                    .calls
                    .iter()
                    .any(|c| c.tool == tool && contains(&c.input, input))
                {
                    let got: Vec<&Value> = plan
                        .calls
                        .iter()
                        .filter(|c| c.tool == tool)
                        .map(|c| &c.input)
                        .collect();
                    return Err(format!("no {tool} call with {input}; got {got:?}"));
                }
            }
        }
    }
    let answer = assistant
        .ask(&case.q)
        .await
        .map_err(|e| format!("refused when answering: {}", e.message))?;
    if let Some(failed) = answer.envelopes.iter().find(|e| !e.success) {
        return Err(format!("{} failed: {:?}", failed.tool_name, failed.error));
    }
    let headline = answer.headline();
    for part in &case.first {
        if !headline.contains(part.as_str()) {
            return Err(format!("first line {headline:?} lacks {part:?}"));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corpus_is_answered_as_expected() {
    let store = Arc::new(Store::in_memory_seeded(1).expect("seed the sample store"));
    let assistant = Orchestrator::with_store(store).expect("build the orchestrator");
    let cases = corpus();
    assert!(cases.len() >= 100, "{} questions", cases.len());
    let started = Instant::now();
    let results: Vec<(usize, Result<(), String>, Duration)> =
        futures::stream::iter(cases.iter().enumerate())
            .map(|(i, case)| {
                let assistant = &assistant;
                async move {
                    let t = Instant::now();
                    (i, check(assistant, case).await, t.elapsed())
                }
            })
            .buffer_unordered(4)
            .collect()
            .await;
    let misses: Vec<String> = results
        .iter()
        .filter_map(|(i, r, _)| {
            r.as_ref()
                .err()
                .map(|e| format!("  {:?}: {e}", cases[*i].q))
        })
        .collect();
    let slowest = results.iter().map(|r| r.2).max().unwrap_or_default();
    println!(
        "corpus accuracy: {}/{} ({:.1}%), {:.1} s in all, slowest question {:.2} s",
        cases.len() - misses.len(),
        cases.len(),
        (cases.len() - misses.len()) as f64 * 100.0 / cases.len() as f64,
        started.elapsed().as_secs_f64(),
        slowest.as_secs_f64()
    );
    assert!(
        misses.is_empty(),
        "{} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
