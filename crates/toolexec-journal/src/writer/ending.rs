//! A call's end as the writer stores it, and the text of an envelope the engine
//! handed over as itself, written on the writer's thread.

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
    pub(crate) envelope_json: String,
}

impl Ending {
    /// The end of a call whose envelope is `envelope`, at `ended_at_ms`: its columns
    /// read from the envelope, its text serialized now with `buffer` (kept by the
    /// writer from one envelope to the next, so the text is allocated once, at its
    /// size). The text is `serde_json::to_string` of the envelope, byte for byte what
    /// the engine's callers get when they serialize theirs.
    pub(crate) fn of_envelope(envelope: &Envelope, ended_at_ms: u64, buffer: &mut Vec<u8>) -> Self {
        buffer.clear();
        let envelope_json = match serde_json::to_writer(&mut *buffer, envelope) {
            Ok(()) => String::from_utf8_lossy(buffer).into_owned(),
            Err(_) => String::new(),
        };
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
            envelope_json,
        }
    }
}
