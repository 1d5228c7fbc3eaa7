//! `toolexec serve`: the HTTP/JSON API, event stream, metrics and dashboard.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use supply_chain_agents::{Catalog, Orchestrator};
use toolexec_server::{AppState, Asker, Limits};

use super::{Common, OK};
use crate::assemble::{self, Overrides};
use crate::journal;
use crate::stop_signals::StopSignals;

/// Arguments of `toolexec serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to listen. A non-loopback address needs TOOLEXEC_API_TOKEN.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The server's limits.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The durable journal of batches and calls [default: journal.db beside the
    /// database]; batches, history and statistics survive a restart.
    #[arg(long, value_name = "FILE", conflicts_with = "no_journal")]
    pub journal: Option<PathBuf>,
    /// Keep no journal: batches, history and statistics live in memory only.
    #[arg(long)]
    pub no_journal: bool,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// The server's limits; each defaults to the server's documented default.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Connections served at once; more wait until one closes [default: 1024].
    #[arg(long)]
    pub max_connections: Option<usize>,
    /// How long a client may take to send a request's headers, counted from when the
    /// server starts waiting (so also how long a kept-alive connection may idle)
    /// [default: 10000].
    #[arg(long)]
    pub header_read_timeout_ms: Option<u64>,
    /// How long a client may take to send a request's body [default: 30000].
    #[arg(long)]
    pub body_read_timeout_ms: Option<u64>,
    /// Bytes of finished batches kept for polling; oldest evicted first
    /// [default: 268435456].
    #[arg(long)]
    pub max_retained_bytes: Option<usize>,
    /// Calls of running batches; more are refused with 429 and Retry-After
    /// [default: 100000].
    #[arg(long)]
    pub max_inflight_calls: Option<usize>,
    /// Bytes of running batches (their calls as JSON); more are refused with 429
    /// [default: 67108864].
    #[arg(long)]
    pub max_inflight_bytes: Option<usize>,
    /// On SIGTERM or Ctrl-C, how long running batches may go on before they are
    /// cancelled; 0 cancels them at once, and a second signal cancels them now
    /// [default: 10000].
    #[arg(long)]
    pub grace_ms: Option<u64>,
}

impl LimitArgs {
    /// The server's default limits with these flags applied.
    pub fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        let ms = Duration::from_millis;
        if let Some(n) = self.max_connections {
            limits.max_connections = n;
        }
        if let Some(n) = self.header_read_timeout_ms {
            limits.header_read_timeout = ms(n);
        }
        if let Some(n) = self.body_read_timeout_ms {
            limits.body_read_timeout = ms(n);
        }
        if let Some(n) = self.max_retained_bytes {
            limits.max_retained_bytes = n;
        }
        if let Some(n) = self.max_inflight_calls {
            limits.max_inflight_calls = n;
        }
        if let Some(n) = self.max_inflight_bytes {
            limits.max_inflight_bytes = n;
        }
        if let Some(n) = self.grace_ms {
            limits.shutdown_grace = ms(n);
        }
        limits
    }
}

/// Runs the command until SIGTERM or Ctrl-C, then stops gracefully (see
/// [`toolexec_server::serve_listener`]) and exits 0.
pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = args.common.load_config()?;
    let db = args.common.db_path();
    let store = assemble::open_store(&db)?;
    let journal = match (args.no_journal, &args.journal) {
        (true, _) => None,
        (false, Some(path)) => Some(journal::open(path, &config.journal)?),
        (false, None) => Some(journal::open(&journal::default_path(&db), &config.journal)?),
    };
    let overrides = Overrides {
        journal: journal.clone().map(|j| j as Arc<dyn toolexec::Journal>),
        ..Overrides::default()
    };
    let executor = assemble::executor(&config, store.clone(), overrides).await?;
    if let Some(journal) = &journal {
        journal::restore(&executor, journal)?;
    }
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
    let mut state = AppState::builder(executor)
        .limits(args.limits.limits())
        .api_token_from_env()
        .asker(asker);
    if let Some(journal) = &journal {
        state = state.journal(journal.clone());
    }
    let state = state.build()?;
    eprintln!(
        "toolexec: serving the API and dashboard on http://{}",
        args.addr
    );
    let shutdown = stop_on_signal(state.clone(), StopSignals::listen()?);
    toolexec_server::serve_with_shutdown(args.addr, state, shutdown).await?;
    if let Some(journal) = &journal {
        journal::flush(journal);
    }
    Ok(ExitCode::from(OK))
}

/// Completes at the first stop signal; a second one ends the grace period at once.
async fn stop_on_signal(state: AppState, mut signals: StopSignals) {
    let signal = signals.next().await;
    eprintln!(
        "toolexec: {signal}: stopping; running batches get {} ms to finish (signal again \
         to cancel them now)",
        state.limits().shutdown_grace.as_millis()
    );
    tokio::spawn(async move {
        let signal = signals.next().await;
        eprintln!("toolexec: {signal}: cancelling the running batches now");
        state.end_grace();
    });
}
