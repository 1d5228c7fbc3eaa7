//! `toolexec data seed [--scale N]`: (re)creates the sample database.

use std::process::ExitCode;

use anyhow::Context;

use super::{display_path, Common, OK};

/// Arguments of `toolexec data seed`.
#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// Size of the sample set: 1 is the default; N multiplies warehouses, SKUs,
    /// suppliers and customers (1..=100).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub scale: u32,
    /// The generator's seed (the same seed gives the same data).
    #[arg(long, default_value_t = supply_chain::store::DEFAULT_SEED)]
    pub seed: u64,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// Runs the command.
pub async fn run(args: SeedArgs) -> anyhow::Result<ExitCode> {
    let path = args.common.db_path();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let store = supply_chain::Store::open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let (scale, seed) = (args.scale, args.seed);
    let summary = tokio::task::spawn_blocking(move || store.seed(scale, seed)).await??;
    crate::output::emit(format!(
        "seeded {} at scale {scale}: {summary:?}",
        display_path(&path)
    ));
    Ok(ExitCode::from(OK))
}
