//! The process's logs and telemetry, started from `--log-format`, `RUST_LOG`, the
//! configuration's `[telemetry]` table and the standard `OTEL_*` variables.

use std::path::Path;

use toolexec_telemetry::{ExportSettings, LogFormat, Telemetry};

use crate::config::Config;

/// Installs the log subscriber and, when asked for, the OpenTelemetry export; a bad
/// configuration file or `RUST_LOG` is an error naming what is wrong.
pub fn start_telemetry(format: LogFormat, config: Option<&Path>) -> anyhow::Result<Telemetry> {
    let export = match config {
        Some(path) => Config::load(path)?.telemetry,
        None => ExportSettings::default(),
    };
    Ok(toolexec_telemetry::init(format, &export)?)
}
