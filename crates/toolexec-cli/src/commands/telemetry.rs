//! The process's logs and telemetry, started from `--log-format`, `RUST_LOG`, the
//! configuration's `[telemetry]` table and the standard `OTEL_*` variables.

use toolexec_telemetry::{ExportSettings, LogFormat, Telemetry};

use crate::config::Config;

/// Installs the log subscriber and, when the configuration (if the command takes one)
/// or the `OTEL_*` variables ask for it, the OpenTelemetry export; a bad `RUST_LOG` is
/// an error naming what is wrong.
pub fn start_telemetry(format: LogFormat, config: Option<&Config>) -> anyhow::Result<Telemetry> {
    let default = ExportSettings::default();
    let export = config.map_or(&default, |config| &config.telemetry);
    Ok(toolexec_telemetry::init(format, export)?)
}
