//! Error kinds (a stable public vocabulary), how Kie's answers map onto them, and key redaction.
//! Pure: the client turns these into thrown `KieError` objects.

/// What went wrong, as one stable string per case (`KieError.kind` in JS). Never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    Validation,
    Unauthorized,
    InsufficientCredits,
    NotFound,
    RateLimited,
    DailyLimit,
    Maintenance,
    Server,
    GenerationFailed,
    FeatureDisabled,
    Blocked,
    Http,
    Network,
    Timeout,
    Aborted,
    TaskFailed,
    InvalidResponse,
    /// A callback delivery that failed verification (`KieError.reason` says why).
    InvalidWebhook,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 18] = [
        ErrorKind::Validation,
        ErrorKind::Unauthorized,
        ErrorKind::InsufficientCredits,
        ErrorKind::NotFound,
        ErrorKind::RateLimited,
        ErrorKind::DailyLimit,
        ErrorKind::Maintenance,
        ErrorKind::Server,
        ErrorKind::GenerationFailed,
        ErrorKind::FeatureDisabled,
        ErrorKind::Blocked,
        ErrorKind::Http,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Aborted,
        ErrorKind::TaskFailed,
        ErrorKind::InvalidResponse,
        ErrorKind::InvalidWebhook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::InsufficientCredits => "insufficient_credits",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::DailyLimit => "daily_limit",
            ErrorKind::Maintenance => "maintenance",
            ErrorKind::Server => "server",
            ErrorKind::GenerationFailed => "generation_failed",
            ErrorKind::FeatureDisabled => "feature_disabled",
            ErrorKind::Blocked => "blocked",
            ErrorKind::Http => "http",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::TaskFailed => "task_failed",
            ErrorKind::InvalidResponse => "invalid_response",
            ErrorKind::InvalidWebhook => "invalid_webhook",
        }
    }

    /// A failure that may go away if the same request is sent again later (the caller's view;
    /// whether the SDK itself re-sends is `policy::should_retry`, which also weighs the operation).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited
                | ErrorKind::Maintenance
                | ErrorKind::Server
                | ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::InvalidResponse
        )
    }
}

/// The kind for an error `code` in Kie's `{code, msg}` envelope (contract §1, "HTTP status vs body code").
pub fn kind_for_api_code(code: i64, msg: &str) -> ErrorKind {
    match code {
        401 | 403 => ErrorKind::Unauthorized,
        402 => ErrorKind::InsufficientCredits,
        404 => ErrorKind::NotFound,
        // The live API answers an unknown taskId with 422 "recordInfo is null" (contract §1).
        422 if is_record_null(msg) => ErrorKind::NotFound,
        400 | 422 => ErrorKind::Validation,
        429 => ErrorKind::RateLimited,
        433 => ErrorKind::DailyLimit,
        455 => ErrorKind::Maintenance,
        501 => ErrorKind::GenerationFailed,
        505 => ErrorKind::FeatureDisabled,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Http,
    }
}

/// Kie's "no such record (yet)" message.
pub fn is_record_null(msg: &str) -> bool {
    // A byte scan: str's substring searcher costs more wasm than this whole check.
    const NEEDLE: &[u8] = b"recordinfo is null";
    msg.as_bytes()
        .windows(NEEDLE.len())
        .any(|w| w.eq_ignore_ascii_case(NEEDLE))
}

/// The kind for an HTTP status whose body carried no envelope (gateway pages, Cloudflare blocks).
pub fn kind_for_http_status(status: u16, body: &str) -> ErrorKind {
    match status {
        // Cloudflare's bare "error code: 1010" (browser signature ban) and friends (contract §1).
        403 if body.trim_start().starts_with("error code:") => ErrorKind::Blocked,
        401 | 403 => ErrorKind::Unauthorized,
        402 => ErrorKind::InsufficientCredits,
        404 => ErrorKind::NotFound,
        408 => ErrorKind::Timeout,
        429 => ErrorKind::RateLimited,
        455 | 503 => ErrorKind::Maintenance,
        500..=599 => ErrorKind::Server,
        200..=299 => ErrorKind::InvalidResponse,
        _ => ErrorKind::Http,
    }
}

/// The shortest run of a secret's characters treated as a leak of it.
pub const SECRET_FRAGMENT_CHARS: usize = 12;

/// `text` with the secret scrubbed in every form a server might echo it: exact, case-changed,
/// base64 (standard or URL-safe, at any alignment), or any run of `SECRET_FRAGMENT_CHARS`
/// characters of either. Each leak becomes "[redacted]". Secrets shorter than that fragment are
/// matched whole (case-insensitively); under 4 characters they are ignored (replacing "a"
/// everywhere would mangle messages and protect nothing).
pub fn redact(text: &str, secret: &str) -> String {
    if secret.len() < 4 {
        return text.to_owned();
    }
    let needles = leak_forms(secret);
    let window = SECRET_FRAGMENT_CHARS.min(secret.len());
    let bytes = text.as_bytes();
    // Byte ranges to replace, found on ASCII-lowercased windows (keys and base64 are ASCII).
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i + window <= bytes.len() {
        let hit = if text.is_char_boundary(i) {
            needles
                .iter()
                .filter_map(|n| longest_match_at(bytes, i, n, window))
                .max()
        } else {
            None
        };
        // A non-ASCII secret could match part of a character: end on a boundary.
        let hit = hit.map(|len| {
            (len..=bytes.len() - i)
                .find(|&l| text.is_char_boundary(i + l))
                .unwrap_or(bytes.len() - i)
        });
        match hit {
            Some(len) => {
                out.push_str(&text[copied..i]);
                out.push_str("[redacted]");
                i += len;
                copied = i;
            }
            None => i += 1,
        }
    }
    if copied == 0 {
        return text.to_owned();
    }
    out.push_str(&text[copied..]);
    out
}

/// `text` with every occurrence of `secret` replaced, ignoring ASCII case: what the SDK applies to
/// its own responses (a server echoes what it was sent). `redact` also catches transformed forms
/// (base64, fragments), for the proxy, whose answers go to strangers.
pub fn redact_echo(text: &str, secret: &str) -> String {
    let (t, s) = (text.as_bytes(), secret.as_bytes());
    if s.len() < 4 || t.len() < s.len() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i + s.len() <= t.len() {
        // A match starts and ends on char boundaries when the secret is ASCII; check anyway.
        if t[i..i + s.len()].eq_ignore_ascii_case(s) && text.is_char_boundary(i) && text.is_char_boundary(i + s.len()) {
            out.push_str(&text[copied..i]);
            out.push_str("[redacted]");
            i += s.len();
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Lowercased byte strings whose runs of `window` characters count as the secret: the secret
/// and the stable middle of its base64 at each of the three alignments, in both alphabets.
fn leak_forms(secret: &str) -> Vec<Vec<u8>> {
    let mut forms = vec![secret.as_bytes().to_ascii_lowercase()];
    for shift in 0..3 {
        let mut padded = vec![0u8; shift];
        padded.extend_from_slice(secret.as_bytes());
        let encoded = base64_std(&padded);
        // The first 4 characters depend on what precedes the secret, the last 4 on what follows.
        let start = if shift == 0 { 0 } else { 4 };
        let end = encoded.len().saturating_sub(4);
        if end > start + 4 {
            let core = &encoded[start..end];
            forms.push(core.to_ascii_lowercase());
            let url_safe: Vec<u8> = core
                .iter()
                .map(|&c| match c {
                    b'+' => b'-',
                    b'/' => b'_',
                    c => c,
                })
                .collect();
            forms.push(url_safe.to_ascii_lowercase());
        }
    }
    forms
}

/// The length of the longest run starting at `text[at]` that is a substring (ASCII case-folded)
/// of `needle`, when it is at least `window` bytes long.
fn longest_match_at(text: &[u8], at: usize, needle: &[u8], window: usize) -> Option<usize> {
    let mut best = 0;
    for start in 0..needle.len() {
        let n = text[at..]
            .iter()
            .zip(&needle[start..])
            .take_while(|(a, b)| a.to_ascii_lowercase() == **b)
            .count();
        best = best.max(n);
    }
    (best >= window).then_some(best)
}

fn base64_std(bytes: &[u8]) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize]);
        }
    }
    out
}

/// An API key that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: String) -> Self {
        ApiKey(key)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_unique_strings() {
        let mut names: Vec<_> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn api_codes_map_to_kinds() {
        let table = [
            (401, "Unauthorized", "unauthorized"),
            (402, "Insufficient credits", "insufficient_credits"),
            (404, "Task not found", "not_found"),
            (422, "recordInfo is null", "not_found"),
            (422, "prompt is required", "validation"),
            (400, "taskId parameter is required", "validation"),
            (429, "Rate limit exceeded", "rate_limited"),
            (433, "daily limit", "daily_limit"),
            (455, "maintenance", "maintenance"),
            (500, "Server Error", "server"),
            (501, "Generation Failed", "generation_failed"),
            (505, "feature disabled", "feature_disabled"),
            (418, "teapot", "http"),
        ];
        for (code, msg, kind) in table {
            assert_eq!(kind_for_api_code(code, msg).as_str(), kind, "{code} {msg}");
        }
    }

    #[test]
    fn http_statuses_map_to_kinds() {
        assert_eq!(kind_for_http_status(403, "error code: 1010"), ErrorKind::Blocked);
        assert_eq!(kind_for_http_status(502, "<html>Bad gateway</html>"), ErrorKind::Server);
        assert_eq!(kind_for_http_status(429, ""), ErrorKind::RateLimited);
        assert_eq!(kind_for_http_status(200, "{\"code\":"), ErrorKind::InvalidResponse);
        assert_eq!(kind_for_http_status(418, ""), ErrorKind::Http);
    }

    #[test]
    fn redaction_and_debug() {
        assert_eq!(redact("bad key sk-12345 here", "sk-12345"), "bad key [redacted] here");
        let key = "kie_live_0123456789abcdefXYZ";
        let b64 = |s: &str| String::from_utf8(base64_std(s.as_bytes())).unwrap();
        for leak in [
            key.to_owned(),
            key.to_uppercase(),
            key.to_lowercase(),
            b64(key),
            b64(&format!("Bearer {key}")),
            b64(&format!("x{key}")),
            b64(&format!("xy{key}")),
            b64(key).replace('+', "-").replace('/', "_"),
            key[..20].to_owned(),
            key[5..17].to_owned(),
        ] {
            let out = redact(&format!("echo: {leak} end"), key);
            assert!(out.contains("[redacted]") && !out.contains(&leak), "{leak} -> {out}");
        }
        assert_eq!(redact("nothing here at all", key), "nothing here at all");
        assert_eq!(
            redact_echo(&format!("a {key} b {} c", key.to_uppercase()), key),
            "a [redacted] b [redacted] c"
        );
        assert_eq!(redact_echo("short", key), "short");
        let odd = "ключ-секретный-123456";
        assert!(!redact(&format!("x {odd} é"), odd).contains("секрет"));
        assert_eq!(redact("aé", "\u{e9}\u{e9}\u{e9}\u{e9}"), "aé");
        assert_eq!(
            redact("kie_live_01 short run", key),
            "kie_live_01 short run",
            "11 characters is not a leak"
        );
        let key = ApiKey::new("sk-very-secret".into());
        assert!(!format!("{key:?}").contains("sk-very-secret"));
        assert_eq!(key.expose(), "sk-very-secret");
    }
}
