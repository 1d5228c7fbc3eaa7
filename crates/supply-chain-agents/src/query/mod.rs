//! What a question asks for: intents, the entities it names (resolved against the
//! catalog, unknown names kept with the closest valid ones), and its shape (rank words,
//! trends, quantities, time windows, what-if changes). Deterministic and offline.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::Catalog;

mod entities;
mod intent;
mod numbers;
mod shape;

pub use entities::{EntityKind, UnknownName};
pub use intent::Intent;
pub use numbers::{MAX_HORIZON_DAYS, MAX_PERIOD_DAYS, MAX_TOP};
pub use shape::{Measure, Order, Rank, Trend, WhatIf};

/// Whether `cue` occurs in `lower` at the start of a word.
pub(crate) fn contains_at_word(lower: &str, cue: &str) -> bool {
    lower.match_indices(cue).any(|(i, _)| {
        lower[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// A parsed question.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Query {
    /// The question as asked.
    pub text: String,
    /// What it asks for.
    pub intents: BTreeSet<Intent>,
    /// The phrase that signalled each intent.
    pub evidence: BTreeMap<Intent, String>,
    /// Warehouse codes named (`WH001`), or reached by name or number.
    pub warehouses: Vec<String>,
    /// SKUs named (`FAS-0001`).
    pub skus: Vec<String>,
    /// Supplier ids named (`SUP003`).
    pub suppliers: Vec<String>,
    /// Carrier ids named (`CAR02`), or reached by name.
    pub carriers: Vec<String>,
    /// Product categories named (`fasteners`).
    pub categories: Vec<String>,
    /// Supplier countries or regions named.
    pub regions: Vec<String>,
    /// Names that look like entities but match none, with the closest valid names.
    pub unknown: Vec<UnknownName>,
    /// "full review", "everything", "overview": every agent answers.
    pub full_review: bool,
    /// A service level given as a percentage (`98%`), as a fraction.
    pub service_level: Option<f64>,
    /// A weight in kilograms (`800 kg`, tonnes converted).
    pub weight_kg: Option<f64>,
    /// A distance in kilometres (`450 km`, miles converted).
    pub distance_km: Option<f64>,
    /// A transit-time limit in days ("within 2 days").
    pub max_transit_days: Option<f64>,
    /// A horizon in days (`next 4 weeks` = 28), at most [`MAX_HORIZON_DAYS`].
    pub horizon_days: Option<u32>,
    /// When the horizon asked for was longer than allowed (or overflowed), what was
    /// asked, in days (`None` inside when it did not fit a 64-bit count).
    pub horizon_capped_from: Option<Option<u64>>,
    /// A day named relative to today (`tomorrow` = 1).
    pub day_offset: Option<u32>,
    /// A superlative or "top N".
    pub rank: Option<Rank>,
    /// A trend asked about.
    pub trend: Option<Trend>,
    /// A look-back period in days ("over the last 6 months").
    pub period_days: Option<u32>,
    /// Whether a quantity or total is asked for ("how much", "total").
    pub quantity: bool,
    /// The changes of a what-if question.
    pub what_if: WhatIf,
    /// Why the question is refused (it asks to change data, or for nothing the tools do).
    pub refusal: Option<String>,
}

impl Query {
    /// The intents of `served` the query asks for, or `default` when it asks for none
    /// of them (a review, or a question that only names a warehouse).
    pub fn wanted(&self, served: &[Intent], default: &[Intent]) -> Vec<Intent> {
        let wanted: Vec<Intent> = served
            .iter()
            .copied()
            .filter(|i| self.intents.contains(i))
            .collect();
        if wanted.is_empty() {
            default.to_vec()
        } else {
            wanted
        }
    }

    /// Whether the query names at least one valid entity of the kind.
    pub fn names_any(&self, kind: EntityKind) -> bool {
        match kind {
            EntityKind::Warehouse => !self.warehouses.is_empty(),
            EntityKind::Sku => !self.skus.is_empty(),
            EntityKind::Supplier => !self.suppliers.is_empty(),
            EntityKind::Carrier => !self.carriers.is_empty(),
            EntityKind::Category => !self.categories.is_empty(),
        }
    }

    /// Parses a question against the names the catalog knows. Never panics, whatever
    /// the text; numbers are read with checked arithmetic and bounded.
    pub fn parse(text: &str, catalog: &Catalog) -> Query {
        let text: String = text.chars().take(2000).collect();
        let lower = text.to_lowercase();
        let words = numbers::tokens(&lower);
        let mut query = Query {
            text: text.clone(),
            ..Query::default()
        };
        entities::resolve(&text, &words, catalog, &mut query);
        detect_intents(&lower, &words, &mut query);
        query.full_review = [
            "full review",
            "review of",
            "overview",
            "everything",
            "health check",
            "full supply",
            "end-to-end",
            "end to end",
            "status report",
            "how is",
            "how are things",
        ]
        .iter()
        .any(|cue| contains_at_word(&lower, cue))
            && query.intents.is_empty();
        query.service_level = numbers::percent(&words)
            .filter(|p| (50.0..100.0).contains(p))
            .map(|p| p / 100.0);
        query.weight_kg = numbers::number_before(&words, &["kg", "kgs", "kilograms", "kilos"])
            .or_else(|| {
                numbers::number_before(&words, &["t", "tonnes", "tons", "tonne", "ton"])
                    .map(|t| t * 1000.0)
            })
            .or_else(|| {
                numbers::number_before(&words, &["lb", "lbs", "pounds"]).map(|lb| lb * 0.4536)
            });
        query.distance_km = numbers::number_before(
            &words,
            &["km", "kms", "kilometres", "kilometers"],
        )
        .or_else(|| {
            numbers::number_before(&words, &["mi", "miles", "mile"]).map(|mi| mi * 1.609_344)
        });
        query.max_transit_days = words.windows(3).find_map(|w| {
            (matches!(w[0].as_str(), "within" | "in" | "under")
                && query.intents.contains(&Intent::Carrier)
                && numbers::unit_days(&w[2]) == Some(1))
            .then(|| numbers::number(&w[1]))
            .flatten()
            .filter(|d| *d > 0.0 && *d <= 365.0)
        });
        let window = shape::window(&lower, &words);
        query.horizon_days = window.horizon_days;
        query.horizon_capped_from = window.capped_from;
        query.day_offset = window.day_offset;
        query.rank = shape::rank(&lower, &words);
        query.trend = shape::trend(&lower);
        query.period_days = shape::period(&words);
        query.quantity = shape::quantity(&lower);
        if query.intents.contains(&Intent::WhatIf) {
            query.what_if = shape::what_if(&words);
            if query.what_if.service_level.is_none() && query.what_if.is_empty() {
                query.what_if.service_level = query.service_level;
            }
        }
        query.refusal = refusal(&lower, &query);
        query
    }
}

fn supplier_context(lower: &str, query: &Query) -> bool {
    !query.suppliers.is_empty()
        || ["supplier", "vendor", "suppliers", "vendors", "sourcing"]
            .iter()
            .any(|w| contains_at_word(lower, w))
}

fn detect_intents(lower: &str, words: &[String], query: &mut Query) {
    for intent in Intent::ALL {
        if let Some(cue) = intent
            .cues()
            .iter()
            .find(|cue| contains_at_word(lower, cue))
        {
            query.intents.insert(intent);
            query.evidence.insert(intent, (*cue).to_owned());
        }
    }
    let drop = |query: &mut Query, intent: Intent| {
        query.intents.remove(&intent);
        query.evidence.remove(&intent);
    };
    // Overlapping cues: the longer phrase wins ("how much should we order" asks for a
    // quantity, not for the reorder list that "should we order" alone would).
    let found: Vec<(Intent, String)> = query
        .evidence
        .iter()
        .map(|(i, e)| (*i, e.clone()))
        .collect();
    for (intent, cue) in &found {
        if found.iter().any(|(other, longer)| {
            other != intent && longer.len() > cue.len() && longer.contains(cue.as_str())
        }) {
            drop(query, *intent);
        }
    }
    // A carrier named, or a shipment's weight and distance, is a carrier question.
    let shipment = words.windows(2).any(|w| {
        ["kg", "kgs", "tonnes", "tons", "lb", "lbs"].contains(&w[1].as_str())
            && numbers::number(&w[0]).is_some()
    }) && words.windows(2).any(|w| {
        ["km", "kms", "miles", "mi"].contains(&w[1].as_str()) && numbers::number(&w[0]).is_some()
    });
    if !query.intents.contains(&Intent::Carrier) && (!query.carriers.is_empty() || shipment) {
        query.intents.insert(Intent::Carrier);
        let why = if query.carriers.is_empty() {
            "a shipment's weight and distance"
        } else {
            "a carrier named"
        };
        query.evidence.insert(Intent::Carrier, why.to_owned());
    }
    let suppliers = supplier_context(lower, query);
    // Supplier words only mean supplier questions when suppliers are the subject.
    if !suppliers {
        for intent in [Intent::SupplierRanking, Intent::SupplierPerformance] {
            let evidence = query.evidence.get(&intent).cloned().unwrap_or_default();
            if ["compare", "rank", "quality", "perform"].contains(&evidence.as_str()) {
                drop(query, intent);
            }
        }
    }
    // A trend about suppliers is a performance question.
    if suppliers && shape::trend(lower).is_some() {
        query.intents.insert(Intent::SupplierPerformance);
        query
            .evidence
            .entry(Intent::SupplierPerformance)
            .or_insert_with(|| "a trend of suppliers".to_owned());
        if query
            .evidence
            .get(&Intent::SupplierRanking)
            .is_none_or(|e| e != "rank" && e != "compare")
        {
            drop(query, Intent::SupplierRanking);
        }
    }
    // "which supplier is best", "the top 3 suppliers": a ranking.
    if suppliers
        && !query.intents.contains(&Intent::SupplierRanking)
        && !query.intents.contains(&Intent::SupplierRisk)
        && query.trend.is_none()
        && shape::trend(lower).is_none()
        && shape::rank(lower, words).is_some()
    {
        query.intents.insert(Intent::SupplierRanking);
        query.evidence.insert(
            Intent::SupplierRanking,
            "a rank word about suppliers".to_owned(),
        );
    }
    // In a ranking, performance words are its criteria, not a separate question.
    if query.intents.contains(&Intent::SupplierRanking)
        && shape::trend(lower).is_none()
        && query
            .evidence
            .get(&Intent::SupplierPerformance)
            .is_some_and(|e| {
                [
                    "on-time",
                    "on time",
                    "fill rate",
                    "defect",
                    "reliab",
                    "punctual",
                    "quality",
                    "perform",
                ]
                .contains(&e.as_str())
            })
    {
        drop(query, Intent::SupplierPerformance);
    }
    // What-if questions name the inputs they change; those words are not questions.
    if query.intents.contains(&Intent::WhatIf) {
        for intent in [
            Intent::SupplierPerformance,
            Intent::Forecast,
            Intent::Reorder,
            Intent::SafetyStock,
        ] {
            if query
                .evidence
                .get(&intent)
                .is_some_and(|e| !e.starts_with("forecast"))
            {
                drop(query, intent);
            }
        }
    }
    // Safety stock is answered by the reorder-point tool; asking for it is not asking
    // what to reorder.
    if query.intents.contains(&Intent::SafetyStock)
        && query
            .evidence
            .get(&Intent::Reorder)
            .is_some_and(|e| e == "below")
    {
        drop(query, Intent::Reorder);
    }
    // Weak cues, used only when nothing else matched.
    let inventory_asked = [
        Intent::Reorder,
        Intent::SafetyStock,
        Intent::OrderQuantity,
        Intent::InventoryPolicy,
        Intent::Forecast,
        Intent::StockCover,
        Intent::WhatIf,
    ]
    .iter()
    .any(|i| query.intents.contains(i));
    if !inventory_asked
        && ["demand", "sell", "sales", "trend", "seasonal"]
            .iter()
            .any(|w| contains_at_word(lower, w))
        && !suppliers
    {
        query.intents.insert(Intent::Forecast);
        query.evidence.insert(Intent::Forecast, "demand".to_owned());
    }
    if query.intents.is_empty()
        && words
            .iter()
            .any(|w| matches!(w.as_str(), "order" | "ordered" | "ordering" | "purchase"))
        && !contains_at_word(lower, "open order")
    {
        query.intents.insert(Intent::Reorder);
        query.evidence.insert(Intent::Reorder, "order".to_owned());
    }
    if query.intents.is_empty()
        && suppliers
        && ["lead time", "deliver", "price"]
            .iter()
            .any(|w| contains_at_word(lower, w))
    {
        query.intents.insert(Intent::SupplierPerformance);
        query.evidence.insert(
            Intent::SupplierPerformance,
            "supplier lead times or prices".to_owned(),
        );
    }
    if query.intents.is_empty() && suppliers && !query.suppliers.is_empty() {
        query.intents.insert(Intent::SupplierPerformance);
        query
            .evidence
            .insert(Intent::SupplierPerformance, "a supplier named".to_owned());
    }
}

/// Questions that ask to change data are refused: the assistant reads and computes.
fn refusal(lower: &str, query: &Query) -> Option<String> {
    const CHANGE: &[&str] = &[
        "delete",
        "remove",
        "drop",
        "update",
        "set",
        "change",
        "cancel",
        "create",
        "add",
        "insert",
        "approve",
        "place",
        "email",
        "fire",
        "terminate",
        "modify",
        "edit",
    ];
    let first = lower
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty() && !matches!(*w, "please" | "now" | "go" | "and"))?;
    if CHANGE.contains(&first) && !query.intents.contains(&Intent::WhatIf) {
        let read_only = "I only read the data and compute answers; I cannot change orders, \
             stock, suppliers or any other record. Ask what the data says instead, e.g. \
             \"which SKUs in WH001 must be reordered now?\"";
        return Some(read_only.to_owned());
    }
    None
}
