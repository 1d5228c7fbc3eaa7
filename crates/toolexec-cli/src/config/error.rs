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
