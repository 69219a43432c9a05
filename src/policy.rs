//! When to retry and how long to wait: pure functions of the operation, the failure, the attempt
//! and an injected jitter in [0, 1), so tests pin every number. The client only executes them.
//!
//! Rules (README "Retries"):
//! - Reads (getTask, polls, credits) retry transient failures: network, timeout, 429, 455, 5xx,
//!   non-JSON gateway pages.
//! - Creates and uploads retry only where Kie certainly did nothing: 429 (dropped, not queued,
//!   contract §5) and 455 maintenance. Anything ambiguous after the request went out is not
//!   retried and is reported with `maybeCreated`.

use crate::contract::assumptions::RATE_LIMIT_MIN_BACKOFF_MS;
use crate::error::ErrorKind;

/// What kind of call failed: it decides whether sending it again is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `POST createTask`: not idempotent (Kie has no idempotency key).
    Create,
    /// File uploads: not idempotent either (a repeat may store a second copy).
    Upload,
    /// GETs and other calls without side effects.
    Read,
}

/// First backoff step, ms.
pub const RETRY_BASE_MS: f64 = 500.0;
/// Largest computed backoff, ms.
pub const RETRY_CAP_MS: f64 = 8_000.0;
/// A server-sent Retry-After longer than this is not waited out: the error is returned instead.
pub const RETRY_AFTER_MAX_MS: f64 = 60_000.0;
/// Never retry sooner than this, even with a jitter of 0, so a retry never hammers.
pub const RETRY_FLOOR_MS: f64 = 100.0;

/// Whether the failure of `op` may be sent again by the SDK itself.
pub fn should_retry(op: Operation, kind: ErrorKind) -> bool {
    match op {
        Operation::Read => kind.is_transient(),
        Operation::Create | Operation::Upload => {
            matches!(kind, ErrorKind::RateLimited | ErrorKind::Maintenance)
        }
    }
}

/// Whether a failed create may nevertheless have created a task: the request may have reached
/// Kie and the answer was lost or unreadable. `sent` is false when it failed before sending.
pub fn maybe_created(op: Operation, kind: ErrorKind, sent: bool) -> bool {
    op == Operation::Create
        && sent
        && matches!(
            kind,
            ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::Server
                | ErrorKind::InvalidResponse
                | ErrorKind::Aborted
        )
}

/// The wait before retry number `attempt + 1` (attempt counts from 0), or `None` to give up.
/// Exponential backoff with full jitter, floored; a `Retry-After` (ms) from the server wins.
pub fn plan_retry(
    op: Operation,
    kind: ErrorKind,
    attempt: u32,
    max_retries: u32,
    retry_after_ms: Option<f64>,
    jitter: f64,
) -> Option<f64> {
    if attempt >= max_retries || !should_retry(op, kind) {
        return None;
    }
    if let Some(after) = retry_after_ms {
        return (after <= RETRY_AFTER_MAX_MS).then_some(after.max(0.0));
    }
    let jitter = unit(jitter);
    let step = (RETRY_BASE_MS * f64::from(1u32 << attempt.min(16))).min(RETRY_CAP_MS);
    if kind == ErrorKind::RateLimited {
        // No Retry-After is documented (contract §5): wait a good part of the 10 s window.
        return Some(RATE_LIMIT_MIN_BACKOFF_MS + step * jitter);
    }
    Some((step * jitter).max(RETRY_FLOOR_MS))
}

/// Parses a `Retry-After` value in delta seconds (`"12"`, `"1.5"`) into ms. The runtime turns
/// an HTTP-date value into seconds before it gets here (js/runtime.js `readReply`: the host's
/// date parser costs no wasm).
pub fn parse_retry_after(value: &str) -> Option<f64> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let dot = v.bytes().position(|b| b == b'.').unwrap_or(v.len());
    let (whole, frac) = (&v[..dot], v.get(dot + 1..).unwrap_or(""));
    if whole.is_empty() || whole.len() > 9 || frac.bytes().any(|b| b == b'.') {
        return None;
    }
    let digits = |s: &str| s.bytes().fold(0u64, |a, b| a * 10 + u64::from(b - b'0'));
    let mut ms = digits(whole) as f64 * 1000.0;
    let mut scale = 100.0;
    for b in frac.bytes().take(3) {
        ms += f64::from(b - b'0') * scale;
        scale /= 10.0;
    }
    Some(ms)
}

/// Shortest gap between polls, ms (the contract advises starting at 2-3 s).
pub const POLL_MIN_MS: f64 = 2_500.0;
/// Longest gap between polls, ms.
pub const POLL_MAX_MS: f64 = 30_000.0;
/// The gap grows with the task's age: a poll every 9% of the time waited so far (under the 10%
/// target, leaving room for the request's own latency).
pub const POLL_AGE_FRACTION: f64 = 0.09;
/// Jitter shortens a gap by up to this fraction, so pollers spread out without ever waiting longer.
pub const POLL_JITTER_FRACTION: f64 = 0.1;

/// The wait before the next poll, given how long we have waited so far (ms). Completion is
/// noticed within max(2.5 s, 9% of the wait's age), capped at 30 s: for a 30 s task that is
/// fewer polls than a fixed 2 s poller, for a 5 min task a third of them. Jitter only shortens
/// the gap, keeping that bound.
pub fn poll_delay_ms(elapsed_ms: f64, jitter: f64) -> f64 {
    let elapsed = if elapsed_ms.is_nan() { 0.0 } else { elapsed_ms.max(0.0) };
    let base = (elapsed * POLL_AGE_FRACTION).clamp(POLL_MIN_MS, POLL_MAX_MS);
    base * (1.0 - POLL_JITTER_FRACTION * unit(jitter))
}

/// A jitter in [0, 1]; anything else (NaN included) counts as 0, so a bad random source can
/// never turn a wait into NaN (which a timer would read as "no wait at all").
fn unit(jitter: f64) -> f64 {
    if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// How many polls the default schedule makes, and how late it notices, for a task finishing
/// `task_ms` after the wait began (first poll at 0). Used by docs and the bench.
pub fn simulate_polls(task_ms: f64, jitter: f64) -> (u32, f64) {
    let (mut t, mut polls) = (0.0, 1u32);
    while t < task_ms {
        t += poll_delay_ms(t, jitter);
        polls += 1;
    }
    (polls, t - task_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorKind::*;

    #[test]
    fn reads_retry_transient_failures_only() {
        for k in [Network, Timeout, RateLimited, Maintenance, Server, InvalidResponse] {
            assert!(should_retry(Operation::Read, k), "{k:?}");
        }
        for k in [
            Validation,
            Unauthorized,
            InsufficientCredits,
            NotFound,
            DailyLimit,
            Blocked,
            Http,
            Aborted,
            TaskFailed,
            FeatureDisabled,
            GenerationFailed,
        ] {
            assert!(!should_retry(Operation::Read, k), "{k:?}");
        }
    }

    #[test]
    fn creates_retry_only_when_nothing_was_created() {
        for k in ErrorKind::ALL {
            let expected = matches!(k, RateLimited | Maintenance);
            assert_eq!(should_retry(Operation::Create, k), expected, "{k:?}");
            assert_eq!(should_retry(Operation::Upload, k), expected, "{k:?}");
        }
        for k in [Network, Timeout, Server, InvalidResponse, Aborted] {
            assert!(maybe_created(Operation::Create, k, true));
            assert!(!maybe_created(Operation::Create, k, false));
            assert!(!maybe_created(Operation::Read, k, true));
        }
        for k in [
            RateLimited,
            Maintenance,
            Unauthorized,
            Validation,
            InsufficientCredits,
            Blocked,
        ] {
            assert!(!maybe_created(Operation::Create, k, true));
        }
        assert_eq!(plan_retry(Operation::Create, Server, 0, 3, None, 0.5), None);
        assert_eq!(plan_retry(Operation::Create, Timeout, 0, 3, Some(0.0), 0.5), None);
    }

    #[test]
    fn backoff_is_exponential_jittered_capped_and_floored() {
        assert_eq!(plan_retry(Operation::Read, Server, 0, 3, None, 1.0), Some(500.0));
        assert_eq!(plan_retry(Operation::Read, Server, 1, 3, None, 1.0), Some(1000.0));
        assert_eq!(plan_retry(Operation::Read, Server, 2, 3, None, 0.5), Some(1000.0));
        assert_eq!(plan_retry(Operation::Read, Server, 3, 3, None, 0.5), None);
        assert_eq!(
            plan_retry(Operation::Read, Server, 10, 20, None, 1.0),
            Some(RETRY_CAP_MS)
        );
        assert_eq!(
            plan_retry(Operation::Read, Server, 0, 3, None, 0.0),
            Some(RETRY_FLOOR_MS)
        );
        assert_eq!(
            plan_retry(Operation::Read, Server, 40, 50, None, 0.99),
            Some(RETRY_CAP_MS * 0.99)
        );
        // 429 without Retry-After waits part of the 10 s window.
        assert_eq!(
            plan_retry(Operation::Create, RateLimited, 0, 2, None, 0.0),
            Some(2000.0)
        );
        assert_eq!(
            plan_retry(Operation::Create, RateLimited, 1, 2, None, 1.0),
            Some(3000.0)
        );
    }

    #[test]
    fn bad_jitter_never_means_no_wait() {
        assert_eq!(
            plan_retry(Operation::Create, RateLimited, 0, 2, None, f64::NAN),
            Some(2000.0)
        );
        assert_eq!(
            plan_retry(Operation::Read, Server, 0, 2, None, f64::INFINITY),
            Some(RETRY_FLOOR_MS)
        );
        assert_eq!(poll_delay_ms(f64::NAN, f64::NAN), POLL_MIN_MS);
    }

    #[test]
    fn retry_after_wins_and_is_bounded() {
        assert_eq!(
            plan_retry(Operation::Create, RateLimited, 0, 2, Some(3000.0), 0.9),
            Some(3000.0)
        );
        assert_eq!(
            plan_retry(Operation::Read, Maintenance, 0, 2, Some(0.0), 0.9),
            Some(0.0)
        );
        assert_eq!(
            plan_retry(Operation::Read, Maintenance, 0, 2, Some(120_000.0), 0.9),
            None
        );
        assert_eq!(parse_retry_after("3"), Some(3000.0));
        assert_eq!(parse_retry_after(" 1.5 "), Some(1500.0));
        assert_eq!(parse_retry_after("0.25"), Some(250.0));
        assert_eq!(parse_retry_after("120"), Some(120_000.0));
        for bad in ["", "soon", "-1", "1.2.3", ".5", "Sun, 06 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(bad), None, "{bad}");
        }
    }

    #[test]
    fn poll_schedule_starts_quick_backs_off_and_caps() {
        assert_eq!(poll_delay_ms(0.0, 0.0), 2500.0);
        assert_eq!(poll_delay_ms(100_000.0, 0.0), 9000.0);
        assert_eq!(poll_delay_ms(3_600_000.0, 0.0), POLL_MAX_MS);
        assert_eq!(poll_delay_ms(100_000.0, 1.0), 9000.0 * 0.9);
        let mut t = 0.0;
        let mut last = 0.0;
        while t < 900_000.0 {
            let d = poll_delay_ms(t, 0.37);
            assert!(d >= POLL_MIN_MS * (1.0 - POLL_JITTER_FRACTION) && d <= POLL_MAX_MS);
            assert!(
                d >= last * (1.0 - POLL_JITTER_FRACTION) - 1e-9,
                "never jumps back down beyond the jitter"
            );
            last = d;
            t += d;
        }
    }

    #[test]
    fn detection_delay_bound_and_poll_counts() {
        for task_s in [5.0, 30.0, 120.0, 300.0, 900.0] {
            let task_ms = task_s * 1000.0;
            for jitter in [0.0, 0.5, 0.999] {
                let (polls, late) = simulate_polls(task_ms, jitter);
                let bound = (POLL_MIN_MS).max(task_ms * POLL_AGE_FRACTION).min(POLL_MAX_MS);
                assert!(late <= bound + 1e-6, "{task_s}s late {late}");
                if task_s >= 30.0 {
                    assert!(late <= (task_ms * 0.1).max(1500.0), "{task_s}s: within 10% of its age");
                    let fixed_2s = (task_ms / 2000.0).ceil() as u32 + 1;
                    assert!(polls < fixed_2s, "{task_s}s: {polls} vs {fixed_2s}");
                }
            }
        }
    }
}
