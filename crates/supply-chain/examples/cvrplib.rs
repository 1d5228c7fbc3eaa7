//! Solves CVRPLIB instances with `optimize_routes` and prints the gap to a best-known cost.
//!
//! ```text
//! cargo run --release -p supply-chain --example cvrplib -- tests/data/A-n32-k5.vrp 784 3000
//! ```

use supply_chain::logistics::tsplib;
use supply_chain::{dispatch, Store};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: cvrplib FILE [BEST_KNOWN] [TIME_MS]"))?;
    let best_known: Option<f64> = args.next().map(|v| v.parse()).transpose()?;
    let time_ms: u64 = args.next().map(|v| v.parse()).transpose()?.unwrap_or(5000);
    let instance = tsplib::parse(&std::fs::read_to_string(&path)?).map_err(anyhow::Error::msg)?;
    let store = Store::in_memory()?;
    let mut input = instance.to_tool_input(time_ms);
    input["max_iterations"] = serde_json::json!(100_000);
    let result = dispatch("logistics_optimizer", "optimize_routes", &input, &store)?;
    let cost = result["total_distance"].as_f64().unwrap_or(f64::NAN);
    let gap = best_known
        .map(|b| format!(", gap {:.2}%", (cost - b) / b * 100.0))
        .unwrap_or_default();
    println!(
        "{}: {} routes, cost {cost}{gap}, {} ms",
        instance.name, result["vehicles_used"], result["solver"]["elapsed_ms"]
    );
    Ok(())
}
