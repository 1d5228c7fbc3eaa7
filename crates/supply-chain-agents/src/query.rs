//! What a question asks for: intents and the entities it names (warehouse codes, SKUs,
//! supplier ids, categories, regions, dates, quantities). Deterministic and offline.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::catalog::Catalog;

/// Something a question can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Which SKUs to reorder now; safety stock and reorder points.
    Reorder,
    /// How much to order (EOQ).
    OrderQuantity,
    /// Which inventory policy to run ((r, Q), (s, S), base stock, newsvendor).
    InventoryPolicy,
    /// Demand statistics and forecast.
    Forecast,
    /// Delivery routes.
    Routes,
    /// Consolidating orders into trucks.
    Consolidation,
    /// Choosing a carrier for a shipment.
    Carrier,
    /// Supplier performance.
    SupplierPerformance,
    /// Ranking suppliers.
    SupplierRanking,
    /// Supply risk.
    SupplierRisk,
}

impl Intent {
    /// Every intent, in a fixed order.
    pub const ALL: [Intent; 10] = [
        Intent::Reorder,
        Intent::OrderQuantity,
        Intent::InventoryPolicy,
        Intent::Forecast,
        Intent::Routes,
        Intent::Consolidation,
        Intent::Carrier,
        Intent::SupplierPerformance,
        Intent::SupplierRanking,
        Intent::SupplierRisk,
    ];

    /// Words that signal the intent (matched on lowercase word boundaries or phrases).
    fn cues(self) -> &'static [&'static str] {
        match self {
            Intent::Reorder => &[
                "reorder",
                "re-order",
                "restock",
                "replenish",
                "stock out",
                "stockout",
                "run out",
                "running low",
                "safety stock",
                "reorder point",
                "below",
            ],
            Intent::OrderQuantity => &[
                "order quantit",
                "how much to order",
                "how many to order",
                "eoq",
                "economic order",
                "lot size",
                "batch size",
                "order size",
            ],
            Intent::InventoryPolicy => &[
                "policy",
                "policies",
                "base stock",
                "base-stock",
                "newsvendor",
                "(s, s)",
                "(r, q)",
                "order-up-to",
                "wagner",
                "lot sizing",
            ],
            Intent::Forecast => &["forecast", "demand", "trend", "seasonal", "predict"],
            Intent::Routes => &["route", "routing", "deliver", "vehicle", "dispatch", "tour"],
            Intent::Consolidation => {
                &["consolidat", "truck", "load plan", "pack", "shipments into"]
            }
            Intent::Carrier => &["carrier", "freight", "ship ", "shipping", "transit"],
            Intent::SupplierPerformance => &[
                "supplier perform",
                "perform",
                "on-time",
                "on time",
                "fill rate",
                "defect",
                "lead time",
                "reliab",
                "how are our suppliers",
                "scorecard",
            ],
            Intent::SupplierRanking => &[
                "rank",
                "best supplier",
                "compare",
                "top supplier",
                "which supplier",
            ],
            Intent::SupplierRisk => &[
                "risk",
                "single-source",
                "single source",
                "sole source",
                "vulnerab",
                "depend",
            ],
        }
    }
}

/// A parsed question.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Query {
    /// The question as asked.
    pub text: String,
    /// What it asks for.
    pub intents: BTreeSet<Intent>,
    /// Warehouse codes named (`WH001`), or reached by name or region.
    pub warehouses: Vec<String>,
    /// SKUs named (`FAS-0001`).
    pub skus: Vec<String>,
    /// Supplier ids named (`SUP003`).
    pub suppliers: Vec<String>,
    /// Product categories named (`fasteners`).
    pub categories: Vec<String>,
    /// Supplier countries or regions named.
    pub regions: Vec<String>,
    /// "full review", "everything", "overview": every agent answers.
    pub full_review: bool,
    /// A service level given as a percentage (`98%`), as a fraction.
    pub service_level: Option<f64>,
    /// A weight in kilograms (`800 kg`).
    pub weight_kg: Option<f64>,
    /// A distance in kilometres (`450 km`).
    pub distance_km: Option<f64>,
    /// A horizon in days (`next 4 weeks` = 28).
    pub horizon_days: Option<u32>,
    /// A day named relative to today (`tomorrow` = 1).
    pub day_offset: Option<u32>,
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

    /// Parses a question against the names the catalog knows.
    pub fn parse(text: &str, catalog: &Catalog) -> Query {
        let lower = text.to_lowercase();
        let words = tokens(&lower);
        let mut query = Query {
            text: text.to_owned(),
            ..Query::default()
        };
        for intent in Intent::ALL {
            if intent.cues().iter().any(|cue| lower.contains(cue)) {
                query.intents.insert(intent);
            }
        }
        query.full_review = [
            "full review",
            "review of",
            "overview",
            "everything",
            "health check",
            "full supply",
            "end-to-end",
        ]
        .iter()
        .any(|cue| lower.contains(cue));
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            let upper = word.to_uppercase();
            if catalog.warehouses.iter().any(|w| w.code == upper) {
                push_unique(&mut query.warehouses, upper);
            } else if catalog.skus.contains(&upper) {
                push_unique(&mut query.skus, upper);
            } else if catalog.suppliers.iter().any(|s| s.id == upper) {
                push_unique(&mut query.suppliers, upper);
            }
        }
        for warehouse in &catalog.warehouses {
            if lower.contains(&warehouse.name.to_lowercase()) {
                push_unique(&mut query.warehouses, warehouse.code.clone());
            }
        }
        for supplier in &catalog.suppliers {
            if lower.contains(&supplier.name.to_lowercase()) && supplier.name.split(' ').count() > 1
            {
                let named = format!("{} ", supplier.name.to_lowercase());
                if lower.contains(&named) || lower.ends_with(&supplier.name.to_lowercase()) {
                    push_unique(&mut query.suppliers, supplier.id.clone());
                }
            }
        }
        for category in &catalog.categories {
            let singular = category.trim_end_matches('s');
            if words.iter().any(|w| w == category || w == singular) {
                push_unique(&mut query.categories, category.clone());
            }
        }
        // Regions are country codes, matched case-sensitively so that "us" is not "US".
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            if catalog.regions.iter().any(|r| r == word) {
                push_unique(&mut query.regions, word.to_owned());
            }
        }
        query.service_level = percent(&words)
            .filter(|p| (50.0..100.0).contains(p))
            .map(|p| p / 100.0);
        query.weight_kg = number_before(&words, &["kg", "kilograms", "kilos"]);
        query.distance_km = number_before(&words, &["km", "kilometres", "kilometers"]);
        query.horizon_days = horizon(&words);
        query.day_offset = if lower.contains("tomorrow") {
            Some(1)
        } else if lower.contains("today") {
            Some(0)
        } else {
            None
        };
        query
    }
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Lowercase words, with numbers and units split apart (`800kg` -> `800`, `kg`).
fn tokens(lower: &str) -> Vec<String> {
    let chars: Vec<char> = lower.chars().collect();
    let lower: String = chars
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            let thousands = **c == ','
                && i.checked_sub(1).is_some_and(|p| chars[p].is_ascii_digit())
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            !thousands
        })
        .map(|(_, c)| *c)
        .collect();
    let mut out = Vec::new();
    for raw in lower.split(|c: char| c.is_whitespace() || ",;:!?()\"'".contains(c)) {
        let word = raw.trim_end_matches('.');
        if word.is_empty() {
            continue;
        }
        let split = word
            .find(|c: char| c.is_ascii_alphabetic())
            .filter(|i| *i > 0 && word[..*i].chars().all(|c| c.is_ascii_digit() || c == '.'));
        match split {
            Some(i) if !word.contains('-') => {
                out.push(word[..i].to_owned());
                out.push(word[i..].to_owned());
            }
            _ => out.push(word.to_owned()),
        }
    }
    out
}

fn number(word: &str) -> Option<f64> {
    word.replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

fn percent(words: &[String]) -> Option<f64> {
    words.iter().enumerate().find_map(|(i, w)| {
        if let Some(n) = w.strip_suffix('%') {
            return number(n);
        }
        if words
            .get(i + 1)
            .is_some_and(|next| next == "%" || next == "percent")
        {
            return number(w);
        }
        None
    })
}

fn number_before(words: &[String], units: &[&str]) -> Option<f64> {
    words.windows(2).find_map(|pair| {
        units
            .contains(&pair[1].as_str())
            .then(|| number(&pair[0]))
            .flatten()
    })
}

fn horizon(words: &[String]) -> Option<u32> {
    words.windows(2).find_map(|pair| {
        let n = number(&pair[0])? as u32;
        match pair[1].trim_end_matches('s') {
            "day" => Some(n),
            "week" => Some(n * 7),
            "month" => Some(n * 30),
            _ => None,
        }
    })
}
