//! The Lambda entry point: serves the tool group named by `TOOL_GROUP` (or the function's
//! own name), with the database at `SUPPLY_CHAIN_DB` (default `/tmp/supply_chain.db`).

use std::sync::Arc;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;
use supply_chain::{Store, GROUPS};
use supply_chain_lambda::{group_from_env, handle, DB_ENV};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let group = group_from_env().ok_or_else(|| {
        format!(
            "set TOOL_GROUP (or name the function) to one of: {}",
            GROUPS.join(", ")
        )
    })?;
    let path = std::env::var(DB_ENV).unwrap_or_else(|_| "/tmp/supply_chain.db".into());
    let store = Arc::new(Store::open_or_seed(&path, 1)?);
    let group: Arc<str> = group.into();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let (group, store) = (group.clone(), store.clone());
        async move { Ok::<Value, Error>(handle(&group, event.payload, store).await) }
    }))
    .await
}
