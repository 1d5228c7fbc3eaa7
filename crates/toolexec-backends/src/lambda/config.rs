//! [`LambdaConfig`]: the `[tools.NAME]` table of a Lambda tool.

use std::sync::Arc;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_lambda::config::Credentials;
use serde::Deserialize;
use serde_json::Value;
use toolexec::{PolicyError, Tool, ToolAnnotations};

use super::{LambdaProtocol, LambdaTool};
use crate::spec::tool_spec;

/// An AWS Lambda function as a tool, as written under `[tools.NAME]` with
/// `backend = "lambda"`.
///
/// ```toml
/// [tools.reorder]
/// backend = "lambda"
/// function_name = "inventory_optimizer"     # a name, a partial ARN or a full ARN
/// qualifier = "live"                        # optional: a version or an alias
/// region = "eu-west-1"                      # optional: else from the environment
/// endpoint_url = "http://127.0.0.1:9000"    # optional: a local Lambda emulator
///
/// [tools.calculate_reorder_points]
/// backend = "lambda"
/// function_name = "inventory_optimizer"
/// protocol = "structured"                   # {"tool", "input"} in, {success, result | error} out
/// ```
///
/// Credentials and region come from the usual AWS sources (environment, profile,
/// instance role). With `endpoint_url` set and no `AWS_ACCESS_KEY_ID` or `AWS_PROFILE`
/// in the environment, static placeholder credentials are used (an emulator does not
/// check them), and the region defaults to `us-east-1`, so nothing reaches out to AWS.
///
/// # Default
///
/// No qualifier (`$LATEST`), the region of the environment, AWS's own endpoint, the
/// `raw` protocol, the
/// description `"AWS Lambda function <function_name>"`, an input schema accepting any
/// object and the default [`ToolAnnotations`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaConfig {
    /// The function: `my-function`, `123456789012:function:my-function` or
    /// `arn:aws:lambda:us-west-2:123456789012:function:my-function`.
    pub function_name: String,
    /// A version or alias to invoke.
    #[serde(default)]
    pub qualifier: Option<String>,
    /// The AWS region, such as `us-east-1`.
    #[serde(default)]
    pub region: Option<String>,
    /// Another endpoint for the Lambda API, such as a local emulator.
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// How the input and the answer are framed: `"raw"` or `"structured"`.
    #[serde(default)]
    pub protocol: LambdaProtocol,
    /// With `protocol = "structured"`: the tool named in the event; the tool's own
    /// name when absent.
    #[serde(default)]
    pub remote_tool: Option<String>,
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

impl LambdaConfig {
    /// The function `function_name` with the defaults.
    pub fn new(function_name: impl Into<String>) -> Self {
        Self {
            function_name: function_name.into(),
            qualifier: None,
            region: None,
            endpoint_url: None,
            protocol: LambdaProtocol::Raw,
            remote_tool: None,
            description: None,
            input_schema: None,
            annotations: None,
        }
    }

    /// Sets [`LambdaConfig::endpoint_url`].
    pub fn with_endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Checks every key without loading AWS settings, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        validate_function_name(&self.function_name)?;
        if let Some(qualifier) = &self.qualifier {
            let valid = !qualifier.is_empty()
                && qualifier.len() <= 128
                && qualifier
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '_' | '-'));
            if !valid {
                return Err(PolicyError::new(
                    "qualifier",
                    format!("`{qualifier}` is not a version or alias name (letters, digits, `$`, `_`, `-`; 1 to 128)"),
                ));
            }
        }
        if let Some(region) = &self.region {
            let valid = !region.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid {
                return Err(PolicyError::new(
                    "region",
                    format!("`{region}` is not an AWS region name such as `us-east-1`"),
                ));
            }
        }
        if let Some(url) = &self.endpoint_url {
            let host = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"))
                .unwrap_or_default();
            if host.is_empty() || host.starts_with('/') || host.contains(char::is_whitespace) {
                return Err(PolicyError::new(
                    "endpoint_url",
                    format!("`{url}` must be an http:// or https:// URL with a host"),
                ));
            }
        }
        if let Some(tool) = &self.remote_tool {
            if self.protocol != LambdaProtocol::Structured {
                return Err(PolicyError::new(
                    "remote_tool",
                    "only a `protocol = \"structured\"` function takes a remote tool name",
                ));
            }
            if tool.trim().is_empty() {
                return Err(PolicyError::new("remote_tool", "must not be empty"));
            }
        }
        Ok(())
    }

    /// Validates the configuration, loads AWS settings and builds the tool `name`.
    pub async fn build(&self, name: &str) -> Result<Arc<dyn Tool>, PolicyError> {
        Ok(Arc::new(self.build_tool(name).await?))
    }

    /// [`LambdaConfig::build`], returning the concrete tool.
    pub async fn build_tool(&self, name: &str) -> Result<LambdaTool, PolicyError> {
        self.validate()?;
        let spec = tool_spec(
            name,
            self.description.as_deref(),
            || format!("AWS Lambda function {}", self.function_name),
            self.input_schema.as_ref(),
            self.annotations,
        )?;
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::disabled());
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
            if self.region.is_none() && !env_has("AWS_REGION") && !env_has("AWS_DEFAULT_REGION") {
                loader = loader.region(Region::from_static("us-east-1"));
            }
            if !env_has("AWS_ACCESS_KEY_ID") && !env_has("AWS_PROFILE") {
                loader = loader.credentials_provider(Credentials::new(
                    "toolexec-local",
                    "toolexec-local",
                    None,
                    None,
                    "toolexec-static-emulator-credentials",
                ));
            }
        }
        let sdk_config = loader.load().await;
        if sdk_config.region().is_none() {
            return Err(PolicyError::new(
                "region",
                "no AWS region configured: set `region` or AWS_REGION",
            ));
        }
        let client = aws_sdk_lambda::Client::new(&sdk_config);
        Ok(LambdaTool::new(
            spec,
            client,
            self.function_name.clone(),
            self.qualifier.clone(),
            self.protocol,
            self.remote_tool.clone().unwrap_or_else(|| name.to_owned()),
        ))
    }
}

fn env_has(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

/// A name (1-64), partial ARN or full ARN (at most 140), of Lambda's characters.
fn validate_function_name(name: &str) -> Result<(), PolicyError> {
    let bad = |reason: String| Err(PolicyError::new("function_name", reason));
    if name.is_empty() {
        return bad("must not be empty".to_owned());
    }
    if name.len() > 140 {
        return bad(format!("is {} characters long; at most 140", name.len()));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '$');
    if let Some(c) = name.chars().find(|&c| !allowed(c)) {
        return bad(format!(
            "`{name}` has `{c}`; a function name, partial ARN or ARN has letters, digits, `-`, `_` and `:`"
        ));
    }
    if !name.contains(':') && name.len() > 64 {
        return bad(format!("`{name}` is longer than 64 characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(config: &LambdaConfig) -> Option<String> {
        config.validate().err().map(|e| e.key)
    }

    #[test]
    fn names_partial_arns_and_arns_are_accepted() {
        for name in [
            "inventory_optimizer",
            "123456789012:function:inventory_optimizer",
            "arn:aws:lambda:us-west-2:123456789012:function:inventory_optimizer:live",
        ] {
            assert_eq!(key_of(&LambdaConfig::new(name)), None, "{name}");
        }
    }

    #[test]
    fn bad_values_name_their_key() {
        assert_eq!(
            key_of(&LambdaConfig::new("")).as_deref(),
            Some("function_name")
        );
        assert_eq!(
            key_of(&LambdaConfig::new("a b")).as_deref(),
            Some("function_name")
        );
        let mut config = LambdaConfig::new("f");
        config.qualifier = Some("v 1".into());
        assert_eq!(key_of(&config).as_deref(), Some("qualifier"));
        let mut config = LambdaConfig::new("f");
        config.region = Some("US East".into());
        assert_eq!(key_of(&config).as_deref(), Some("region"));
        let config = LambdaConfig::new("f").with_endpoint_url("localhost:9000");
        assert_eq!(key_of(&config).as_deref(), Some("endpoint_url"));
    }
}
