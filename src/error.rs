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
    msg.to_ascii_lowercase().contains("recordinfo is null")
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

/// `text` with every occurrence of `secret` replaced, so a server that echoes the key (or a
/// proxy page that does) cannot carry it into an error. Empty or very short secrets are ignored:
/// replacing "a" everywhere would mangle messages and protect nothing.
pub fn redact(text: &str, secret: &str) -> String {
    if secret.len() < 4 {
        return text.to_owned();
    }
    text.replace(secret, "[redacted]")
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
        let key = ApiKey::new("sk-very-secret".into());
        assert!(!format!("{key:?}").contains("sk-very-secret"));
        assert_eq!(key.expose(), "sk-very-secret");
    }
}
