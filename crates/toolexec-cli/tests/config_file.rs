//! `toolexec.toml`: the documented example loads; bad files are errors naming the
//! file, line and key.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

use std::path::Path;
use std::time::Duration;

use toolexec::{HedgeDelay, Jitter};
use toolexec_backends::BackendConfig;
use toolexec_cli::config::{Config, ToolSource};

const DESIGN_EXAMPLE: &str = r#"
[executor]
max_concurrency = 10          # the original's max_workers
history_capacity = 100000

[defaults]                     # per-call policy defaults; each tool may override
attempt_timeout_ms = 30000
max_retries = 3
backoff_initial_ms = 1000
backoff_multiplier = 2.0
backoff_max_ms = 30000
jitter = "full"                # "none" | "full" | "equal"

[tools.flaky]                  # a scripted tool: for tests, demos, benchmarks, chaos
backend = "sim"
latency_ms = 20
fail_first = 2                 # attempts that fail with a transient error, per call
hang_every = 0                 # every Nth call never returns (0 = never)
panic_every = 0
max_retries = 5

[tools.reorder]
backend = "lambda"             # also "local", "http", "process", "mcp"
function_name = "inventory_optimizer"
endpoint_url = "http://127.0.0.1:9000"   # optional: a local Lambda emulator
"#;

fn parse(text: &str) -> Result<Config, toolexec_cli::config::ConfigError> {
    Config::parse(text, Path::new("toolexec.toml"))
}

#[test]
fn the_design_example_loads() {
    let config = parse(DESIGN_EXAMPLE).unwrap();
    assert_eq!(config.executor.max_concurrency, 10);
    assert_eq!(config.executor.history_capacity, 100_000);
    assert_eq!(
        config.executor.defaults.attempt_timeout,
        Duration::from_secs(30)
    );
    assert_eq!(config.executor.defaults.backoff.jitter, Jitter::Full);
    assert_eq!(config.tools.len(), 2);
    let flaky = &config.tools[0];
    assert_eq!(flaky.name, "flaky");
    assert_eq!(flaky.policy.max_retries, Some(5));
    match &flaky.source {
        ToolSource::Sim(sim) => {
            assert_eq!(sim.latency, Duration::from_millis(20));
            assert_eq!(sim.fail_first, 2);
        }
        other => panic!("expected a sim tool, got {other:?}"),
    }
    match &config.tools[1].source {
        ToolSource::Remote(BackendConfig::Lambda(lambda)) => {
            assert_eq!(lambda.function_name, "inventory_optimizer");
            assert_eq!(
                lambda.endpoint_url.as_deref(),
                Some("http://127.0.0.1:9000")
            );
        }
        other => panic!("expected a remote tool, got {other:?}"),
    }
}

fn error_of(text: &str) -> (usize, String, String) {
    let error = parse(text).unwrap_err();
    let shown = error.to_string();
    assert!(shown.starts_with("toolexec.toml:"), "{shown}");
    (error.line, error.key, shown)
}

#[test]
fn an_unknown_key_names_its_line_and_key() {
    let (line, key, shown) = error_of("[executor]\nmax_concurrency = 4\nmax_workers = 10\n");
    assert_eq!((line, key.as_str()), (3, "executor.max_workers"));
    assert!(shown.contains("unknown key"), "{shown}");
}

#[test]
fn an_unknown_section_is_rejected() {
    let (line, key, _) = error_of("[executor]\nmax_concurrency = 4\n\n[extras]\nx = 1\n");
    assert_eq!((line, key.as_str()), (4, "extras"));
}

#[test]
fn a_value_of_the_wrong_type_names_its_key() {
    let (line, key, shown) = error_of("[defaults]\nmax_retries = \"three\"\n");
    assert_eq!((line, key.as_str()), (2, "defaults.max_retries"));
    assert!(
        shown.contains("integer") || shown.contains("u32"),
        "{shown}"
    );
}

#[test]
fn an_out_of_range_value_is_rejected_with_the_reason() {
    let (line, key, shown) = error_of("[defaults]\n\nbackoff_multiplier = 0.5\n");
    assert_eq!((line, key.as_str()), (3, "defaults.backoff_multiplier"));
    assert!(shown.contains(">= 1.0"), "{shown}");
    let (line, key, _) = error_of("[executor]\nmax_concurrency = 0\n");
    assert_eq!((line, key.as_str()), (2, "executor.max_concurrency"));
}

#[test]
fn a_bad_jitter_lists_the_choices() {
    let (_, key, shown) = error_of("[defaults]\njitter = \"some\"\n");
    assert_eq!(key, "defaults.jitter");
    assert!(shown.contains("\"equal\""), "{shown}");
}

#[test]
fn cross_key_problems_point_at_the_key() {
    let text = "[tools.t]\nbackend = \"sim\"\nbackoff_initial_ms = 5000\nbackoff_max_ms = 100\n";
    let (line, key, _) = error_of(text);
    assert_eq!((line, key.as_str()), (4, "tools.t.backoff_max_ms"));
}

#[test]
fn a_tool_without_a_backend_or_with_an_unknown_one_is_rejected() {
    let (line, key, _) = error_of("\n[tools.t]\nlatency_ms = 5\n");
    assert_eq!((line, key.as_str()), (2, "tools.t.backend"));
    let (line, key, shown) = error_of("[tools.t]\nbackend = \"ftp\"\n");
    assert_eq!((line, key.as_str()), (2, "tools.t.backend"));
    assert!(shown.contains("lambda"), "{shown}");
}

#[test]
fn an_unknown_sim_setting_names_its_line() {
    let (line, key, _) = error_of("[tools.t]\nbackend = \"sim\"\nlatency = 5\n");
    assert_eq!((line, key.as_str()), (3, "tools.t.latency"));
}

#[test]
fn malformed_toml_names_the_line() {
    let (line, _, shown) = error_of("[executor]\nmax_concurrency = = 3\n");
    assert_eq!(line, 2, "{shown}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let error = Config::load(Path::new("/nonexistent/toolexec.toml")).unwrap_err();
    assert!(error.to_string().contains("/nonexistent/toolexec.toml"));
}

#[test]
fn a_tool_fallback_and_local_builtin_alias_load() {
    let text = "[tools.reorder]\nbackend = \"local\"\nbuiltin = \"calculate_reorder_points\"\nfallback = { cached = true }\n";
    let config = parse(text).unwrap();
    let tool = &config.tools[0];
    assert_eq!(tool.fallback, Some(serde_json::json!({"cached": true})));
    match &tool.source {
        ToolSource::Local { builtin } => assert_eq!(builtin, "calculate_reorder_points"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_backend_key_names_its_line() {
    let text =
        "[tools.api]\nbackend = \"http\"\nurl = \"http://127.0.0.1:1/x\"\nmethd = \"POST\"\n";
    let (line, key, shown) = error_of(text);
    assert_eq!((line, key.as_str()), (4, "tools.api.methd"), "{shown}");
}

#[test]
fn a_backend_missing_a_required_key_is_rejected() {
    let (_, key, shown) = error_of("[tools.fn]\nbackend = \"lambda\"\nmax_retries = 2\n");
    assert!(key.starts_with("tools.fn"), "{key}");
    assert!(shown.contains("function_name"), "{shown}");
}

#[test]
fn event_capacity_of_a_hundred_million_is_an_error_naming_the_key() {
    let (line, key, shown) = error_of("[executor]\nevent_capacity = 100000000\n");
    assert_eq!((line, key.as_str()), (2, "executor.event_capacity"));
    assert!(shown.contains("at most 100000"), "{shown}");
}

#[test]
fn history_capacity_past_its_bound_is_an_error_naming_the_key() {
    let (line, key, _) =
        error_of("[executor]\nmax_concurrency = 4\nhistory_capacity = 1000000000\n");
    assert_eq!((line, key.as_str()), (3, "executor.history_capacity"));
}

#[test]
fn a_number_above_i64_max_names_its_key() {
    let (line, key, shown) =
        error_of("[executor]\nmax_concurrency = 4\nevent_capacity = 99999999999999999999\n");
    assert_eq!(
        (line, key.as_str()),
        (3, "executor.event_capacity"),
        "{shown}"
    );
    let (line, key, _) =
        error_of("[tools.t]\nbackend = \"sim\"\nattempt_timeout_ms = 18446744073709551616\n");
    assert_eq!((line, key.as_str()), (3, "tools.t.attempt_timeout_ms"));
}

#[test]
fn durations_past_a_day_are_errors_naming_the_key() {
    let (line, key, shown) = error_of("[defaults]\nbackoff_max_ms = 9223372036854775807\n");
    assert_eq!((line, key.as_str()), (2, "defaults.backoff_max_ms"));
    assert!(shown.contains("one day"), "{shown}");
}

#[test]
fn journal_retention_is_read_from_its_table() {
    let config = toolexec_cli::config::Config::parse(
        "[journal]\nmax_age_days = 7\nmax_bytes = 10485760\n",
        std::path::Path::new("toolexec.toml"),
    )
    .expect("a valid file");
    assert_eq!(
        config.journal.max_age,
        std::time::Duration::from_secs(7 * 86_400)
    );
    assert_eq!(config.journal.max_bytes, 10 * 1024 * 1024);
}

#[test]
fn journal_retention_past_its_bounds_is_an_error_naming_the_key() {
    let (line, key, _) = error_of("[journal]\nmax_age_days = 0\n");
    assert_eq!((line, key.as_str()), (2, "journal.max_age_days"));
    let (line, key, _) = error_of("[journal]\nmax_age_days = 7\nmax_bytes = 1000\n");
    assert_eq!((line, key.as_str()), (3, "journal.max_bytes"));
    let (_, key, _) = error_of("[journal]\nmax_files = 3\n");
    assert_eq!(key, "journal.max_files");
}

#[test]
fn a_chaos_table_loads_and_a_bad_rate_names_its_table_and_key() {
    let text = "[tools.t]\nbackend = \"sim\"\n\n[tools.t.chaos]\nerror_rate = 0.25\nextra_latency_ms = 40\nseed = 9\n";
    let config = parse(text).unwrap();
    let chaos = config.tools[0].chaos.expect("a chaos table");
    assert_eq!(chaos.error_rate, 0.25);
    assert_eq!(chaos.extra_latency, Duration::from_millis(40));
    assert_eq!(chaos.seed, 9);
    assert!(parse("[tools.t]\nbackend = \"sim\"\n").unwrap().tools[0]
        .chaos
        .is_none());

    let bad = "[tools.t]\nbackend = \"sim\"\n\n[tools.t.chaos]\nhang_rate = 1.5\n";
    let (line, key, shown) = error_of(bad);
    assert_eq!((line, key.as_str()), (4, "tools.t.chaos"));
    assert!(
        shown.contains("hang_rate: must be within 0.0..=1.0"),
        "{shown}"
    );
    let unknown = "[tools.t]\nbackend = \"sim\"\n[tools.t.chaos]\nerror_rat = 0.5\n";
    let (_, key, shown) = error_of(unknown);
    assert_eq!(key, "tools.t.chaos");
    assert!(shown.contains("error_rat"), "{shown}");
}

#[test]
fn a_bulkhead_table_loads_and_an_incomplete_one_names_what_is_missing() {
    let text = "[tools.t]\nbackend = \"sim\"\n\n[tools.t.bulkhead]\nmax_concurrent = 4\nkey = \"warehouse_code\"\nmax_concurrent_per_key = 2\nmax_wait_ms = 250\n";
    let bulkhead = parse(text).unwrap().tools[0].bulkhead.clone().unwrap();
    assert_eq!(bulkhead.max_concurrent, Some(4));
    let per_key = bulkhead.per_key.unwrap();
    assert_eq!(
        (per_key.field.as_str(), per_key.max_concurrent),
        ("warehouse_code", 2)
    );
    assert_eq!(bulkhead.max_wait, Duration::from_millis(250));

    let half = "[tools.t]\nbackend = \"sim\"\n\n[tools.t.bulkhead]\nkey = \"warehouse_code\"\n";
    let (line, key, shown) = error_of(half);
    assert_eq!((line, key.as_str()), (4, "tools.t.bulkhead"));
    assert!(shown.contains("needs max_concurrent_per_key"), "{shown}");
    let zero = "[tools.t]\nbackend = \"sim\"\n[tools.t.bulkhead]\nmax_concurrent = 0\n";
    let (_, key, shown) = error_of(zero);
    assert_eq!(key, "tools.t.bulkhead");
    assert!(shown.contains("max_concurrent: must be from 1"), "{shown}");
    let empty = "[tools.t]\nbackend = \"sim\"\n[tools.t.bulkhead]\nmax_wait_ms = 5\n";
    let (_, _, shown) = error_of(empty);
    assert!(shown.contains("a bulkhead needs a limit"), "{shown}");
}

#[test]
fn a_rate_limit_table_loads_and_a_bad_rate_names_its_table_and_key() {
    let text = "[tools.t]\nbackend = \"sim\"\n\n[tools.t.rate_limit]\nper_second = 2.5\nkey = \"supplier_id\"\nmax_wait_ms = 300\n";
    let limit = parse(text).unwrap().tools[0].rate_limit.clone().unwrap();
    assert_eq!(limit.per_second, 2.5);
    assert_eq!(limit.burst, 3, "a second's worth, rounded up");
    assert_eq!(limit.key.as_deref(), Some("supplier_id"));
    assert_eq!(limit.max_wait, Duration::from_millis(300));

    let zero = "[tools.t]\nbackend = \"sim\"\n\n[tools.t.rate_limit]\nper_second = 0\n";
    let (line, key, shown) = error_of(zero);
    assert_eq!((line, key.as_str()), (4, "tools.t.rate_limit"));
    assert!(shown.contains("per_second: must be more than 0"), "{shown}");
    let missing = "[tools.t]\nbackend = \"sim\"\n[tools.t.rate_limit]\nburst = 5\n";
    let (_, key, shown) = error_of(missing);
    assert_eq!(key, "tools.t.rate_limit");
    assert!(shown.contains("per_second"), "{shown}");
}

#[test]
fn a_hedge_table_loads_a_fixed_or_a_percentile_delay_and_a_bad_one_names_its_key() {
    let fixed = "[tools.t]\nbackend = \"sim\"\n\n[tools.t.hedge]\ndelay_ms = 40\nmax_hedges = 2\n";
    let hedge = parse(fixed).unwrap().tools[0].hedge.unwrap();
    assert_eq!(hedge.delay, HedgeDelay::Fixed(Duration::from_millis(40)));
    assert_eq!(hedge.max_hedges, 2);
    let percentile = "[tools.t]\nbackend = \"sim\"\n[tools.t.hedge]\npercentile = 95.0\n";
    let hedge = parse(percentile).unwrap().tools[0].hedge.unwrap();
    assert_eq!(
        hedge.delay,
        HedgeDelay::Percentile {
            percentile: 95.0,
            min_samples: 20,
            initial: Duration::from_millis(100)
        }
    );
    assert_eq!(hedge.max_hedges, 1);

    let both = "[tools.t]\nbackend = \"sim\"\n\n[tools.t.hedge]\ndelay_ms = 5\npercentile = 90.0\n";
    let (line, key, shown) = error_of(both);
    assert_eq!((line, key.as_str()), (4, "tools.t.hedge"));
    assert!(shown.contains("not both"), "{shown}");
    let many = "[tools.t]\nbackend = \"sim\"\n[tools.t.hedge]\ndelay_ms = 5\nmax_hedges = 50\n";
    let (_, key, shown) = error_of(many);
    assert_eq!(key, "tools.t.hedge");
    assert!(shown.contains("max_hedges: must be 1 to 10"), "{shown}");
    let none = "[tools.t]\nbackend = \"sim\"\n[tools.t.hedge]\nmax_hedges = 1\n";
    let (_, _, shown) = error_of(none);
    assert!(shown.contains("a hedge needs a delay"), "{shown}");
    let typo = "[tools.t]\nbackend = \"sim\"\n[tools.t.hedge]\ndelay = 5\n";
    let (line, key, _) = error_of(typo);
    assert_eq!((line, key.as_str()), (3, "tools.t.hedge"));
}

#[tokio::test]
async fn a_named_retry_budget_is_shared_by_the_tools_that_name_it_and_no_other() {
    let text = "[retry_budgets.suppliers]\nmin_per_second = 0\nretry_ratio = 0.0\n\n\
                [tools.a]\nbackend = \"sim\"\nfail_first = 9\nmax_retries = 2\nbackoff_initial_ms = 1\nretry_budget = \"suppliers\"\n\n\
                [tools.b]\nbackend = \"sim\"\nfail_first = 9\nmax_retries = 2\nbackoff_initial_ms = 1\nretry_budget = \"suppliers\"\n\n\
                [tools.c]\nbackend = \"sim\"\nfail_first = 9\nmax_retries = 2\nbackoff_initial_ms = 1\n";
    let config = parse(text).unwrap();
    assert_eq!(config.retry_budgets["suppliers"].retry_ratio, 0.0);
    assert_eq!(config.tools[0].retry_budget.as_deref(), Some("suppliers"));
    let store = std::sync::Arc::new(supply_chain::Store::in_memory().unwrap());
    let executor = toolexec_cli::assemble::executor(&config, store, Default::default())
        .await
        .unwrap();
    let calls = ["a", "b", "c"]
        .map(|tool| toolexec::ToolCall::new(tool, serde_json::json!({})))
        .to_vec();
    let envelopes = executor
        .execute_batch(calls, toolexec::BatchOptions::default())
        .await;
    let attempts: Vec<u32> = envelopes.iter().map(|e| e.attempts).collect();
    // The group's budget pays for no retry; `c` has none and retries twice.
    assert_eq!(attempts, [1, 1, 3]);
    let stopped = |i: usize| {
        envelopes[i]
            .attempt_log
            .last()
            .unwrap()
            .retry_stopped_by
            .clone()
    };
    assert_eq!(stopped(0).as_deref(), Some("retry_budget"));
    assert_eq!(stopped(2), None);

    let unknown = "[tools.a]\nbackend = \"sim\"\nretry_budget = \"supliers\"\n";
    let (line, key, shown) = error_of(unknown);
    assert_eq!((line, key.as_str()), (1, "tools.a.retry_budget"));
    assert!(
        shown.contains("no [retry_budgets.supliers] table"),
        "{shown}"
    );
    let bad = "[retry_budgets.x]\nretry_ratio = -1.0\n";
    let (_, key, _) = error_of(bad);
    assert_eq!(key, "retry_budgets.x.retry_ratio");
}

#[test]
fn a_retry_budget_table_loads_and_a_bad_window_names_its_key() {
    let text = "[retry_budget]\nwindow_s = 20\nmin_per_second = 3\nretry_ratio = 0.1\n";
    let budget = parse(text).unwrap().retry_budget.unwrap();
    assert_eq!(budget.window, Duration::from_secs(20));
    assert_eq!((budget.min_per_second, budget.retry_ratio), (3, 0.1));
    assert!(parse("[executor]\nmax_concurrency = 2\n")
        .unwrap()
        .retry_budget
        .is_none());

    let (_, key, shown) = error_of("[retry_budget]\nwindow_s = 600\n");
    assert_eq!(key, "retry_budget.window_s");
    assert!(shown.contains("1 to 60"), "{shown}");
    let (line, key, _) = error_of("[retry_budget]\nratio = 0.1\n");
    assert_eq!((line, key.as_str()), (2, "retry_budget.ratio"));
}

#[test]
fn idle_timeouts_load_from_defaults_and_tools_and_zero_turns_one_off() {
    let config = parse(
        "[defaults]\nidle_timeout_ms = 5000\n\n[tools.a]\nbackend = \"sim\"\nidle_timeout_ms = 250\n\n\
         [tools.b]\nbackend = \"sim\"\nidle_timeout_ms = 0\n",
    )
    .unwrap();
    assert_eq!(
        config.executor.defaults.idle_timeout,
        Some(Duration::from_secs(5))
    );
    assert_eq!(
        config.tools[0].policy.idle_timeout,
        Some(Some(Duration::from_millis(250)))
    );
    assert_eq!(config.tools[1].policy.idle_timeout, Some(None));
}

#[test]
fn a_bad_idle_timeout_names_its_file_line_and_key() {
    let (line, key, shown) =
        error_of("[tools.a]\nbackend = \"sim\"\n\nidle_timeout_ms = 86400001\n");
    assert_eq!((line, key.as_str()), (4, "tools.a.idle_timeout_ms"));
    assert!(shown.contains("one day"), "{shown}");
    let (line, key, _) = error_of("[defaults]\nidle_timeout_ms = -5\n");
    assert_eq!((line, key.as_str()), (2, "defaults.idle_timeout_ms"));
}

#[test]
fn an_mcp_table_idle_timeout_is_the_engine_idle_timeout_of_its_tools() {
    let mcp = |extra: &str| {
        let text = format!("{extra}\n[tools.files]\nbackend = \"mcp\"\ncommand = \"server\"\n");
        let config = parse(&text).unwrap();
        let entry = config.tools[0].clone();
        let ToolSource::Remote(BackendConfig::Mcp(backend)) = &entry.source else {
            panic!("expected an MCP tool, got {:?}", entry.source);
        };
        assert_eq!(backend.idle_timeout_ms, 0, "the engine keeps the time");
        entry.policy.idle_timeout
    };
    // Without a key anywhere, the 60 s the MCP table always had.
    assert_eq!(mcp(""), Some(Some(Duration::from_secs(60))));
    // [defaults] decides when it has one.
    assert_eq!(mcp("[defaults]\nidle_timeout_ms = 700\n"), None);
    let config =
        parse("[tools.files]\nbackend = \"mcp\"\ncommand = \"server\"\nidle_timeout_ms = 1500\n")
            .unwrap();
    assert_eq!(
        config.tools[0].policy.idle_timeout,
        Some(Some(Duration::from_millis(1500)))
    );
    let off =
        parse("[tools.files]\nbackend = \"mcp\"\ncommand = \"server\"\nidle_timeout_ms = 0\n")
            .unwrap();
    assert_eq!(off.tools[0].policy.idle_timeout, Some(None));
}
