//! About how long an envelope's JSON text will be, without writing it: what a record
//! handed over as the engine's envelope counts in the queue's byte budget before the
//! writer serializes it.
//!
//! The estimate walks the result value once, adding each string's length and a few
//! bytes for every other token; it allocates nothing and formats no number, so it
//! costs a small part of what serializing would. It errs a little on the high side
//! (numbers count 8 bytes whatever their digits, strings no escapes): the budget it
//! feeds bounds memory, it does not need the exact text size.

use serde_json::Value;
use toolexec::Envelope;

/// The envelope's keys, punctuation, status and flags, besides what varies.
const FIXED: usize = 200;

/// One attempt record's keys, punctuation and numbers.
const PER_ATTEMPT: usize = 110;

/// A number, `true`, `false` or `null`, with its separator.
const SCALAR: usize = 8;

/// About how many bytes `serde_json::to_string(envelope)` would write.
pub(crate) fn envelope_json_len(envelope: &Envelope) -> usize {
    let error = envelope.error.as_ref().map_or(0, |error| {
        64 + error.message.len()
            + error.field.as_ref().map_or(0, String::len)
            + error.error_type.as_ref().map_or(0, String::len)
    });
    FIXED
        + envelope.call_id.len()
        + envelope.tool_name.len()
        + envelope.result.as_ref().map_or(0, value_json_len)
        + error
        + envelope.attempt_log.len() * PER_ATTEMPT
}

/// About how many bytes `value` takes as JSON text.
fn value_json_len(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => SCALAR,
        Value::String(text) => text.len() + 3,
        Value::Array(items) => 2 + items.iter().map(value_json_len).sum::<usize>(),
        Value::Object(map) => {
            2 + map
                .iter()
                .map(|(key, value)| key.len() + 4 + value_json_len(value))
                .sum::<usize>()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use toolexec::{AttemptRecord, CallError, CallStatus, ErrorKind};

    fn envelope(result: Option<Value>, error: Option<CallError>, attempts: u32) -> Envelope {
        Envelope {
            call_id: "c-12345".into(),
            tool_name: "search".into(),
            status: CallStatus::Success,
            success: error.is_none(),
            result,
            error,
            attempts,
            execution_time_ms: 12.345_678,
            fallback: false,
            attempt_log: (1..=attempts)
                .map(|attempt| AttemptRecord {
                    attempt,
                    outcome: "timeout".into(),
                    duration_ms: 10.123_456_789,
                    backoff_ms: Some(100.5),
                    retry_stopped_by: None,
                    hedge: false,
                })
                .collect(),
        }
    }

    fn within_a_third_of_the_text(envelope: &Envelope) {
        let text = serde_json::to_string(envelope).expect("serialized").len();
        let estimate = envelope_json_len(envelope);
        assert!(
            estimate * 3 >= text * 2 && estimate * 3 <= text * 4,
            "estimate {estimate} for {text} bytes of text"
        );
    }

    #[test]
    fn the_estimate_of_a_small_envelope_is_within_a_third_of_its_text() {
        within_a_third_of_the_text(&envelope(
            Some(json!({"attempt": 1, "invocation": 1, "ok": true})),
            None,
            1,
        ));
    }

    #[test]
    fn the_estimate_grows_with_the_result_the_error_and_the_attempts() {
        let long = "x".repeat(100_000);
        within_a_third_of_the_text(&envelope(
            Some(json!({"items": [long.clone(), long], "n": [1, 2, 3]})),
            None,
            1,
        ));
        let error = CallError {
            kind: ErrorKind::Timeout,
            message: "m".repeat(5_000),
            retryable: true,
            field: None,
            error_type: None,
        };
        within_a_third_of_the_text(&envelope(None, Some(error), 40));
    }
}
