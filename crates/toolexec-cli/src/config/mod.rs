//! `toolexec.toml` (docs/CONTRACTS.md, the configuration file): the executor, policy
//! defaults, and tools by backend. Unknown keys and bad values are errors naming the
//! file, line and key.
//!
//! Values that size buffers or bound time have upper limits, so that a typo cannot
//! make the process allocate until it aborts: `max_concurrency` at most
//! [`MAX_CONCURRENCY`], `history_capacity` at most [`MAX_HISTORY_CAPACITY`],
//! `event_capacity` at most [`MAX_EVENT_CAPACITY`], and every `*_ms` duration at most
//! [`MAX_DURATION_MS`] (one day).

mod error;
mod hedge_table;
mod journal_table;
mod policy;
mod table;
mod telemetry_table;
mod tool_table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;

use toolexec::{ExecutorConfig, PolicyOverrides, RetryBudgetPolicy};
use toolexec_telemetry::ExportSettings;

pub use error::ConfigError;
pub use journal_table::{
    JournalSettings, MAX_JOURNAL_AGE_DAYS, MAX_JOURNAL_BYTES, MIN_JOURNAL_BYTES,
};
pub use policy::MAX_DURATION_MS;
pub use tool_table::{ToolEntry, ToolSource};

use error::Source;
use table::{RawTable, Table};

/// A loaded configuration file.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it came from (for messages).
    pub file: PathBuf,
    /// The executor settings with the `[defaults]` policy applied.
    pub executor: ExecutorConfig,
    /// The tools of the file, in name order.
    pub tools: Vec<ToolEntry>,
    /// The durable journal's retention (`[journal]`).
    pub journal: JournalSettings,
    /// The executor's retry budget (`[retry_budget]`), if any.
    pub retry_budget: Option<RetryBudgetPolicy>,
    /// Named retry budgets (`[retry_budgets.NAME]`), each shared by the tools that name
    /// it (`retry_budget = "NAME"` in their table) instead of the executor's.
    pub retry_budgets: BTreeMap<String, RetryBudgetPolicy>,
    /// The OpenTelemetry export (`[telemetry]`).
    pub telemetry: ExportSettings,
    text: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            file: PathBuf::from("<built-in>"),
            executor: ExecutorConfig::default(),
            tools: Vec::new(),
            journal: JournalSettings::default(),
            retry_budget: None,
            retry_budgets: BTreeMap::new(),
            telemetry: ExportSettings::default(),
            text: String::new(),
        }
    }
}

/// The most attempts `max_concurrency` may allow at once.
pub const MAX_CONCURRENCY: usize = 100_000;
/// The most records `history_capacity` may keep (the ring is reserved up front).
pub const MAX_HISTORY_CAPACITY: usize = 1_000_000;
/// The most events `event_capacity` may buffer (the channel is allocated up front).
pub const MAX_EVENT_CAPACITY: usize = 100_000;

/// A check that a count lies within `min..=max`.
fn within(min: usize, max: usize) -> impl FnOnce(&usize) -> Result<(), String> {
    move |n| {
        if *n < min {
            Err(format!("must be at least {min}, got {n}"))
        } else if *n > max {
            Err(format!("must be at most {max}, got {n}"))
        } else {
            Ok(())
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    executor: Option<Spanned<RawTable>>,
    #[serde(default)]
    defaults: Option<Spanned<RawTable>>,
    #[serde(default)]
    tools: BTreeMap<Spanned<String>, Spanned<RawTable>>,
    #[serde(default)]
    journal: Option<Spanned<RawTable>>,
    #[serde(default)]
    retry_budget: Option<Spanned<RawTable>>,
    #[serde(default)]
    retry_budgets: BTreeMap<Spanned<String>, Spanned<RawTable>>,
    #[serde(default)]
    telemetry: Option<Spanned<RawTable>>,
}

impl Config {
    /// Reads and checks a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_owned(),
            line: 1,
            key: "<file>".into(),
            message: format!("cannot read the file: {e}"),
        })?;
        Self::parse(&text, path)
    }

    /// Checks the text of a file named `file`.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let source = Source {
            file: file.to_owned(),
            text,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let key = e
                .span()
                .and_then(|span| source.key_at(span.start))
                .or_else(|| e.message().split('`').nth(1).map(str::to_owned))
                .unwrap_or_else(|| "<document>".to_owned());
            source.error(e.span(), key, e.message().trim())
        })?;

        let mut executor = ExecutorConfig::default();
        if let Some(table) = raw.executor {
            let span = table.span();
            let mut table = Table::new(&source, "executor", Some(span), table.into_inner());
            if let Some(n) = table.take_checked("max_concurrency", within(1, MAX_CONCURRENCY))? {
                executor.max_concurrency = n;
            }
            if let Some(n) =
                table.take_checked("history_capacity", within(0, MAX_HISTORY_CAPACITY))?
            {
                executor.history_capacity = n;
            }
            if let Some(n) = table.take_checked("event_capacity", within(1, MAX_EVENT_CAPACITY))? {
                executor.event_capacity = n;
            }
            table.finish()?;
        }
        if let Some(table) = raw.defaults {
            let span = table.span();
            let mut table = Table::new(&source, "defaults", Some(span), table.into_inner());
            let overrides = policy::read_overrides(&mut table)?;
            if let Some(seed) = table.take::<u64>("jitter_seed")? {
                executor.defaults.backoff.seed = seed;
            }
            if table.take::<toml::Value>("fallback")?.is_some() {
                return Err(table.error("fallback", "a fallback belongs to a tool, not [defaults]"));
            }
            table.finish()?;
            executor.defaults = overrides.apply(&executor.defaults);
            check_policy(&source, "defaults", &PolicyOverrides::default(), &executor)?;
        }

        let mut journal = JournalSettings::default();
        if let Some(table) = raw.journal {
            let span = table.span();
            let mut table = Table::new(&source, "journal", Some(span), table.into_inner());
            journal = journal_table::read_journal(&mut table)?;
            table.finish()?;
        }

        let mut telemetry = ExportSettings::default();
        if let Some(table) = raw.telemetry {
            let span = table.span();
            let mut table = Table::new(&source, "telemetry", Some(span), table.into_inner());
            telemetry = telemetry_table::read_telemetry(&mut table)?;
            table.finish()?;
        }

        let mut retry_budget = None;
        if let Some(table) = raw.retry_budget {
            let span = table.span();
            let mut table = Table::new(&source, "retry_budget", Some(span), table.into_inner());
            retry_budget = Some(read_retry_budget(&mut table)?);
            table.finish()?;
        }
        let mut retry_budgets = BTreeMap::new();
        for (name, table) in raw.retry_budgets {
            let header = Some(name.span());
            let name = name.into_inner();
            let prefix = format!("retry_budgets.{name}");
            let mut table = Table::new(&source, prefix, header, table.into_inner());
            retry_budgets.insert(name, read_retry_budget(&mut table)?);
            table.finish()?;
        }

        let mut tools = Vec::new();
        for (name, table) in raw.tools {
            let header = Some(name.span());
            let name = name.into_inner();
            let prefix = format!("tools.{name}");
            let mut table = Table::new(&source, prefix.clone(), header.clone(), table.into_inner());
            let mut entry = tool_table::read_tool(&source, &name, &mut table)?;
            if let Some(group) = &entry.retry_budget {
                if !retry_budgets.contains_key(group) {
                    let known: Vec<&str> = retry_budgets.keys().map(String::as_str).collect();
                    return Err(table.error(
                        "retry_budget",
                        format!(
                            "no [retry_budgets.{group}] table; named budgets: {}",
                            if known.is_empty() {
                                "none".to_owned()
                            } else {
                                known.join(", ")
                            }
                        ),
                    ));
                }
            }
            table.finish()?;
            tool_table::engine_idle_timeout_for_mcp(&mut entry, &executor.defaults);
            check_policy(&source, &prefix, &entry.policy, &executor)?;
            tools.push(entry);
        }
        Ok(Config {
            file: file.to_owned(),
            executor,
            tools,
            journal,
            retry_budget,
            retry_budgets,
            telemetry,
            text: text.to_owned(),
        })
    }
}

/// Reads the keys of a `[retry_budget]` table.
fn read_retry_budget(table: &mut Table<'_, '_>) -> Result<RetryBudgetPolicy, ConfigError> {
    let defaults = RetryBudgetPolicy::default();
    let policy = RetryBudgetPolicy {
        window: table
            .take::<u64>("window_s")?
            .map_or(defaults.window, Duration::from_secs),
        min_per_second: table
            .take("min_per_second")?
            .unwrap_or(defaults.min_per_second),
        retry_ratio: table.take("retry_ratio")?.unwrap_or(defaults.retry_ratio),
    };
    policy
        .validate()
        .map_err(|e| table.error(&e.key, e.reason))?;
    Ok(policy)
}

impl Config {
    /// An error about `key` of table `[table]`, at the line where the key is set.
    pub fn error(&self, table: &str, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            line: find_key_line(&self.text, table, key),
            key: format!("{table}.{key}"),
            message: message.into(),
        }
    }
}

/// Cross-key checks (`backoff_max_ms` below `backoff_initial_ms`), pointed at the key.
fn check_policy(
    source: &Source<'_>,
    prefix: &str,
    overrides: &PolicyOverrides,
    executor: &ExecutorConfig,
) -> Result<(), ConfigError> {
    overrides.apply(&executor.defaults).validate().map_err(|e| {
        let line = find_key_line(source.text, prefix, &e.key);
        ConfigError {
            file: source.file.clone(),
            line,
            key: format!("{prefix}.{}", e.key),
            message: e.reason,
        }
    })
}

/// The line where `key` is set in table `[prefix]`, or the table's header line.
fn find_key_line(text: &str, prefix: &str, key: &str) -> usize {
    let header = format!("[{prefix}]");
    let mut in_table = false;
    let mut header_line = 1;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_table = trimmed == header;
            if in_table {
                header_line = i + 1;
            }
        } else if in_table && trimmed.split('=').next().map(str::trim) == Some(key) {
            return i + 1;
        }
    }
    header_line
}
