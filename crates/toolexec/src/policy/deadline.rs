//! Timeouts and deadlines: when an attempt must end, and whether a retry still fits
//! before the call's deadline.
//!
//! Durations come from outside (configuration, per-call overrides, a peer's
//! `Retry-After`), so every sum saturates instead of overflowing.

use std::time::Duration;

use tokio::time::Instant;

/// How far ahead an instant that would overflow is put: about 30 years, as tokio does
/// for a sleep with no end.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `start + duration`, or an instant about 30 years ahead when the sum would overflow.
pub(crate) fn after(start: Instant, duration: Duration) -> Instant {
    start
        .checked_add(duration)
        .unwrap_or_else(|| start + FAR_FUTURE)
}

/// The earliest of two optional deadlines.
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// When an attempt that started at `started` must end: after its `timeout`, or at the
/// call's `deadline` if that comes first (then `true`: the deadline cuts it).
pub(crate) fn attempt_end(
    started: Instant,
    timeout: Duration,
    deadline: Option<Instant>,
) -> (Instant, bool) {
    let timeout_end = after(started, timeout);
    match deadline {
        Some(d) if d <= timeout_end => (d, true),
        _ => (timeout_end, false),
    }
}

/// Whether a retry that would start at `resume` reaches the deadline.
pub(crate) fn passes(deadline: Option<Instant>, resume: Instant) -> bool {
    deadline.is_some_and(|d| resume >= d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_duration_too_long_for_the_clock_saturates_instead_of_overflowing() {
        let now = Instant::now();
        assert_eq!(after(now, Duration::MAX), now + FAR_FUTURE);
        assert_eq!(
            after(now, Duration::from_millis(5)),
            now + Duration::from_millis(5)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_cuts_an_attempt_only_when_it_comes_first() {
        let now = Instant::now();
        let timeout = Duration::from_millis(100);
        let early = now + Duration::from_millis(40);
        let late = now + Duration::from_millis(400);
        assert_eq!(attempt_end(now, timeout, Some(early)), (early, true));
        assert_eq!(
            attempt_end(now, timeout, Some(late)),
            (now + timeout, false)
        );
        assert_eq!(attempt_end(now, timeout, None), (now + timeout, false));
        assert_eq!(attempt_end(now, Duration::MAX, Some(late)), (late, true));
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_passes_the_deadline_when_it_would_start_at_or_after_it() {
        let now = Instant::now();
        let deadline = Some(now + Duration::from_millis(10));
        assert!(!passes(deadline, now + Duration::from_millis(9)));
        assert!(passes(deadline, now + Duration::from_millis(10)));
        assert!(!passes(None, now + FAR_FUTURE));
    }
}
