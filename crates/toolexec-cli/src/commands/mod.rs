//! One module per subcommand; each is a thin layer over the library crates.

pub mod ask;
pub mod cancel;
pub mod config_check;
pub mod data;
pub mod history;
pub mod mcp_serve;
pub mod redrive;
pub mod run;
pub mod serve;
pub mod server_client;
pub mod stats;
pub mod telemetry;
pub mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::config::Config;

/// Exit code 0: everything succeeded.
pub const OK: u8 = 0;
/// Exit code 1: the work ran but some call did not succeed.
pub const SOME_FAILED: u8 = 1;
/// Exit code 2: bad usage or bad input; nothing ran.
pub const BAD_INPUT: u8 = 2;

/// Options every command that builds an executor takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// The configuration file (toolexec.toml); the built-in tools need none.
    #[arg(long, global = true, env = "TOOLEXEC_CONFIG")]
    pub config: Option<PathBuf>,
    /// The embedded database (default: $TOOLEXEC_DB or the user data directory).
    #[arg(long, global = true)]
    pub db: Option<PathBuf>,
    /// The configuration, once [`preload_config`](Self::preload_config) has read it.
    #[arg(skip)]
    loaded: Option<Arc<Config>>,
}

impl Common {
    /// Reads the configuration once, before the command runs (the process's telemetry
    /// starts from its `[telemetry]` table before the async runtime does); the
    /// command's [`load_config`](Self::load_config) then takes this one.
    pub fn preload_config(&mut self) -> anyhow::Result<&Config> {
        let config = self.load_config()?;
        Ok(self.loaded.insert(Arc::new(config)))
    }

    /// The configuration: the file when given, else the built-in defaults.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        if let Some(loaded) = &self.loaded {
            return Ok(Config::clone(loaded));
        }
        match &self.config {
            Some(path) => Ok(Config::load(path)?),
            None => Ok(Config::default()),
        }
    }

    /// The database path.
    pub fn db_path(&self) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(crate::assemble::default_db_path)
    }
}

/// Exit code 0 or 1 from whether every envelope succeeded.
pub fn exit_for(all_succeeded: bool) -> ExitCode {
    ExitCode::from(if all_succeeded { OK } else { SOME_FAILED })
}

/// Writes JSON to stdout, pretty.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    crate::output::emit(serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Shows a path relative to the current directory when it is inside it.
pub fn display_path(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
