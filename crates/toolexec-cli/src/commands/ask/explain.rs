//! `toolexec ask --explain`: how the question was understood and why each tool call
//! was planned.

use supply_chain_agents::{Plan, Query};

/// The explanation as text.
pub(super) fn render(query: &Query, plan: &Plan) -> String {
    let mut out = String::from("How the question was understood\n");
    let intents: Vec<String> = query
        .intents
        .iter()
        .map(|i| match query.evidence.get(i) {
            Some(cue) => format!("{} (\"{cue}\")", i.describe()),
            None => i.describe().to_owned(),
        })
        .collect();
    if query.full_review {
        out.push_str("  asks for: a full review (every agent)\n");
    } else {
        out.push_str(&format!("  asks for: {}\n", intents.join("; ")));
    }
    let mut named = Vec::new();
    for (label, list) in [
        ("warehouses", &query.warehouses),
        ("SKUs", &query.skus),
        ("suppliers", &query.suppliers),
        ("carriers", &query.carriers),
        ("categories", &query.categories),
        ("regions", &query.regions),
    ] {
        if !list.is_empty() {
            named.push(format!("{label} {}", list.join(", ")));
        }
    }
    if !named.is_empty() {
        out.push_str(&format!("  names: {}\n", named.join("; ")));
    }
    for unknown in &query.unknown {
        out.push_str(&format!("  unknown: {}\n", unknown.sentence()));
    }
    let mut shape = Vec::new();
    if let Some(rank) = query.rank {
        shape.push(
            format!("rank {:?} {:?}, top {}", rank.order, rank.measure, rank.top).to_lowercase(),
        );
    }
    if let Some(trend) = query.trend {
        shape.push(format!("trend {trend:?}").to_lowercase());
    }
    if let Some(days) = query.period_days {
        shape.push(format!("over the last {days} days"));
    }
    if let Some(days) = query.horizon_days {
        shape.push(format!("horizon {days} days"));
    }
    if let Some(level) = query.service_level {
        shape.push(format!("service level {:.1}%", level * 100.0));
    }
    if query.quantity {
        shape.push("a quantity or total".to_owned());
    }
    if !query.what_if.is_empty() {
        shape.push(format!("what-if {}", serde_json::json!(query.what_if)));
    }
    if !shape.is_empty() {
        out.push_str(&format!("  shape: {}\n", shape.join("; ")));
    }
    out.push_str("Planned tool calls\n");
    for (i, call) in plan.calls.iter().enumerate() {
        let after = if call.deferred {
            " (after the others)"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {}. {} {}{after}\n     why: {}\n",
            i + 1,
            call.tool,
            call.input,
            call.why
        ));
    }
    for note in &plan.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}
