//! `[telemetry]`: the OpenTelemetry export (off by default; the standard `OTEL_*`
//! environment variables override these keys).

use toolexec_telemetry::{check_endpoint, check_sample_ratio, check_service_name, ExportSettings};

use super::table::Table;
use super::ConfigError;

/// Reads the keys of a `[telemetry]` table.
pub(super) fn read_telemetry(table: &mut Table<'_, '_>) -> Result<ExportSettings, ConfigError> {
    Ok(ExportSettings {
        enabled: table.take("enabled")?,
        endpoint: table.take_checked("endpoint", |v: &String| check_endpoint(v))?,
        service_name: table.take_checked("service_name", |v: &String| check_service_name(v))?,
        sample_ratio: table.take_checked("sample_ratio", check_sample_ratio)?,
    })
}
