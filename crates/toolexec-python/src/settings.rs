//! What an executor is built from: the constructor's arguments over the optional
//! `toolexec.toml`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use supply_chain::Store;
use toolexec::{Executor, Jitter, Tool, ToolOptions, ToolRegistry};
use toolexec_backends::LambdaConfig;
use toolexec_cli::assemble;
use toolexec_cli::config::Config;

use crate::runtime::runtime;

/// The constructor's arguments; `None` keeps the configuration file's value (or the
/// engine's default).
#[derive(Debug, Default, Clone)]
pub(crate) struct Settings {
    pub(crate) max_workers: Option<usize>,
    pub(crate) default_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) default_deadline: Option<Duration>,
    pub(crate) backoff_initial: Option<Duration>,
    pub(crate) backoff_multiplier: Option<f64>,
    pub(crate) backoff_max: Option<Duration>,
    pub(crate) jitter: Option<Jitter>,
    pub(crate) history_capacity: Option<usize>,
    pub(crate) config_file: Option<PathBuf>,
    pub(crate) builtin_tools: bool,
    pub(crate) database: Option<PathBuf>,
    pub(crate) lambda_functions: Vec<String>,
    pub(crate) lambda_endpoint_url: Option<String>,
    pub(crate) lambda_region: Option<String>,
}

/// `seconds` as a duration, or a `ValueError` naming `name`.
pub(crate) fn duration(name: &str, seconds: Option<f64>) -> PyResult<Option<Duration>> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(PyValueError::new_err(format!(
            "{name} must be a positive number of seconds, got {s}"
        ))),
    }
}

/// A jitter name: `none`, `full` or `equal`.
pub(crate) fn jitter(name: &str) -> PyResult<Jitter> {
    match name {
        "none" => Ok(Jitter::None),
        "full" => Ok(Jitter::Full),
        "equal" => Ok(Jitter::Equal),
        other => Err(PyValueError::new_err(format!(
            "jitter must be \"none\", \"full\" or \"equal\", got {other:?}"
        ))),
    }
}

impl Settings {
    /// The configuration: the file's (or the defaults) with the arguments applied.
    fn config(&self) -> PyResult<Config> {
        let mut config = match &self.config_file {
            Some(path) => Config::load(path).map_err(|e| PyValueError::new_err(e.to_string()))?,
            None => Config::default(),
        };
        let executor = &mut config.executor;
        if let Some(n) = self.max_workers {
            executor.max_concurrency = n;
        }
        if let Some(n) = self.history_capacity {
            executor.history_capacity = n;
        }
        let policy = &mut executor.defaults;
        if let Some(d) = self.default_timeout {
            policy.attempt_timeout = d;
        }
        if let Some(n) = self.max_retries {
            policy.max_retries = n;
        }
        if self.default_deadline.is_some() {
            policy.call_deadline = self.default_deadline;
        }
        if let Some(d) = self.backoff_initial {
            policy.backoff.initial = d;
        }
        if let Some(m) = self.backoff_multiplier {
            policy.backoff.multiplier = m;
        }
        if let Some(d) = self.backoff_max {
            policy.backoff.max_delay = d;
        }
        if let Some(j) = self.jitter {
            policy.backoff.jitter = j;
        }
        Ok(config)
    }

    /// The supply-chain database: the given file, `$TOOLEXEC_DB` or the user's data
    /// directory (created and seeded on first use), or an empty in-memory one when the
    /// built-in tools are off.
    fn store(&self) -> PyResult<Arc<Store>> {
        if !self.builtin_tools {
            return Store::in_memory()
                .map(Arc::new)
                .map_err(|e| PyRuntimeError::new_err(e.to_string()));
        }
        let path = self
            .database
            .clone()
            .unwrap_or_else(assemble::default_db_path);
        assemble::open_store(&path).map_err(|e| PyRuntimeError::new_err(format!("{e:#}")))
    }

    /// Builds the executor: the built-in tools, the file's tools, the Lambda functions,
    /// then `extra` (Python tools), each replacing an earlier tool of the same name.
    pub(crate) fn build(&self, extra: Vec<(Arc<dyn Tool>, ToolOptions)>) -> PyResult<Executor> {
        let config = self.config()?;
        let store = self.store()?;
        let registry = runtime()
            .block_on(async {
                let mut registry = ToolRegistry::new();
                let assembled = assemble::registry(&config, store, None).await?;
                let builtin: Vec<&str> = supply_chain::tools::definitions()
                    .iter()
                    .map(|d| d.name)
                    .collect();
                for (tool, options) in assembled.into_entries() {
                    let name = tool.spec().name.as_str();
                    let configured = config.tools.iter().any(|t| t.name == name);
                    if self.builtin_tools || configured || !builtin.contains(&name) {
                        registry.register_with(tool, options);
                    }
                }
                for function in &self.lambda_functions {
                    let mut lambda = LambdaConfig::new(function);
                    lambda.endpoint_url = self.lambda_endpoint_url.clone();
                    lambda.region = self.lambda_region.clone();
                    let tool = lambda.build(function).await.map_err(|e| {
                        toolexec_cli::config::ConfigError {
                            file: PathBuf::from("lambda_functions"),
                            line: 1,
                            key: e.key,
                            message: e.reason,
                        }
                    })?;
                    registry.register(tool);
                }
                Ok::<_, toolexec_cli::config::ConfigError>(registry)
            })
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mut registry = registry;
        for (tool, options) in extra {
            registry.register_with(tool, options);
        }
        Executor::builder()
            .config(config.executor)
            .registry(registry)
            .build()
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }
}
