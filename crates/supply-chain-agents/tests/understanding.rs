//! The offline planner's intent and entity extraction.

use std::sync::Arc;

use supply_chain::Store;
use supply_chain_agents::{Catalog, Intent, Query};

fn catalog() -> Catalog {
    let store = Arc::new(Store::in_memory_seeded(1).expect("seed the sample store"));
    Catalog::load(&store).expect("load the catalog")
}

#[test]
fn entities_are_extracted_from_a_question() {
    let catalog = catalog();
    let q = Query::parse(
        "Compare SUP003 and sup007 on delivery for fasteners from CA at WH002 and wh003, 98% service, FAS-0001",
        &catalog,
    );
    assert_eq!(q.suppliers, ["SUP003", "SUP007"]);
    assert_eq!(q.warehouses, ["WH002", "WH003"]);
    assert_eq!(q.categories, ["fasteners"]);
    assert_eq!(q.regions, ["CA"]);
    assert_eq!(q.skus, ["FAS-0001"]);
    assert_eq!(q.service_level, Some(0.98));
    assert!(q.intents.contains(&Intent::SupplierRanking));
}

#[test]
fn quantities_and_horizons_are_read_with_their_units() {
    let catalog = catalog();
    let q = Query::parse(
        "Ship 1,200kg over 350 km; forecast the next 3 weeks",
        &catalog,
    );
    assert_eq!(q.weight_kg, Some(1200.0));
    assert_eq!(q.distance_km, Some(350.0));
    assert_eq!(q.horizon_days, Some(21));
    assert!(q.intents.contains(&Intent::Carrier));
    assert!(q.intents.contains(&Intent::Forecast));
}

#[test]
fn the_word_us_is_not_a_region() {
    let catalog = catalog();
    let q = Query::parse("tell us which suppliers are risky", &catalog);
    assert!(q.regions.is_empty());
    assert!(q.intents.contains(&Intent::SupplierRisk));
}

#[test]
fn warehouses_are_found_by_name_too() {
    let catalog = catalog();
    let q = Query::parse("Plan routes from Distribution Center 2 tomorrow", &catalog);
    assert_eq!(q.warehouses, ["WH002"]);
    assert_eq!(q.day_offset, Some(1));
    assert!(q.intents.contains(&Intent::Routes));
}

#[test]
fn review_requests_are_recognised() {
    let catalog = catalog();
    assert!(Query::parse("Full supply-chain review of WH003", &catalog).full_review);
    assert!(!Query::parse("Which SKUs in WH001 must be reordered now?", &catalog).full_review);
}
