//! Asking a running `toolexec serve`: the URL of a route, the bearer token from the
//! environment, and the answer as JSON with its status.

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The server's answer: its status and its JSON body (`null` when it has none).
#[derive(Debug)]
pub struct Answer {
    /// The URL asked, for messages.
    pub url: String,
    /// The HTTP status.
    pub status: StatusCode,
    /// The body as JSON.
    pub body: Value,
}

impl Answer {
    /// The server's error message, for an answer that is not a success.
    pub fn error_message(&self) -> String {
        let message = self.body["error"]["message"]
            .as_str()
            .unwrap_or("no message");
        format!("{} answered {}: {message}", self.url, self.status)
    }
}

/// Sends `method` to the route `segments` (each escaped) of `server`, with
/// `TOOLEXEC_API_TOKEN` as the bearer token when set.
pub async fn ask(server: &str, method: Method, segments: &[&str]) -> anyhow::Result<Answer> {
    let mut url = reqwest::Url::parse(server)
        .map_err(|e| anyhow::anyhow!("--server `{server}` is not a URL: {e}"))?;
    url.path_segments_mut()
        .map_err(|()| anyhow::anyhow!("--server `{server}` cannot take a path"))?
        .pop_if_empty()
        .extend(segments);
    let url = url.to_string();
    let mut request = reqwest::Client::new().request(method, &url);
    if let Ok(token) = std::env::var(toolexec_server::TOKEN_ENV) {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| {
        anyhow::anyhow!(
            "cannot reach {url}: {} (is `toolexec serve` running?)",
            e.without_url()
        )
    })?;
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok(Answer { url, status, body })
}
