//! The backends' own bound on an attempt, a safety net behind the engine's.
//!
//! The engine cuts an attempt off at [`CallContext::deadline`] and reports a timeout.
//! A backend also bounds its remote work by that deadline, so that a tool called
//! directly (outside an executor) cannot hang; but it does so a little later, by
//! [`DEADLINE_GRACE`], so that under an executor the engine's own timeout always wins
//! and the envelope says `timeout` rather than a backend error.

use std::time::Duration;

use tokio::time::Instant;
use toolexec::CallContext;

/// How long after the attempt's deadline a backend gives up by itself.
pub(crate) const DEADLINE_GRACE: Duration = Duration::from_millis(100);

/// When the backend gives up by itself, if the attempt has a deadline.
pub(crate) fn backstop(ctx: &CallContext) -> Option<Instant> {
    ctx.deadline.map(|d| d + DEADLINE_GRACE)
}

/// The time left before [`backstop`], if the attempt has a deadline.
pub(crate) fn backstop_remaining(ctx: &CallContext) -> Option<Duration> {
    backstop(ctx).map(|b| b.saturating_duration_since(Instant::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_backstop_falls_a_grace_period_after_the_deadline() {
        let mut ctx = CallContext::detached("c");
        assert_eq!(backstop(&ctx), None);
        let deadline = Instant::now() + Duration::from_millis(500);
        ctx.deadline = Some(deadline);
        assert_eq!(backstop(&ctx), Some(deadline + DEADLINE_GRACE));
        tokio::time::advance(Duration::from_millis(200)).await;
        assert_eq!(backstop_remaining(&ctx), Some(Duration::from_millis(400)));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(backstop_remaining(&ctx), Some(Duration::ZERO));
    }
}
