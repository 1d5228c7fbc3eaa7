//! Tables for people: envelopes and tool lists.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, ContentArrangement, Table};
use toolexec::{Envelope, ToolSpec};

/// A summary table of envelopes: call, tool, status, attempts, time, error.
pub fn envelope_table(envelopes: &[Envelope]) -> String {
    let mut table = new_table(&["call", "tool", "status", "attempts", "time (ms)", "note"]);
    for e in envelopes {
        let note = match (&e.error, e.fallback) {
            (Some(error), true) => format!("fallback answered; {}: {}", error.kind, error.message),
            (Some(error), false) => format!("{}: {}", error.kind, error.message),
            (None, _) => String::new(),
        };
        table.add_row(vec![
            Cell::new(&*e.call_id),
            Cell::new(&*e.tool_name),
            Cell::new(e.status),
            Cell::new(e.attempts),
            Cell::new(format!("{:.1}", e.execution_time_ms)),
            Cell::new(truncate(&note, 120)),
        ]);
    }
    table.to_string()
}

/// A table of tools: name, hints, description.
pub fn tools_table(specs: &[ToolSpec]) -> String {
    let mut table = new_table(&["tool", "hints", "description"]);
    for spec in specs {
        let a = spec.annotations;
        let hints: Vec<&str> = [
            (a.read_only, "read-only"),
            (a.idempotent, "idempotent"),
            (a.destructive, "destructive"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
        let first_sentence = spec.description.split(". ").next().unwrap_or_default();
        table.add_row(vec![
            Cell::new(&spec.name),
            Cell::new(hints.join(", ")),
            Cell::new(truncate(first_sentence, 100)),
        ]);
    }
    table.to_string()
}

/// A table with a header row.
pub fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Writes `text` and a newline to stdout; a closed pipe (`| head`) ends output quietly
/// instead of panicking.
pub fn emit(text: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        std::process::exit(0);
    }
}
