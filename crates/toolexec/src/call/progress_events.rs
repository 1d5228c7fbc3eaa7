//! [`ProgressEvents`]: an attempt's progress reports as the call's
//! [`ExecutionEvent::Progress`] events.

use std::sync::Arc;

use crate::call::event_text::bounded;
use crate::inner::Inner;
use crate::progress::{Progress, ProgressListener};
use crate::status::ExecutionEvent;

/// Sends each report of a call's attempts to the executor's event subscribers.
pub(crate) struct ProgressEvents {
    pub(crate) inner: Arc<Inner>,
    pub(crate) call_id: Arc<str>,
    pub(crate) tool_name: Arc<str>,
}

impl ProgressListener for ProgressEvents {
    fn progress(&self, attempt: u32, progress: Progress) {
        self.inner.board.emit(|| ExecutionEvent::Progress {
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            attempt,
            progress: progress.progress,
            total: progress.total,
            message: progress.message.as_deref().map(bounded),
        });
    }
}
