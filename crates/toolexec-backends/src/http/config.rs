//! [`HttpConfig`]: the `[tools.NAME]` table of an HTTP tool.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::Value;
use toolexec::{PolicyError, Tool, ToolAnnotations};

use super::HttpTool;
use crate::env::resolve_env;
use crate::spec::tool_spec;

/// An HTTP endpoint as a tool, as written under `[tools.NAME]` with `backend = "http"`.
///
/// ```toml
/// [tools.forecast]
/// backend = "http"
/// url = "https://forecast.example/v1/demand"
/// headers = { Authorization = "Bearer ${FORECAST_TOKEN}" }
/// max_response_bytes = 1048576
/// ```
///
/// `POST`, `PUT` and `PATCH` send the input as a JSON body; `GET` and `DELETE` send the
/// input's top-level scalar fields as query parameters. A 2xx answer must be JSON (an
/// empty body is `null`). Header values may reference environment variables as
/// `${NAME}`; they are resolved by [`HttpConfig::build`] and never logged or shown.
/// A call that carries an idempotency key sends it as the `Idempotency-Key` header.
///
/// # Default
///
/// `method = "POST"`, no headers, `max_response_bytes = 10485760` (10 MiB), the
/// description `"HTTP <METHOD> <url>"`, an input schema accepting any object and the
/// default [`ToolAnnotations`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// The request method: `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    #[serde(default = "default_method")]
    pub method: String,
    /// The endpoint, `http://` or `https://`.
    pub url: String,
    /// Extra request headers; values may contain `${ENV_VAR}` references.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The largest response body accepted, in bytes.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: u64,
    /// What the tool does, for people and models choosing tools.
    #[serde(default)]
    pub description: Option<String>,
    /// The JSON Schema of the tool's input.
    #[serde(default)]
    pub input_schema: Option<Value>,
    /// Side-effect hints that feed the retry rules.
    #[serde(default)]
    pub annotations: Option<ToolAnnotations>,
}

fn default_method() -> String {
    "POST".to_owned()
}

fn default_max_response_bytes() -> u64 {
    10 * 1024 * 1024
}

impl HttpConfig {
    /// A `POST` of JSON to `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            method: default_method(),
            url: url.into(),
            headers: BTreeMap::new(),
            max_response_bytes: default_max_response_bytes(),
            description: None,
            input_schema: None,
            annotations: None,
        }
    }

    /// Validates the configuration, resolves header secrets and builds the tool `name`.
    pub fn build(&self, name: &str) -> Result<Arc<dyn Tool>, PolicyError> {
        Ok(Arc::new(self.build_tool(name)?))
    }

    /// [`HttpConfig::build`], returning the concrete tool.
    pub fn build_tool(&self, name: &str) -> Result<HttpTool, PolicyError> {
        let method = parse_method(&self.method)?;
        let url = Url::parse(&self.url)
            .map_err(|e| PolicyError::new("url", format!("`{}` is not a URL: {e}", self.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(PolicyError::new(
                "url",
                format!(
                    "`{}` must be an http:// or https:// URL with a host",
                    self.url
                ),
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(PolicyError::new(
                "max_response_bytes",
                "must be greater than 0",
            ));
        }
        let headers = self.resolve_headers()?;
        let spec = tool_spec(
            name,
            self.description.as_deref(),
            || format!("HTTP {method} {url}"),
            self.input_schema.as_ref(),
            self.annotations,
        )?;
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| PolicyError::new("url", format!("cannot build an HTTP client: {e}")))?;
        Ok(HttpTool::new(
            spec,
            client,
            method,
            url,
            headers,
            self.max_response_bytes,
        ))
    }

    fn resolve_headers(&self) -> Result<HeaderMap, PolicyError> {
        let mut headers = HeaderMap::with_capacity(self.headers.len());
        for (name, template) in &self.headers {
            let key = format!("headers.{name}");
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| PolicyError::new(&key, "is not a valid HTTP header name"))?;
            let mut value = HeaderValue::from_str(&resolve_env(template, &key)?).map_err(|_| {
                PolicyError::new(&key, "value has characters not allowed in an HTTP header")
            })?;
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        Ok(headers)
    }
}

fn parse_method(method: &str) -> Result<Method, PolicyError> {
    match method.to_ascii_uppercase().as_str() {
        "GET" => Ok(Method::GET),
        "POST" => Ok(Method::POST),
        "PUT" => Ok(Method::PUT),
        "PATCH" => Ok(Method::PATCH),
        "DELETE" => Ok(Method::DELETE),
        _ => Err(PolicyError::new(
            "method",
            format!("must be GET, POST, PUT, PATCH or DELETE, got `{method}`"),
        )),
    }
}
