//! Reading a child's output without letting it grow without bound.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use toolexec::CallContext;

use super::progress_line::{progress_line, MAX_PROGRESS_LINE};
use crate::text::truncate_text;

/// The most of standard error kept for the error message.
pub(super) const STDERR_KEEP: usize = 4096;

/// Standard output, or how much there was when it passed the cap.
#[derive(Debug)]
pub(super) enum Captured {
    /// All of it.
    Complete(Vec<u8>),
    /// More than the cap: reading stopped after this many bytes.
    TooLarge(u64),
}

/// Reads `reader` to its end, stopping as soon as it passes `max` bytes.
pub(super) async fn read_capped(
    reader: Option<impl AsyncRead + Unpin>,
    max: u64,
) -> std::io::Result<Captured> {
    let mut buffer = Vec::new();
    if let Some(reader) = reader {
        reader
            .take(max.saturating_add(1))
            .read_to_end(&mut buffer)
            .await?;
    }
    Ok(if buffer.len() as u64 > max {
        Captured::TooLarge(buffer.len() as u64)
    } else {
        Captured::Complete(buffer)
    })
}

/// Reads standard error to its end, line by line: each progress line (see
/// `progress_line.rs`) is reported through `ctx` and left out;
/// of the rest, the start is kept (cut to [`STDERR_KEEP`] bytes).
pub(super) async fn read_stderr(
    reader: Option<impl AsyncRead + Unpin>,
    ctx: &CallContext,
) -> String {
    let Some(reader) = reader else {
        return String::new();
    };
    let mut reader = BufReader::new(reader);
    let mut kept = Vec::new();
    let mut more = false;
    let mut line = Vec::new();
    // Whether the bytes read next start a line (a long line is read in pieces).
    let mut at_line_start = true;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_PROGRESS_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await;
        if !matches!(read, Ok(n) if n > 0) {
            break;
        }
        // A whole line: it ends here, or the output does (a piece of a long line is
        // neither, and never a progress line).
        let whole_line = line.ends_with(b"\n") || line.len() <= MAX_PROGRESS_LINE;
        let progress = (at_line_start && whole_line)
            .then(|| progress_line(&line))
            .flatten();
        at_line_start = line.ends_with(b"\n");
        match progress {
            Some(progress) => ctx.report_progress(progress),
            None if kept.len() <= STDERR_KEEP => {
                let room = STDERR_KEEP + 1 - kept.len();
                kept.extend_from_slice(&line[..line.len().min(room)]);
                more |= line.len() > room;
            }
            None => more = true,
        }
    }
    let text = String::from_utf8_lossy(&kept);
    if more || kept.len() > STDERR_KEEP {
        format!(
            "{}... (more on stderr)",
            truncate_text(&text, STDERR_KEEP).trim_end()
        )
    } else {
        text.into_owned()
    }
}
