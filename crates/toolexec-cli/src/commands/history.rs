//! `toolexec history`: the journal's ended calls, filtered, newest first.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use toolexec::CallStatus;
use toolexec_journal::{HistoryQuery, JournalConfig, SqliteJournal};

use super::{print_json, Common, BAD_INPUT, OK};
use crate::output::{emit, new_table};

/// Arguments of `toolexec history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The journal to read [default: journal.db beside the database, the one `serve`
    /// keeps].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Only calls of this tool.
    #[arg(long)]
    pub tool: Option<String>,
    /// Only calls that ended with this status (success, failed, timeout, cancelled,
    /// rejected, interrupted).
    #[arg(long)]
    pub status: Option<String>,
    /// Only calls that ended within this long before now: `90s`, `30m`, `12h`, `7d`.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub since: Option<Duration>,
    /// At most this many calls.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
    /// Machine output: a JSON array of the calls.
    #[arg(long)]
    pub json: bool,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// `90s`, `30m`, `12h`, `7d` as a duration.
fn parse_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not an age such as 90s, 30m, 12h or 7d"))?;
    let seconds = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3_600),
        "d" => n.checked_mul(86_400),
        _ => return Err(format!("`{text}` needs a unit: s, m, h or d (as in 30m)")),
    };
    seconds
        .filter(|s| *s <= 100 * 365 * 86_400)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`{text}` is longer than a hundred years"))
}

/// Runs the command: exit 0 with the calls found (none is not an error), 2 when the
/// journal or a filter is bad.
pub async fn run(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    if let Some(status) = &args.status {
        if !CallStatus::FINAL.iter().any(|s| s.as_str() == status) {
            let known: Vec<&str> = CallStatus::FINAL.iter().map(|s| s.as_str()).collect();
            eprintln!(
                "toolexec: --status `{status}` is not a final status; one of {}",
                known.join(", ")
            );
            return Ok(ExitCode::from(BAD_INPUT));
        }
    }
    let path = args
        .journal
        .clone()
        .unwrap_or_else(|| crate::journal::default_path(&args.common.db_path()));
    if !path.is_file() {
        eprintln!(
            "toolexec: no journal at {} (`toolexec serve` keeps one beside the database; \
             `toolexec run --journal FILE` writes one)",
            path.display()
        );
        return Ok(ExitCode::from(BAD_INPUT));
    }
    // Read only: no recovery, which would end the calls of a server still running.
    let journal = SqliteJournal::open(&path, JournalConfig::default())?;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let query = HistoryQuery {
        tool: args.tool.clone(),
        status: args.status.clone(),
        since_ms: args
            .since
            .map(|age| now_ms.saturating_sub(u64::try_from(age.as_millis()).unwrap_or(u64::MAX))),
        until_ms: None,
        limit: args.limit as usize,
    };
    let rows = journal.history(&query)?;
    if args.json {
        print_json(&rows)?;
    } else {
        let mut table = new_table(&["batch", "call", "tool", "status", "attempts", "time (ms)"]);
        for row in &rows {
            let status = match &row.error_kind {
                Some(kind) if kind != &row.status => format!("{} ({kind})", row.status),
                _ => row.status.clone(),
            };
            table.add_row(vec![
                row.batch_id.clone(),
                row.call_id.clone(),
                row.tool.clone(),
                status,
                row.attempts.to_string(),
                format!("{:.1}", row.latency_ms),
            ]);
        }
        emit(table);
        emit(format!("{} calls", rows.len()));
    }
    Ok(ExitCode::from(OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_take_a_unit() {
        assert_eq!(parse_age("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_age("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_age("7d"), Ok(Duration::from_secs(604_800)));
        assert!(parse_age("7").unwrap_err().contains("needs a unit"));
        assert!(parse_age("d").is_err());
        assert!(parse_age("99999999999999999999d").is_err());
        assert!(parse_age("999999999d")
            .unwrap_err()
            .contains("hundred years"));
    }
}
