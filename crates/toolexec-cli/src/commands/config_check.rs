//! `toolexec config check FILE`: validates a configuration file without running it.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{display_path, OK};
use crate::assemble;
use crate::config::Config;

/// Arguments of `toolexec config check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The file to check.
    pub file: PathBuf,
    /// Machine output: `{"file", "ok", "tools_configured", "tools_registered", "max_concurrency"}`.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command: parses the file and builds every tool and policy it names.
pub async fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.file)?;
    let store = std::sync::Arc::new(supply_chain::Store::in_memory()?);
    let executor = assemble::executor(&config, store, assemble::Overrides::default()).await?;
    if args.json {
        super::print_json(&serde_json::json!({
            "file": args.file,
            "ok": true,
            "tools_configured": config.tools.len(),
            "tools_registered": executor.tools().len(),
            "max_concurrency": executor.max_concurrency(),
        }))?;
        return Ok(ExitCode::from(OK));
    }
    crate::output::emit(format!(
        "{}: ok ({} tools configured, {} registered, max_concurrency {})",
        display_path(&args.file),
        config.tools.len(),
        executor.tools().len(),
        executor.max_concurrency()
    ));
    Ok(ExitCode::from(OK))
}
