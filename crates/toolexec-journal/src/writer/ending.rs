//! A call's end as the writer stores it, and the texts of a group's envelopes, kept
//! side by side in one buffer.

use std::borrow::Cow;
use std::sync::Arc;

use toolexec::Envelope;

/// How a call ended, as stored.
#[derive(Debug)]
pub(crate) struct Ending {
    pub(crate) tool: Arc<str>,
    pub(crate) status: Cow<'static, str>,
    pub(crate) error_kind: Option<Cow<'static, str>>,
    pub(crate) attempts: u32,
    pub(crate) latency_ms: f64,
    pub(crate) ended_at_ms: u64,
    pub(crate) fallback: bool,
    /// Where its envelope's JSON text is in the group's [`EnvelopeTexts`].
    pub(crate) envelope: TextSpan,
}

impl Ending {
    /// The end of a call whose envelope is `envelope`, at `ended_at_ms`: its columns
    /// read from the envelope, its text serialized now into `texts`. The text is
    /// `serde_json::to_string` of the envelope, byte for byte what the engine's callers
    /// get when they serialize theirs.
    pub(crate) fn of_envelope(
        envelope: &Envelope,
        ended_at_ms: u64,
        texts: &mut EnvelopeTexts,
    ) -> Self {
        Self {
            tool: Arc::clone(&envelope.tool_name),
            status: Cow::Borrowed(envelope.status.as_str()),
            error_kind: envelope
                .error_kind()
                .map(|kind| Cow::Borrowed(kind.as_str())),
            attempts: envelope.attempts,
            latency_ms: envelope.execution_time_ms,
            ended_at_ms,
            fallback: envelope.fallback,
            envelope: texts.push_serialized(envelope),
        }
    }
}

/// Where one text is in an [`EnvelopeTexts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextSpan {
    start: usize,
    len: usize,
}

/// The envelope texts of one group, one after the other in a buffer the writer keeps
/// from group to group: an envelope costs no allocation and no free of its own, and
/// the buffer's pages stay mapped instead of being given back to the system and
/// faulted in again every group. The texts are UTF-8 (JSON written by `serde_json`,
/// or a `String`), stored as they are without being checked again.
#[derive(Debug, Default)]
pub(crate) struct EnvelopeTexts {
    bytes: Vec<u8>,
}

/// Past this capacity the buffer is given back after its group (a group of very large
/// envelopes), so that a writer does not keep its largest group's memory for good.
const KEPT_CAPACITY: usize = 8 << 20;

impl EnvelopeTexts {
    /// Serializes `envelope` after the texts already held; an envelope that cannot be
    /// serialized (it never happens: every field serializes) is stored as empty text.
    pub(crate) fn push_serialized(&mut self, envelope: &Envelope) -> TextSpan {
        let start = self.bytes.len();
        if serde_json::to_writer(&mut self.bytes, envelope).is_err() {
            self.bytes.truncate(start);
        }
        TextSpan {
            start,
            len: self.bytes.len() - start,
        }
    }

    /// Copies `text` after the texts already held.
    pub(crate) fn push_str(&mut self, text: &str) -> TextSpan {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(text.as_bytes());
        TextSpan {
            start,
            len: text.len(),
        }
    }

    /// The text at `span`.
    pub(crate) fn get(&self, span: TextSpan) -> &[u8] {
        &self.bytes[span.start..span.start + span.len]
    }

    /// Forgets every text, keeping the buffer unless it grew past [`KEPT_CAPACITY`].
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        if self.bytes.capacity() > KEPT_CAPACITY {
            self.bytes = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_kept_side_by_side_and_read_back_by_span() {
        let mut texts = EnvelopeTexts::default();
        let first = texts.push_str(r#"{"a":1}"#);
        let second = texts.push_str("");
        let third = texts.push_str(r#"{"é":"ü"}"#);
        assert_eq!(texts.get(first), br#"{"a":1}"#);
        assert_eq!(texts.get(second), b"");
        assert_eq!(texts.get(third), r#"{"é":"ü"}"#.as_bytes());
        texts.clear();
        assert_eq!(texts.push_str("x"), TextSpan { start: 0, len: 1 });
    }
}
