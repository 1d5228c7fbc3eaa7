//! Property tests of every supply-chain tool's input: whatever arrives, a tool answers
//! with a result, `invalid_input` naming a field, or `not_found` (a database reference
//! the empty test store lacks), within a time bound; never a panic, another error, or
//! a hang.
//!
//! Two generators: one walks each tool's advertised JSON Schema and builds inputs of the
//! right shape with hostile contents (huge, negative, tiny and boundary numbers, empty
//! lists and lists at and one past their `maxItems`, odd strings and dates, values of the
//! wrong type, unknown keys); the other is arbitrary JSON, as a whole input and as the
//! value of each of the tool's own keys.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};
use supply_chain::tools::definitions;
use supply_chain::{dispatch, Store};
use toolexec::ToolError;

/// The longest one case may take (an unoptimized build on a shared machine).
const CASE_BOUND: Duration = Duration::from_secs(20);

/// Cases per tool and generator.
const CASES: u32 = 48;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn store() -> Arc<Store> {
    static STORE: std::sync::OnceLock<Arc<Store>> = std::sync::OnceLock::new();
    STORE
        .get_or_init(|| Arc::new(Store::in_memory().expect("store")))
        .clone()
}

/// Routing inputs get a short time limit when they have none or a valid long one, so
/// every case stays short; out-of-range limits are left as generated.
fn bounded_in_time(tool: &str, mut input: Value) -> Value {
    if tool == "optimize_routes" {
        if let Some(map) = input.as_object_mut() {
            let long = map
                .get("time_limit_ms")
                .is_none_or(|v| v.as_u64().is_some_and(|ms| (200..=120_000).contains(&ms)));
            if long {
                map.insert("time_limit_ms".into(), json!(100));
            }
        }
    }
    input
}

/// Runs the tool on its own thread and checks the outcome within [`CASE_BOUND`].
fn check(tool: &'static str, input: Value) -> Result<(), TestCaseError> {
    let group = definitions()
        .into_iter()
        .find(|d| d.name == tool)
        .map(|d| d.group)
        .expect("tool");
    let input = bounded_in_time(tool, input);
    let (tx, rx) = mpsc::channel();
    let store = store();
    let shown = input.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(dispatch(group, tool, &input, &store));
    });
    let outcome = match rx.recv_timeout(CASE_BOUND) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return Err(TestCaseError::fail(format!(
                "{tool} ran past {CASE_BOUND:?}"
            )))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            return Err(TestCaseError::fail(format!("{tool} panicked")))
        }
    };
    match outcome {
        Ok(value) => prop_assert!(value.is_object(), "{tool}: result {value}"),
        Err(ToolError::InvalidInput {
            field: Some(field),
            message,
        }) => prop_assert!(
            !field.is_empty() && !message.is_empty(),
            "{tool}: unnamed invalid_input"
        ),
        Err(ToolError::NotFound { .. }) => {}
        Err(other) => {
            let head: String = shown.chars().take(300).collect();
            return Err(TestCaseError::fail(format!(
                "{tool}: unexpected {other:?} for {head}"
            )));
        }
    }
    Ok(())
}

/// Numbers chosen to break things, plus each of the schema's own bounds and their
/// neighbours.
fn hostile_number(schema: &Value, integer: bool) -> BoxedStrategy<Value> {
    let mut picks = vec![
        json!(0),
        json!(-1),
        json!(1),
        json!(2),
        json!(1_000_000_000u64),
        json!(u64::MAX),
        json!(i64::MIN),
    ];
    if !integer {
        picks.extend([
            json!(0.5),
            json!(1e308),
            json!(-1e308),
            json!(5e-324),
            json!(1e-300),
            json!(0.999_999_999_999),
        ]);
    }
    for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
        if let Some(bound) = schema.get(key).and_then(Value::as_f64) {
            for v in [bound - 1.0, bound, bound + 1.0] {
                picks.push(if integer { json!(v as i64) } else { json!(v) });
            }
        }
    }
    let bound = |keys: [&str; 2]| {
        keys.iter()
            .find_map(|k| schema.get(*k).and_then(Value::as_f64))
    };
    let low = bound(["minimum", "exclusiveMinimum"]).map_or(0.01, |v| v.max(-100.0));
    let high = bound(["maximum", "exclusiveMaximum"]).map_or(low + 100.0, |v| v.min(low + 100.0));
    let typical: BoxedStrategy<Value> = if integer {
        (low.ceil() as i64 + 1..=high.floor().max(low.ceil() + 1.0) as i64)
            .prop_map(|v| json!(v))
            .boxed()
    } else {
        // Strictly inside, so exclusive bounds hold too.
        (0.001f64..0.999)
            .prop_map(move |t| json!(low + t * (high - low)))
            .boxed()
    };
    prop_oneof![1 => select(picks), 12 => typical].boxed()
}

/// How often an optional key is present: database references rarely (inline data is
/// what is being tested, and giving both is refused), coordinates for the default
/// metric often.
fn keep_probability(name: &str, required: bool) -> f64 {
    match name {
        _ if required => 0.97,
        "warehouse_code" | "supplier_id" | "sku" | "skus" | "history_days" | "lat" | "lon" => 0.1,
        "price_breaks" | "policies" | "distribution" | "metric" => 0.25,
        "x" | "y" | "demand" | "items" | "history" | "stops" | "depot" | "shipments" | "truck"
        | "vehicle_capacity" | "deliveries" | "suppliers" | "criteria" => 0.85,
        _ => 0.4,
    }
}

fn hostile_string(schema: &Value) -> BoxedStrategy<Value> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let wrong = select(vec![json!("bogus"), json!(""), json!(7)]);
        return prop_oneof![8 => select(values.clone()), 1 => wrong].boxed();
    }
    if schema.get("format").and_then(Value::as_str) == Some("date") {
        let real = (2000i32..2030, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}")));
        let odd = select(vec![
            json!("2024-02-30"),
            json!("99999999999999999-01-01"),
            json!("0000-01-01"),
            json!("2024-13-01"),
            json!("-1-01-01"),
            json!(""),
            json!("NaN"),
        ]);
        return prop_oneof![3 => real, 1 => odd].boxed();
    }
    prop_oneof![
        3 => select(vec!["A", "S1", "WH001", "FAS-0001", "SKU1"]).prop_map(|s| json!(s)),
        1 => select(vec!["", "NaN", "inf", "-1e999", "\u{0}", "ü🚚"]).prop_map(|s| json!(s)),
        1 => "\\PC{0,12}".prop_map(|s| json!(s)),
    ]
    .boxed()
}

/// List lengths: empty, a few, and at and one past `maxItems` (long lists repeat one
/// generated entry, which keeps generation cheap).
fn hostile_array(schema: &Value, depth: u32) -> BoxedStrategy<Value> {
    let item = shaped(&schema["items"], depth + 1);
    let few = prop_oneof![
        1 => Just(Value::Array(Vec::new())),
        6 => prop::collection::vec(item.clone(), 1..4).prop_map(Value::Array),
    ];
    match schema.get("maxItems").and_then(Value::as_u64) {
        Some(max) => {
            let max = usize::try_from(max).expect("bound");
            let long = (item, select(vec![max, max + 1]))
                .prop_map(|(entry, n)| Value::Array(vec![entry; n]));
            prop_oneof![8 => few, 1 => long].boxed()
        }
        None => few.boxed(),
    }
}

fn hostile_object(schema: &Value, depth: u32) -> BoxedStrategy<Value> {
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    if let Some(properties) = schema["properties"].as_object() {
        for (name, sub) in properties {
            let name = name.clone();
            let value = shaped(sub, depth + 1);
            let keep = keep_probability(&name, required.contains(&name));
            fields.push(
                prop::option::weighted(keep, value.prop_map(move |v| (name.clone(), v))).boxed(),
            );
        }
    } else if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        let value = shaped(values, depth + 1);
        for name in ["SKU1", "SKU2", "A"] {
            fields.push(
                prop::option::of(value.clone().prop_map(move |v| (name.to_string(), v))).boxed(),
            );
        }
    } else {
        // Free-form records (ranked suppliers): an id and a few criterion values.
        for name in ["id", "price", "quality", "on_time_rate", "name"] {
            fields.push(
                prop::option::weighted(
                    0.8,
                    hostile_number(&json!({}), false).prop_map(move |v| (name.to_string(), v)),
                )
                .boxed(),
            );
        }
    }
    let unknown = prop::option::weighted(0.05, Just(("unexpected_key".to_string(), json!(1))));
    (fields, unknown)
        .prop_map(|(fields, unknown)| {
            let map: Map<String, Value> = fields.into_iter().flatten().chain(unknown).collect();
            Value::Object(map)
        })
        .boxed()
}

/// A value shaped by `schema`, with hostile contents and now and then the wrong type.
fn shaped(schema: &Value, depth: u32) -> BoxedStrategy<Value> {
    let types: Vec<String> = match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ if schema.get("enum").is_some() => vec!["string".to_string()],
        _ => vec!["any".to_string()],
    };
    let mut choices: Vec<BoxedStrategy<Value>> = types
        .iter()
        .map(|t| match t.as_str() {
            "object" if depth < 4 => hostile_object(schema, depth),
            "array" if depth < 4 => hostile_array(schema, depth),
            "integer" => hostile_number(schema, true),
            "number" => hostile_number(schema, false),
            "string" => hostile_string(schema),
            _ => leaf().boxed(),
        })
        .collect();
    let right = if choices.len() == 1 {
        choices.remove(0)
    } else {
        proptest::strategy::Union::new(choices).boxed()
    };
    prop_oneof![60 => right, 1 => leaf()].boxed()
}

fn leaf() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|v| json!(v)),
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| json!(v)),
        "\\PC{0,8}".prop_map(Value::String),
    ]
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The tool's own keys, each with an arbitrary JSON value.
fn own_keys_arbitrary_values(tool: &str) -> BoxedStrategy<Value> {
    let schema = definitions()
        .into_iter()
        .find(|d| d.name == tool)
        .map(|d| (d.schema)())
        .expect("tool");
    let keys: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    prop::collection::vec((select(keys), arbitrary_json()), 0..4)
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
        .boxed()
}

fn schema_shaped(tool: &str) -> BoxedStrategy<Value> {
    let schema = definitions()
        .into_iter()
        .find(|d| d.name == tool)
        .map(|d| (d.schema)())
        .expect("tool");
    hostile_object(&schema, 0)
}

macro_rules! tool_properties {
    ($($test:ident: $tool:literal;)*) => {
        $(
            proptest! {
                #![proptest_config(config())]
                #[test]
                fn $test(
                    shaped in schema_shaped($tool),
                    keyed in own_keys_arbitrary_values($tool),
                    whole in arbitrary_json(),
                ) {
                    check($tool, shaped)?;
                    check($tool, keyed)?;
                    check($tool, whole)?;
                }
            }
        )*
    };
}

tool_properties! {
    reorder_point_inputs_are_answered_or_refused_by_field: "calculate_reorder_points";
    order_quantity_inputs_are_answered_or_refused_by_field: "optimize_order_quantities";
    inventory_policy_inputs_are_answered_or_refused_by_field: "optimize_inventory_policy";
    forecast_inputs_are_answered_or_refused_by_field: "forecast_demand";
    route_inputs_are_answered_or_refused_by_field: "optimize_routes";
    consolidation_inputs_are_answered_or_refused_by_field: "consolidate_shipments";
    carrier_inputs_are_answered_or_refused_by_field: "select_carrier";
    supplier_performance_inputs_are_answered_or_refused_by_field: "analyze_supplier_performance";
    supplier_ranking_inputs_are_answered_or_refused_by_field: "rank_suppliers";
    supplier_risk_inputs_are_answered_or_refused_by_field: "assess_supplier_risk";
}

/// Every registered tool, including any added after the list above.
fn any_tool_with_shaped_input() -> impl Strategy<Value = (&'static str, Value)> {
    let names: Vec<&'static str> = definitions().into_iter().map(|d| d.name).collect();
    select(names).prop_flat_map(|tool| (Just(tool), schema_shaped(tool)))
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn every_registered_tool_answers_or_refuses_by_field((tool, input) in any_tool_with_shaped_input()) {
        check(tool, input)?;
    }
}
