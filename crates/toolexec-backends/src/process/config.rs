//! [`ProcessConfig`]: the `[tools.NAME]` table of a local-process tool.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use toolexec::{PolicyError, Tool, ToolAnnotations};

use super::ProcessTool;
use crate::env::resolve_env;
use crate::spec::tool_spec;

/// A local program as a tool, as written under `[tools.NAME]` with `backend = "process"`.
///
/// ```toml
/// [tools.forecast]
/// backend = "process"
/// program = "python3"
/// args = ["-m", "forecast", "--json"]
/// env = { FORECAST_API_KEY = "${FORECAST_API_KEY}" }
/// max_output_bytes = 1048576
/// ```
///
/// The program inherits the environment of toolexec, plus `env` (whose values may
/// reference variables as `${NAME}`, resolved by [`ProcessConfig::build`]).
///
/// # Default
///
/// No arguments, no extra environment, the current directory, `max_output_bytes =
/// 10485760` (10 MiB), the description `"Runs <program>"`, an input schema accepting
/// any object and the default [`ToolAnnotations`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessConfig {
    /// The program: a path, or a name looked up on `PATH`.
    pub program: String,
    /// Its arguments, passed as they are (no shell, no globbing, no splitting).
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra environment variables; values may contain `${ENV_VAR}` references.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The directory the program runs in.
    #[serde(default)]
    pub working_dir: Option<PathBuf>,
    /// The largest standard output accepted, in bytes.
    #[serde(default = "default_max_output_bytes")]
    pub max_output_bytes: u64,
    /// What the tool does, for people and models choosing tools.
    #[serde(default)]
    pub description: Option<String>,
    /// The JSON Schema of the tool's input.
    #[serde(default)]
    pub input_schema: Option<Value>,
    /// Side-effect hints that feed the retry rules.
    #[serde(default)]
    pub annotations: Option<ToolAnnotations>,
}

fn default_max_output_bytes() -> u64 {
    10 * 1024 * 1024
}

impl ProcessConfig {
    /// `program` with `args` and the defaults.
    pub fn new<I, S>(program: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            env: BTreeMap::new(),
            working_dir: None,
            max_output_bytes: default_max_output_bytes(),
            description: None,
            input_schema: None,
            annotations: None,
        }
    }

    /// Validates the configuration, finds the program and builds the tool `name`.
    pub fn build(&self, name: &str) -> Result<Arc<dyn Tool>, PolicyError> {
        Ok(Arc::new(self.build_tool(name)?))
    }

    /// [`ProcessConfig::build`], returning the concrete tool.
    pub fn build_tool(&self, name: &str) -> Result<ProcessTool, PolicyError> {
        let program = find_program(&self.program)?;
        for (i, arg) in self.args.iter().enumerate() {
            if arg.contains('\0') {
                return Err(PolicyError::new(
                    format!("args[{i}]"),
                    "contains a NUL byte",
                ));
            }
        }
        let mut env = Vec::with_capacity(self.env.len());
        for (key, template) in &self.env {
            let config_key = format!("env.{key}");
            if key.is_empty() || key.contains(['=', '\0']) {
                return Err(PolicyError::new(config_key, "is not a valid variable name"));
            }
            env.push((key.clone(), resolve_env(template, &config_key)?));
        }
        if let Some(dir) = &self.working_dir {
            if !dir.is_dir() {
                return Err(PolicyError::new(
                    "working_dir",
                    format!("`{}` is not a directory", dir.display()),
                ));
            }
        }
        if self.max_output_bytes == 0 {
            return Err(PolicyError::new(
                "max_output_bytes",
                "must be greater than 0",
            ));
        }
        let spec = tool_spec(
            name,
            self.description.as_deref(),
            || format!("Runs {}", self.program),
            self.input_schema.as_ref(),
            self.annotations,
        )?;
        Ok(ProcessTool::new(
            spec,
            program,
            self.args.clone(),
            env,
            self.working_dir.clone(),
            self.max_output_bytes,
        ))
    }
}

/// The program's path: as given when it has a `/`, else the first match on `PATH`.
fn find_program(program: &str) -> Result<PathBuf, PolicyError> {
    if program.trim().is_empty() {
        return Err(PolicyError::new("program", "must not be empty"));
    }
    if program.contains('/') {
        let path = Path::new(program);
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(PolicyError::new(
                "program",
                format!("`{program}` is not a file"),
            ))
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| PolicyError::new("program", format!("`{program}` was not found on PATH")))
}
