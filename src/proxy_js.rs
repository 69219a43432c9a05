//! `ProxyCore`: the proxy's decisions (src/proxy.rs) exported to its JS shell (js/proxy.js).
//! Built only with the `proxy` feature, into its own wasm: the browser's wasm never carries it.

use crate::contract::{assumptions, proxy as limits, API_BASE_URL, UPLOAD_BASE_URL};
use crate::jsview::{object, set, snapshot};
use crate::model::Duration;
use crate::proxy::{self, CreateWindows, OriginVerdict, Route, UploadKind};
use crate::validate::{self, Issue, IssueCode};
use crate::view::{Kind, View};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

static PROXY_OPTIONS: [&str; 15] = [
    "apiKey",
    "publicUrl",
    "authorize",
    "hmacKey",
    "baseUrl",
    "uploadBaseUrl",
    "fetch",
    "allowedOrigins",
    "limits",
    "store",
    "rateLimiter",
    "allowAnonymous",
    "mount",
    "pacer",
    "hub",
];
static LIMIT_OPTIONS: [&str; 2] = ["createsPerMinute", "creditsPerDay"];

/// The validated options and the in-memory state of one proxy.
#[wasm_bindgen]
pub struct ProxyCore {
    api_key: String,
    hmac_key: Option<String>,
    public_url: Option<String>,
    base_url: String,
    upload_base_url: String,
    allowed_origins: Vec<String>,
    allow_anonymous: bool,
    mount: String,
    creates_per_minute: Option<u32>,
    credits_per_day: Option<u64>,
    windows: RefCell<CreateWindows>,
    callbacks: RefCell<CreateWindows>,
}

fn issue(path: &str, code: IssueCode, message: &str) -> Issue {
    Issue {
        path: path.to_owned(),
        code,
        message: message.to_owned(),
        limit: None,
    }
}

fn url_option(opts: &JsValue, key: &'static str, issues: &mut Vec<Issue>) -> Option<String> {
    let v = opts.field(key)?;
    match v.string() {
        Some(s) if validate::check_http_url(&s).is_ok() => Some(s.trim_end_matches('/').to_owned()),
        _ => {
            issues.push(issue(key, IssueCode::InvalidUrl, "must be an absolute http(s) URL"));
            None
        }
    }
}

fn count_option(opts: &JsValue, key: &'static str, issues: &mut Vec<Issue>) -> Option<f64> {
    let v = opts.field(key)?;
    match v.number() {
        Some(n) if n.fract() == 0.0 && (0.0..=1e12).contains(&n) => Some(n),
        _ => {
            let mut path = String::from("limits.");
            path.push_str(key);
            issues.push(issue(&path, IssueCode::OutOfRange, "must be a whole number, 0 or more"));
            None
        }
    }
}

#[wasm_bindgen]
impl ProxyCore {
    /// Validates the options of `createKieProxy` (functions and bindings are checked for shape
    /// here and kept by the shell). Throws a "validation" KieError listing every problem.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<ProxyCore, JsValue> {
        let opts = snapshot(&options, &PROXY_OPTIONS, Some(("limits", &LIMIT_OPTIONS)));
        let mut issues = Vec::new();
        if opts.kind() != Kind::Object {
            issues.push(issue("options", IssueCode::InvalidType, "options must be an object"));
        }
        for key in opts.keys().into_iter().filter(|_| opts.kind() == Kind::Object) {
            if !PROXY_OPTIONS.contains(&key.as_str()) {
                issues.push(validate::unknown_option(&key, &PROXY_OPTIONS));
            }
        }
        let secret = |key: &'static str, issues: &mut Vec<Issue>| match opts.field(key) {
            None => None,
            Some(v) => match v.string().filter(|s| s.trim().len() >= 4) {
                Some(s) => Some(s),
                None => {
                    issues.push(issue(
                        key,
                        IssueCode::InvalidType,
                        "must be a string of at least 4 characters",
                    ));
                    None
                }
            },
        };
        let api_key = secret("apiKey", &mut issues);
        if api_key.is_none() && opts.field("apiKey").is_none() {
            issues.push(issue(
                "apiKey",
                IssueCode::Missing,
                "apiKey is required: the proxy holds the Kie key for its callers",
            ));
        }
        let hmac_key = secret("hmacKey", &mut issues);
        let public_url = url_option(&opts, "publicUrl", &mut issues);
        let base_url = url_option(&opts, "baseUrl", &mut issues).unwrap_or_else(|| API_BASE_URL.to_owned());
        let upload_base_url =
            url_option(&opts, "uploadBaseUrl", &mut issues).unwrap_or_else(|| UPLOAD_BASE_URL.to_owned());
        for (key, what) in [("authorize", "function"), ("fetch", "function")] {
            if opts.field(key).is_some_and(|f| !f.is_function()) {
                let mut m = String::from("must be a ");
                m.push_str(what);
                issues.push(issue(key, IssueCode::InvalidType, &m));
            }
        }
        for key in ["store", "rateLimiter"] {
            if opts.field(key).is_some_and(|f| f.kind() != Kind::Object) {
                issues.push(issue(
                    key,
                    IssueCode::InvalidType,
                    "must be an object (see the README for its methods)",
                ));
            }
        }
        let mut allowed_origins = Vec::new();
        if let Some(list) = opts.field("allowedOrigins") {
            if list.kind() != Kind::Array {
                issues.push(issue(
                    "allowedOrigins",
                    IssueCode::InvalidType,
                    "must be an array of origins like \"https://app.example\"",
                ));
            }
            for o in list.items() {
                match o.string() {
                    // An origin is scheme://host[:port], nothing after it.
                    Some(s) if validate::check_http_url(&s).is_ok() && s.splitn(4, '/').nth(3).is_none() => {
                        allowed_origins.push(s)
                    }
                    _ => issues.push(issue(
                        "allowedOrigins",
                        IssueCode::InvalidUrl,
                        "each entry must be an origin like \"https://app.example\" (no path, no trailing /)",
                    )),
                }
            }
        }
        let allow_anonymous = match opts.field("allowAnonymous") {
            None => false,
            Some(v) => match v.kind() {
                Kind::Bool => v.is_truthy(),
                _ => {
                    issues.push(issue("allowAnonymous", IssueCode::InvalidType, "must be true or false"));
                    false
                }
            },
        };
        if opts.field("authorize").is_none() && !allow_anonymous && opts.kind() == Kind::Object {
            issues.push(issue(
                "authorize",
                IssueCode::Missing,
                "say who may use your Kie key: pass authorize(request) => callerId | null (a session, a bearer token, Turnstile), or allowAnonymous: true to let anyone who reaches this URL spend your credits",
            ));
        }
        let mount = match opts.field("mount") {
            None => String::new(),
            Some(v) => match v
                .string()
                .filter(|m| m.starts_with('/') && !m.ends_with('/') && m.len() < 200)
            {
                Some(m) => m,
                None => {
                    issues.push(issue(
                        "mount",
                        IssueCode::InvalidType,
                        "must be a path like \"/api/kie\" (no trailing /)",
                    ));
                    String::new()
                }
            },
        };
        let (mut creates_per_minute, mut credits_per_day) = (None, None);
        if let Some(l) = opts.field("limits") {
            if l.kind() != Kind::Object {
                issues.push(issue("limits", IssueCode::InvalidType, "must be an object"));
            } else {
                for key in l.unknown_keys(&LIMIT_OPTIONS) {
                    let mut path = String::from("limits.");
                    path.push_str(&key);
                    let mut m = String::from("unknown limit");
                    validate::push_suggestion(&mut m, &key, &LIMIT_OPTIONS);
                    issues.push(issue(&path, IssueCode::UnknownField, &m));
                }
                creates_per_minute = count_option(&l, "createsPerMinute", &mut issues).map(|n| n.min(1e6) as u32);
                credits_per_day = count_option(&l, "creditsPerDay", &mut issues).map(|n| n as u64);
            }
        }
        if opts.field("rateLimiter").is_some() && creates_per_minute.is_none() {
            issues.push(issue(
                "limits.createsPerMinute",
                IssueCode::Missing,
                "a rateLimiter is used only for createsPerMinute: set it (the binding's own limit then applies)",
            ));
        }
        if !issues.is_empty() {
            return Err(crate::js::validation_error(&issues));
        }
        Ok(ProxyCore {
            api_key: api_key.unwrap_or_default(),
            hmac_key,
            public_url,
            base_url,
            upload_base_url,
            allowed_origins,
            allow_anonymous,
            mount,
            creates_per_minute,
            credits_per_day,
            windows: RefCell::default(),
            callbacks: RefCell::default(),
        })
    }

    /// The settings the shell needs: `{ apiKey, hmacKey, callBackUrl, baseUrl, uploadBaseUrl,
    /// allowAnonymous, createsPerMinute, creditsPerDay }`.
    pub fn settings(&self) -> JsValue {
        let o = object();
        set(&o, "apiKey", self.api_key.as_str());
        set(&o, "hmacKey", crate::jsview::opt(self.hmac_key.as_deref()));
        let callback = self.public_url.as_ref().map(|u| {
            let mut c = u.clone();
            c.push_str(proxy::CALLBACK_PATH);
            c
        });
        set(&o, "callBackUrl", crate::jsview::opt(callback.as_deref()));
        set(&o, "baseUrl", self.base_url.as_str());
        set(&o, "uploadBaseUrl", self.upload_base_url.as_str());
        set(&o, "allowAnonymous", self.allow_anonymous);
        set(&o, "createsPerMinute", crate::jsview::opt(self.creates_per_minute));
        set(
            &o,
            "creditsPerDay",
            crate::jsview::opt(self.credits_per_day.map(|n| n as f64)),
        );
        set(&o, "taskTtlSeconds", limits::STORED_TASK_TTL_SECONDS as f64);
        set(&o, "ownerTtlSeconds", limits::OWNER_TTL_SECONDS as f64);
        o.into()
    }

    /// The route name of a request: create, read, credits, download, upload-stream,
    /// upload-base64, upload-url, callback, preflight, not-found, method-not-allowed.
    pub fn route(&self, method: &str, path: &str) -> String {
        match proxy::route(method, path, &self.mount) {
            Route::Preflight => "preflight",
            Route::Create => "create",
            Route::Read => "read",
            Route::Events => "events",
            Route::Credits => "credits",
            Route::DownloadUrl => "download",
            Route::Upload(UploadKind::Stream) => "upload-stream",
            Route::Upload(UploadKind::Base64) => "upload-base64",
            Route::Upload(UploadKind::Url) => "upload-url",
            Route::Callback => "callback",
            Route::NotFound => "not-found",
            Route::MethodNotAllowed => "method-not-allowed",
        }
        .to_owned()
    }

    /// The largest body the request's route accepts, bytes.
    #[wasm_bindgen(js_name = bodyLimit)]
    pub fn body_limit(&self, method: &str, path: &str) -> f64 {
        proxy::body_limit(proxy::route(method, path, &self.mount)) as f64
    }

    /// "none", "allowed" or "refused" for a request's Origin header, on a request to `url`.
    pub fn origin(&self, origin: Option<String>) -> String {
        // Only the configured public URL is "own": a request's Host header is the caller's to set
        // (DNS rebinding), so it never makes an origin trusted.
        let own: Vec<&str> = self.public_url.iter().map(|p| proxy::origin_of(p)).collect();
        match proxy::judge_origin(origin.as_deref(), &self.allowed_origins, &own) {
            OriginVerdict::None => "none",
            OriginVerdict::Allowed => "allowed",
            OriginVerdict::Refused => "refused",
        }
        .to_owned()
    }

    /// The caller id for what `authorize` returned (a string, or anything else for nobody);
    /// undefined when the request must be refused with 401.
    pub fn caller(&self, authorized: JsValue) -> Option<String> {
        proxy::caller_of(authorized.string(), self.allow_anonymous).map(|c| c.id())
    }

    /// 0 when `caller` may create now (the create is counted), else ms until a slot frees.
    #[wasm_bindgen(js_name = admitCreate)]
    pub fn admit_create(&self, caller: &str, now_ms: f64) -> f64 {
        match self.creates_per_minute {
            None => 0.0,
            Some(n) => self.windows.borrow_mut().admit(caller, now_ms, n).err().unwrap_or(0.0),
        }
    }

    /// 0 when one more callback may be confirmed now, else ms until one may.
    #[wasm_bindgen(js_name = admitCallback)]
    pub fn admit_callback(&self, now_ms: f64) -> f64 {
        self.callbacks
            .borrow_mut()
            .admit("callbacks", now_ms, limits::CALLBACKS_PER_MINUTE)
            .err()
            .unwrap_or(0.0)
    }

    /// The credits a createTask body's duration costs (25 for "5", 50 for "10"; the default "5").
    #[wasm_bindgen(js_name = costOf)]
    pub fn cost_of(&self, duration: JsValue) -> f64 {
        let d = duration.string().and_then(|s| Duration::parse(&s));
        let d = d.or_else(|| Duration::parse(assumptions::DEFAULT_DURATION));
        f64::from(d.map_or(crate::contract::CREDITS_10S, Duration::credits))
    }

    /// Whether a create costing `cost` fits after `spent` credits today.
    #[wasm_bindgen(js_name = withinDailyCredits)]
    pub fn within_daily_credits(&self, spent: f64, cost: f64) -> bool {
        proxy::within_daily_credits(spent.max(0.0) as u64, cost as u32, self.credits_per_day)
    }

    #[wasm_bindgen(js_name = ownerKey)]
    pub fn owner_key(&self, task_id: &str) -> String {
        proxy::owner_key(task_id)
    }

    #[wasm_bindgen(js_name = taskKey)]
    pub fn task_key(&self, task_id: &str) -> String {
        proxy::task_key(task_id)
    }

    #[wasm_bindgen(js_name = creditsKey)]
    pub fn credits_key(&self, caller: &str, now_ms: f64) -> String {
        proxy::credits_key(caller, proxy::day_of(now_ms))
    }

    /// Whether `caller` may read a task whose recorded owner is `owner`.
    #[wasm_bindgen(js_name = mayRead)]
    pub fn may_read(&self, owner: Option<String>, caller: &str) -> bool {
        proxy::may_read(owner.as_deref(), caller)
    }

    /// `[uploadPath, fileName]` for a caller's upload of `mime`, from 16 random bytes.
    #[wasm_bindgen(js_name = uploadName)]
    pub fn upload_name(&self, caller: &str, mime: &str, random: &[u8]) -> js_sys::Array {
        let (path, name) = proxy::upload_name(caller, mime, random);
        [JsValue::from(path), JsValue::from(name)].into_iter().collect()
    }

    /// `text` without the API key or the HMAC key in any form.
    pub fn scrub(&self, text: &str) -> String {
        let mut secrets = vec![self.api_key.as_str()];
        if let Some(h) = &self.hmac_key {
            secrets.push(h.as_str());
        }
        proxy::scrub(text, &secrets)
    }

    /// The HTTP status (and envelope code) for an SDK error kind.
    #[wasm_bindgen(js_name = statusForKind)]
    pub fn status_for_kind(&self, kind: &str) -> u16 {
        proxy::status_for_kind(kind)
    }
}

static PACER_OPTIONS: [&str; 4] = ["perWindow", "windowMs", "maxQueue", "maxWaitMs"];

/// Kie's create budget for one key (`proxy::Pacer`), for `memoryPacer` in one process and for
/// the `KiePacer` Durable Object across a Cloudflare deployment.
#[wasm_bindgen]
pub struct PacerCore {
    pacer: RefCell<proxy::Pacer>,
}

#[wasm_bindgen]
impl PacerCore {
    /// Options `{ perWindow, windowMs, maxQueue, maxWaitMs }`, each defaulting to Kie's limit
    /// with a margin and the bounds of contract.rs. Throws a "validation" KieError.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<PacerCore, JsValue> {
        let opts = snapshot(&options, &PACER_OPTIONS, None);
        let mut issues = Vec::new();
        validate::check_options(&opts, &PACER_OPTIONS, &mut issues);
        let mut pacer = proxy::Pacer::for_kie();
        let positive = |key: &'static str, issues: &mut Vec<Issue>| {
            let v = opts.field(key)?;
            let n = v.number().filter(|n| n.is_finite() && *n >= 1.0 && *n <= 1e9);
            if n.is_none() {
                issues.push(issue(key, IssueCode::OutOfRange, "must be a number from 1 to 1e9"));
            }
            n
        };
        if let Some(n) = positive("perWindow", &mut issues) {
            pacer.per_window = n as usize;
        }
        if let Some(n) = positive("windowMs", &mut issues) {
            pacer.window_ms = n;
        }
        if let Some(n) = positive("maxQueue", &mut issues) {
            pacer.max_queue = n as usize;
        }
        if let Some(n) = positive("maxWaitMs", &mut issues) {
            pacer.max_wait_ms = n;
        }
        if !issues.is_empty() {
            return Err(crate::js::validation_error(&issues));
        }
        Ok(PacerCore {
            pacer: RefCell::new(pacer),
        })
    }

    /// The slot reserved for one create (`now_ms` or later; send then), or minus the ms after
    /// which to retry when the queue is full.
    pub fn reserve(&self, now_ms: f64) -> f64 {
        match self.pacer.borrow_mut().reserve(now_ms) {
            Ok(slot) => slot,
            Err(retry_ms) => -retry_ms,
        }
    }

    /// Gives back a slot whose create was abandoned before it was sent.
    pub fn release(&self, slot: f64) {
        self.pacer.borrow_mut().release(slot);
    }
}
