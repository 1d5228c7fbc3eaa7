//! The `supplier_analyzer` Lambda function: one binary per group, so that one `cargo lambda
//! watch` serves all three groups under their own function names.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    supply_chain_lambda::run(Some("supplier_analyzer")).await
}
