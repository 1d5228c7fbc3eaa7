//! [`HttpTool`]: one attempt is one request.

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use reqwest::{Client, Method, Url};
use serde_json::Value;
use toolexec::{CallContext, Tool, ToolError, ToolSpec};
use toolexec_telemetry::propagation::current_trace_context;

use crate::deadline::backstop_remaining;

use super::redact::Secrets;
use super::response::{read_json, send_error, status_error};

/// An HTTP endpoint as a [`Tool`]; built by [`HttpConfig::build`](super::HttpConfig::build).
///
/// Each attempt sends one request whose timeout is the time left before the attempt's
/// deadline. When the engine gives up on an attempt (timeout or cancellation) the
/// request future is dropped and the connection closed; whether the server stops its
/// work then is up to the server.
pub struct HttpTool {
    spec: ToolSpec,
    client: Client,
    method: Method,
    url: Url,
    headers: HeaderMap,
    secrets: Secrets,
    max_response_bytes: u64,
}

impl std::fmt::Debug for HttpTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may hold secrets: only their names are shown.
        f.debug_struct("HttpTool")
            .field("name", &self.spec.name)
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl HttpTool {
    pub(super) fn new(
        spec: ToolSpec,
        client: Client,
        method: Method,
        url: Url,
        headers: HeaderMap,
        secrets: Secrets,
        max_response_bytes: u64,
    ) -> Self {
        Self {
            spec,
            client,
            method,
            url,
            headers,
            secrets,
            max_response_bytes,
        }
    }

    fn request(
        &self,
        input: &Value,
        ctx: &CallContext,
    ) -> Result<reqwest::RequestBuilder, ToolError> {
        let sends_body = !matches!(
            self.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE
        );
        let mut url = self.url.clone();
        if !sends_body {
            append_query(&mut url, input)?;
        }
        let mut request = self
            .client
            .request(self.method.clone(), url)
            .headers(self.headers.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if sends_body {
            request = request.json(input);
        }
        if let Some(key) = &ctx.idempotency_key {
            if let Ok(value) = HeaderValue::from_str(key) {
                request = request.header("Idempotency-Key", value);
            }
        }
        // The attempt's span, as the parent of the endpoint's own spans.
        for (name, value) in current_trace_context() {
            request = request.header(name, value);
        }
        if let Some(remaining) = backstop_remaining(ctx) {
            request = request.timeout(remaining);
        }
        Ok(request)
    }

    /// One request, with the tool's secrets scrubbed from what it returns.
    async fn invoke(&self, input: &Value, ctx: CallContext) -> Result<Value, ToolError> {
        match self.exchange(input, ctx).await {
            Ok(mut result) => {
                self.secrets.scrub_value(&mut result);
                Ok(result)
            }
            Err(error) => Err(self.secrets.scrub_error(error)),
        }
    }

    async fn exchange(&self, input: &Value, ctx: CallContext) -> Result<Value, ToolError> {
        let response = self
            .request(input, &ctx)?
            .send()
            .await
            .map_err(|e| send_error(&e))?;
        if response.status().is_success() {
            read_json(response, self.max_response_bytes).await
        } else {
            Err(status_error(response).await)
        }
    }
}

impl Tool for HttpTool {
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> futures::future::BoxFuture<'a, Result<Value, ToolError>> {
        Box::pin(self.invoke(input, ctx))
    }
}

/// Adds the input's top-level scalar fields to the query string of a method that sends
/// no body.
fn append_query(url: &mut Url, input: &Value) -> Result<(), ToolError> {
    let fields =
        match input {
            Value::Null => return Ok(()),
            Value::Object(fields) => fields,
            _ => return Err(ToolError::invalid_input(
                "input",
                "a GET, HEAD, OPTIONS or DELETE tool takes an object of scalar query parameters",
            )),
        };
    let mut pairs = url.query_pairs_mut();
    for (name, value) in fields {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            _ => {
                return Err(ToolError::invalid_input(
                    name.as_str(),
                    "a query parameter must be a string, number or boolean",
                ))
            }
        };
        pairs.append_pair(name, &text);
    }
    drop(pairs);
    Ok(())
}
