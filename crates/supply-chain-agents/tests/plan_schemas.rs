//! Plans always fit their tools: plans built from every intent and every kind of slot
//! the planner knows (arbitrary parsed queries, and structure-aware questions) are
//! checked against each tool's published JSON Schema with the `jsonschema` crate.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use serde_json::{json, Value};
use supply_chain::Store;
use supply_chain_agents::planner::rules::{self, supplier_calls};
use supply_chain_agents::{
    Catalog, Intent, Measure, Order, Query, Rank, Trend, WhatIf, MAX_HORIZON_DAYS,
};

struct Fixture {
    catalog: Catalog,
    validators: BTreeMap<&'static str, jsonschema::Validator>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let store = Arc::new(Store::in_memory_seeded(1).expect("seed the sample store"));
        let catalog = Catalog::load(&store).expect("load the catalog");
        let validators = supply_chain::tools::definitions()
            .into_iter()
            .map(|def| {
                let validator = jsonschema::validator_for(&(def.schema)())
                    .unwrap_or_else(|e| panic!("{}'s schema compiles: {e}", def.name));
                (def.name, validator)
            })
            .collect();
        Fixture {
            catalog,
            validators,
        }
    })
}

/// A performance row as `analyze_supplier_performance` returns it.
fn performance_row(id: &str) -> Value {
    json!({"supplier_id": id, "deliveries": 40, "on_time_rate": 0.9, "fill_rate": 0.97,
        "defect_rate": 0.01, "lead_time_mean_days": 12.0, "lead_time_std_days": 2.0,
        "mean_days_late": 1.5, "price_index": 1.02, "total_spend": 1000.0,
        "trend": {"direction": "stable"}})
}

/// Checks every call of the query's plan against its tool's schema.
fn assert_plan_fits(query: &Query) -> Result<(), TestCaseError> {
    let fixture = fixture();
    let plan = rules::plan(query, &fixture.catalog);
    for call in &plan.calls {
        let validator = fixture
            .validators
            .get(call.tool)
            .ok_or_else(|| TestCaseError::fail(format!("unknown tool {}", call.tool)))?;
        let input = if call.deferred {
            let rows: Vec<Value> = fixture
                .catalog
                .suppliers
                .iter()
                .take(3)
                .map(|s| performance_row(&s.id))
                .collect();
            supplier_calls::scoped_ranking_input(query, &rows)
        } else {
            call.input.clone()
        };
        let errors: Vec<String> = validator
            .iter_errors(&input)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        prop_assert!(
            errors.is_empty(),
            "{} rejects {}: {:?} (query {:?})",
            call.tool,
            input,
            errors,
            query.text
        );
    }
    Ok(())
}

fn pick(list: Vec<String>, max: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(list.clone(), 0..=max.min(list.len()))
}

fn arbitrary_query() -> impl Strategy<Value = Query> {
    let catalog = &fixture().catalog;
    let warehouses: Vec<String> = catalog.warehouse_codes();
    let skus: Vec<String> = catalog.skus.iter().step_by(7).cloned().collect();
    let suppliers: Vec<String> = catalog.suppliers.iter().map(|s| s.id.clone()).collect();
    let carriers: Vec<String> = catalog.carriers.iter().map(|c| c.id.clone()).collect();
    let categories = catalog.categories.clone();
    let regions = catalog.regions.clone();
    let measure = prop_oneof![
        Just(Measure::Movement),
        Just(Measure::Cost),
        Just(Measure::Speed),
        Just(Measure::Excess),
        Just(Measure::Cover),
        Just(Measure::Overall)
    ];
    let order = prop_oneof![Just(Order::Most), Just(Order::Least)];
    let rank = proptest::option::of((measure, order, 1usize..=100).prop_map(
        |(measure, order, top)| Rank {
            measure,
            order,
            top,
        },
    ));
    let trend = proptest::option::of(prop_oneof![Just(Trend::Worse), Just(Trend::Better)]);
    let what_if = (
        proptest::option::of(0.001f64..200.0),
        proptest::option::of(-500.0f64..500.0),
        proptest::option::of(0.0f64..200.0),
        proptest::option::of(0.0f64..1.5),
    )
        .prop_map(|(a, b, c, d)| WhatIf {
            lead_time_factor: a,
            lead_time_add_days: b,
            demand_factor: c,
            service_level: d,
        });
    (
        (
            proptest::sample::subsequence(Intent::ALL.to_vec(), 0..=4),
            pick(warehouses, 3),
            pick(skus, 3),
            pick(suppliers, 2),
            pick(carriers, 1),
            pick(categories, 2),
            pick(regions, 1),
            any::<bool>(),
        ),
        (
            proptest::option::of(0.0f64..1.2),
            proptest::option::of(0.0f64..300_000.0),
            proptest::option::of(0.0f64..50_000.0),
            proptest::option::of(0.0f64..400.0),
            proptest::option::of(0u32..1000),
            rank,
            trend,
            what_if,
        ),
    )
        .prop_map(
            |(
                (intents, warehouses, skus, suppliers, carriers, categories, regions, full_review),
                (
                    service_level,
                    weight_kg,
                    distance_km,
                    max_transit_days,
                    horizon_days,
                    rank,
                    trend,
                    what_if,
                ),
            )| {
                Query {
                    text: "generated".to_owned(),
                    intents: intents.into_iter().collect(),
                    warehouses,
                    skus,
                    suppliers,
                    carriers,
                    categories,
                    regions,
                    full_review,
                    service_level,
                    weight_kg,
                    distance_km,
                    max_transit_days,
                    horizon_days,
                    rank,
                    trend,
                    what_if,
                    ..Query::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_plan_of_any_query_fits_its_tools_schemas(query in arbitrary_query()) {
        assert_plan_fits(&query)?;
    }
}

#[test]
fn every_intent_alone_and_with_every_slot_fits_the_schemas() {
    let catalog = &fixture().catalog;
    for intent in Intent::ALL {
        for slots in 0..8 {
            let mut query = Query {
                text: "each".into(),
                ..Query::default()
            };
            query.intents.insert(intent);
            if slots & 1 != 0 {
                query.warehouses = vec!["WH002".into()];
                query.service_level = Some(0.99);
            }
            if slots & 2 != 0 {
                query.skus = catalog.skus.iter().take(2).cloned().collect();
                query.horizon_days = Some(MAX_HORIZON_DAYS);
                query.what_if = WhatIf {
                    lead_time_factor: Some(2.0),
                    ..WhatIf::default()
                };
            }
            if slots & 4 != 0 {
                query.categories = vec![catalog.categories[0].clone()];
                query.weight_kg = Some(800.0);
                query.distance_km = Some(450.0);
                query.regions = vec![catalog.regions[0].clone()];
            }
            assert_plan_fits(&query).unwrap_or_else(|e| panic!("{intent:?} slots {slots}: {e}"));
        }
    }
}
