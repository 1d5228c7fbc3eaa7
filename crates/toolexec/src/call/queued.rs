//! A call accepted: its sequence number, its id and its tool, fixed once, and its
//! announcement (live status `pending`, a `Started` event) before it waits for a lane.

use std::sync::Arc;

use tokio::time::Instant;

use crate::inner::Inner;
use crate::journal::JournalScope;
use crate::registry::RegisteredTool;
use crate::status::{ExecutionEvent, LiveCell, LiveStatus};
use crate::{CallStatus, ToolCall};

/// A call's identity, fixed when the call is accepted.
pub(crate) struct Accepted {
    pub(crate) sequence: u64,
    pub(crate) call_id: Arc<str>,
    pub(crate) tool_name: Arc<str>,
    pub(crate) tool: Option<Arc<RegisteredTool>>,
}

/// An accepted and announced call, waiting to run: what a batch keeps of a call until
/// a lane takes it.
pub(crate) struct Queued {
    pub(crate) call: ToolCall,
    pub(crate) accepted: Accepted,
    pub(crate) live: Arc<LiveCell>,
    /// When the call was accepted: its execution time and call deadline count from here.
    pub(crate) start: Instant,
    /// The journaled batch the call belongs to, if the executor keeps a journal.
    pub(crate) journal: Option<Arc<JournalScope>>,
}

/// `c-N`, written straight into the `Arc` (no intermediate `String`).
pub(crate) fn generated_id(sequence: u64) -> Arc<str> {
    let mut digits = [0u8; 20];
    let mut n = sequence;
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut id = [0u8; 22];
    id[..2].copy_from_slice(b"c-");
    let len = 2 + digits.len() - start;
    id[2..len].copy_from_slice(&digits[start..]);
    Arc::from(std::str::from_utf8(&id[..len]).unwrap_or("c-?"))
}

impl Accepted {
    /// Fixes a call's identity when it is accepted: its sequence number, its id (given
    /// or `c-N`) and its tool, looked up once.
    fn new(inner: &Inner, call: &mut ToolCall, sequence: u64) -> Self {
        let call_id: Arc<str> = match call.call_id.take() {
            Some(id) => id.into(),
            None => generated_id(sequence),
        };
        let requested = std::mem::take(&mut call.tool);
        let tool = inner.tools.get(requested.as_str()).cloned();
        let tool_name = match &tool {
            Some(t) => t.name.clone(),
            None => requested.into(),
        };
        Self {
            sequence,
            call_id,
            tool_name,
            tool,
        }
    }
}

impl Queued {
    /// Accepts a call and announces it: its live status reads `pending` and subscribers
    /// see it start, whether it runs at once or waits for a lane.
    pub(crate) fn announce(
        inner: &Inner,
        mut call: ToolCall,
        sequence: u64,
        start: Instant,
        journal: Option<Arc<JournalScope>>,
    ) -> Self {
        let accepted = Accepted::new(inner, &mut call, sequence);
        let live = inner.board.set(
            sequence,
            start,
            LiveStatus {
                call_id: accepted.call_id.clone(),
                tool_name: accepted.tool_name.clone(),
                status: CallStatus::Pending,
                attempt: 0,
            },
        );
        inner.board.emit(|| ExecutionEvent::Started {
            call_id: accepted.call_id.clone(),
            tool_name: accepted.tool_name.clone(),
        });
        Self {
            call,
            accepted,
            live,
            start,
            journal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::generated_id;

    #[test]
    fn generated_ids_are_c_dash_the_sequence_number() {
        assert_eq!(&*generated_id(0), "c-0");
        assert_eq!(&*generated_id(42), "c-42");
        assert_eq!(&*generated_id(u64::MAX), "c-18446744073709551615");
    }
}
