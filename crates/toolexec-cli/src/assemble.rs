//! Builds the executor the commands use: the built-in supply-chain tools, then the
//! configuration file's tools (which replace built-ins of the same name).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use supply_chain::Store;
use toolexec::{
    ChaosTool, Executor, Fallback, RetryBudget, SimTool, Tool, ToolOptions, ToolRegistry,
};

use crate::config::{Config, ConfigError, ToolSource};
use crate::lambda_tools::{supply_chain_functions, LambdaTarget};

/// The sample database's scale when it is created on first use.
pub const DEFAULT_SCALE: u32 = 1;

/// Where the embedded database lives: `$TOOLEXEC_DB`, else the user's data directory
/// (`~/.local/share/toolexec/supply-chain.db` on Linux), else `./toolexec-data/`.
pub fn default_db_path() -> PathBuf {
    if let Some(path) = std::env::var_os("TOOLEXEC_DB") {
        return PathBuf::from(path);
    }
    dirs::data_dir()
        .map(|d| d.join("toolexec"))
        .unwrap_or_else(|| PathBuf::from("toolexec-data"))
        .join("supply-chain.db")
}

/// Opens the database at `path`, creating and seeding it on first use.
pub fn open_store(path: &std::path::Path) -> anyhow::Result<Arc<Store>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    let store = Store::open_or_seed(path, DEFAULT_SCALE)
        .with_context(|| format!("cannot open the database {}", path.display()))?;
    Ok(Arc::new(store))
}

/// Command-line changes to the file's settings.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Replaces `executor.max_concurrency`.
    pub max_concurrency: Option<usize>,
    /// Runs the built-in supply-chain tools as Lambda functions instead of in-process.
    pub lambda: Option<LambdaTarget>,
    /// Writes every batch and call down in this journal.
    pub journal: Option<Arc<dyn toolexec::Journal>>,
}

/// The registry of built-in tools plus the configuration's tools. Remote backends are
/// built here: a Lambda client is configured, an MCP server is started or reached and
/// its tools imported (as `NAME.TOOL`).
pub async fn registry(
    config: &Config,
    store: Arc<Store>,
    lambda: Option<&LambdaTarget>,
) -> Result<ToolRegistry, ConfigError> {
    let builtins = match lambda {
        None => supply_chain::builtin_tools(store),
        Some(target) => supply_chain_functions(target)
            .await
            .map_err(|e| ConfigError {
                file: PathBuf::from("--endpoint-url"),
                line: 1,
                key: e.key,
                message: e.reason,
            })?,
    };
    let mut registry = ToolRegistry::new();
    for tool in &builtins {
        registry.register(tool.clone());
    }
    // One budget per `[retry_budgets.NAME]`, shared by every tool that names it (the
    // policies were validated when the file was read).
    let mut groups = std::collections::BTreeMap::new();
    for (name, policy) in &config.retry_budgets {
        let budget = RetryBudget::new(*policy)
            .map_err(|e| config.error(&format!("retry_budgets.{name}"), &e.key, e.reason))?;
        groups.insert(name.as_str(), budget);
    }
    for entry in &config.tools {
        let table = format!("tools.{}", entry.name);
        let tools: Vec<Arc<dyn Tool>> = match &entry.source {
            ToolSource::Sim(sim) => vec![Arc::new(SimTool::new(&entry.name, *sim))],
            ToolSource::Local { builtin } => {
                let found = builtins.iter().find(|t| t.spec().name == *builtin);
                let Some(tool) = found else {
                    let names: Vec<&str> =
                        builtins.iter().map(|t| t.spec().name.as_str()).collect();
                    return Err(config.error(
                        &table,
                        "builtin",
                        format!(
                            "no built-in tool {builtin:?}; built-ins: {}",
                            names.join(", ")
                        ),
                    ));
                };
                if *builtin == entry.name {
                    vec![tool.clone()]
                } else {
                    vec![Arc::new(Renamed::new(tool.clone(), &entry.name))]
                }
            }
            ToolSource::Remote(backend) => backend
                .build(&entry.name)
                .await
                .map_err(|e| config.error(&table, &e.key, e.reason))?,
        };
        for tool in tools {
            let tool: Arc<dyn Tool> = match entry.chaos {
                Some(chaos) => Arc::new(
                    ChaosTool::new(tool, chaos)
                        .map_err(|e| config.error(&table, &format!("chaos.{}", e.key), e.reason))?,
                ),
                None => tool,
            };
            let mut options = ToolOptions::default().with_policy(entry.policy);
            if let Some(bulkhead) = &entry.bulkhead {
                options = options.with_bulkhead(bulkhead.clone());
            }
            if let Some(rate_limit) = &entry.rate_limit {
                options = options.with_rate_limit(rate_limit.clone());
            }
            if let Some(budget) = entry.retry_budget.as_deref().and_then(|n| groups.get(n)) {
                options = options.with_retry_budget(budget.clone());
            }
            if let Some(hedge) = entry.hedge {
                if tool.spec().annotations.is_mutating() {
                    return Err(config.error(
                        &table,
                        "hedge",
                        "hedging runs a call twice at once: the tool must be annotated read-only or idempotent",
                    ));
                }
                options = options.with_hedge(hedge);
            }
            if let Some(value) = &entry.fallback {
                options = options.with_fallback(Fallback::value(value.clone()));
            }
            registry.register_with(tool, options);
        }
    }
    Ok(registry)
}

/// Builds the executor for `config` with the command line's overrides.
pub async fn executor(
    config: &Config,
    store: Arc<Store>,
    overrides: Overrides,
) -> anyhow::Result<Executor> {
    let mut settings = config.executor;
    if let Some(n) = overrides.max_concurrency {
        settings.max_concurrency = n;
    }
    let registry = registry(config, store, overrides.lambda.as_ref()).await?;
    let mut builder = Executor::builder().config(settings).registry(registry);
    if let Some(journal) = overrides.journal {
        builder = builder.journal(journal);
    }
    if let Some(policy) = config.retry_budget {
        let budget = RetryBudget::new(policy).map_err(|e| {
            anyhow::anyhow!(
                "{}: retry_budget.{}: {}",
                config.file.display(),
                e.key,
                e.reason
            )
        })?;
        builder = builder.retry_budget(budget);
    }
    builder
        .build()
        .map_err(|e| anyhow::anyhow!("{}: {e}", config.file.display()))
}

/// A built-in tool under another name (`builtin = "..."` in the file).
struct Renamed {
    inner: Arc<dyn Tool>,
    spec: toolexec::ToolSpec,
}

impl Renamed {
    fn new(inner: Arc<dyn Tool>, name: &str) -> Self {
        let mut spec = inner.spec().clone();
        spec.name = name.to_owned();
        Self { inner, spec }
    }
}

impl Tool for Renamed {
    fn spec(&self) -> &toolexec::ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a serde_json::Value,
        ctx: toolexec::CallContext,
    ) -> futures::future::BoxFuture<'a, Result<serde_json::Value, toolexec::ToolError>> {
        self.inner.call(input, ctx)
    }
}
