//! Configuration errors that name the file, the line and the key.

use std::path::PathBuf;

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: `{key}`: {message}", file.display())]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// The line of the offending key (1-based; 1 when unknown).
    pub line: usize,
    /// The dotted key, such as `tools.flaky.max_retries`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Turns byte offsets into line numbers and builds errors for one file.
pub(crate) struct Source<'a> {
    pub(crate) file: PathBuf,
    pub(crate) text: &'a str,
}

impl Source<'_> {
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    /// The dotted key written on the line holding `offset` (`executor.event_capacity`),
    /// for errors the TOML parser reports at a value without naming its key.
    pub(crate) fn key_at(&self, offset: usize) -> Option<String> {
        let end = offset.min(self.text.len());
        let before = self.text.get(..end)?;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = self.text.get(start..)?.lines().next()?;
        let key = line.split_once('=')?.0.trim().trim_matches('"');
        if key.is_empty() || key.starts_with('[') {
            return None;
        }
        let table = before[..start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('[') && !l.starts_with("[["))
            .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim());
        Some(match table {
            Some(table) if !table.is_empty() => format!("{table}.{key}"),
            _ => key.to_owned(),
        })
    }

    pub(crate) fn error(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            line: span.map(|s| self.line_of(s.start)).unwrap_or(1),
            key: key.into(),
            message: message.into(),
        }
    }
}
