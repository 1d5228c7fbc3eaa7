//! What a finished program's exit status means.

use std::process::ExitStatus;

use toolexec::ToolError;

/// The error an unsuccessful exit stands for, with `stderr` as its message.
pub(super) fn exit_error(status: ExitStatus, stderr: String) -> ToolError {
    use std::os::unix::process::ExitStatusExt;
    let Some(code) = status.code() else {
        let signal = status.signal().unwrap_or_default();
        return ToolError::Failed {
            error_type: Some(format!("signal {signal}")),
            message: or_default(stderr, || format!("killed by signal {signal}")),
        };
    };
    let message = or_default(stderr, || format!("exited with code {code}"));
    match code {
        2 | 64 | 65 => ToolError::InvalidInput {
            field: None,
            message,
        },
        66 => ToolError::NotFound { message },
        69 | 75 => ToolError::Transient { message },
        77 => ToolError::PermissionDenied { message },
        _ => ToolError::Failed {
            error_type: Some(format!("exit code {code}")),
            message,
        },
    }
}

fn or_default(stderr: String, default: impl FnOnce() -> String) -> String {
    let trimmed = stderr.trim();
    if trimmed.is_empty() {
        default()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;
    use toolexec::ErrorKind;

    fn kind(code: i32) -> ErrorKind {
        exit_error(ExitStatus::from_raw(code << 8), String::new()).kind()
    }

    #[test]
    fn exit_codes_map_onto_error_kinds() {
        assert_eq!(kind(2), ErrorKind::InvalidInput);
        assert_eq!(kind(65), ErrorKind::InvalidInput);
        assert_eq!(kind(66), ErrorKind::NotFound);
        assert_eq!(kind(75), ErrorKind::Backend);
        assert_eq!(kind(77), ErrorKind::PermissionDenied);
        assert_eq!(kind(1), ErrorKind::ToolError);
    }

    #[test]
    fn a_signal_is_a_failure_naming_it() {
        let error = exit_error(ExitStatus::from_raw(9), String::new());
        assert_eq!(error.to_string(), "signal 9: killed by signal 9");
    }
}
