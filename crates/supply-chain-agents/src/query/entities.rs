//! Entities named in a question, resolved against the catalog: warehouse, SKU,
//! supplier and carrier codes (case, spacing, leading zeros and a one-letter slip in
//! the prefix tolerated), warehouse, supplier and carrier names (small typos tolerated),
//! categories and regions. A name that has the shape of an entity but matches none is
//! kept as an [`UnknownName`] with the closest valid names.

use serde::Serialize;

use super::Query;
use crate::catalog::Catalog;

/// The kinds of entity a question can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A warehouse (`WH001`, "Distribution Center 1").
    Warehouse,
    /// A SKU (`FAS-0001`).
    Sku,
    /// A supplier (`SUP003`, "Supplier 3").
    Supplier,
    /// A carrier (`CAR01`, "Prairie Express").
    Carrier,
    /// A product category (`fasteners`).
    Category,
}

impl EntityKind {
    /// The kind in words.
    pub fn noun(self) -> &'static str {
        match self {
            EntityKind::Warehouse => "warehouse",
            EntityKind::Sku => "SKU",
            EntityKind::Supplier => "supplier",
            EntityKind::Carrier => "carrier",
            EntityKind::Category => "product category",
        }
    }
}

/// A name in the question that looks like an entity but matches none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownName {
    /// What it looks like.
    pub kind: EntityKind,
    /// As written.
    pub given: String,
    /// The closest valid names, best first (at most three).
    pub closest: Vec<String>,
}

impl UnknownName {
    /// A sentence for the answer.
    pub fn sentence(&self) -> String {
        format!(
            "{} is not a known {}; the closest are {}.",
            self.given,
            self.kind.noun(),
            self.closest.join(", ")
        )
    }
}

/// One code family: the letters of its prefix, and its members by number.
struct Family {
    kind: EntityKind,
    prefix: String,
    members: Vec<(u64, String)>,
}

fn families(catalog: &Catalog) -> Vec<Family> {
    let mut out: Vec<Family> = Vec::new();
    let mut add = |kind: EntityKind, code: &str| {
        let prefix: String = code.chars().take_while(char::is_ascii_alphabetic).collect();
        let digits: String = code.chars().filter(char::is_ascii_digit).collect();
        let Ok(n) = digits.parse::<u64>() else { return };
        let upper = prefix.to_uppercase();
        match out.iter_mut().find(|f| f.kind == kind && f.prefix == upper) {
            Some(f) => f.members.push((n, code.to_owned())),
            None => out.push(Family {
                kind,
                prefix: upper,
                members: vec![(n, code.to_owned())],
            }),
        }
    };
    for w in &catalog.warehouses {
        add(EntityKind::Warehouse, &w.code);
    }
    for s in &catalog.skus {
        add(EntityKind::Sku, s);
    }
    for s in &catalog.suppliers {
        add(EntityKind::Supplier, &s.id);
    }
    for c in &catalog.carriers {
        add(EntityKind::Carrier, &c.id);
    }
    out
}

/// A token split into letters, an optional dash and digits (`wh001`, `FAS-0001`).
fn code_parts(token: &str) -> Option<(String, String)> {
    let letters: String = token
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let rest = token[letters.len()..].trim_start_matches(['-', '_', '#']);
    if letters.len() < 2 || letters.len() > 4 || rest.is_empty() {
        return None;
    }
    if !rest.chars().all(|c| c.is_ascii_digit()) || rest.len() > 20 {
        return None;
    }
    Some((letters.to_uppercase(), rest.to_owned()))
}

/// Words of the original text, keeping case, dashes inside codes and `#`.
fn raw_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '#' || c == '_'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .collect()
}

fn closest_codes(members: &[(u64, String)], n: Option<u64>, given: &str) -> Vec<String> {
    let mut ranked: Vec<&(u64, String)> = members.iter().collect();
    match n {
        Some(n) => ranked.sort_by_key(|(m, code)| (m.abs_diff(n), code.clone())),
        None => ranked.sort_by(|a, b| {
            strsim::jaro_winkler(given, &b.1).total_cmp(&strsim::jaro_winkler(given, &a.1))
        }),
    }
    ranked.into_iter().take(3).map(|(_, c)| c.clone()).collect()
}

/// Closest names to `given` among `names`, by Jaro-Winkler similarity.
pub(crate) fn closest_names(given: &str, names: &[String]) -> Vec<String> {
    let lower = given.to_lowercase();
    let mut ranked: Vec<&String> = names.iter().collect();
    ranked.sort_by(|a, b| {
        strsim::jaro_winkler(&lower, &b.to_lowercase())
            .total_cmp(&strsim::jaro_winkler(&lower, &a.to_lowercase()))
    });
    ranked.into_iter().take(3).cloned().collect()
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

fn push_unknown(query: &mut Query, unknown: UnknownName) {
    if !query
        .unknown
        .iter()
        .any(|u| u.kind == unknown.kind && u.given.eq_ignore_ascii_case(&unknown.given))
    {
        query.unknown.push(unknown);
    }
}

fn add_entity(query: &mut Query, kind: EntityKind, code: String) {
    match kind {
        EntityKind::Warehouse => push_unique(&mut query.warehouses, code),
        EntityKind::Sku => push_unique(&mut query.skus, code),
        EntityKind::Supplier => push_unique(&mut query.suppliers, code),
        EntityKind::Carrier => push_unique(&mut query.carriers, code),
        EntityKind::Category => push_unique(&mut query.categories, code),
    }
}

/// Resolves a code written as `letters` + `digits`; `fuzzy` allows a one-letter slip in
/// a prefix of three or more letters.
fn resolve_code(
    families: &[Family],
    query: &mut Query,
    letters: &str,
    digits: &str,
    written: &str,
    fuzzy: bool,
) -> bool {
    let family = families.iter().find(|f| f.prefix == letters).or_else(|| {
        if !fuzzy || letters.len() < 3 {
            return None;
        }
        let near: Vec<&Family> = families
            .iter()
            .filter(|f| f.prefix.len() >= 2 && strsim::osa_distance(&f.prefix, letters) == 1)
            .collect();
        (near.len() == 1).then(|| near[0])
    });
    let Some(family) = family else {
        return false;
    };
    let n = digits.parse::<u64>().ok();
    match n.and_then(|n| family.members.iter().find(|(m, _)| *m == n)) {
        Some((_, code)) => add_entity(query, family.kind, code.clone()),
        None => push_unknown(
            query,
            UnknownName {
                kind: family.kind,
                given: written.to_owned(),
                closest: closest_codes(&family.members, n, written),
            },
        ),
    }
    true
}

/// Words that start a sentence or qualify a noun, never a name.
const NOT_NAMES: &[&str] = &[
    "the", "our", "which", "what", "each", "every", "all", "this", "that", "main", "a", "an",
    "any", "my", "your", "their", "its", "one", "new", "old", "same", "other", "for", "from", "at",
    "in", "of", "by", "to", "and", "or", "how", "is", "are", "do", "does", "should", "can", "will",
    "each", "per", "by", "best", "worst", "top", "cheapest", "fastest", "my",
];

fn is_name_word(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
        && word.chars().skip(1).all(|c| c.is_alphanumeric())
        && !NOT_NAMES.contains(&word.to_lowercase().as_str())
}

/// Resolves every entity the question names into `query`.
pub(crate) fn resolve(text: &str, words: &[String], catalog: &Catalog, query: &mut Query) {
    let lower = text.to_lowercase();
    let families = families(catalog);
    let raw = raw_words(text);
    let mut i = 0;
    while i < raw.len() {
        let word = raw[i];
        if let Some((letters, digits)) = code_parts(word) {
            let fuzzy = word.chars().any(|c| c.is_ascii_uppercase());
            let shaped_sku = word.contains('-') && letters.len() == 3 && digits.len() == 4;
            if !resolve_code(&families, query, &letters, &digits, word, fuzzy) && shaped_sku {
                let skus: Vec<String> = catalog.skus.iter().cloned().collect();
                push_unknown(
                    query,
                    UnknownName {
                        kind: EntityKind::Sku,
                        given: word.to_owned(),
                        closest: closest_names(word, &skus),
                    },
                );
            }
        } else if let Some(next) = raw.get(i + 1) {
            // "WH 001", "sup 3": an exact prefix, then a number.
            let letters = word.to_uppercase();
            if letters.chars().all(|c| c.is_ascii_alphabetic())
                && next.chars().all(|c| c.is_ascii_digit())
                && families.iter().any(|f| f.prefix == letters)
            {
                let written = format!("{word} {next}");
                resolve_code(&families, query, &letters, next, &written, false);
                i += 1;
            }
        }
        i += 1;
    }
    resolve_numbered_names(words, catalog, &families, query);
    resolve_names(&lower, &raw, catalog, query);
    resolve_categories(words, catalog, query);
    // Regions are country codes, matched case-sensitively so that "us" is not "US".
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if catalog.regions.iter().any(|r| r == word) {
            push_unique(&mut query.regions, word.to_owned());
        }
    }
}

/// "warehouse 2", "distribution center 2", "dc 2", "supplier 7", "carrier 3".
fn resolve_numbered_names(
    words: &[String],
    catalog: &Catalog,
    families: &[Family],
    query: &mut Query,
) {
    let kind_of = |w: &str| -> Option<EntityKind> {
        match w {
            "warehouse" | "dc" | "depot" | "center" | "centre" => Some(EntityKind::Warehouse),
            "supplier" | "vendor" => Some(EntityKind::Supplier),
            "carrier" => Some(EntityKind::Carrier),
            _ => None,
        }
    };
    for (i, pair) in words.windows(2).enumerate() {
        let Some(kind) = kind_of(pair[0].trim_start_matches('#')) else {
            continue;
        };
        if matches!(pair[0].as_str(), "center" | "centre")
            && words
                .get(i.wrapping_sub(1))
                .is_none_or(|w| w != "distribution")
        {
            continue;
        }
        let digits = pair[1].trim_start_matches('#');
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let n = digits.parse::<u64>().ok();
        let Some(family) = families.iter().find(|f| f.kind == kind) else {
            continue;
        };
        match n.and_then(|n| family.members.iter().find(|(m, _)| *m == n)) {
            Some((_, code)) => add_entity(query, kind, code.clone()),
            None => {
                let given = format!("{} {}", pair[0], pair[1]);
                let closest = match kind {
                    EntityKind::Warehouse => catalog
                        .warehouses
                        .iter()
                        .map(|w| format!("{} ({})", w.code, w.name))
                        .take(3)
                        .collect(),
                    _ => closest_codes(&family.members, n, &given),
                };
                push_unknown(
                    query,
                    UnknownName {
                        kind,
                        given,
                        closest,
                    },
                );
            }
        }
    }
}

/// Warehouse, supplier and carrier names, and capitalized names next to "warehouse",
/// "supplier" or a carrier's kind of business that match none.
fn resolve_names(lower: &str, raw: &[&str], catalog: &Catalog, query: &mut Query) {
    for w in &catalog.warehouses {
        let name = w.name.to_lowercase();
        if lower.contains(&name) || lower.contains(&name.replace("center", "centre")) {
            push_unique(&mut query.warehouses, w.code.clone());
        }
    }
    for s in &catalog.suppliers {
        let name = s.name.to_lowercase();
        if name.split(' ').count() > 1 {
            let named = format!("{name} ");
            if lower.contains(&named) || lower.ends_with(&name) {
                push_unique(&mut query.suppliers, s.id.clone());
            }
        }
    }
    let lower_words: Vec<String> = raw.iter().map(|w| w.to_lowercase()).collect();
    for c in &catalog.carriers {
        let name = c.name.to_lowercase();
        let parts: Vec<&str> = name.split(' ').collect();
        let span = parts.len();
        let found = lower.contains(&name)
            || lower_words.windows(span).any(|window| {
                let joined = window.join(" ");
                strsim::normalized_levenshtein(&joined, &name) >= 0.85
            })
            || (parts[0].len() >= 6
                && lower_words
                    .iter()
                    .any(|w| w.len() >= 6 && strsim::osa_distance(w, parts[0]) <= 1));
        if found {
            push_unique(&mut query.carriers, c.id.clone());
        }
    }
    let known_names: Vec<String> = catalog
        .warehouses
        .iter()
        .map(|w| w.name.to_lowercase())
        .chain(catalog.suppliers.iter().map(|s| s.name.to_lowercase()))
        .chain(catalog.carriers.iter().map(|c| c.name.to_lowercase()))
        .collect();
    let is_known = |word: &str| {
        let word = word.to_lowercase();
        known_names.iter().any(|n| n.split(' ').any(|p| p == word))
    };
    const CARRIER_WORDS: &[&str] = &[
        "freight",
        "express",
        "logistics",
        "haulers",
        "parcel",
        "rail",
        "couriers",
        "shipping",
        "transport",
        "lines",
        "cargo",
    ];
    for (i, word) in raw.iter().enumerate() {
        let lw = word.to_lowercase();
        let prev = i.checked_sub(1).and_then(|p| raw.get(p)).copied();
        let next = raw.get(i + 1).copied();
        let name_before = prev.filter(|p| is_name_word(p) && !is_known(p));
        let name_after = next.filter(|n| is_name_word(n) && !is_known(n));
        let unknown = match lw.as_str() {
            "warehouse" | "dc" | "depot" => name_before
                .or(name_after)
                .map(|n| (EntityKind::Warehouse, n.to_owned())),
            "supplier" | "vendor" => name_after.map(|n| (EntityKind::Supplier, n.to_owned())),
            "carrier" => name_after.map(|n| (EntityKind::Carrier, n.to_owned())),
            w if CARRIER_WORDS.contains(&w)
                && word.chars().next().is_some_and(char::is_uppercase) =>
            {
                name_before.map(|n| (EntityKind::Carrier, format!("{n} {word}")))
            }
            _ => None,
        };
        let Some((kind, given)) = unknown else {
            continue;
        };
        let already = match kind {
            EntityKind::Warehouse => &query.warehouses,
            EntityKind::Supplier => &query.suppliers,
            _ => &query.carriers,
        };
        if !already.is_empty() && kind == EntityKind::Carrier {
            continue;
        }
        let names: Vec<String> = match kind {
            EntityKind::Warehouse => catalog
                .warehouses
                .iter()
                .map(|w| format!("{} ({})", w.code, w.name))
                .collect(),
            EntityKind::Supplier => catalog.suppliers.iter().map(|s| s.id.clone()).collect(),
            _ => catalog.carriers.iter().map(|c| c.name.clone()).collect(),
        };
        let closest = if kind == EntityKind::Warehouse {
            names.into_iter().take(3).collect()
        } else {
            closest_names(&given, &names)
        };
        push_unknown(
            query,
            UnknownName {
                kind,
                given,
                closest,
            },
        );
    }
}

/// Categories by name, singular or with a small typo; "safety stock" is not the
/// safety category; a word next to "category" that is none of them is unknown.
fn resolve_categories(words: &[String], catalog: &Catalog, query: &mut Query) {
    for (i, word) in words.iter().enumerate() {
        if word == "safety" && words.get(i + 1).is_some_and(|n| n.starts_with("stock")) {
            continue;
        }
        let found = catalog.categories.iter().find(|category| {
            let singular = category.trim_end_matches('s');
            word == *category
                || word == singular
                || (word.len() >= 7
                    && category.len() >= 7
                    && strsim::osa_distance(word, category) <= 2)
        });
        if let Some(category) = found {
            push_unique(&mut query.categories, category.clone());
        }
    }
    for (i, word) in words.iter().enumerate() {
        if word != "category" {
            continue;
        }
        for j in [i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
            let Some(candidate) = words.get(j) else {
                continue;
            };
            let plain = candidate.len() >= 3
                && candidate.chars().all(|c| c.is_ascii_alphabetic())
                && !NOT_NAMES.contains(&candidate.as_str())
                && !matches!(
                    candidate.as_str(),
                    "product" | "each" | "whole" | "entire" | "per"
                );
            let known = catalog
                .categories
                .iter()
                .any(|c| c == candidate || c.trim_end_matches('s') == candidate);
            if plain && !known && query.categories.is_empty() {
                push_unknown(
                    query,
                    UnknownName {
                        kind: EntityKind::Category,
                        given: candidate.clone(),
                        closest: closest_names(candidate, &catalog.categories),
                    },
                );
            }
        }
    }
}
