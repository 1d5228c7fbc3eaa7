//! `Retry-After` (RFC 9110 section 10.2.3): delta seconds or an HTTP date, read from a
//! peer that may send anything.
//!
//! The value comes from outside, so it is read defensively: a number too large for any
//! integer saturates, a date in the past means "now", and either form is capped at
//! [`MAX_RETRY_AFTER`] so that the wait is always a sane [`Duration`]. The engine caps
//! the wait further by its own policy; this cap only keeps absurd values out of it.

use std::time::{Duration, SystemTime};

/// The longest wait a `Retry-After` header can ask for: one day.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The wait a `Retry-After` value asks for, as seen at wall-clock time `now`; `None`
/// when the value is neither delta seconds nor an HTTP date.
pub(super) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let wait = at.duration_since(now).unwrap_or(Duration::ZERO);
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        // Sun, 06 Nov 1994 08:49:37 GMT, the date of RFC 9110's examples.
        SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777)
    }

    #[test]
    fn delta_seconds_are_read() {
        assert_eq!(
            parse_retry_after(" 120 ", now()),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("0", now()), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_u64_max_saturates_at_the_cap() {
        assert_eq!(
            parse_retry_after("18446744073709551615", now()),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999999999999", now()),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(parse_retry_after("999999", now()), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn http_date_is_the_wait_until_that_moment() {
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:51:07 GMT", now()),
            Some(Duration::from_secs(90))
        );
    }

    #[test]
    fn http_date_in_the_past_means_now() {
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn far_future_http_date_is_capped() {
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now()),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn garbage_is_ignored() {
        for value in [
            "",
            "-1",
            "1.5",
            "soon",
            "+3",
            "Sun, 99 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(value, now()), None, "{value:?}");
        }
    }
}
