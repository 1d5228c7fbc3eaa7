//! The Lambda entry point: serves the tool group named by `TOOL_GROUP` (or the function's
//! own name), with the database at `SUPPLY_CHAIN_DB` (default `/tmp/supply_chain.db`).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    supply_chain_lambda::run(None).await
}
