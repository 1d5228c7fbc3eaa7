//! Batch files for `toolexec run` (docs/CONTRACTS.md, the batch file):
//! `{"calls": [...]}`. A malformed file is rejected with the position and field, before
//! anything runs.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use toolexec::ToolCall;

/// A batch file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchFile {
    /// The calls, run in parallel; envelopes come back in this order.
    pub calls: Vec<ToolCall>,
}

/// Why a batch file was rejected.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct BatchFileError {
    /// The file.
    pub file: String,
    /// The position, the field and what is wrong.
    pub message: String,
}

/// Reads and checks a batch file.
pub fn load(path: &Path) -> Result<BatchFile, BatchFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| BatchFileError {
        file: path.display().to_string(),
        message: format!("cannot read the file: {e}"),
    })?;
    parse(&text, &path.display().to_string())
}

/// Checks the text of a batch file named `file`.
pub fn parse(text: &str, file: &str) -> Result<BatchFile, BatchFileError> {
    let error = |message: String| BatchFileError {
        file: file.to_owned(),
        message,
    };
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let batch: BatchFile = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            error(inner.to_string())
        } else {
            error(format!("{path}: {inner}"))
        }
    })?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, call) in batch.calls.iter().enumerate() {
        if call.tool.trim().is_empty() {
            return Err(error(format!("calls[{i}].tool: must name a tool")));
        }
        if !call.input.is_object() {
            return Err(error(format!("calls[{i}].input: must be a JSON object")));
        }
        // The engine's own limits on per-call overrides (durations, retries).
        if let Err(e) = call.validate() {
            return Err(error(format!("calls[{i}].{}: {}", e.key, e.reason)));
        }
        if let Some(id) = &call.call_id {
            if let Some(first) = seen.insert(id, i) {
                return Err(error(format!(
                    "calls[{i}].call_id: {id:?} is already the id of calls[{first}]"
                )));
            }
        }
    }
    Ok(batch)
}
