//! The tool every implementation calls: the engine's public `sim` tool, configured
//! from the settings, so latency, fail-first-K and hang-every-M behave identically.

use std::sync::Arc;

use toolexec::{SimConfig, SimTool};

use crate::settings::Settings;

/// The tool's name in every workload.
pub(crate) const TOOL: &str = "sim";

/// A fresh sim tool for one run (its invocation counter drives `hang_every`).
pub(crate) fn tool(settings: &Settings) -> Arc<SimTool> {
    Arc::new(SimTool::new(
        TOOL,
        SimConfig {
            latency: settings.latency,
            fail_first: settings.fail_first,
            hang_every: settings.hang_every,
            ..SimConfig::default()
        },
    ))
}
