//! `toolexec ask "QUESTION"`: the supply-chain assistant, the project's main job.

use std::process::ExitCode;
use std::sync::Arc;

use serde_json::json;
use supply_chain_agents::planner::{LlmConfig, LlmPlanner};
use supply_chain_agents::{Catalog, Orchestrator};

use super::{exit_for, print_json, Common, BAD_INPUT};

mod explain;
mod live;
use crate::assemble::{self, Overrides};
use crate::lambda_tools::LambdaTarget;
use crate::output::{self, new_table};
use crate::progress::Progress;

/// Arguments of `toolexec ask`.
#[derive(Debug, clap::Args)]
pub struct AskArgs {
    /// The question, in plain words.
    pub question: String,
    /// Machine output: one JSON document with the answer and every envelope.
    #[arg(long)]
    pub json: bool,
    /// With --json: one JSON object a line (NDJSON), each agent's findings as soon as
    /// that agent's calls are done, then the whole answer.
    #[arg(long, requires = "json")]
    pub stream: bool,
    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print how the question was understood and the planned tool calls, each with
    /// the reason it was chosen, before the answer.
    #[arg(long)]
    pub explain: bool,
    /// Who plans the tool calls: the offline rules (default) or a model behind an
    /// OpenAI-compatible API (TOOLEXEC_LLM_BASE_URL, TOOLEXEC_LLM_MODEL, TOOLEXEC_LLM_API_KEY).
    #[arg(long, value_enum, default_value_t = Planner::Rules)]
    pub planner: Planner,
    /// Where the supply-chain tools run: in this process, or as the three Lambda
    /// functions (inventory_optimizer, logistics_optimizer, supplier_analyzer).
    #[arg(long, value_enum, default_value_t = Backend::Local)]
    pub backend: Backend,
    /// The Lambda API endpoint, such as a local emulator (`cargo lambda watch`).
    #[arg(long, requires = "backend")]
    pub endpoint_url: Option<String>,
    /// The AWS region of the functions.
    #[arg(long)]
    pub region: Option<String>,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// Where the supply-chain tools run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// In this process.
    Local,
    /// As AWS Lambda functions.
    Lambda,
}

/// Who plans the tool calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Planner {
    /// Deterministic, offline intent and entity extraction.
    Rules,
    /// A model with tool calling.
    Llm,
}

/// Runs the command.
pub async fn run(args: AskArgs) -> anyhow::Result<ExitCode> {
    let question = args.question.trim();
    let store = assemble::open_store(&args.common.db_path())?;
    let config = args.common.load_config()?;
    let overrides = Overrides {
        lambda: (args.backend == Backend::Lambda).then(|| LambdaTarget {
            endpoint_url: args.endpoint_url.clone(),
            region: args.region.clone(),
        }),
        ..Overrides::default()
    };
    let executor = assemble::executor(&config, store.clone(), overrides).await?;
    let catalog = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || Catalog::load(&store)).await??
    };
    let assistant = Orchestrator::new(executor.clone(), Arc::new(catalog));
    if question.is_empty() {
        eprintln!("{}", assistant.help(question));
        return Ok(ExitCode::from(BAD_INPUT));
    }

    if args.planner == Planner::Llm {
        return ask_model(&executor, question, &args).await;
    }
    let explained = match assistant.plan(question) {
        Ok((query, plan)) => {
            if args.explain && !args.json {
                crate::output::emit(explain::render(&query, &plan));
            }
            Some(plan)
        }
        Err(_) => None,
    };
    let progress = Progress::start(&executor, 0, args.quiet || args.json);
    let outcome = assistant
        .ask_as_done(question, |agent| {
            live::agent_done(&progress, agent, args.stream)
        })
        .await;
    progress.finish().await;
    let answer = match outcome {
        Ok(answer) => answer,
        Err(unanswerable) => {
            let refusal = json!({"question": question, "error": unanswerable.message, "refusal": unanswerable.kind});
            if args.stream {
                live::emit_line("refusal", refusal)?;
            } else if args.json {
                print_json(&refusal)?;
            } else {
                eprintln!("{unanswerable}");
            }
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    if args.json {
        let document = json!({
            "question": answer.question,
            "headline": answer.headline(),
            "answer": answer.text(),
            "understood": answer.query,
            "plan": if args.explain { json!(explained) } else { serde_json::Value::Null },
            "agents": answer.agents,
            "envelopes": answer.envelopes,
            "stats": answer.stats,
        });
        if args.stream {
            live::emit_line("answer", document)?;
        } else {
            print_json(&document)?;
        }
        return Ok(exit_for(answer.all_calls_succeeded()));
    }
    crate::output::emit(answer.text());
    for agent in &answer.agents {
        for table in &agent.tables {
            let columns: Vec<&str> = table.columns.iter().map(String::as_str).collect();
            let mut shown = new_table(&columns);
            for row in table.rows.iter().take(30) {
                shown.add_row(row.iter().map(cell_text).collect::<Vec<_>>());
            }
            crate::output::emit(&table.title);
            crate::output::emit(shown);
            if table.rows.len() > 30 {
                crate::output::emit(format!(
                    "({} more rows; --json shows all)",
                    table.rows.len() - 30
                ));
            }
            crate::output::emit("");
        }
    }
    crate::output::emit("Tool calls");
    crate::output::emit(output::envelope_table(&answer.envelopes));
    let overall = &answer.stats.overall;
    crate::output::emit(format!(
        "{} calls, {:.0}% succeeded, {} retries, p50 {:.1} ms, p95 {:.1} ms",
        overall.total,
        overall.success_rate * 100.0,
        overall.retries,
        overall.p50_ms,
        overall.p95_ms
    ));
    Ok(exit_for(answer.all_calls_succeeded()))
}

fn cell_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => output::truncate(s, 90),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() != 0.0 => format!("{f:.2}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

async fn ask_model(
    executor: &toolexec::Executor,
    question: &str,
    args: &AskArgs,
) -> anyhow::Result<ExitCode> {
    let Some(config) = LlmConfig::from_env() else {
        eprintln!(
            "toolexec ask --planner llm needs TOOLEXEC_LLM_BASE_URL (an OpenAI-compatible API), \
             and usually TOOLEXEC_LLM_MODEL and TOOLEXEC_LLM_API_KEY"
        );
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let planner = LlmPlanner::new(config)?;
    let progress = Progress::start(executor, 0, args.quiet || args.json);
    let outcome = planner.ask(executor, question).await;
    progress.finish().await;
    let answer = outcome?;
    let all_succeeded = answer.envelopes.iter().all(|e| e.success);
    if args.json {
        print_json(&json!({
            "question": question,
            "answer": answer.text,
            "rounds": answer.rounds,
            "envelopes": answer.envelopes,
            "stats": executor.stats(),
        }))?;
    } else {
        crate::output::emit(&answer.text);
        crate::output::emit("Tool calls");
        crate::output::emit(output::envelope_table(&answer.envelopes));
    }
    Ok(exit_for(all_succeeded))
}
