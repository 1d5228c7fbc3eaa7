//! `[tools.NAME]` tables: a backend, its settings, and policy overrides.

use std::time::Duration;

use serde::Deserialize;
use toolexec::{
    BulkheadPolicy, CallPolicy, ChaosConfig, HedgePolicy, KeyLimit, PolicyOverrides,
    RateLimitPolicy, SimConfig,
};
use toolexec_backends::BackendConfig;

use super::error::{ConfigError, Source};
use super::hedge_table::HedgeSettings;
use super::policy::read_overrides;
use super::table::{backend_config, Table};

/// The backends a tool may name.
pub(crate) const BACKENDS: [&str; 6] = ["local", "sim", "lambda", "http", "process", "mcp"];

/// One tool of the file.
#[derive(Debug, Clone)]
pub struct ToolEntry {
    /// The tool's name (its table name).
    pub name: String,
    /// Policy overrides for the tool.
    pub policy: PolicyOverrides,
    /// A static fallback answer.
    pub fallback: Option<serde_json::Value>,
    /// Faults to inject into the tool's attempts (`[tools.NAME.chaos]`), for drills.
    pub chaos: Option<ChaosConfig>,
    /// Its concurrency limits (`[tools.NAME.bulkhead]`).
    pub bulkhead: Option<BulkheadPolicy>,
    /// Its rate limit (`[tools.NAME.rate_limit]`).
    pub rate_limit: Option<RateLimitPolicy>,
    /// Its hedged attempts (`[tools.NAME.hedge]`).
    pub hedge: Option<HedgePolicy>,
    /// The named retry budget its retries draw on (`retry_budget = "NAME"`, a
    /// `[retry_budgets.NAME]` table), instead of the executor's.
    pub retry_budget: Option<String>,
    /// Where the tool runs.
    pub source: ToolSource,
}

/// Where a configured tool runs.
#[derive(Debug, Clone)]
pub enum ToolSource {
    /// A built-in supply-chain tool, by name (`builtin`, or the table name).
    Local {
        /// The built-in tool's name.
        builtin: String,
    },
    /// The scripted `sim` tool.
    Sim(SimConfig),
    /// A remote backend (`lambda`, `http`, `process`, `mcp`) with its checked settings.
    Remote(toolexec_backends::BackendConfig),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SimSettings {
    #[serde(default)]
    latency_ms: u64,
    #[serde(default)]
    latency_jitter_ms: u64,
    #[serde(default)]
    fail_first: u32,
    #[serde(default)]
    hang_every: u64,
    #[serde(default)]
    panic_every: u64,
    #[serde(default)]
    fail_rate: f64,
    #[serde(default)]
    seed: u64,
}

/// `[tools.NAME.chaos]`: the faults of [`ChaosConfig`], durations in milliseconds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChaosSettings {
    #[serde(default)]
    error_rate: f64,
    #[serde(default)]
    hang_rate: f64,
    #[serde(default)]
    panic_rate: f64,
    #[serde(default)]
    malformed_rate: f64,
    #[serde(default)]
    extra_latency_ms: u64,
    #[serde(default)]
    latency_jitter_ms: u64,
    #[serde(default)]
    seed: u64,
}

impl ChaosSettings {
    fn config(&self) -> ChaosConfig {
        ChaosConfig {
            error_rate: self.error_rate,
            hang_rate: self.hang_rate,
            panic_rate: self.panic_rate,
            malformed_rate: self.malformed_rate,
            extra_latency: Duration::from_millis(self.extra_latency_ms),
            latency_jitter: Duration::from_millis(self.latency_jitter_ms),
            seed: self.seed,
        }
    }
}

/// `[tools.NAME.bulkhead]`: the limits of [`BulkheadPolicy`], the wait in milliseconds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkheadSettings {
    max_concurrent: Option<usize>,
    key: Option<String>,
    max_concurrent_per_key: Option<usize>,
    max_wait_ms: Option<u64>,
}

impl BulkheadSettings {
    fn policy(&self) -> Result<BulkheadPolicy, String> {
        let per_key = match (&self.key, self.max_concurrent_per_key) {
            (Some(field), Some(max_concurrent)) => Some(KeyLimit {
                field: field.clone(),
                max_concurrent,
            }),
            (None, None) => None,
            (Some(_), None) => return Err("key: needs max_concurrent_per_key".into()),
            (None, Some(_)) => return Err("max_concurrent_per_key: needs key".into()),
        };
        if self.max_concurrent.is_none() && per_key.is_none() {
            return Err(
                "max_concurrent or key and max_concurrent_per_key: a bulkhead needs a limit".into(),
            );
        }
        let defaults = BulkheadPolicy::default();
        let policy = BulkheadPolicy {
            max_concurrent: self.max_concurrent,
            per_key,
            max_wait: self
                .max_wait_ms
                .map_or(defaults.max_wait, Duration::from_millis),
        };
        policy
            .validate()
            .map_err(|e| format!("{}: {}", e.key, e.reason))?;
        Ok(policy)
    }
}

/// `[tools.NAME.rate_limit]`: the bucket of [`RateLimitPolicy`], the wait in
/// milliseconds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitSettings {
    per_second: f64,
    burst: Option<u32>,
    key: Option<String>,
    max_wait_ms: Option<u64>,
}

impl RateLimitSettings {
    fn policy(&self) -> Result<RateLimitPolicy, String> {
        let defaults = RateLimitPolicy::default();
        let policy = RateLimitPolicy {
            per_second: self.per_second,
            // A second's worth by default, at least one.
            burst: self
                .burst
                .unwrap_or_else(|| (self.per_second.ceil() as u32).max(1)),
            key: self.key.clone(),
            max_wait: self
                .max_wait_ms
                .map_or(defaults.max_wait, Duration::from_millis),
        };
        policy
            .validate()
            .map_err(|e| format!("{}: {}", e.key, e.reason))?;
        Ok(policy)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalSettings {
    builtin: Option<String>,
}

pub(crate) fn read_tool(
    source: &Source<'_>,
    name: &str,
    table: &mut Table<'_, '_>,
) -> Result<ToolEntry, ConfigError> {
    let backend: String = table
        .take_checked("backend", |b: &String| {
            if BACKENDS.contains(&b.as_str()) {
                Ok(())
            } else {
                Err(format!("must be one of {}, got {b:?}", BACKENDS.join(", ")))
            }
        })?
        .ok_or_else(|| table.error("backend", "missing: every tool needs a backend"))?;
    let policy = read_overrides(table)?;
    let fallback = table
        .take::<toml::Value>("fallback")?
        .map(|v| serde_json::to_value(v).unwrap_or(serde_json::Value::Null));
    let chaos = table
        .take_checked("chaos", |s: &ChaosSettings| {
            s.config()
                .validate()
                .map_err(|e| format!("{}: {}", e.key, e.reason))
        })?
        .map(|s| s.config());
    let bulkhead = table
        .take_checked("bulkhead", |s: &BulkheadSettings| s.policy().map(drop))?
        .and_then(|s| s.policy().ok());
    let rate_limit = table
        .take_checked("rate_limit", |s: &RateLimitSettings| s.policy().map(drop))?
        .and_then(|s| s.policy().ok());
    let hedge = table
        .take_checked("hedge", |s: &HedgeSettings| s.policy().map(drop))?
        .and_then(|s| s.policy().ok());
    let retry_budget = table.take::<String>("retry_budget")?;
    let prefix = table.prefix().to_owned();
    let header = table.header();
    let rest = table.rest();
    let source = match backend.as_str() {
        "sim" => {
            let s: SimSettings = backend_config(source, &prefix, header, rest)?;
            if !(0.0..=1.0).contains(&s.fail_rate) {
                return Err(source.error(
                    None,
                    format!("{prefix}.fail_rate"),
                    "must be within 0.0..=1.0",
                ));
            }
            ToolSource::Sim(SimConfig {
                latency: Duration::from_millis(s.latency_ms),
                latency_jitter: Duration::from_millis(s.latency_jitter_ms),
                fail_first: s.fail_first,
                hang_every: s.hang_every,
                panic_every: s.panic_every,
                fail_rate: s.fail_rate,
                seed: s.seed,
            })
        }
        "local" => {
            let s: LocalSettings = backend_config(source, &prefix, header, rest)?;
            ToolSource::Local {
                builtin: s.builtin.unwrap_or_else(|| name.to_owned()),
            }
        }
        _ => {
            let (mut table, spans) = rest;
            table.insert("backend".into(), toml::Value::String(backend));
            ToolSource::Remote(backend_config(source, &prefix, header, (table, spans))?)
        }
    };
    Ok(ToolEntry {
        name: name.to_owned(),
        policy,
        fallback,
        chaos,
        bulkhead,
        rate_limit,
        hedge,
        retry_budget,
        source,
    })
}

/// How long an MCP tool may go without a result or a progress notification when
/// neither its table nor `[defaults]` says: the MCP table's old default.
const MCP_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// An MCP table's `idle_timeout_ms` is the engine's idle timeout of its tools (reset by
/// the server's progress notifications, ending a silent call as `idle_timeout`), so
/// the backend's own idle timer is turned off. Without the key here or in
/// `[defaults]`, an MCP tool keeps the 60 s it always had.
pub(crate) fn engine_idle_timeout_for_mcp(entry: &mut ToolEntry, defaults: &CallPolicy) {
    let ToolSource::Remote(BackendConfig::Mcp(mcp)) = &mut entry.source else {
        return;
    };
    mcp.idle_timeout_ms = 0;
    if entry.policy.idle_timeout.is_none() && defaults.idle_timeout.is_none() {
        entry.policy.idle_timeout = Some(Some(MCP_IDLE_TIMEOUT));
    }
}
