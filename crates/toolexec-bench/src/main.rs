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
mod journal;
mod ledger;
mod outcome;
mod report;
mod settings;
mod sim;
mod stopwatch;
mod thread_time;

use std::sync::Arc;

use clap::Parser;
use toolexec::Journal;

use crate::journal::BenchJournal;
use crate::report::{Measured, Report};
use crate::settings::{Args, Impl, Settings};

/// With the `jemalloc` feature, the allocator the `toolexec` binary ships with.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let settings = args.resolve()?;
    let telemetry = args.otlp_endpoint().map(export_spans).transpose()?;
    let journal = args
        .journal()
        .map(|path| BenchJournal::open(path, args.journal_queue()))
        .transpose()?;
    let worker_threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads)
        .enable_time()
        .build()?;
    let engine_journal = journal.as_ref().map(BenchJournal::engine);
    let measured = runtime.block_on(run(settings, engine_journal))?;
    let cost = journal
        .as_ref()
        .map(|j| j.finish(settings.calls, measured.spent.wall))
        .transpose()?;
    let report = Report::new(&settings, measured, worker_threads).with_journal(cost);
    println!("{}", serde_json::to_string(&report)?);
    drop(runtime);
    if let Some(telemetry) = telemetry {
        telemetry.shutdown()?;
    }
    Ok(())
}

/// Exports the engine's spans to the OTLP/HTTP collector at `endpoint`.
fn export_spans(endpoint: &str) -> anyhow::Result<toolexec_telemetry::Telemetry> {
    let export = toolexec_telemetry::ExportSettings {
        enabled: Some(true),
        endpoint: Some(endpoint.to_owned()),
        ..Default::default()
    };
    Ok(toolexec_telemetry::init(
        toolexec_telemetry::LogFormat::Text,
        &export,
    )?)
}

async fn run(settings: Settings, journal: Option<Arc<dyn Journal>>) -> anyhow::Result<Measured> {
    match settings.implementation {
        Impl::Toolexec => engine::run(&settings, journal).await,
        Impl::Raw => Ok(baseline_raw::run(&settings).await),
        Impl::Tower => Ok(baseline_tower::run(&settings).await),
    }
}
