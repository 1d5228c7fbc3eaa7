//! `toolexec serve`: the HTTP/JSON API, event stream, metrics and dashboard.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use supply_chain_agents::{Catalog, Orchestrator};
use toolexec_server::{AppState, Asker};

use super::{Common, OK};
use crate::assemble::{self, Overrides};

/// Arguments of `toolexec serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to listen. A non-loopback address needs TOOLEXEC_API_TOKEN.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// Runs the command until Ctrl-C.
pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = args.common.load_config()?;
    let store = assemble::open_store(&args.common.db_path())?;
    let executor = assemble::executor(&config, store.clone(), Overrides::default()).await?;
    let catalog = tokio::task::spawn_blocking(move || Catalog::load(&store)).await??;
    let assistant = Arc::new(Orchestrator::new(executor.clone(), Arc::new(catalog)));
    let asker: Asker = Arc::new(move |question: String| {
        let assistant = assistant.clone();
        Box::pin(async move {
            let answer = assistant.ask(&question).await.map_err(|e| e.message)?;
            Ok(serde_json::json!({
                "answer": answer.text(),
                "understood": answer.query,
                "agents": answer.agents,
                "envelopes": answer.envelopes,
            }))
        })
    });
    let state = AppState::builder(executor)
        .api_token_from_env()
        .asker(asker)
        .build()?;
    eprintln!(
        "toolexec: serving the API and dashboard on http://{}",
        args.addr
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    toolexec_server::serve_with_shutdown(args.addr, state, shutdown).await?;
    Ok(ExitCode::from(OK))
}
