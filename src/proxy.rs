//! The decisions of `kie-kling/proxy`, the server half that holds the Kie key for browsers: which
//! route a request is, whether its origin may call, who may read a task, whether a caller is over
//! a limit, what an upload is named, and what leaves in a response. Pure (time and randomness are
//! passed in) and tested natively; the JS shell (js/proxy.js) only moves Requests and Responses.

use crate::contract::{boundary, proxy as limits};
use crate::error::redact;

/// What a request asks of the proxy (the Kie paths the SDK uses, under the proxy's own URL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// A CORS preflight.
    Preflight,
    Create,
    Read,
    /// A task's status stream (Server-Sent Events): its final Task the moment a callback
    /// confirms it.
    Events,
    Credits,
    DownloadUrl,
    /// An image upload: stream (multipart), base64 or URL.
    Upload(UploadKind),
    /// Kie's callback for a finished task.
    Callback,
    NotFound,
    MethodNotAllowed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadKind {
    Stream,
    Base64,
    Url,
}

/// Where Kie posts callbacks, under the proxy's public URL.
pub const CALLBACK_PATH: &str = "/api/kie-callback";
/// A task's status stream, `?taskId=` as for recordInfo.
pub use crate::contract::push::EVENTS_PATH;
/// The upload API, under the proxy's URL (the SDK's default `uploadBaseUrl` for a keyless client
/// with a custom `baseUrl` is `${baseUrl}/upload`).
pub const UPLOAD_PREFIX: &str = "/upload";

/// The route of `method path` (`path` without the query). `mount` is the path the proxy is
/// served under ("" at the root, "/api/kie" in a Next.js catch-all route).
pub fn route(method: &str, path: &str, mount: &str) -> Route {
    let Some(path) = path.strip_prefix(mount) else {
        return Route::NotFound;
    };
    if method == "OPTIONS" {
        return Route::Preflight;
    }
    let (want, route) = match path {
        "/api/v1/jobs/createTask" => ("POST", Route::Create),
        "/api/v1/jobs/recordInfo" => ("GET", Route::Read),
        EVENTS_PATH => ("GET", Route::Events),
        "/api/v1/chat/credit" => ("GET", Route::Credits),
        "/api/v1/common/download-url" => ("POST", Route::DownloadUrl),
        "/upload/api/file-stream-upload" => ("POST", Route::Upload(UploadKind::Stream)),
        "/upload/api/file-base64-upload" => ("POST", Route::Upload(UploadKind::Base64)),
        "/upload/api/file-url-upload" => ("POST", Route::Upload(UploadKind::Url)),
        CALLBACK_PATH => ("POST", Route::Callback),
        _ => return Route::NotFound,
    };
    if method == want {
        route
    } else {
        Route::MethodNotAllowed
    }
}

/// How a request's `Origin` is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginVerdict {
    /// No `Origin` header: server-to-server use, judged by `authorize` alone; no CORS headers.
    None,
    /// Listed: CORS headers on every answer, preflight included.
    Allowed,
    /// Not listed: 403 without CORS headers, nothing else happens.
    Refused,
}

/// `origin` against the allow-list (exact match of scheme, host and port, as browsers send it).
/// The proxy's own origin (`own`: the request URL's, and the public URL's) is same-site use,
/// such as a Next.js page calling its route handler: no CORS needed, judged by `authorize`.
pub fn judge_origin(origin: Option<&str>, allowed: &[String], own: &[&str]) -> OriginVerdict {
    match origin {
        None => OriginVerdict::None,
        Some(o) if own.contains(&o) => OriginVerdict::None,
        Some(o) if allowed.iter().any(|a| a == o) => OriginVerdict::Allowed,
        Some(_) => OriginVerdict::Refused,
    }
}

/// The origin (`scheme://host[:port]`) of an absolute URL.
pub fn origin_of(url: &str) -> &str {
    match url.find("://") {
        Some(at) => {
            let rest = &url[at + 3..];
            let end = rest.find(['/', '?', '#']).map_or(url.len(), |e| at + 3 + e);
            &url[..end]
        }
        None => url,
    }
}

/// Who is calling, after `authorize`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    Known(String),
    Anonymous,
}

impl Caller {
    /// The key limits and ownership are recorded under (never a header the caller controls).
    /// Known ids are prefixed, so no id `authorize` returns can be the anonymous one.
    pub fn id(&self) -> String {
        match self {
            Caller::Known(id) => {
                let mut k = String::from("u:");
                k.push_str(id);
                k
            }
            Caller::Anonymous => "anonymous".to_owned(),
        }
    }
}

/// The outcome of `authorize(request)`: `Some(id)` (a non-empty string), or nobody. Without
/// `authorize` at all, only `allowAnonymous` lets a request through.
pub fn caller_of(authorized: Option<String>, allow_anonymous: bool) -> Option<Caller> {
    match authorized.filter(|id| !id.is_empty() && id.len() <= limits::MAX_CALLER_ID_CHARS) {
        Some(id) => Some(Caller::Known(id)),
        None if allow_anonymous => Some(Caller::Anonymous),
        None => None,
    }
}

/// Store keys: one fact each.
pub fn owner_key(task_id: &str) -> String {
    let mut k = String::from("owner:");
    k.push_str(task_id);
    k
}

pub fn task_key(task_id: &str) -> String {
    let mut k = String::from("task:");
    k.push_str(task_id);
    k
}

/// Credits spent by `caller` on day `day` (days since the Unix epoch, UTC).
pub fn credits_key(caller: &str, day: u64) -> String {
    let mut k = String::from("credits:");
    k.push_str(&crate::model::itoa(day));
    k.push(':');
    k.push_str(caller);
    k
}

/// The UTC day of `now_ms`.
pub fn day_of(now_ms: f64) -> u64 {
    (now_ms / 86_400_000.0).floor().max(0.0) as u64
}

/// A task is readable by the caller who created it and nobody else; a foreign task answers
/// exactly like one that does not exist.
pub fn may_read(owner: Option<&str>, caller_id: &str) -> bool {
    owner == Some(caller_id)
}

/// Whether a create costing `cost` fits the caller's daily budget.
pub fn within_daily_credits(spent: u64, cost: u32, per_day: Option<u64>) -> bool {
    per_day.is_none_or(|limit| spent + u64::from(cost) <= limit)
}

/// Creates per caller in a sliding minute, kept in memory (one process or isolate; use the
/// platform's limiter for a deployment-wide limit). Bounded: when full, the callers whose
/// windows are oldest are forgotten first, never the whole table.
#[derive(Default)]
pub struct CreateWindows {
    callers: Vec<(String, Vec<f64>)>,
}

impl CreateWindows {
    /// Records a create by `caller` at `now_ms` if it is under `per_minute`; otherwise returns
    /// the milliseconds until one slot frees up (for `Retry-After`).
    pub fn admit(&mut self, caller: &str, now_ms: f64, per_minute: u32) -> Result<(), f64> {
        const WINDOW_MS: f64 = 60_000.0;
        for (_, times) in &mut self.callers {
            times.retain(|t| now_ms - t < WINDOW_MS);
        }
        self.callers.retain(|(id, times)| !times.is_empty() || id == caller);
        let at = match self.callers.iter().position(|(id, _)| id == caller) {
            Some(at) => at,
            None => {
                if self.callers.len() >= limits::MAX_TRACKED_CALLERS {
                    // Forget the caller whose newest create is oldest.
                    let oldest = (0..self.callers.len()).min_by(|&a, &b| {
                        let last = |i: usize| self.callers[i].1.last().copied().unwrap_or(0.0);
                        last(a).total_cmp(&last(b))
                    });
                    if let Some(i) = oldest {
                        self.callers.swap_remove(i);
                    }
                }
                self.callers.push((caller.to_owned(), Vec::new()));
                self.callers.len() - 1
            }
        };
        let times = &mut self.callers[at].1;
        if times.len() >= per_minute as usize {
            let first = times.first().copied().unwrap_or(now_ms);
            return Err((first + WINDOW_MS - now_ms).max(1.0));
        }
        times.push(now_ms);
        Ok(())
    }
}

/// Kie's create budget for the proxy's one key (contract §5), shared by every caller: each
/// create reserves the earliest slot at which the newest `per_window` slots, its own included,
/// span at least `window_ms`, and never before a slot reserved earlier (arrival order). So no
/// window of `window_ms` ever holds more than `per_window` sends, however many callers burst.
/// A create whose slot is more than `max_wait_ms` away, or that finds `max_queue` creates
/// already waiting, is refused with the time after which to try again.
pub struct Pacer {
    pub per_window: usize,
    pub window_ms: f64,
    pub max_queue: usize,
    pub max_wait_ms: f64,
    /// Reserved send times, ascending: the past window's and every future one.
    slots: std::collections::VecDeque<f64>,
}

impl Pacer {
    pub fn new(per_window: usize, window_ms: f64, max_queue: usize, max_wait_ms: f64) -> Self {
        Pacer {
            per_window: per_window.max(1),
            window_ms,
            max_queue,
            max_wait_ms,
            slots: Default::default(),
        }
    }

    /// Kie's limit with the margin and the default queue bounds (contract.rs).
    pub fn for_kie() -> Self {
        use crate::contract::{RATE_LIMIT_TASKS, RATE_LIMIT_WINDOW_MS};
        Pacer::new(
            RATE_LIMIT_TASKS,
            RATE_LIMIT_WINDOW_MS as f64 + limits::PACE_MARGIN_MS,
            limits::PACE_MAX_QUEUE,
            limits::PACE_MAX_WAIT_MS,
        )
    }

    /// Reserves a slot: `Ok(slot)`, the time to send at (`now` or later), or `Err(ms)` after
    /// which a retry may find room.
    pub fn reserve(&mut self, now: f64) -> Result<f64, f64> {
        while self.slots.front().is_some_and(|&t| t <= now - self.window_ms) {
            self.slots.pop_front();
        }
        let waiting = self.slots.iter().filter(|&&t| t > now).count();
        let n = self.slots.len();
        let mut slot = self.slots.back().copied().unwrap_or(now).max(now);
        if n >= self.per_window {
            slot = slot.max(self.slots[n - self.per_window] + self.window_ms);
        }
        if waiting >= self.max_queue || slot - now > self.max_wait_ms {
            // Room comes when the oldest waiting slot is sent, at the latest.
            let first_waiting = self.slots.iter().copied().find(|&t| t > now).unwrap_or(slot);
            return Err((first_waiting - now).max(1.0));
        }
        self.slots.push_back(slot);
        Ok(slot)
    }

    /// Gives back a slot that was not used (its create was abandoned while it waited). Later
    /// slots keep their times: they only become more spread out, never less.
    pub fn release(&mut self, slot: f64) {
        if let Some(at) = self.slots.iter().position(|&t| t == slot) {
            self.slots.remove(at);
        }
    }

    /// Creates waiting for their slot at `now`.
    pub fn waiting(&self, now: f64) -> usize {
        self.slots.iter().filter(|&&t| t > now).count()
    }
}

/// The stored file's path and name for an upload: chosen here, never by the caller, so one
/// caller's upload can never address another's file. `random` is 16 random bytes from the shell.
pub fn upload_name(caller_id: &str, mime: &str, random: &[u8]) -> (String, String) {
    let mut path = String::from("kie-kling-proxy/");
    // A short, stable, non-reversible folder per caller (FNV-1a of the id): tidy, not a secret.
    let h = caller_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    push_hex(&mut path, &h.to_be_bytes());
    let mut name = String::new();
    push_hex(&mut name, random);
    name.push_str(match mime {
        "image/png" => ".png",
        "image/webp" => ".webp",
        _ => ".jpg",
    });
    (path, name)
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
}

/// A response body with every secret scrubbed (the API key and the webhook HMAC key, in every
/// form `redact` knows: exact, case-changed, base64, 12-character fragments).
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    secrets.iter().fold(text.to_owned(), |t, s| redact(&t, s))
}

/// Kie's envelope code and the HTTP status to answer with, for an SDK error kind.
pub fn status_for_kind(kind: &str) -> u16 {
    match kind {
        "validation" => 422,
        "unauthorized" => 401,
        "insufficient_credits" => 402,
        "not_found" => 404,
        "rate_limited" => 429,
        "daily_limit" => 433,
        "maintenance" => 455,
        "generation_failed" | "task_failed" => 501,
        "feature_disabled" => 505,
        "timeout" => 504,
        "invalid_webhook" => 401,
        _ => 502,
    }
}

/// The largest request body each route accepts, bytes (413 above it, chunked bodies included).
pub fn body_limit(route: Route) -> usize {
    match route {
        Route::Upload(UploadKind::Stream) => limits::MAX_UPLOAD_BODY_BYTES,
        Route::Upload(UploadKind::Base64) => boundary::MAX_BASE64_CHARS + 1024,
        Route::Callback => boundary::MAX_CALLBACK_BODY_BYTES,
        _ => limits::MAX_JSON_BODY_BYTES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends in any window of `window` ms, at most.
    fn busiest_window(slots: &[f64], window: f64) -> usize {
        slots
            .iter()
            .map(|&start| slots.iter().filter(|&&t| t >= start && t < start + window).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn pacer_never_lets_more_than_the_limit_through_any_window() {
        let mut p = Pacer::new(20, 10_000.0, 1_000, 1e9);
        // A burst of 200 at once, then stragglers.
        let mut slots: Vec<f64> = (0..200).map(|_| p.reserve(0.0).unwrap()).collect();
        for i in 0..50 {
            slots.push(p.reserve(1_000.0 + f64::from(i) * 37.0).unwrap());
        }
        assert_eq!(busiest_window(&slots, 10_000.0), 20);
        assert!(slots.windows(2).all(|w| w[1] >= w[0]), "arrival order is kept");
        assert_eq!(&slots[..20], &[0.0; 20], "the first 20 go at once");
        assert_eq!(slots[20], 10_000.0, "the 21st waits for the window");
        assert_eq!(slots[199], 90_000.0);
    }

    #[test]
    fn pacer_refuses_past_its_queue_and_wait_bounds_with_a_retry_time() {
        let mut p = Pacer::new(2, 1_000.0, 3, 1e9);
        for _ in 0..5 {
            p.reserve(0.0).unwrap();
        }
        assert_eq!(p.waiting(0.0), 3);
        assert_eq!(
            p.reserve(0.0),
            Err(1_000.0),
            "queue full: room when the first waiting one goes"
        );
        let mut p = Pacer::new(2, 1_000.0, 100, 1_500.0);
        let slots: Vec<_> = (0..6).map(|_| p.reserve(0.0)).collect();
        assert_eq!(
            slots,
            [Ok(0.0), Ok(0.0), Ok(1_000.0), Ok(1_000.0), Err(1_000.0), Err(1_000.0)]
        );
    }

    #[test]
    fn pacer_released_slots_free_room_and_old_slots_are_forgotten() {
        let mut p = Pacer::new(1, 1_000.0, 10, 1e9);
        assert_eq!(p.reserve(0.0), Ok(0.0));
        assert_eq!(p.reserve(0.0), Ok(1_000.0));
        p.release(1_000.0);
        assert_eq!(
            p.reserve(10.0),
            Ok(1_000.0),
            "the abandoned slot is reused, still a window after the first"
        );
        assert_eq!(p.reserve(5_000.0), Ok(5_000.0), "an idle pacer sends at once");
        let kie = Pacer::for_kie();
        assert_eq!((kie.per_window, kie.window_ms), (20, 10_500.0));
    }

    #[test]
    fn routes_are_the_sdk_paths_with_their_methods() {
        let table = [
            ("POST", "/api/v1/jobs/createTask", "", Route::Create),
            ("GET", "/api/v1/jobs/recordInfo", "", Route::Read),
            ("GET", "/api/v1/jobs/recordInfo/events", "", Route::Events),
            ("GET", "/api/v1/chat/credit", "", Route::Credits),
            ("POST", "/api/v1/common/download-url", "", Route::DownloadUrl),
            (
                "POST",
                "/upload/api/file-stream-upload",
                "",
                Route::Upload(UploadKind::Stream),
            ),
            (
                "POST",
                "/upload/api/file-base64-upload",
                "",
                Route::Upload(UploadKind::Base64),
            ),
            (
                "POST",
                "/upload/api/file-url-upload",
                "",
                Route::Upload(UploadKind::Url),
            ),
            ("POST", "/api/kie-callback", "", Route::Callback),
            ("OPTIONS", "/api/v1/jobs/createTask", "", Route::Preflight),
            ("GET", "/api/v1/jobs/createTask", "", Route::MethodNotAllowed),
            ("POST", "/api/v1/jobs/recordInfo", "", Route::MethodNotAllowed),
            ("GET", "/", "", Route::NotFound),
            ("GET", "/api/v1/jobs/recordInfo/../createTask", "", Route::NotFound),
            ("POST", "/api/kie/api/v1/jobs/createTask", "/api/kie", Route::Create),
            ("POST", "/api/v1/jobs/createTask", "/api/kie", Route::NotFound),
        ];
        for (method, path, mount, want) in table {
            assert_eq!(route(method, path, mount), want, "{method} {path} under {mount:?}");
        }
    }

    #[test]
    fn origins_are_judged_exactly() {
        let allowed = vec!["https://app.example".to_owned()];
        let own = ["https://proxy.example"];
        assert_eq!(judge_origin(None, &allowed, &own), OriginVerdict::None);
        assert_eq!(
            judge_origin(Some("https://app.example"), &allowed, &own),
            OriginVerdict::Allowed
        );
        assert_eq!(
            judge_origin(Some("https://proxy.example"), &allowed, &own),
            OriginVerdict::None,
            "same origin"
        );
        for other in [
            "https://app.example.evil",
            "http://app.example",
            "https://app.example:444",
            "null",
            "",
        ] {
            assert_eq!(
                judge_origin(Some(other), &allowed, &own),
                OriginVerdict::Refused,
                "{other}"
            );
        }
        assert_eq!(
            judge_origin(Some("https://app.example"), &[], &own),
            OriginVerdict::Refused
        );
        assert_eq!(
            origin_of("https://proxy.example:8443/api/kie?x"),
            "https://proxy.example:8443"
        );
        assert_eq!(origin_of("http://127.0.0.1:9"), "http://127.0.0.1:9");
    }

    #[test]
    fn callers_come_from_authorize_or_an_explicit_opt_in() {
        assert_eq!(caller_of(Some("u1".into()), false), Some(Caller::Known("u1".into())));
        assert_eq!(caller_of(None, false), None);
        assert_eq!(caller_of(Some(String::new()), false), None, "an empty id is nobody");
        assert_eq!(caller_of(Some("x".repeat(300)), false), None, "an absurd id is refused");
        assert_eq!(caller_of(None, true), Some(Caller::Anonymous));
        assert_eq!(Caller::Anonymous.id(), "anonymous");
        assert_eq!(Caller::Known("u1".into()).id(), "u:u1");
    }

    #[test]
    fn only_the_creator_reads_a_task() {
        let (a, b) = (Caller::Known("a".into()).id(), Caller::Known("b".into()).id());
        assert!(may_read(Some(&a), &a));
        assert!(!may_read(Some(&a), &b));
        assert!(!may_read(None, &a), "unknown to this proxy: not readable");
        assert_ne!(
            Caller::Known("anonymous".into()).id(),
            Caller::Anonymous.id(),
            "no id collides with anonymous"
        );
        assert_eq!(owner_key("t1"), "owner:t1");
        assert_eq!(task_key("t1"), "task:t1");
        assert_eq!(credits_key("a", 20_000), "credits:20000:a");
        assert_eq!(day_of(86_400_000.0 * 3.5), 3);
    }

    #[test]
    fn daily_credits_count_what_a_task_costs() {
        assert!(within_daily_credits(0, 25, Some(50)));
        assert!(within_daily_credits(25, 25, Some(50)));
        assert!(!within_daily_credits(26, 25, Some(50)));
        assert!(!within_daily_credits(0, 50, Some(49)));
        assert!(within_daily_credits(1_000_000, 50, None));
    }

    #[test]
    fn create_windows_limit_each_caller_and_free_slots_as_time_passes() {
        let mut w = CreateWindows::default();
        for i in 0..3 {
            assert_eq!(w.admit("a", f64::from(i) * 1000.0, 3), Ok(()));
        }
        assert_eq!(
            w.admit("a", 3000.0, 3),
            Err(57_000.0),
            "the first slot frees 60 s after it was taken"
        );
        assert_eq!(w.admit("b", 3000.0, 3), Ok(()), "callers are counted apart");
        assert_eq!(w.admit("a", 60_000.0, 3), Ok(()), "the oldest create left the window");
        // Bounded memory: past the limit, the stalest callers are forgotten, not everyone.
        for i in 0..(limits::MAX_TRACKED_CALLERS + 10) {
            let _ = w.admit(&i.to_string(), 61_000.0 + i as f64, 1);
        }
        assert!(w.callers.len() <= limits::MAX_TRACKED_CALLERS);
        assert_eq!(w.admit("a", 61_000.5, 3).is_ok(), true);
    }

    #[test]
    fn upload_names_are_ours_and_unique() {
        let a = Caller::Known("alice".into()).id();
        let (path_a, name1) = upload_name(&a, "image/png", &[1; 16]);
        let (_, name2) = upload_name(&a, "image/png", &[2; 16]);
        let (path_b, _) = upload_name(&Caller::Known("bob".into()).id(), "image/webp", &[1; 16]);
        assert!(path_a.starts_with("kie-kling-proxy/") && path_a.len() == "kie-kling-proxy/".len() + 16);
        assert_ne!(path_a, path_b);
        assert_ne!(name1, name2);
        assert!(name1.ends_with(".png") && name1.len() == 32 + 4);
    }

    #[test]
    fn scrubbing_covers_both_secrets() {
        let out = scrub(
            "key sk-ABCDEFGHIJKLMNOP and hmac whk-0123456789abcdef",
            &["sk-ABCDEFGHIJKLMNOP", "whk-0123456789abcdef"],
        );
        assert_eq!(out, "key [redacted] and hmac [redacted]");
    }

    #[test]
    fn kinds_map_to_statuses() {
        assert_eq!(status_for_kind("validation"), 422);
        assert_eq!(status_for_kind("daily_limit"), 433);
        assert_eq!(status_for_kind("network"), 502);
        assert_eq!(body_limit(Route::Create), limits::MAX_JSON_BODY_BYTES);
    }
}
