//! The supply-chain tools as AWS Lambda functions: each tool call goes to the function
//! of its group (`inventory_optimizer`, `logistics_optimizer`, `supplier_analyzer`)
//! with the backend's structured protocol (`{"tool", "input"}` in, `{success, result |
//! error}` out), so agents see the same results as in-process.

use std::sync::Arc;

use toolexec::{PolicyError, Tool, ToolAnnotations};
use toolexec_backends::{LambdaConfig, LambdaProtocol};

/// Where the functions are.
#[derive(Debug, Clone, Default)]
pub struct LambdaTarget {
    /// A local emulator or another Lambda API endpoint.
    pub endpoint_url: Option<String>,
    /// The AWS region.
    pub region: Option<String>,
}

/// The Lambda configuration of one supply-chain tool: its group's function, the
/// structured protocol, and the in-process tool's description, schema and hints.
pub fn function_config(def: &supply_chain::tools::ToolDef, target: &LambdaTarget) -> LambdaConfig {
    let mut config = LambdaConfig::new(def.group);
    config.endpoint_url = target.endpoint_url.clone();
    config.region = target.region.clone();
    config.protocol = LambdaProtocol::Structured;
    config.description = Some(def.description.to_owned());
    config.input_schema = Some((def.schema)());
    config.annotations = Some(ToolAnnotations::read_only());
    config
}

/// The supply-chain tools, each calling its group's function at `target`.
pub async fn supply_chain_functions(
    target: &LambdaTarget,
) -> Result<Vec<Arc<dyn Tool>>, PolicyError> {
    let mut tools = Vec::new();
    for def in supply_chain::tools::definitions() {
        tools.push(function_config(&def, target).build(def.name).await?);
    }
    Ok(tools)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_tool_goes_to_its_groups_function_with_its_own_spec() {
        let target = LambdaTarget {
            endpoint_url: Some("http://127.0.0.1:9".into()),
            region: None,
        };
        let tools = supply_chain_functions(&target).await.unwrap();
        let defs = supply_chain::tools::definitions();
        assert_eq!(tools.len(), defs.len());
        for (tool, def) in tools.iter().zip(&defs) {
            assert_eq!(tool.spec().name, def.name);
            assert_eq!(tool.spec().input_schema, (def.schema)());
            let config = function_config(def, &target);
            assert_eq!(config.function_name, def.group);
            assert_eq!(config.protocol, LambdaProtocol::Structured);
        }
    }
}
