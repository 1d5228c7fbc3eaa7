//! Numbers in questions: words and units split apart, numbers parsed with checked
//! arithmetic, and day counts bounded so that no question can overflow or ask for an
//! unbounded amount of work.

/// The longest horizon a question may ask for, in days (the forecast tools' limit).
pub const MAX_HORIZON_DAYS: u32 = 365;

/// The longest look-back period a question may ask for, in days (ten years).
pub const MAX_PERIOD_DAYS: u32 = 3650;

/// The largest "top N" a question may ask for.
pub const MAX_TOP: usize = 100;

/// Lowercase words, with numbers and units split apart (`800kg` -> `800`, `kg`) and
/// thousands separators removed (`1,200` -> `1200`).
pub(crate) fn tokens(lower: &str) -> Vec<String> {
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
            Some(i) if !word.contains('-') && word.is_char_boundary(i) => {
                out.push(word[..i].to_owned());
                out.push(word[i..].to_owned());
            }
            _ => out.push(word.to_owned()),
        }
    }
    out
}

/// A non-negative finite number written in digits (`1200`, `2.5`).
pub(crate) fn number(word: &str) -> Option<f64> {
    let word = word.replace(',', "");
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    word.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// A whole count in digits or words (`3`, `three`); `None` when it is not one or does
/// not fit in a `u64`.
pub(crate) fn count(word: &str) -> Option<u64> {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    if let Some(i) = WORDS.iter().position(|w| *w == word) {
        return Some(i as u64);
    }
    match word {
        "a" | "an" | "single" => return Some(1),
        "couple" => return Some(2),
        "fifteen" => return Some(15),
        "twenty" => return Some(20),
        "thirty" => return Some(30),
        _ => {}
    }
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
        return word.parse::<u64>().ok();
    }
    None
}

/// A percentage (`98%`, `98 %`, `98 percent`, `99.5%`).
pub(crate) fn percent(words: &[String]) -> Option<f64> {
    (0..words.len()).find_map(|i| percent_at(words, i))
}

/// The percentage written at word `i`, if any.
pub(crate) fn percent_at(words: &[String], i: usize) -> Option<f64> {
    let w = words.get(i)?;
    if let Some(n) = w.strip_suffix('%') {
        return number(n);
    }
    if words
        .get(i + 1)
        .is_some_and(|next| next == "%" || next == "percent" || next == "pct")
    {
        return number(w);
    }
    None
}

/// The number before one of `units` (`800 kg`).
pub(crate) fn number_before(words: &[String], units: &[&str]) -> Option<f64> {
    words.windows(2).find_map(|pair| {
        units
            .contains(&pair[1].as_str())
            .then(|| number(&pair[0]))
            .flatten()
    })
}

/// Days in one unit of time (`day`, `weeks`, `month`, `quarter`, `year`).
pub(crate) fn unit_days(word: &str) -> Option<u64> {
    match word.trim_end_matches('s') {
        "day" => Some(1),
        "week" | "wk" => Some(7),
        "month" | "mo" => Some(30),
        "quarter" => Some(91),
        "year" | "yr" => Some(365),
        _ => None,
    }
}

/// A span of days as written (`4 weeks`, `three months`, `613566757 weeks`), with the
/// count multiplied in checked arithmetic: `Some(None)` when the span is written but
/// overflows `u64`.
pub(crate) fn span_days(words: &[String], i: usize) -> Option<Option<u64>> {
    let word = words.get(i)?;
    let unit = unit_days(words.get(i + 1)?)?;
    match count(word) {
        Some(n) => Some(n.checked_mul(unit)),
        // Digits that do not fit a u64: a span, but an uncountable one.
        None if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) => Some(None),
        None => None,
    }
}

/// A span bounded to `1..=max` days: the days, and whether it was capped.
pub(crate) fn bounded(days: Option<u64>, max: u32) -> (u32, bool) {
    match days {
        Some(d) if d >= 1 && d <= u64::from(max) => (d as u32, false),
        Some(0) => (1, true),
        _ => (max, true),
    }
}
