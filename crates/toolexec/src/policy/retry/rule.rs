//! Which failures are worth another attempt.

use crate::failure::AttemptFailure;
use crate::ToolAnnotations;

/// Whether a failed attempt may be followed by another.
///
/// Never retried: invalid input, unknown tool, permission errors, a tool's own
/// reported failure, panics. Retried: timeouts, transient backend errors, throttling.
/// A mutating tool is not retried after an outcome-unknown failure unless the call
/// carries an idempotency key.
pub(crate) fn should_retry(
    failure: &AttemptFailure,
    annotations: &ToolAnnotations,
    has_idempotency_key: bool,
) -> bool {
    if !failure.retryable {
        return false;
    }
    !(failure.outcome_unknown && annotations.is_mutating() && !has_idempotency_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, ToolError};

    fn mutating() -> ToolAnnotations {
        ToolAnnotations {
            idempotent: false,
            ..ToolAnnotations::default()
        }
    }

    #[test]
    fn invalid_input_is_never_retried() {
        let failure = AttemptFailure::from_tool(ToolError::invalid_input("x", "bad"));
        assert!(!should_retry(&failure, &ToolAnnotations::default(), true));
    }

    #[test]
    fn timeout_of_an_idempotent_tool_is_retried() {
        let failure = AttemptFailure::attempt_timeout(std::time::Duration::from_millis(5));
        assert!(should_retry(&failure, &ToolAnnotations::default(), false));
    }

    #[test]
    fn timeout_of_a_mutating_tool_needs_an_idempotency_key() {
        let failure = AttemptFailure::attempt_timeout(std::time::Duration::from_millis(5));
        assert!(!should_retry(&failure, &mutating(), false));
        assert!(should_retry(&failure, &mutating(), true));
    }

    #[test]
    fn transient_failure_of_a_mutating_tool_is_retried() {
        let failure = AttemptFailure::from_tool(ToolError::transient("connection refused"));
        assert_eq!(failure.kind, ErrorKind::Backend);
        assert!(should_retry(&failure, &mutating(), false));
    }
}
