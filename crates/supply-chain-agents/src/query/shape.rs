//! The shape of a question beyond its intents and entities: rank words and "top N",
//! trends over a period, whether a quantity or total is asked for, time windows, and
//! the changes of a what-if question.

use serde::Serialize;

use super::numbers::{
    bounded, count, percent_at, span_days, unit_days, MAX_HORIZON_DAYS, MAX_PERIOD_DAYS, MAX_TOP,
};

/// What a rank word ranks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Demand ("fastest-moving", "best-selling").
    Movement,
    /// Cost or price ("cheapest", "most expensive").
    Cost,
    /// Speed or lead time ("fastest", "quickest").
    Speed,
    /// Excess stock ("most overstocked").
    Excess,
    /// Days of cover ("about to run out", "least cover").
    Cover,
    /// Overall quality ("best", "worst", "most reliable").
    Overall,
}

/// Most or least of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// The highest value first ("most", "fastest-moving", "best").
    Most,
    /// The lowest value first ("least", "slowest-moving", "worst").
    Least,
}

/// A superlative or "top N".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rank {
    /// What is ranked by.
    pub measure: Measure,
    /// Which end.
    pub order: Order,
    /// How many are asked for (1 for "the fastest-moving item").
    pub top: usize,
}

/// A change over time asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Getting worse.
    Worse,
    /// Getting better.
    Better,
}

/// The changes of a what-if question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct WhatIf {
    /// Lead times multiplied by this.
    pub lead_time_factor: Option<f64>,
    /// Days added to lead times.
    pub lead_time_add_days: Option<f64>,
    /// Demand multiplied by this.
    pub demand_factor: Option<f64>,
    /// A new cycle service level.
    pub service_level: Option<f64>,
}

impl WhatIf {
    /// Whether any change was read.
    pub fn is_empty(&self) -> bool {
        *self == WhatIf::default()
    }
}

const SINGULAR: &[&str] = &[
    "item",
    "sku",
    "product",
    "supplier",
    "carrier",
    "one",
    "vendor",
    "warehouse",
];
const PLURAL: &[&str] = &[
    "items",
    "skus",
    "products",
    "suppliers",
    "carriers",
    "ones",
    "vendors",
    "warehouses",
];

/// Reads a superlative or "top N".
pub(crate) fn rank(lower: &str, words: &[String]) -> Option<Rank> {
    let table: &[(&[&str], Measure, Order)] = &[
        (
            &[
                "fastest-moving",
                "fastest moving",
                "fast-moving",
                "fast moving",
                "fast movers",
                "best-selling",
                "best selling",
                "bestselling",
                "top-selling",
                "top selling",
                "highest demand",
                "most demand",
                "most popular",
                "most sold",
                "sells the most",
            ],
            Measure::Movement,
            Order::Most,
        ),
        (
            &[
                "slowest-moving",
                "slowest moving",
                "slow-moving",
                "slow moving",
                "slow movers",
                "lowest demand",
                "least demand",
                "least popular",
                "sells the least",
                "worst-selling",
                "worst selling",
            ],
            Measure::Movement,
            Order::Least,
        ),
        (
            &[
                "most overstocked",
                "most excess",
                "biggest excess",
                "largest excess",
                "most surplus",
                "overstocked the most",
            ],
            Measure::Excess,
            Order::Most,
        ),
        (
            &[
                "least cover",
                "lowest cover",
                "fewest days",
                "run out first",
                "about to run out",
                "running out soonest",
                "shortest cover",
            ],
            Measure::Cover,
            Order::Least,
        ),
        (
            &[
                "most expensive",
                "costliest",
                "highest cost",
                "priciest",
                "most costly",
            ],
            Measure::Cost,
            Order::Most,
        ),
        (
            &[
                "cheapest",
                "least expensive",
                "lowest cost",
                "lowest price",
                "lowest-cost",
                "cheaper",
            ],
            Measure::Cost,
            Order::Least,
        ),
        (
            &["fastest", "quickest", "shortest lead", "shortest transit"],
            Measure::Speed,
            Order::Most,
        ),
        (
            &["slowest", "longest lead", "longest transit"],
            Measure::Speed,
            Order::Least,
        ),
        (
            &[
                "worst",
                "least reliable",
                "bottom",
                "weakest",
                "poorest",
                "lowest-rated",
                "lowest rated",
            ],
            Measure::Overall,
            Order::Least,
        ),
        (
            &[
                "best",
                "most reliable",
                "top",
                "strongest",
                "highest-rated",
                "highest rated",
                "leading",
            ],
            Measure::Overall,
            Order::Most,
        ),
    ];
    let (cue, measure, order) = table.iter().find_map(|(cues, measure, order)| {
        cues.iter()
            .find(|c| super::contains_at_word(lower, c))
            .map(|c| (*c, *measure, *order))
    })?;
    let first = cue.split([' ', '-']).next().unwrap_or(cue);
    let at = words.iter().position(|w| w.starts_with(first));
    let explicit = words.windows(2).find_map(|pair| {
        let ranked = ["top", "bottom", "best", "worst", "first"].contains(&pair[0].as_str());
        ranked.then(|| count(&pair[1])).flatten()
    });
    let before = at
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| words.get(i))
        .and_then(|w| count(w))
        .filter(|n| *n > 1);
    let top = match explicit.or(before) {
        Some(n) => (n.clamp(1, MAX_TOP as u64)) as usize,
        None => {
            let after: Vec<&String> = at
                .map(|i| words.iter().skip(i + 1).take(4).collect())
                .unwrap_or_default();
            let before_word = at.and_then(|i| i.checked_sub(1)).and_then(|i| words.get(i));
            let singular = after
                .iter()
                .find(|w| SINGULAR.contains(&w.as_str()) || PLURAL.contains(&w.as_str()))
                .is_some_and(|w| SINGULAR.contains(&w.as_str()))
                || before_word.is_some_and(|w| w == "the" || w == "is" || w == "our")
                    && !after.iter().any(|w| PLURAL.contains(&w.as_str()));
            if singular {
                1
            } else {
                5
            }
        }
    };
    Some(Rank {
        measure,
        order,
        top,
    })
}

/// Reads a trend ("gotten worse", "improving").
pub(crate) fn trend(lower: &str) -> Option<Trend> {
    const WORSE: &[&str] = &[
        "worse",
        "deteriorat",
        "declin",
        "slipping",
        "slipped",
        "degrad",
        "dropped off",
        "going downhill",
        "falling behind",
        "regress",
    ];
    const BETTER: &[&str] = &["improv", "better", "getting up", "picked up"];
    if WORSE.iter().any(|c| super::contains_at_word(lower, c)) {
        Some(Trend::Worse)
    } else if BETTER.iter().any(|c| super::contains_at_word(lower, c)) {
        Some(Trend::Better)
    } else {
        None
    }
}

/// "over the last 6 months", "in the past year", "last quarter": days, bounded.
pub(crate) fn period(words: &[String]) -> Option<u32> {
    for (i, w) in words.iter().enumerate() {
        if !matches!(w.as_str(), "last" | "past" | "previous") {
            continue;
        }
        if let Some(span) = span_days(words, i + 1) {
            return Some(bounded(span, MAX_PERIOD_DAYS).0);
        }
        if let Some(unit) = words.get(i + 1).and_then(|u| unit_days(u)) {
            return Some(bounded(Some(unit), MAX_PERIOD_DAYS).0);
        }
    }
    None
}

/// A time window: the horizon in days and whether it had to be capped, and the day
/// offset ("today" 0, "tomorrow" 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Window {
    pub horizon_days: Option<u32>,
    pub capped_from: Option<Option<u64>>,
    pub day_offset: Option<u32>,
}

/// Reads "next 4 weeks", "for 10 days", "this week", "next month", "today", "tomorrow".
pub(crate) fn window(lower: &str, words: &[String]) -> Window {
    let mut out = Window::default();
    for i in 0..words.len() {
        if let Some(span) = span_days(words, i) {
            let before = i
                .checked_sub(1)
                .and_then(|p| words.get(p))
                .map(String::as_str);
            if matches!(before, Some("last" | "past" | "previous" | "ago")) {
                continue;
            }
            let after = words.get(i + 2).map(String::as_str);
            if after == Some("ago")
                || after == Some("of") && words.get(i + 3).is_some_and(|w| w == "history")
            {
                continue;
            }
            let (days, capped) = bounded(span, MAX_HORIZON_DAYS);
            out.horizon_days = Some(days);
            if capped {
                out.capped_from = Some(span);
            }
            break;
        }
    }
    if out.horizon_days.is_none() {
        for (cue, days) in [
            ("this week", 7),
            ("next week", 7),
            ("the week", 7),
            ("this month", 30),
            ("next month", 30),
            ("next quarter", 91),
            ("this quarter", 91),
            ("next year", 365),
            ("this year", 365),
            ("fortnight", 14),
        ] {
            if super::contains_at_word(lower, cue) {
                out.horizon_days = Some(days);
                break;
            }
        }
    }
    out.day_offset = if super::contains_at_word(lower, "tomorrow") {
        Some(1)
    } else if super::contains_at_word(lower, "today") || super::contains_at_word(lower, "tonight") {
        Some(0)
    } else {
        None
    };
    out
}

/// Whether a quantity or total is asked for.
pub(crate) fn quantity(lower: &str) -> bool {
    [
        "how much",
        "how many",
        "total",
        "in all",
        "altogether",
        "sum of",
        "overall amount",
    ]
    .iter()
    .any(|c| super::contains_at_word(lower, c))
}

/// A factor written as a word ("doubles", "halved") or a change in percent ("rise by
/// 20%", "fall 10 %") in `words[from..]`, up to the next clause.
fn factor(words: &[String], from: usize) -> Option<f64> {
    let clause: Vec<&String> = words
        .iter()
        .skip(from)
        .take_while(|w| !matches!(w.as_str(), "and" | "but" | "while" | "then"))
        .take(12)
        .collect();
    for w in &clause {
        let w = w.as_str();
        if w.starts_with("doubl") || w == "twice" || w == "2x" {
            return Some(2.0);
        }
        if w.starts_with("tripl") || w == "3x" {
            return Some(3.0);
        }
        if w.starts_with("halv") || w == "half" {
            return Some(0.5);
        }
    }
    let up = clause.iter().any(|w| {
        [
            "rise",
            "rises",
            "increase",
            "increases",
            "grow",
            "grows",
            "go",
            "goes",
            "jump",
            "jumps",
            "spike",
            "spikes",
            "up",
            "higher",
            "longer",
            "more",
            "rose",
            "increased",
            "grew",
            "went",
            "climb",
            "climbs",
            "surge",
            "surges",
            "extend",
            "extended",
        ]
        .contains(&w.as_str())
    });
    let down = clause.iter().any(|w| {
        [
            "fall",
            "falls",
            "drop",
            "drops",
            "decrease",
            "decreases",
            "decline",
            "declines",
            "down",
            "lower",
            "shorter",
            "less",
            "fell",
            "dropped",
            "decreased",
            "shrink",
            "shrinks",
            "cut",
        ]
        .contains(&w.as_str())
    });
    let owned: Vec<String> = clause.iter().map(|w| (*w).clone()).collect();
    let pct = (0..owned.len()).find_map(|i| percent_at(&owned, i))?;
    if !(0.0..=1000.0).contains(&pct) {
        return None;
    }
    match (up, down) {
        (true, false) => Some(1.0 + pct / 100.0),
        (false, true) => Some((1.0 - pct / 100.0).max(0.0)),
        _ => None,
    }
}

/// Days added in `words[from..]` ("go up by 5 days", "3 days longer").
fn added_days(words: &[String], from: usize) -> Option<f64> {
    let clause: Vec<&String> = words
        .iter()
        .skip(from)
        .take_while(|w| !matches!(w.as_str(), "and" | "but" | "while" | "then"))
        .take(12)
        .collect();
    let down = clause.iter().any(|w| {
        [
            "fall",
            "falls",
            "drop",
            "drops",
            "decrease",
            "decreases",
            "shorter",
            "less",
            "down",
            "cut",
            "shrink",
            "shrinks",
        ]
        .contains(&w.as_str())
    });
    clause.windows(2).find_map(|pair| {
        let n = super::numbers::number(pair[0])?;
        let unit = unit_days(pair[1])?;
        let days = (n * unit as f64).min(365.0);
        Some(if down { -days } else { days })
    })
}

/// Reads the changes of a what-if question.
pub(crate) fn what_if(words: &[String]) -> WhatIf {
    let mut out = WhatIf::default();
    for (i, w) in words.iter().enumerate() {
        let lead = w == "lead" && words.get(i + 1).is_some_and(|n| n.starts_with("time"));
        if lead && out.lead_time_factor.is_none() && out.lead_time_add_days.is_none() {
            match factor(words, i + 2) {
                Some(f) => out.lead_time_factor = Some(f.clamp(0.01, 100.0)),
                None => out.lead_time_add_days = added_days(words, i + 2),
            }
        }
        if w == "demand" && out.demand_factor.is_none() {
            out.demand_factor = factor(words, i + 1).map(|f| f.clamp(0.0, 100.0));
        }
        if w == "service" && words.get(i + 1).is_some_and(|n| n.starts_with("level")) {
            out.service_level = words
                .iter()
                .enumerate()
                .skip(i)
                .take(6)
                .find_map(|(j, _)| percent_at(words, j))
                .or_else(|| (0..i).rev().take(4).find_map(|j| percent_at(words, j)))
                .filter(|p| (50.0..100.0).contains(p))
                .map(|p| p / 100.0);
        }
    }
    out
}
