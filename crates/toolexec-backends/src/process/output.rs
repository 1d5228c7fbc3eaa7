//! Reading a child's output without letting it grow without bound.

use tokio::io::{AsyncRead, AsyncReadExt};

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

/// Reads standard error to its end, keeping its start (cut to [`STDERR_KEEP`] bytes).
pub(super) async fn read_stderr(reader: Option<impl AsyncRead + Unpin>) -> String {
    let Some(mut reader) = reader else {
        return String::new();
    };
    let mut kept = Vec::new();
    let _ = (&mut reader)
        .take(STDERR_KEEP as u64 + 1)
        .read_to_end(&mut kept)
        .await;
    let more = tokio::io::copy(&mut reader, &mut tokio::io::sink())
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&kept);
    if more > 0 || kept.len() > STDERR_KEEP {
        format!(
            "{}... (more on stderr)",
            truncate_text(&text, STDERR_KEEP).trim_end()
        )
    } else {
        text.into_owned()
    }
}
