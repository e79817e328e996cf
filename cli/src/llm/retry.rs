//! The retry policy for requests to the model: which failures are worth another attempt and
//! how long to wait before it (exponential backoff with jitter, or the server's `Retry-After`).

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Maximum wait before one retry, whatever `Retry-After` asks for.
pub const MAX_DELAY: Duration = Duration::from_secs(30);

/// Maximum total time spent waiting between attempts of one request.
pub const MAX_TOTAL_DELAY: Duration = Duration::from_secs(90);

/// Returns whether an HTTP status is worth retrying: 408, 429 and every 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// Returns the delay before retry number `retry` (0 for the first retry): `base * 2^retry`
/// plus up to 50% random jitter, or the server's `Retry-After` when it sent one, both capped
/// at [`MAX_DELAY`].
pub fn delay(base: Duration, retry: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(MAX_DELAY);
    }
    let exponential = base.saturating_mul(2u32.saturating_pow(retry.min(16)));
    let jitter = exponential.mul_f64(random_fraction() * 0.5);
    exponential.saturating_add(jitter).min(MAX_DELAY)
}

/// Parses a `Retry-After` value in seconds. The HTTP-date form is not read, so it falls back
/// to the exponential delay.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// Returns a number in [0, 1) from the standard library's randomly keyed hasher, enough for
/// jitter.
fn random_fraction() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_with_bounded_jitter() {
        let base = Duration::from_millis(100);
        for retry in 0..4 {
            let wait = delay(base, retry, None);
            let floor = base * 2u32.pow(retry);
            assert!(wait >= floor, "retry {retry}: {wait:?}");
            assert!(wait <= floor.mul_f64(1.5), "retry {retry}: {wait:?}");
        }
    }

    #[test]
    fn delay_honours_and_caps_retry_after() {
        let base = Duration::from_millis(100);
        assert_eq!(
            delay(base, 3, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(delay(base, 0, Some(Duration::from_secs(3600))), MAX_DELAY);
        assert_eq!(delay(Duration::from_secs(20), 5, None), MAX_DELAY);
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn retryable_statuses() {
        assert!(is_retryable_status(429));
        assert!(is_retryable_status(503));
        assert!(!is_retryable_status(400));
        assert!(!is_retryable_status(401));
    }
}
