//! Policy keys, shared by `[defaults]` and every `[tools.NAME]` table.

use std::time::Duration;

use toolexec::{Jitter, PolicyOverrides};

use super::error::ConfigError;
use super::table::Table;

/// The longest duration a `*_ms` key may hold: one day.
pub const MAX_DURATION_MS: u64 = 24 * 60 * 60 * 1000;

fn positive(ms: &u64) -> Result<(), String> {
    if *ms == 0 {
        Err("must be greater than 0".into())
    } else {
        at_most_a_day(ms)
    }
}

fn at_most_a_day(ms: &u64) -> Result<(), String> {
    if *ms > MAX_DURATION_MS {
        Err(format!(
            "must be at most {MAX_DURATION_MS} (one day), got {ms}"
        ))
    } else {
        Ok(())
    }
}

/// Reads the policy keys of a table.
pub(crate) fn read_overrides(table: &mut Table<'_, '_>) -> Result<PolicyOverrides, ConfigError> {
    let ms = |v: Option<u64>| v.map(Duration::from_millis);
    Ok(PolicyOverrides {
        attempt_timeout: ms(table.take_checked("attempt_timeout_ms", positive)?),
        // 0 turns the idle timeout off (as the MCP table's key of the same name always
        // did), so a tool can leave out the one of `[defaults]`.
        idle_timeout: table
            .take_checked("idle_timeout_ms", at_most_a_day)?
            .map(|ms: u64| (ms > 0).then(|| Duration::from_millis(ms))),
        call_deadline: ms(table.take_checked("deadline_ms", positive)?),
        max_retries: table.take_checked("max_retries", |n: &u32| {
            if *n > 100 {
                Err(format!("must be at most 100, got {n}"))
            } else {
                Ok(())
            }
        })?,
        max_retry_after: ms(table.take_checked("max_retry_after_ms", positive)?),
        backoff_initial: ms(table.take_checked("backoff_initial_ms", at_most_a_day)?),
        backoff_multiplier: table.take_checked("backoff_multiplier", |m: &f64| {
            if m.is_finite() && (1.0..=1000.0).contains(m) {
                Ok(())
            } else {
                Err(format!("must be a number >= 1.0 and <= 1000.0, got {m}"))
            }
        })?,
        backoff_max: ms(table.take_checked("backoff_max_ms", at_most_a_day)?),
        jitter: table
            .take::<String>("jitter")?
            .map(|j| match j.as_str() {
                "none" => Ok(Jitter::None),
                "full" => Ok(Jitter::Full),
                "equal" => Ok(Jitter::Equal),
                other => Err(table.error(
                    "jitter",
                    format!("must be \"none\", \"full\" or \"equal\", got {other:?}"),
                )),
            })
            .transpose()?,
        circuit_failure_threshold: table.take("circuit_failure_threshold")?,
        circuit_open_for: ms(table.take_checked("circuit_open_ms", positive)?),
    })
}
