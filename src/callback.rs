//! What Kie POSTs to `callBackUrl`, and the decisions of webhook verification (contract §2):
//! which id is signed, the message, the timestamp window, replays. The HMAC itself runs on the
//! host's WebCrypto (`crypto.subtle.verify`, constant-time), so no hash crate ships in the wasm.

use crate::view::{Kind, View};
use std::collections::VecDeque;

/// Bodies larger than this are refused before parsing (a success body is well under 10 KB).
pub const MAX_CALLBACK_BODY_BYTES: usize = 1024 * 1024;
/// Default replay window, seconds: timestamps further than this from now are refused.
pub const DEFAULT_TOLERANCE_SECONDS: f64 = 300.0;
/// Signatures remembered for replay detection (per process / isolate).
pub const REPLAY_MEMORY: usize = 10_000;

/// Why a delivery was refused: a stable string (`KieError.reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookProblem {
    TooLarge,
    Malformed,
    MissingHeaders,
    StaleTimestamp,
    FutureTimestamp,
    SignatureMismatch,
    Replayed,
}

impl WebhookProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookProblem::TooLarge => "too_large",
            WebhookProblem::Malformed => "malformed",
            WebhookProblem::MissingHeaders => "missing_headers",
            WebhookProblem::StaleTimestamp => "stale_timestamp",
            WebhookProblem::FutureTimestamp => "future_timestamp",
            WebhookProblem::SignatureMismatch => "signature_mismatch",
            WebhookProblem::Replayed => "replayed",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            WebhookProblem::TooLarge => "callback body is larger than 1 MB",
            WebhookProblem::Malformed => "callback body is not a Kie callback (JSON with data.taskId)",
            WebhookProblem::MissingHeaders => "X-Webhook-Timestamp or X-Webhook-Signature is missing",
            WebhookProblem::StaleTimestamp => "X-Webhook-Timestamp is older than the tolerance (possible replay)",
            WebhookProblem::FutureTimestamp => "X-Webhook-Timestamp is further in the future than the tolerance",
            WebhookProblem::SignatureMismatch => {
                "X-Webhook-Signature does not match (wrong key, or the taskId or timestamp was altered)"
            }
            WebhookProblem::Replayed => "this signed delivery was already accepted once (replay or duplicate)",
        }
    }
}

/// The id Kie signs: `data.taskId`, else `data.task_id`, else a top-level `taskId` (contract §2).
pub fn signed_task_id<V: View>(body: &V) -> Option<String> {
    let data = body.field("data").filter(|d| d.kind() == Kind::Object);
    data.as_ref()
        .and_then(|d| d.field("taskId").or_else(|| d.field("task_id")))
        .or_else(|| body.field("taskId"))
        .and_then(|v| v.string())
        .filter(|s| !s.is_empty())
}

/// The signed message: `taskId + "." + timestamp`.
pub fn signed_message(task_id: &str, timestamp: &str) -> String {
    let mut m = String::with_capacity(task_id.len() + 12);
    m.push_str(task_id);
    m.push('.');
    m.push_str(timestamp);
    m
}

/// Checks `X-Webhook-Timestamp` (Unix seconds) against now, both directions.
pub fn check_timestamp(text: &str, now_s: f64, tolerance_s: f64) -> Result<f64, WebhookProblem> {
    let t = text.trim();
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookProblem::Malformed);
    }
    let ts = t.bytes().fold(0f64, |a, b| a * 10.0 + f64::from(b - b'0'));
    if now_s - ts > tolerance_s {
        Err(WebhookProblem::StaleTimestamp)
    } else if ts - now_s > tolerance_s {
        Err(WebhookProblem::FutureTimestamp)
    } else {
        Ok(ts)
    }
}

/// Remembers accepted signatures for the tolerance window, so the same signed delivery is
/// accepted once. Bounded: the oldest entries go first.
#[derive(Default)]
pub struct ReplayGuard {
    seen: VecDeque<(String, f64)>,
}

impl ReplayGuard {
    /// Records `signature`; false when it was already seen inside the window.
    pub fn first_time(&mut self, signature: &str, ts: f64, now_s: f64, tolerance_s: f64) -> bool {
        while self.seen.front().is_some_and(|(_, t)| now_s - *t > tolerance_s) || self.seen.len() >= REPLAY_MEMORY {
            self.seen.pop_front();
        }
        if self.seen.iter().any(|(s, _)| s == signature) {
            return false;
        }
        self.seen.push_back((signature.to_owned(), ts));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_signed_id() {
        assert_eq!(signed_task_id(&json!({"data": {"taskId": "a"}})).as_deref(), Some("a"));
        assert_eq!(signed_task_id(&json!({"data": {"task_id": "b"}})).as_deref(), Some("b"));
        assert_eq!(
            signed_task_id(&json!({"taskId": "c", "data": null})).as_deref(),
            Some("c")
        );
        assert_eq!(signed_task_id(&json!({"data": {"taskId": ""}})), None);
        assert_eq!(signed_task_id(&json!([1])), None);
        assert_eq!(signed_message("t1", "1700000000"), "t1.1700000000");
    }

    #[test]
    fn timestamp_window_both_ways() {
        assert_eq!(check_timestamp("1000", 1000.0, 300.0), Ok(1000.0));
        assert_eq!(check_timestamp("700", 1000.0, 300.0), Ok(700.0));
        assert_eq!(
            check_timestamp("699", 1000.0, 300.0),
            Err(WebhookProblem::StaleTimestamp)
        );
        assert_eq!(
            check_timestamp("1301", 1000.0, 300.0),
            Err(WebhookProblem::FutureTimestamp)
        );
        assert_eq!(
            check_timestamp("1700000000000", 1.7e9, 300.0),
            Err(WebhookProblem::Malformed),
            "ms are not seconds"
        );
        for bad in ["", "-5", "1e9", "12a"] {
            assert_eq!(
                check_timestamp(bad, 1000.0, 300.0),
                Err(WebhookProblem::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn replays_are_caught_inside_the_window_only() {
        let mut g = ReplayGuard::default();
        assert!(g.first_time("sig", 1000.0, 1000.0, 300.0));
        assert!(!g.first_time("sig", 1000.0, 1100.0, 300.0));
        assert!(g.first_time("other", 1000.0, 1100.0, 300.0));
        // Past the window the entry is forgotten (and the timestamp check refuses it anyway).
        assert!(g.first_time("sig", 1000.0, 1400.0, 300.0));
        for i in 0..(REPLAY_MEMORY + 5) {
            g.first_time(&i.to_string(), 2000.0, 2000.0, 300.0);
        }
        assert!(g.seen.len() <= REPLAY_MEMORY);
    }
}
