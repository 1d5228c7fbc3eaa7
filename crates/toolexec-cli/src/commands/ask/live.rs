//! What `toolexec ask` shows while it works: each agent's findings as soon as that
//! agent's calls are done, on stderr for people, or as NDJSON lines with
//! `--json --stream`.

use serde_json::{json, Value};
use supply_chain_agents::AgentAnswer;

use crate::progress::Progress;

/// Shows an agent's findings the moment the agent is done: an `agent` line on stdout
/// when streaming NDJSON, else a few lines on stderr beside the progress display.
pub(super) fn agent_done(progress: &Progress, agent: &AgentAnswer, ndjson: bool) {
    if ndjson {
        let line = json!({
            "agent": agent.agent,
            "lines": agent.lines,
            "tables": agent.tables,
            "envelopes": agent.envelopes,
        });
        // A line that cannot be written (a closed pipe) ends the output in `emit`.
        let _ = emit_line("agent", line);
        return;
    }
    progress.say(&findings(agent));
}

/// An agent's findings for people: its name, how many calls it made, its sentences.
pub(super) fn findings(agent: &AgentAnswer) -> String {
    let ok = agent.envelopes.iter().filter(|e| e.success).count();
    let mut text = format!(
        "{} is done ({ok} of {} calls succeeded):",
        agent.agent,
        agent.envelopes.len()
    );
    for line in &agent.lines {
        text.push_str(&format!("\n  - {line}"));
    }
    text
}

/// Writes `object`, with `"event": event` added, as one line of NDJSON on stdout.
pub(super) fn emit_line(event: &str, object: Value) -> anyhow::Result<()> {
    let mut line = serde_json::Map::new();
    line.insert("event".into(), json!(event));
    if let Value::Object(fields) = object {
        line.extend(fields);
    }
    crate::output::emit(serde_json::to_string(&Value::Object(line))?);
    Ok(())
}
