//! The progress-line protocol: a program reports progress by writing, on standard
//! error, lines of the form
//!
//! ```text
//! toolexec-progress {"progress": 3, "total": 10, "message": "3 of 10 files"}
//! ```
//!
//! the prefix, one space, and a JSON object with a number `progress` and optionally a
//! number `total` and a string `message`. Each such line is a progress report (it
//! resets the attempt's idle timeout and becomes a `progress` event) and is left out
//! of the standard error kept for an error message. Any other line, malformed
//! progress lines included, is ordinary standard error; a progress line never fails a
//! call.

use serde::Deserialize;
use toolexec::Progress;

/// What starts a progress line.
pub(super) const PREFIX: &[u8] = b"toolexec-progress ";

/// The longest line read as a progress line; a longer one is ordinary text.
pub(super) const MAX_PROGRESS_LINE: usize = 16 * 1024;

#[derive(Deserialize)]
struct Report {
    progress: f64,
    #[serde(default)]
    total: Option<f64>,
    #[serde(default)]
    message: Option<String>,
}

/// The progress a line of standard error reports, if it is a well-formed progress
/// line (with or without its line ending).
pub(super) fn progress_line(line: &[u8]) -> Option<Progress> {
    let json = line.strip_prefix(PREFIX)?.trim_ascii();
    if line.len() > MAX_PROGRESS_LINE || !json.starts_with(b"{") {
        return None;
    }
    let report: Report = serde_json::from_slice(json).ok()?;
    if !report.progress.is_finite() || report.total.is_some_and(|t| !t.is_finite()) {
        return None;
    }
    Some(Progress {
        progress: report.progress,
        total: report.total,
        message: report.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_line_is_a_report() {
        let line = b"toolexec-progress {\"progress\": 3, \"total\": 10, \"message\": \"three\"}\n";
        let progress = progress_line(line).unwrap();
        assert_eq!(
            progress,
            Progress::new(3.0).with_total(10.0).with_message("three")
        );
        let bare = progress_line(b"toolexec-progress {\"progress\": 0.5}").unwrap();
        assert_eq!(bare, Progress::new(0.5));
    }

    #[test]
    fn anything_else_is_ordinary_text() {
        for line in [
            &b"progress 3\n"[..],
            b"toolexec-progress\n",
            b"toolexec-progress not json\n",
            b"toolexec-progress {\"total\": 3}\n",
            b"toolexec-progress {\"progress\": \"3\"}\n",
            b"toolexec-progress [1]\n",
            b" toolexec-progress {\"progress\": 1}\n",
        ] {
            assert_eq!(
                progress_line(line),
                None,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn an_overlong_line_is_ordinary_text() {
        let mut line = PREFIX.to_vec();
        line.extend_from_slice(b"{\"progress\": 1, \"message\": \"");
        line.resize(MAX_PROGRESS_LINE + 10, b'x');
        line.extend_from_slice(b"\"}");
        assert_eq!(progress_line(&line), None);
    }
}
