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
    /// Machine output: the path, scale, seed and row counts.
    #[arg(long)]
    pub json: bool,
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
    if args.json {
        super::print_json(&serde_json::json!({
            "db": path,
            "scale": scale,
            "seed": seed,
            "created": summary,
        }))?;
        return Ok(ExitCode::from(OK));
    }
    crate::output::emit(format!(
        "seeded {} at scale {scale}: {} warehouses, {} products, {} days of demand ({} rows), \
         {} suppliers with {} deliveries, {} customers, {} open orders",
        display_path(&path),
        summary.warehouses,
        summary.products,
        supply_chain::store::HISTORY_DAYS,
        summary.demand_rows,
        summary.suppliers,
        summary.deliveries,
        summary.customers,
        summary.open_orders,
    ));
    Ok(ExitCode::from(OK))
}
