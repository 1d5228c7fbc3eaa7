//! The batch-file parser and the config loader, fed arbitrary and structure-aware input
//! (proptest, a bounded number of cases): each input is a valid result or a clear error
//! naming where, within a time bound; never a panic.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{json, Value};
use toolexec_cli::batch_file;
use toolexec_cli::config::Config;

/// The most one parse may take.
const BOUND: Duration = Duration::from_secs(2);

fn hostile_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(0)),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        hostile_number(),
        ".{0,12}".prop_map(Value::from),
    ]
}

fn call() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        Just("tool"),
        Just("input"),
        Just("call_id"),
        Just("timeout_ms"),
        Just("deadline_ms"),
        Just("max_retries"),
        Just("idempotency_key"),
        Just("extra"),
    ];
    prop::collection::vec((field, json_leaf()), 0..7).prop_map(|fields| {
        let mut call = serde_json::Map::new();
        for (name, value) in fields {
            call.insert(name.to_owned(), value);
        }
        Value::Object(call)
    })
}

fn batch_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(call(), 0..8).prop_map(|calls| json!({"calls": calls}).to_string()),
        json_leaf().prop_map(|v| v.to_string()),
        ".{0,80}",
        prop::collection::vec(call(), 1..4).prop_map(|calls| {
            let text = json!({"calls": calls}).to_string();
            let half = text.chars().count() / 2;
            text.chars().take(half).collect::<String>()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn batch_files_parse_or_fail_naming_the_file_never_panic(text in batch_text()) {
        let started = Instant::now();
        let outcome = batch_file::parse(&text, "batch.json");
        prop_assert!(started.elapsed() < BOUND);
        if let Err(error) = outcome {
            let shown = error.to_string();
            prop_assert!(shown.starts_with("batch.json: "), "{}", shown);
            prop_assert!(shown.len() > "batch.json: ".len(), "{}", shown);
        }
    }

    #[test]
    fn config_files_load_or_fail_naming_line_and_key_never_panic(text in config_text()) {
        let started = Instant::now();
        let outcome = Config::parse(&text, Path::new("toolexec.toml"));
        prop_assert!(started.elapsed() < BOUND);
        if let Err(error) = outcome {
            let lines = text.lines().count().max(1);
            prop_assert!(error.line >= 1 && error.line <= lines + 1, "{} in\n{}", error, text);
            prop_assert!(!error.key.is_empty(), "{}", error);
            prop_assert!(!error.message.is_empty(), "{}", error);
        }
    }

    #[test]
    fn arbitrary_bytes_as_a_config_file_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Config::parse(&text, Path::new("toolexec.toml"));
    }
}

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("99999999999999999999999".to_owned()),
        Just("100000000".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        Just("nan".to_owned()),
        Just("inf".to_owned()),
        "[a-z]{0,6}".prop_map(|s| format!("\"{s}\"")),
        Just("\"full\"".to_owned()),
        Just("\"sim\"".to_owned()),
        Just("true".to_owned()),
        Just("{ note = \"x\" }".to_owned()),
        Just("[1, 2]".to_owned()),
    ]
}

fn toml_key() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("max_concurrency"),
        Just("history_capacity"),
        Just("event_capacity"),
        Just("attempt_timeout_ms"),
        Just("deadline_ms"),
        Just("max_retries"),
        Just("backoff_initial_ms"),
        Just("backoff_multiplier"),
        Just("backoff_max_ms"),
        Just("jitter"),
        Just("jitter_seed"),
        Just("circuit_failure_threshold"),
        Just("circuit_open_ms"),
        Just("backend"),
        Just("latency_ms"),
        Just("fail_first"),
        Just("fail_rate"),
        Just("fallback"),
        Just("builtin"),
        Just("url"),
        Just("method"),
        Just("unknown_key"),
    ]
}

fn config_text() -> impl Strategy<Value = String> {
    let table = prop_oneof![
        Just("[executor]".to_owned()),
        Just("[defaults]".to_owned()),
        Just("[tools.t]".to_owned()),
        Just("[tools.u]".to_owned()),
        Just("[extras]".to_owned()),
    ];
    let section = (
        table,
        prop::collection::vec((toml_key(), toml_value()), 0..6),
    )
        .prop_map(|(header, keys)| {
            let mut text = header;
            let mut seen = std::collections::HashSet::new();
            for (key, value) in keys {
                if seen.insert(key) {
                    text.push_str(&format!("\n{key} = {value}"));
                }
            }
            text
        });
    prop::collection::vec(section, 0..4).prop_map(|sections| sections.join("\n\n"))
}
