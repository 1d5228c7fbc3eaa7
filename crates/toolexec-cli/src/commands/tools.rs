//! `toolexec tools`: the registered tools with descriptions and input schemas.

use std::process::ExitCode;

use super::{print_json, Common, OK};
use crate::assemble::{self, Overrides};
use crate::output;

/// Arguments of `toolexec tools`.
#[derive(Debug, clap::Args)]
pub struct ToolsArgs {
    /// Machine output: the tool specs with their JSON Schemas.
    #[arg(long)]
    pub json: bool,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// Runs the command.
pub async fn run(args: ToolsArgs) -> anyhow::Result<ExitCode> {
    let config = args.common.load_config()?;
    let store = assemble::open_store(&args.common.db_path())?;
    let executor = assemble::executor(&config, store, Overrides::default()).await?;
    let specs = executor.tools();
    if args.json {
        print_json(&specs)?;
    } else {
        crate::output::emit(output::tools_table(&specs));
        crate::output::emit(format!(
            "{} tools; `toolexec tools --json` shows their input schemas",
            specs.len()
        ));
    }
    Ok(ExitCode::from(OK))
}
