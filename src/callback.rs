//! What Kie POSTs to `callBackUrl`, and the decisions of webhook verification (contract §2):
//! which id is signed, the message, the timestamp window, replays. The HMAC itself runs on the
//! host's WebCrypto (`crypto.subtle.verify`, constant-time), so no hash crate ships in the wasm.

use crate::view::{Kind, View};
use std::collections::VecDeque;

/// Bodies larger than this are refused before parsing (a success body is well under 10 KB).
pub use crate::contract::boundary::MAX_CALLBACK_BODY_BYTES;
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

/// An HMAC-SHA256 signature's length in bytes.
pub const SIGNATURE_BYTES: usize = 32;

/// `X-Webhook-Signature` decoded strictly: canonical standard base64 of exactly 32 bytes (with
/// its one `=`, no whitespace inside, unused bits zero). Hosts' `atob` accepts many spellings of
/// the same bytes; accepting only one means a captured delivery cannot be re-spelled.
pub fn decode_signature(text: &str) -> Result<[u8; SIGNATURE_BYTES], WebhookProblem> {
    let b = text.trim().as_bytes();
    // 32 bytes = 43 characters of 6 bits (the last carries 2 unused bits) + one "=".
    if b.len() != 44 || b[43] != b'=' {
        return Err(WebhookProblem::Malformed);
    }
    let mut out = [0u8; SIGNATURE_BYTES];
    let (mut acc, mut bits, mut at) = (0u32, 0u32, 0usize);
    for &c in &b[..43] {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(WebhookProblem::Malformed),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out[at] = (acc >> bits) as u8;
            at += 1;
            acc &= (1 << bits) - 1;
        }
    }
    if acc != 0 {
        return Err(WebhookProblem::Malformed); // non-zero unused bits: another spelling
    }
    Ok(out)
}

/// Remembers accepted deliveries for the tolerance window, keyed on what was signed (the
/// `taskId.timestamp` message), so the same signed delivery is accepted once however its
/// signature or body is re-encoded. Bounded: the oldest entries go first. Per process/isolate.
#[derive(Default)]
pub struct ReplayGuard {
    seen: VecDeque<(String, f64)>,
}

impl ReplayGuard {
    /// Records the signed `message`; false when it was already accepted inside the window.
    pub fn first_time(&mut self, message: &str, ts: f64, now_s: f64, tolerance_s: f64) -> bool {
        while self.seen.front().is_some_and(|(_, t)| now_s - *t > tolerance_s) || self.seen.len() >= REPLAY_MEMORY {
            self.seen.pop_front();
        }
        if self.seen.iter().any(|(s, _)| s == message) {
            return false;
        }
        self.seen.push_back((message.to_owned(), ts));
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
    fn signatures_decode_only_in_their_canonical_spelling() {
        // HMAC-SHA256 of "t1.1700000000" under "k" is irrelevant here: any 32 bytes will do.
        let bytes: [u8; 32] = core::array::from_fn(|i| (i * 37 + 11) as u8);
        let canonical = {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut s = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
                for i in 0..=chunk.len() {
                    s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            s.push('=');
            s
        };
        assert_eq!(decode_signature(&canonical), Ok(bytes));
        assert_eq!(
            decode_signature(&format!(" {canonical} ")),
            Ok(bytes),
            "header whitespace"
        );
        let mut variants = vec![
            canonical.trim_end_matches('=').to_owned(),
            format!("{canonical}="),
            format!("{}\n{}", &canonical[..20], &canonical[20..]),
            format!("{} {}", &canonical[..20], &canonical[20..]),
            canonical.replace('+', "-").replace('/', "_"),
            String::new(),
        ];
        // The last character carries 2 unused bits: flipping them spells the same bytes.
        let last = canonical.as_bytes()[42];
        for flip in 1..4u8 {
            let mut v = canonical.clone().into_bytes();
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let idx = alphabet.iter().position(|&c| c == last).unwrap();
            v[42] = alphabet[(idx & !3) | usize::from(flip ^ (idx as u8 & 3))];
            variants.push(String::from_utf8(v).unwrap());
        }
        for v in variants {
            if v != canonical {
                assert_eq!(decode_signature(&v), Err(WebhookProblem::Malformed), "{v:?}");
            }
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
