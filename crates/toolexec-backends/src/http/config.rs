//! [`HttpConfig`]: the `[tools.NAME]` table of an HTTP tool.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::Value;
use toolexec::{PolicyError, Tool, ToolAnnotations};

use super::redact::Secrets;
use super::HttpTool;
use crate::env::resolve_with;
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
/// `POST`, `PUT` and `PATCH` send the input as a JSON body; `GET`, `HEAD`, `OPTIONS`
/// and `DELETE` send the input's top-level scalar fields as query parameters. A 2xx answer must be JSON (an
/// empty body is `null`). Header values may reference environment variables as
/// `${NAME}`; they are resolved by [`HttpConfig::build`] and never logged or shown:
/// the resolved values are secrets, replaced by `[redacted]` in every error message
/// and result the tool returns, even when the peer echoes them back. An
/// `Authorization` header whose credentials are empty or only whitespace is refused.
/// A call that carries an idempotency key sends it as the `Idempotency-Key` header.
///
/// # Default
///
/// `method = "POST"`, no headers, `max_response_bytes = 10485760` (10 MiB), the
/// description `"HTTP <METHOD> <url>"`, an input schema accepting any object, and
/// annotations from the method's semantics (RFC 9110 section 9.2): `GET`, `HEAD` and
/// `OPTIONS` are read-only and idempotent, `PUT` and `DELETE` idempotent, `POST` and
/// `PATCH` neither, so that they are not re-sent after an outcome-unknown failure
/// without an idempotency key.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// The request method: `GET`, `HEAD`, `OPTIONS`, `POST`, `PUT`, `PATCH` or `DELETE`.
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
    /// Side-effect hints that feed the retry rules; derived from the method when absent.
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
        let (headers, secrets) = self.resolve_headers()?;
        let spec = tool_spec(
            name,
            self.description.as_deref(),
            || format!("HTTP {method} {url}"),
            self.input_schema.as_ref(),
            Some(self.annotations.unwrap_or_else(|| annotations_of(&method))),
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
            secrets,
            self.max_response_bytes,
        ))
    }

    /// The headers with their `${ENV}` references resolved, and the resolved values
    /// as the tool's secrets.
    fn resolve_headers(&self) -> Result<(HeaderMap, Secrets), PolicyError> {
        let mut headers = HeaderMap::with_capacity(self.headers.len());
        let resolved = RefCell::new(Vec::new());
        let lookup = |name: &str| {
            let value = std::env::var(name).ok();
            if let Some(value) = &value {
                resolved.borrow_mut().push(value.clone());
            }
            value
        };
        for (name, template) in &self.headers {
            let key = format!("headers.{name}");
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| PolicyError::new(&key, "is not a valid HTTP header name"))?;
            let text = resolve_with(template, &key, lookup)?;
            if header == AUTHORIZATION && lacks_credentials(&text) {
                return Err(PolicyError::new(
                    &key,
                    "the credentials are empty or only whitespace (is the environment \
                     variable it names set to a real token?)",
                ));
            }
            let mut value = HeaderValue::from_str(&text).map_err(|_| {
                PolicyError::new(&key, "value has characters not allowed in an HTTP header")
            })?;
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        Ok((headers, Secrets::new(resolved.into_inner())))
    }
}

fn parse_method(method: &str) -> Result<Method, PolicyError> {
    match method.to_ascii_uppercase().as_str() {
        "GET" => Ok(Method::GET),
        "POST" => Ok(Method::POST),
        "PUT" => Ok(Method::PUT),
        "PATCH" => Ok(Method::PATCH),
        "DELETE" => Ok(Method::DELETE),
        "HEAD" => Ok(Method::HEAD),
        "OPTIONS" => Ok(Method::OPTIONS),
        _ => Err(PolicyError::new(
            "method",
            format!("must be GET, HEAD, OPTIONS, POST, PUT, PATCH or DELETE, got `{method}`"),
        )),
    }
}

/// The side effects `method` has by its definition (RFC 9110 section 9.2): safe methods
/// are read-only, and safe methods, `PUT` and `DELETE` are idempotent.
fn annotations_of(method: &Method) -> ToolAnnotations {
    let read_only = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    ToolAnnotations {
        read_only,
        idempotent: read_only || matches!(*method, Method::PUT | Method::DELETE),
        destructive: *method == Method::DELETE,
    }
}

/// Whether an `Authorization` value carries no credentials: empty, only whitespace,
/// or a scheme followed by nothing but whitespace (`"Bearer   "`).
fn lacks_credentials(value: &str) -> bool {
    let value = value.trim();
    match value.split_once(char::is_whitespace) {
        None => value.is_empty() || value.eq_ignore_ascii_case("bearer"),
        Some((_, credentials)) => credentials.trim().is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_and_patch_are_not_idempotent_by_default() {
        for method in [Method::POST, Method::PATCH] {
            assert!(annotations_of(&method).is_mutating(), "{method}");
        }
    }

    #[test]
    fn get_head_options_put_delete_are_idempotent_by_default() {
        for method in [
            Method::GET,
            Method::HEAD,
            Method::OPTIONS,
            Method::PUT,
            Method::DELETE,
        ] {
            assert!(annotations_of(&method).idempotent, "{method}");
        }
        assert!(annotations_of(&Method::GET).read_only);
        assert!(!annotations_of(&Method::PUT).read_only);
    }

    #[test]
    fn whitespace_credentials_are_no_credentials() {
        for value in ["", "   ", "Bearer", "Bearer    ", "Bearer \t ", " bearer  "] {
            assert!(lacks_credentials(value), "{value:?}");
        }
        for value in ["Bearer x", "Basic dXNlcjpwYXNz", "token"] {
            assert!(!lacks_credentials(value), "{value:?}");
        }
    }
}
