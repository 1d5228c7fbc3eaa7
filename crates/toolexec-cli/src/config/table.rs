//! A TOML table whose keys remember where they were written, read key by key so that
//! every error names its key and line, and leftover keys are reported as unknown.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;

use super::error::{ConfigError, Source};

/// The raw keys of one table.
pub(crate) type RawTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// A table being read.
pub(crate) struct Table<'s, 'a> {
    source: &'s Source<'a>,
    prefix: String,
    header: Option<Range<usize>>,
    keys: BTreeMap<String, (Range<usize>, Spanned<toml::Value>)>,
}

impl<'s, 'a> Table<'s, 'a> {
    pub(crate) fn new(
        source: &'s Source<'a>,
        prefix: impl Into<String>,
        header: Option<Range<usize>>,
        raw: RawTable,
    ) -> Self {
        let keys = raw
            .into_iter()
            .map(|(key, value)| {
                let span = key.span();
                (key.into_inner(), (span, value))
            })
            .collect();
        Self {
            source,
            prefix: prefix.into(),
            header,
            keys,
        }
    }

    /// The table's dotted name, such as `tools.flaky`.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Where the table's header is written.
    pub(crate) fn header(&self) -> Option<Range<usize>> {
        self.header.clone()
    }

    /// The dotted name of `key` in this table.
    pub(crate) fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// Takes and converts `key`, if present.
    pub(crate) fn take<T: DeserializeOwned>(
        &mut self,
        key: &str,
    ) -> Result<Option<T>, ConfigError> {
        let Some((span, value)) = self.keys.remove(key) else {
            return Ok(None);
        };
        value
            .into_inner()
            .try_into()
            .map(Some)
            .map_err(|e: toml::de::Error| {
                self.source
                    .error(Some(span), self.path(key), e.message().trim())
            })
    }

    /// Takes `key` and checks it with `check`, which explains a bad value.
    pub(crate) fn take_checked<T: DeserializeOwned>(
        &mut self,
        key: &str,
        check: impl FnOnce(&T) -> Result<(), String>,
    ) -> Result<Option<T>, ConfigError> {
        let span = self.keys.get(key).map(|(span, _)| span.clone());
        let value = self.take::<T>(key)?;
        if let Some(v) = &value {
            check(v).map_err(|message| self.source.error(span, self.path(key), message))?;
        }
        Ok(value)
    }

    /// An error about `key` at its line (or the table's header when absent).
    pub(crate) fn error(&self, key: &str, message: impl Into<String>) -> ConfigError {
        self.source
            .error(self.header.clone(), self.path(key), message)
    }

    /// The remaining keys as a TOML table, for a backend's own config struct.
    pub(crate) fn rest(&mut self) -> (toml::Table, BTreeMap<String, Range<usize>>) {
        let mut table = toml::Table::new();
        let mut spans = BTreeMap::new();
        for (key, (span, value)) in std::mem::take(&mut self.keys) {
            spans.insert(key.clone(), span);
            table.insert(key, value.into_inner());
        }
        (table, spans)
    }

    /// Fails on the first key nobody took.
    pub(crate) fn finish(mut self) -> Result<(), ConfigError> {
        match std::mem::take(&mut self.keys).into_iter().next() {
            None => Ok(()),
            Some((key, (span, _))) => {
                let message = "unknown key";
                Err(self.source.error(Some(span), self.path(&key), message))
            }
        }
    }
}

/// Deserializes a backend's config from the rest of its table, pointing errors at the
/// key they name when the message names one.
pub(crate) fn backend_config<T: DeserializeOwned>(
    source: &Source<'_>,
    prefix: &str,
    header: Option<Range<usize>>,
    (table, spans): (toml::Table, BTreeMap<String, Range<usize>>),
) -> Result<T, ConfigError> {
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| {
            let message = e.message().trim().to_owned();
            let named = spans
                .iter()
                .find(|(key, _)| message.contains(&format!("`{key}`")));
            match named {
                Some((key, span)) => {
                    source.error(Some(span.clone()), format!("{prefix}.{key}"), message)
                }
                None => source.error(header, prefix.to_owned(), message),
            }
        })
}
