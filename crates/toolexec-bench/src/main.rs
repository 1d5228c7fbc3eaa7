//! `toolexec-bench`: runs one workload (BENCHMARKS.md, "Workloads") on toolexec or on
//! one of the two baselines (`raw` tokio, `tower`) and prints one JSON line
//! (docs/CONTRACTS.md, the benchmark harness).
//!
//! Every implementation calls the same public [`toolexec::SimTool`], so the tool costs
//! the same everywhere and what differs is the machinery around it.

mod baseline;
mod baseline_raw;
mod baseline_tower;
mod engine;
mod history_probe;
mod ledger;
mod outcome;
mod report;
mod settings;
mod sim;
mod stopwatch;

use clap::Parser;

use crate::report::{Measured, Report};
use crate::settings::{Args, Impl, Settings};

fn main() -> anyhow::Result<()> {
    let settings = Args::parse().resolve()?;
    let worker_threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads)
        .enable_time()
        .build()?;
    let measured = runtime.block_on(run(settings))?;
    let report = Report::new(&settings, measured, worker_threads);
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

async fn run(settings: Settings) -> anyhow::Result<Measured> {
    match settings.implementation {
        Impl::Toolexec => engine::run(&settings).await,
        Impl::Raw => Ok(baseline_raw::run(&settings).await),
        Impl::Tower => Ok(baseline_tower::run(&settings).await),
    }
}
