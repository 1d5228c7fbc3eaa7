//! What the logs and the OpenTelemetry export are asked to do: the log format, and the
//! export settings of a `[telemetry]` table merged with the standard `OTEL_*`
//! environment variables (which win over the table).

use std::fmt;
use std::str::FromStr;

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!(
                "unknown log format `{other}`: use `text` or `json`"
            )),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Text => "text",
            Self::Json => "json",
        })
    }
}

/// The log filter when `RUST_LOG` is not set: toolexec's own messages from `info` up,
/// other crates' warnings, and none of the engine's per-call spans (they are for traces;
/// `RUST_LOG=toolexec::trace=info` logs them too).
pub const DEFAULT_LOG_FILTER: &str = "warn,toolexec=info,toolexec::trace=off";

/// The export settings of a `[telemetry]` table. Every field is optional: the standard
/// environment variables fill in or override what the table leaves out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportSettings {
    /// Export traces and metrics over OTLP (`enabled`). Off unless set, or unless an
    /// `OTEL_EXPORTER_OTLP_*ENDPOINT` or `OTEL_TRACES_EXPORTER=otlp` asks for it.
    pub enabled: Option<bool>,
    /// The OTLP/HTTP collector's base URL (`endpoint`, default
    /// `http://localhost:4318`); `/v1/traces` and `/v1/metrics` are added to it.
    pub endpoint: Option<String>,
    /// The `service.name` of the exported resource (`service_name`, default
    /// `toolexec`).
    pub service_name: Option<String>,
    /// The share of traces kept, 0 to 1 (`sample_ratio`, default 1): a root span is
    /// sampled with this probability, a child follows its parent's decision.
    pub sample_ratio: Option<f64>,
}

/// The export as resolved from the table and the environment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Export {
    /// The base URL given by the table, when no endpoint variable overrides it.
    pub(crate) endpoint: Option<String>,
    /// The service name given by the table, when no variable overrides it.
    pub(crate) service_name: Option<String>,
    /// The sample ratio given by the table, when `OTEL_TRACES_SAMPLER` does not say.
    pub(crate) sample_ratio: Option<f64>,
}

impl ExportSettings {
    /// Whether to export, and with what, given the environment `env`: `None` when the
    /// export is off. `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none` turn it
    /// off whatever the table says.
    pub(crate) fn resolve(&self, env: impl Fn(&str) -> Option<String>) -> Option<Export> {
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        if set("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return None;
        }
        let endpoint_var = set("OTEL_EXPORTER_OTLP_ENDPOINT").is_some()
            || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").is_some();
        let on = match set("OTEL_TRACES_EXPORTER").as_deref().map(str::trim) {
            Some("none") => false,
            Some(_) => true,
            None => endpoint_var || self.enabled == Some(true),
        };
        if !on {
            return None;
        }
        let service_var = set("OTEL_SERVICE_NAME").is_some()
            || set("OTEL_RESOURCE_ATTRIBUTES").is_some_and(|v| v.contains("service.name="));
        Some(Export {
            endpoint: self.endpoint.clone().filter(|_| !endpoint_var),
            service_name: if service_var {
                None
            } else {
                Some(
                    self.service_name
                        .clone()
                        .unwrap_or_else(|| "toolexec".into()),
                )
            },
            sample_ratio: self
                .sample_ratio
                .filter(|_| set("OTEL_TRACES_SAMPLER").is_none()),
        })
    }

    /// Checks the values a table gave, naming the first bad key.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if let Some(ratio) = self.sample_ratio {
            check_sample_ratio(&ratio).map_err(|e| ("sample_ratio", e))?;
        }
        if let Some(endpoint) = &self.endpoint {
            check_endpoint(endpoint).map_err(|e| ("endpoint", e))?;
        }
        if let Some(name) = &self.service_name {
            check_service_name(name).map_err(|e| ("service_name", e))?;
        }
        Ok(())
    }
}

/// Checks a `sample_ratio`: 0 to 1.
pub fn check_sample_ratio(ratio: &f64) -> Result<(), String> {
    if (0.0..=1.0).contains(ratio) {
        Ok(())
    } else {
        Err(format!("must be 0 to 1, got {ratio}"))
    }
}

/// Checks an `endpoint`: an `http://` or `https://` URL.
pub fn check_endpoint(endpoint: &str) -> Result<(), String> {
    if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
        Ok(())
    } else {
        Err(format!(
            "must be an http:// or https:// URL, got `{endpoint}`"
        ))
    }
}

/// Checks a `service_name`: not empty.
pub fn check_service_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_export_is_off_unless_the_table_or_the_environment_asks_for_it() {
        let table = ExportSettings::default();
        assert_eq!(table.resolve(env(&[])), None);
        let on = ExportSettings {
            enabled: Some(true),
            ..ExportSettings::default()
        };
        let export = on.resolve(env(&[])).expect("on");
        assert_eq!(export.service_name.as_deref(), Some("toolexec"));
        let by_env = table.resolve(env(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://127.0.0.1:1",
        )]));
        assert!(by_env.is_some());
        assert!(table
            .resolve(env(&[("OTEL_TRACES_EXPORTER", "otlp")]))
            .is_some());
    }

    #[test]
    fn the_standard_variables_win_over_the_table() {
        let table = ExportSettings {
            enabled: Some(true),
            endpoint: Some("http://collector:4318".into()),
            service_name: Some("agents".into()),
            sample_ratio: Some(0.5),
        };
        let export = table
            .resolve(env(&[
                (
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    "http://127.0.0.1:9/v1/traces",
                ),
                ("OTEL_SERVICE_NAME", "from-env"),
                ("OTEL_TRACES_SAMPLER", "always_off"),
            ]))
            .expect("on");
        assert_eq!(export.endpoint, None);
        assert_eq!(export.service_name, None);
        assert_eq!(export.sample_ratio, None);
        assert_eq!(table.resolve(env(&[("OTEL_SDK_DISABLED", "true")])), None);
        assert_eq!(
            table.resolve(env(&[("OTEL_TRACES_EXPORTER", "none")])),
            None
        );
    }

    #[test]
    fn bad_table_values_are_refused_naming_the_key() {
        let bad_ratio = ExportSettings {
            sample_ratio: Some(1.5),
            ..ExportSettings::default()
        };
        assert_eq!(bad_ratio.validate().unwrap_err().0, "sample_ratio");
        let bad_endpoint = ExportSettings {
            endpoint: Some("127.0.0.1:4318".into()),
            ..ExportSettings::default()
        };
        assert_eq!(bad_endpoint.validate().unwrap_err().0, "endpoint");
        assert_eq!(
            "yaml".parse::<LogFormat>().unwrap_err(),
            "unknown log format `yaml`: use `text` or `json`"
        );
    }
}
