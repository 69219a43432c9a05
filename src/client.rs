//! The wasm shell: the only module with I/O. It turns the core's decisions into `fetch` calls
//! (the runtime's global fetch, never `window`, or one the caller passes), sleeps on timers an
//! AbortSignal cuts short, and hands answers back to the core to classify and decode.

use crate::contract::assumptions;
use crate::contract::boundary::{MAX_BASE64_CHARS, MAX_HEADER_CHARS, MAX_RESPONSE_BYTES};
use crate::error::{is_record_null, redact_echo, ApiKey, ErrorKind};
use crate::jsview::{object, opt, set};
use crate::model::itoa;
use crate::policy::{self, Operation};
use crate::view::View;
use crate::wire::{self, Task, TaskState};
use js_sys::{Function, Math, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, RequestRedirect};

// The boundary rule: every import that touches a caller's value or runs a caller's code is
// declared `catch` (its exception returns as `Err`), or is one of runtime.js's TOTAL functions,
// which catch everything themselves. scripts/check-boundary.mjs enforces it at build time.
#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(kind: &str, message: &str, fields: &Object) -> JsValue;
    #[wasm_bindgen(catch)]
    fn sleep(ms: f64, signal: Option<&AbortSignal>) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = hmacVerify, catch)]
    fn hmac_verify(key: &str, message: &str, signature: &[u8]) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = readHeader)]
    fn read_header(headers: &JsValue, name: &str, max: u32) -> Option<String>;
    #[wasm_bindgen(js_name = callbackJson)]
    fn callback_json_of(body: &JsValue, max: u32) -> JsValue;
    #[wasm_bindgen(js_name = readReply, catch)]
    fn read_reply(response: &JsValue, max: u32) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = isAborted)]
    fn is_aborted(signal: &AbortSignal) -> bool;
    #[wasm_bindgen(js_name = abortReason)]
    fn abort_reason(signal: &AbortSignal) -> JsValue;
    #[wasm_bindgen(js_name = describeError)]
    fn describe_error(err: &JsValue) -> String;
    #[wasm_bindgen(js_name = isBinary)]
    fn is_binary(source: &JsValue) -> bool;
    #[wasm_bindgen(js_name = binarySize)]
    fn binary_size(source: &JsValue) -> f64;
    #[wasm_bindgen(js_name = headBytes, catch)]
    fn head_bytes(source: &JsValue, n: u32) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = uploadForm, catch)]
    fn upload_form(
        source: &JsValue,
        mime_type: &str,
        upload_path: &str,
        file_name: Option<String>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = inBrowserPage)]
    pub fn in_browser_page() -> bool;
    #[wasm_bindgen(js_name = sendsUserAgent)]
    pub fn sends_user_agent() -> bool;
    pub fn now() -> f64;

    type Deadline;
    #[wasm_bindgen(constructor, catch)]
    fn new(signal: Option<&AbortSignal>, ms: f64) -> Result<Deadline, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &Deadline) -> AbortSignal;
    #[wasm_bindgen(method, getter, js_name = timedOut)]
    fn timed_out(this: &Deadline) -> bool;
    #[wasm_bindgen(method, getter, js_name = userAborted, catch)]
    fn user_aborted(this: &Deadline) -> Result<bool, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn clear(this: &Deadline) -> Result<(), JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's global fetch, called unbound (Workers reject a fetch bound to another `this`).
    /// Caught: it throws where there is none, and a host may throw synchronously.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

/// A failure on its way to becoming a thrown `KieError`.
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    pub code: Option<i64>,
    pub msg: Option<String>,
    pub status: Option<u16>,
    pub retry_after_ms: Option<f64>,
    pub task_id: Option<String>,
    pub maybe_created: bool,
    pub issues: Option<JsValue>,
    pub task: Option<JsValue>,
    pub fail_code: Option<String>,
    pub fail_msg: Option<String>,
    /// For `invalid_webhook`: why.
    pub reason: Option<&'static str>,
    /// What caused it: the AbortSignal's reason, the network error.
    pub cause: Option<JsValue>,
}

impl Failure {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
            code: None,
            msg: None,
            status: None,
            retry_after_ms: None,
            task_id: None,
            maybe_created: false,
            issues: None,
            task: None,
            fail_code: None,
            fail_msg: None,
            reason: None,
            cause: None,
        }
    }

    fn from_api(api: wire::ApiFailure) -> Self {
        let mut message = String::from("Kie answered ");
        match api.code {
            Some(code) => {
                message.push_str("code ");
                message.push_str(&itoa(code.unsigned_abs()));
            }
            None => {
                message.push_str("HTTP ");
                message.push_str(&itoa(u64::from(api.status)));
            }
        }
        if !api.msg.is_empty() {
            message.push_str(": ");
            message.push_str(&api.msg);
        }
        let mut f = Failure::new(api.kind, message);
        f.code = api.code;
        f.msg = Some(api.msg).filter(|m| !m.is_empty());
        f.status = Some(api.status);
        f
    }

    /// The thrown JS value. Every string passes through `redact` with the client's key.
    pub fn into_js(self, key: Option<&ApiKey>) -> JsValue {
        let clean = |s: &str| match key {
            Some(k) => redact_echo(s, k.expose()),
            None => s.to_owned(),
        };
        let fields = object();
        set(&fields, "code", opt(self.code.map(|c| c as f64)));
        set(&fields, "msg", opt(self.msg.as_deref().map(clean)));
        set(&fields, "status", opt(self.status));
        set(&fields, "retryable", self.kind.is_transient() && !self.maybe_created);
        set(&fields, "maybeCreated", self.maybe_created);
        set(&fields, "taskId", opt(self.task_id));
        if let Some(issues) = self.issues {
            set(&fields, "issues", issues);
        } else if self.kind == ErrorKind::Validation {
            // Every validation error has `issues` (empty when Kie's answer named no field).
            set(&fields, "issues", js_sys::Array::new());
        }
        if let Some(task) = self.task {
            // Built from a response already scrubbed of the key (see `exchange`).
            set(&fields, "task", task);
        }
        if let Some(reason) = self.reason {
            set(&fields, "reason", reason);
        }
        if let Some(cause) = self.cause {
            set(&fields, "cause", cause);
        }
        if self.kind == ErrorKind::TaskFailed {
            set(&fields, "failCode", opt(self.fail_code));
            set(&fields, "failMsg", opt(self.fail_msg.as_deref().map(clean)));
        }
        make_error(self.kind.as_str(), &clean(&self.message), &fields)
    }
}

/// The host (and port) of an http(s) URL, without userinfo: byte scans, since str's substring
/// searcher costs about a kilobyte of wasm.
fn host_of(url: &str) -> &str {
    let b = url.as_bytes();
    let start = b.windows(3).position(|w| w == b"://").map_or(0, |at| at + 3);
    let end = b[start..]
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .map_or(b.len(), |e| start + e);
    let at = b[start..end]
        .iter()
        .rposition(|&c| c == b'@')
        .map_or(start, |a| start + a + 1);
    &url[at..end]
}

/// Sleeps `ms`; false when `signal` aborted it (or the timer could not be set).
async fn sleep_ms(ms: f64, signal: Option<&AbortSignal>) -> bool {
    match sleep(ms, signal) {
        Ok(p) => JsFuture::from(p).await.is_ok(),
        Err(_) => false,
    }
}

/// The caller's signal fired: kind "timeout" when its reason is a TimeoutError
/// (`AbortSignal.timeout(ms)`), else "aborted"; the reason is kept as `cause`.
#[inline(never)]
fn aborted(signal: Option<&AbortSignal>) -> Failure {
    let reason = signal.map(|s| abort_reason(s)).filter(|r| !r.is_undefined());
    let timed_out = reason
        .as_ref()
        .and_then(|r| r.field("name"))
        .and_then(|n| n.string())
        .is_some_and(|n| n == "TimeoutError");
    let mut f = if timed_out {
        Failure::new(ErrorKind::Timeout, "the signal's timeout elapsed")
    } else {
        Failure::new(ErrorKind::Aborted, "the operation was aborted")
    };
    f.cause = reason;
    f
}

/// An aborted wait stops only the polling: Kie has no cancel endpoint, so the task runs on
/// (and is charged). The error says so and carries the taskId and the last Task seen.
#[inline(never)]
fn wait_aborted(task_id: &str, last: Option<JsValue>, signal: Option<&AbortSignal>) -> Failure {
    let mut f = aborted(signal);
    let mut m = core::mem::take(&mut f.message);
    m.push_str(": the wait stopped; the task keeps running on Kie (the API has no cancel) and is charged: read it later with getTask(\"");
    m.push_str(task_id);
    m.push_str("\")");
    f.message = m;
    f.task_id = Some(task_id.to_owned());
    f.task = last;
    f
}

/// The client's settings, validated by `js::KlingClient::new`.
#[derive(Debug)]
pub struct Client {
    pub key: Option<ApiKey>,
    pub base_url: String,
    pub upload_base_url: String,
    pub fetch: Option<Function>,
    pub timeout_ms: f64,
    pub max_retries: u32,
    /// Sent with every request (the caller's credentials for its own backend).
    pub headers: Vec<(String, String)>,
    /// `User-Agent: kie-kling/<version>`, where the runtime lets a request set it (not in
    /// browsers): Kie's Cloudflare front may answer 1010 to requests without one (contract.rs).
    pub user_agent: bool,
    /// Tasks this client created: only those get the not-yet-visible grace.
    pub created: core::cell::RefCell<Vec<String>>,
    pub created_count: core::cell::Cell<usize>,
}

struct Reply {
    status: u16,
    /// `None` when the body was over `MAX_RESPONSE_BYTES` (not read).
    text: Option<String>,
    retry_after: Option<String>,
}

#[wasm_bindgen]
extern "C" {
    /// `Promise.resolve(x)`, caught: it reads `x.constructor` for a promise, which may throw.
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    fn resolve(value: &JsValue) -> Result<Promise, JsValue>;
}

/// A request body: JSON text as a JS string, or a multipart form (whose boundary fetch sets).
pub enum Body {
    JsJson(JsValue),
    Form(JsValue),
}

/// Per-call settings.
pub struct CallOptions<'a> {
    pub signal: Option<&'a AbortSignal>,
    /// Bounds this request; the client's `requestTimeoutMs` when `None`.
    pub timeout_ms: Option<f64>,
}

impl Client {
    /// One HTTP exchange, no retries.
    async fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&Body>,
        call: &CallOptions<'_>,
    ) -> Result<Reply, Failure> {
        let deadline =
            Deadline::new(call.signal, call.timeout_ms.unwrap_or(self.timeout_ms)).map_err(|_| aborted(call.signal))?;
        let result = self.exchange(method, url, body, &deadline).await;
        let _ = deadline.clear();
        let reply = result.map_err(|err| {
            if deadline.user_aborted().unwrap_or(true) {
                aborted(call.signal)
            } else if deadline.timed_out() {
                let mut m = String::from("the request timed out after ");
                m.push_str(&itoa(call.timeout_ms.unwrap_or(self.timeout_ms) as u64));
                m.push_str(" ms");
                Failure::new(ErrorKind::Timeout, m)
            } else {
                // The host only: never the path or query, never the key.
                let host = host_of(url);
                let detail = describe_error(&err);
                let mut m = String::from("network error: could not reach ");
                m.push_str(host);
                if !detail.is_empty() {
                    m.push_str(" (");
                    m.push_str(&detail);
                    m.push(')');
                }
                let mut f = Failure::new(ErrorKind::Network, m);
                f.cause = Some(err);
                f
            }
        })?;
        if reply.text.is_none() {
            let mut m = String::from("response body over ");
            m.push_str(&itoa(MAX_RESPONSE_BYTES as u64));
            m.push_str(" bytes: not read");
            let mut f = Failure::new(ErrorKind::InvalidResponse, m);
            f.status = Some(reply.status);
            return Err(f);
        }
        Ok(reply)
    }

    /// The fetch and the capped read of its answer; any JS exception comes back as `Err`.
    async fn exchange(
        &self,
        method: &str,
        url: &str,
        body: Option<&Body>,
        deadline: &Deadline,
    ) -> Result<Reply, JsValue> {
        let headers = Headers::new()?;
        headers.set("Accept", "application/json")?;
        if self.user_agent {
            headers.set("User-Agent", crate::contract::USER_AGENT)?;
        }
        for (name, value) in &self.headers {
            headers.set(name, value)?;
        }
        if let Some(key) = &self.key {
            let mut auth = String::from("Bearer ");
            auth.push_str(key.expose());
            headers.set("Authorization", &auth)?;
        }
        let init = RequestInit::new();
        init.set_method(method);
        match body {
            Some(Body::JsJson(text)) => {
                headers.set("Content-Type", "application/json")?;
                init.set_body(text);
            }
            Some(Body::Form(form)) => init.set_body(form),
            None => {}
        }
        init.set_headers(&headers);
        init.set_signal(Some(&deadline.signal()));
        // Never follow a redirect: the key goes only to the configured base URLs. A 3xx (or a
        // browser's opaque redirect, status 0) comes back as an error instead.
        init.set_redirect(RequestRedirect::Manual);
        let promise = match &self.fetch {
            // `then` on a resolved promise: a custom fetch may return any thenable (or throw).
            Some(f) => resolve(&f.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init)?)?,
            // A replaced global fetch may return any thenable, like a custom one.
            None => resolve(&global_fetch(url, &init)?.into())?,
        };
        let response = JsFuture::from(promise).await?;
        let reply = JsFuture::from(read_reply(&response, MAX_RESPONSE_BYTES as u32)?).await?;
        let text = reply
            .get("text")
            .and_then(|t| t.kind().eq(&crate::view::Kind::String).then_some(t));
        let text = match text {
            // Bounded by MAX_RESPONSE_BYTES; scrubbed of the key before anything reads it, so
            // no result, error or raw record can carry it.
            Some(t) => {
                let t = crate::jsview::text_slice(&t, 0, MAX_RESPONSE_BYTES as u32);
                Some(match &self.key {
                    Some(k) => redact_echo(&t, k.expose()),
                    None => t,
                })
            }
            None => None,
        };
        Ok(Reply {
            status: reply.field("status").and_then(|s| s.number()).unwrap_or(0.0) as u16,
            text,
            retry_after: reply.field("retryAfter").and_then(|v| v.string()),
        })
    }

    /// Sends with the retry policy of `op`; returns the envelope's `data` (null when absent).
    pub async fn call(
        &self,
        op: Operation,
        method: &str,
        url: &str,
        body: Option<&Body>,
        call: &CallOptions<'_>,
    ) -> Result<JsValue, Failure> {
        let mut attempt = 0;
        loop {
            if call.signal.is_some_and(|s| is_aborted(s)) {
                return Err(aborted(call.signal));
            }
            let mut failure = match self.send(method, url, body, call).await {
                Ok(reply) => {
                    let text = reply.text.unwrap_or_default();
                    let parsed = JsValue::parse_json(&text);
                    match wire::read_envelope(reply.status, parsed.as_ref(), &text) {
                        Ok(data) => return Ok(data.unwrap_or(JsValue::NULL)),
                        Err(api) => {
                            let mut f = Failure::from_api(api);
                            f.retry_after_ms = reply.retry_after.and_then(|v| policy::parse_retry_after(&v));
                            f
                        }
                    }
                }
                Err(f) => f,
            };
            let retry = if failure.kind == ErrorKind::Aborted {
                None
            } else {
                policy::plan_retry(
                    op,
                    failure.kind,
                    attempt,
                    self.max_retries,
                    failure.retry_after_ms,
                    Math::random(),
                )
            };
            match retry {
                Some(ms) => {
                    if !sleep_ms(ms, call.signal).await {
                        return Err(aborted(call.signal));
                    }
                    attempt += 1;
                }
                None => {
                    failure.maybe_created = policy::maybe_created(op, failure.kind, true);
                    if failure.maybe_created {
                        failure.message.push_str(
                            "; the task may have been created: check before creating it again (the SDK never re-sends a create that may have gone through)",
                        );
                    }
                    return Err(failure);
                }
            }
        }
    }

    /// Remembers a task this client created: a ring of the newest `MAX_REMEMBERED_CREATES`
    /// (Kie allows 60 creates per 30 s per key, contract §5, so a full ring spans the grace).
    fn note_created(&self, task_id: &str) {
        let mut created = self.created.borrow_mut();
        let slot = self.created_count.get() % assumptions::MAX_REMEMBERED_CREATES;
        self.created_count.set(self.created_count.get() + 1);
        match created.get_mut(slot) {
            Some(old) => *old = task_id.to_owned(),
            None => created.push(task_id.to_owned()),
        }
    }

    /// Whether `task_id` is one of the tasks this client created last.
    fn created_recently(&self, task_id: &str) -> bool {
        self.created.borrow().iter().any(|id| id == task_id)
    }

    fn url(&self, path: &str) -> String {
        let mut u = self.base_url.clone();
        u.push_str(path);
        u
    }

    /// `POST /api/v1/jobs/createTask` with an already validated body; returns the taskId.
    pub async fn create_task(&self, body_json: JsValue, call: &CallOptions<'_>) -> Result<String, Failure> {
        let body = Body::JsJson(body_json);
        let data = self
            .call(
                Operation::Create,
                "POST",
                &self.url("/api/v1/jobs/createTask"),
                Some(&body),
                call,
            )
            .await?;
        let id = data
            .field("taskId")
            .and_then(|t| t.string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Failure::new(
                    ErrorKind::InvalidResponse,
                    "data.taskId: missing in the createTask answer",
                )
            })?;
        self.note_created(&id);
        Ok(id)
    }

    /// `GET /api/v1/jobs/recordInfo`, decoded.
    pub async fn get_task(&self, task_id: &str, call: &CallOptions<'_>) -> Result<(Task<JsValue>, JsValue), Failure> {
        if task_id.trim().is_empty() {
            return Err(Failure::new(
                ErrorKind::Validation,
                "taskId: must be a non-empty string",
            ));
        }
        let mut url = self.url("/api/v1/jobs/recordInfo?taskId=");
        // Percent-encoded as encodeURIComponent would (the id is valid UTF-8 once in Rust).
        for b in task_id.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')') {
                url.push(b as char);
            } else {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                url.push('%');
                url.push(HEX[usize::from(b >> 4)] as char);
                url.push(HEX[usize::from(b & 15)] as char);
            }
        }
        let data = self
            .call(Operation::Read, "GET", &url, None, call)
            .await
            .map_err(|mut f| {
                f.task_id = Some(task_id.to_owned());
                f
            })?;
        match wire::decode_task(&data) {
            Ok(task) => Ok((task, data)),
            Err(e) => {
                let mut m = String::from(e.path);
                m.push_str(": ");
                m.push_str(e.message);
                let mut f = Failure::new(ErrorKind::InvalidResponse, m);
                f.task_id = Some(task_id.to_owned());
                Err(f)
            }
        }
    }

    /// `GET /api/v1/chat/credit`: the remaining credits.
    pub async fn credits(&self, call: &CallOptions<'_>) -> Result<f64, Failure> {
        let data = self
            .call(Operation::Read, "GET", &self.url("/api/v1/chat/credit"), None, call)
            .await?;
        data.number()
            .ok_or_else(|| Failure::new(ErrorKind::InvalidResponse, "data: the credit balance is not a number"))
    }

    /// `POST /api/v1/common/download-url`: a temporary (about 20 min) link for a Kie file URL.
    /// Safe to repeat (it only mints a link), so it retries like a read.
    pub async fn download_url(&self, url: &str, call: &CallOptions<'_>) -> Result<String, Failure> {
        if crate::validate::check_http_url(url).is_err() {
            return Err(Failure::new(
                ErrorKind::Validation,
                "url: must be an absolute http(s) URL of a Kie-generated file",
            ));
        }
        let mut text = String::from("{\"url\":");
        crate::model::push_json_string(&mut text, url);
        text.push('}');
        let body = Body::JsJson(JsValue::from_str(&text));
        let data = self
            .call(
                Operation::Read,
                "POST",
                &self.url("/api/v1/common/download-url"),
                Some(&body),
                call,
            )
            .await?;
        data.string()
            .ok_or_else(|| Failure::new(ErrorKind::InvalidResponse, "data: the download URL is not a string"))
    }

    /// Uploads an image through Kie's File Upload API, after checking it the way the API will
    /// (jpeg/png/webp by content, at most 10 MB): bytes by the stream upload, an http(s) URL by
    /// the URL upload, a data: URL or base64 text by the base64 upload. Not retried once bytes
    /// may have arrived (only on 429 / 455).
    pub async fn upload(
        &self,
        source: &JsValue,
        upload_path: &str,
        file_name: Option<String>,
        call: &CallOptions<'_>,
    ) -> Result<JsValue, Failure> {
        use crate::image::ImageProblem;
        let image_issue = |p: ImageProblem| {
            upload_issue(
                p.message(),
                if p == ImageProblem::TooLarge {
                    Some(crate::contract::IMAGE_MAX_BYTES as f64)
                } else {
                    None
                },
            )
        };
        if let Err(m) = check_upload_path(upload_path) {
            let mut f = Failure::new(ErrorKind::Validation, m);
            f.issues = Some(crate::js::issue_list(
                "uploadPath",
                crate::validate::IssueCode::InvalidType,
                m,
                None,
            ));
            return Err(f);
        }
        let name_field = |o: &Object| {
            set(o, "uploadPath", upload_path);
            if let Some(n) = &file_name {
                set(o, "fileName", n.as_str());
            }
        };
        let (route, body) = if let Some((len, _)) = source.text_stats() {
            let o = object();
            name_field(&o);
            let url = source
                .string()
                .filter(|t| len <= assumptions::URL_MAX_CHARS && crate::validate::check_http_url(t).is_ok());
            if let Some(url) = url {
                set(&o, "fileUrl", url.as_str());
                ("/api/file-url-upload", o)
            } else {
                check_base64_source(source, len).map_err(image_issue)?;
                // The caller's string goes into the body as it is: never copied into wasm whole.
                set(&o, "base64Data", source.clone());
                ("/api/file-base64-upload", o)
            }
        } else if is_binary(source) {
            let mime = check_binary_image(source).await?;
            let form = upload_form(source, mime, upload_path, file_name.clone())
                .map_err(|_| upload_issue("the image could not be read", None))?;
            let mut url = self.upload_base_url.clone();
            url.push_str("/api/file-stream-upload");
            let data = self
                .call(Operation::Upload, "POST", &url, Some(&Body::Form(form)), call)
                .await?;
            return upload_result(&data);
        } else {
            return Err(upload_issue(
                "the image must be a Blob, File, ArrayBuffer, Uint8Array, an http(s) URL, a data: URL or base64 text",
                None,
            ));
        };
        let text: JsValue = js_sys::JSON::stringify(&body)
            .map(JsValue::from)
            .map_err(|_| upload_issue("the image could not be read", None))?;
        let mut url = self.upload_base_url.clone();
        url.push_str(route);
        let data = self
            .call(Operation::Upload, "POST", &url, Some(&Body::JsJson(text)), call)
            .await?;
        upload_result(&data)
    }

    /// Polls until the task ends, the wait times out, or `signal` aborts.
    pub async fn wait_for_task(&self, task_id: &str, wait: &WaitOptions<'_>) -> Result<JsValue, Failure> {
        let start = now();
        let scale = wait.time_scale;
        // Elapsed time on the (possibly accelerated) clock the schedule and the timeout use.
        let elapsed_since = |t0: f64| (now() - t0) / scale;
        let timeout = wait.timeout_ms.unwrap_or(assumptions::DEFAULT_WAIT_TIMEOUT_MS);
        let mut last_state: Option<TaskState> = None;
        let mut last_task: Option<JsValue> = None;
        let timed_out = |last: Option<JsValue>| {
            let mut m = String::from("the task did not finish within ");
            m.push_str(&itoa(timeout as u64));
            m.push_str(" ms");
            let mut f = Failure::new(ErrorKind::Timeout, m);
            f.task_id = Some(task_id.to_owned());
            f.task = last;
            f
        };
        loop {
            let elapsed = elapsed_since(start);
            let remaining = timeout - elapsed;
            if remaining <= 0.0 {
                return Err(timed_out(last_task));
            }
            let call = CallOptions {
                signal: wait.signal,
                timeout_ms: Some((remaining * scale).min(self.timeout_ms)),
            };
            match self.get_task(task_id, &call).await {
                Ok((task, raw)) => {
                    let state = task.state;
                    let js_task = task_to_js(&task, raw);
                    if last_state != Some(state) {
                        last_state = Some(state);
                        if let Some(cb) = wait.on_progress {
                            // A throwing progress callback must not break the wait.
                            let _ = cb.call1(&JsValue::UNDEFINED, &js_task);
                        }
                    }
                    match state {
                        TaskState::Success => return Ok(js_task),
                        TaskState::Fail => {
                            let mut m = String::from("the task failed");
                            if let Some(code) = &task.fail_code {
                                m.push_str(" with failCode ");
                                m.push_str(code);
                            }
                            if let Some(msg) = &task.fail_msg {
                                m.push_str(": ");
                                m.push_str(msg);
                            }
                            let mut f = Failure::new(ErrorKind::TaskFailed, m);
                            f.task_id = Some(task.task_id.clone());
                            f.fail_code = task.fail_code.clone();
                            f.fail_msg = task.fail_msg.clone();
                            f.task = Some(js_task);
                            return Err(f);
                        }
                        _ => last_task = Some(js_task),
                    }
                }
                // Just-created tasks can read as "recordInfo is null" for a while (contract §1);
                // an id this client did not just create is not found at once.
                Err(f)
                    if f.kind == ErrorKind::NotFound
                        && f.msg.as_deref().is_some_and(is_record_null)
                        && elapsed_since(start) < assumptions::NOT_YET_VISIBLE_GRACE_MS
                        && self.created_recently(task_id) => {}
                Err(mut f) if f.kind == ErrorKind::NotFound && f.msg.as_deref().is_some_and(is_record_null) => {
                    let mut m = String::from("no task \"");
                    m.push_str(task_id);
                    m.push_str("\" is visible to this key (Kie answered: recordInfo is null)");
                    f.message = m;
                    return Err(f);
                }
                Err(f) if f.kind == ErrorKind::Timeout && elapsed_since(start) >= timeout => {
                    return Err(timed_out(last_task))
                }
                Err(_) if wait.signal.is_some_and(|s| is_aborted(s)) => {
                    return Err(wait_aborted(task_id, last_task, wait.signal))
                }
                Err(f) => return Err(f),
            }
            let elapsed = elapsed_since(start);
            let delay = wait
                .poll_interval_ms
                .unwrap_or_else(|| policy::poll_delay_ms(elapsed, Math::random()));
            let delay = delay.min((timeout - elapsed).max(0.0));
            if !sleep_ms(delay * scale, wait.signal).await {
                return Err(wait_aborted(task_id, last_task, wait.signal));
            }
        }
    }
}

/// Checks bytes the way the upload API will: size, then format from the first bytes.
pub async fn check_binary_image(source: &JsValue) -> Result<&'static str, Failure> {
    use crate::image::{sniff_image, ImageProblem};
    let image_issue = |p: ImageProblem| {
        upload_issue(
            p.message(),
            if p == ImageProblem::TooLarge {
                Some(crate::contract::IMAGE_MAX_BYTES as f64)
            } else {
                None
            },
        )
    };
    if !is_binary(source) {
        return Err(upload_issue(
            "the image must be a Blob, File, ArrayBuffer or Uint8Array",
            None,
        ));
    }
    let size = binary_size(source);
    if size < 0.0 {
        return Err(upload_issue("the image could not be read", None));
    }
    if size == 0.0 {
        return Err(image_issue(ImageProblem::Empty));
    }
    if size > crate::contract::IMAGE_MAX_BYTES as f64 {
        return Err(image_issue(ImageProblem::TooLarge));
    }
    let head = match head_bytes(source, 16) {
        Ok(p) => JsFuture::from(p).await,
        Err(e) => Err(e),
    }
    .map_err(|_| upload_issue("the image could not be read", None))?;
    let head = js_sys::Uint8Array::new(&head).to_vec();
    sniff_image(&head).ok_or_else(|| image_issue(ImageProblem::NotAnImage))
}

/// Checks base64 text (bare or a `data:` URL) held in JS: its length first (over the limit it is
/// too large and never read), then its payload a slice at a time, so wasm never holds it whole.
fn check_base64_source(source: &JsValue, len: usize) -> Result<(), crate::image::ImageProblem> {
    use crate::image::{base64_payload, Base64Scan, ImageProblem};
    if len > MAX_BASE64_CHARS {
        return Err(ImageProblem::TooLarge);
    }
    const SLICE: usize = 65_536;
    let head = crate::jsview::text_slice(source, 0, len.min(1024) as u32);
    // Where the payload starts, in UTF-16 units (the header of a data: URL is ASCII).
    let start = if head.is_ascii() {
        let (payload, _) = base64_payload(&head);
        if payload.is_empty() {
            return Err(ImageProblem::Empty);
        }
        payload.as_ptr() as usize - head.as_ptr() as usize
    } else {
        0
    };
    let mut scan = Base64Scan::default();
    let mut at = start;
    while at < len {
        let end = (at + SLICE).min(len);
        scan.feed(crate::jsview::text_slice(source, at as u32, end as u32).as_bytes());
        at = end;
    }
    scan.finish().map(|_| ())
}

fn upload_issue(message: &str, limit: Option<f64>) -> Failure {
    let mut m = String::from("input.image_url: ");
    m.push_str(message);
    let mut f = Failure::new(ErrorKind::Validation, m);
    f.issues = Some(crate::js::issue_list(
        "input.image_url",
        crate::validate::IssueCode::InvalidImage,
        message,
        limit,
    ));
    f
}

/// `uploadPath` as the API requires it: no leading or trailing `/`, no empty or dot segments.
fn check_upload_path(p: &str) -> Result<(), &'static str> {
    // Byte scans: str's char searchers cost more wasm than the whole check.
    if p.is_empty()
        || p.starts_with('/')
        || p.ends_with('/')
        || p.as_bytes()
            .split(|b| *b == b'/')
            .any(|s| s.is_empty() || s == b"." || s == b".." || s.iter().any(|b| *b == b'\\'))
    {
        Err("uploadPath must be a relative path like \"images/2026\" (no leading or trailing /, no empty or dot segments)")
    } else {
        Ok(())
    }
}

/// `{ url, fileName, fileSize, mimeType, expiresAt }` from the upload API's `data`.
fn upload_result(data: &JsValue) -> Result<JsValue, Failure> {
    let url = data
        .field("downloadUrl")
        .and_then(|u| u.string())
        .filter(|u| !u.is_empty());
    let Some(url) = url else {
        return Err(Failure::new(
            ErrorKind::InvalidResponse,
            "data.downloadUrl: missing in the upload answer",
        ));
    };
    let uploaded = data
        .field("uploadedAt")
        .and_then(|t| t.string())
        .map(|t| js_sys::Date::parse(&t))
        .filter(|t| t.is_finite())
        .unwrap_or_else(now);
    let o = object();
    set(&o, "url", url);
    set(&o, "fileName", opt(data.field("fileName").and_then(|v| v.string())));
    set(&o, "fileSize", opt(data.field("fileSize").and_then(|v| v.number())));
    set(&o, "mimeType", opt(data.field("mimeType").and_then(|v| v.string())));
    set(&o, "expiresAt", uploaded + assumptions::UPLOAD_RETENTION_MS);
    Ok(o.into())
}

/// A callback body as a JS value, measured and parsed in JS (see `callbackJson`): the body is
/// never copied into wasm, and an object body is read once, through JSON.
pub fn callback_json(body: &JsValue) -> Result<JsValue, Failure> {
    use crate::callback::{WebhookProblem, MAX_CALLBACK_BODY_BYTES};
    let out = callback_json_of(body, MAX_CALLBACK_BODY_BYTES as u32);
    match out.field("fail").and_then(|f| f.string()).as_deref() {
        None => Ok(out.get("value").unwrap_or(JsValue::NULL)),
        Some("too_large") => Err(webhook_failure(WebhookProblem::TooLarge)),
        Some(_) => Err(webhook_failure(WebhookProblem::Malformed)),
    }
}

pub fn webhook_failure(problem: crate::callback::WebhookProblem) -> Failure {
    let mut f = Failure::new(ErrorKind::InvalidWebhook, problem.message());
    f.reason = Some(problem.as_str());
    f
}

/// The typed Task in a callback body (success and failure bodies alike).
pub fn parse_callback(body: &JsValue) -> Result<JsValue, Failure> {
    let parsed = callback_json(body)?;
    let data = parsed.field("data").unwrap_or(JsValue::NULL);
    match wire::decode_task(&data) {
        Ok(mut task) => {
            // Callbacks report costTime in seconds, recordInfo in ms (contract §9): ms everywhere.
            task.cost_time = task.cost_time.map(|s| s * 1000.0);
            Ok(task_to_js(&task, data))
        }
        Err(e) => {
            let mut m = String::from(e.path);
            m.push_str(": ");
            m.push_str(e.message);
            let mut f = Failure::new(ErrorKind::InvalidWebhook, m);
            f.reason = Some(crate::callback::WebhookProblem::Malformed.as_str());
            Err(f)
        }
    }
}

thread_local! {
    static REPLAYS: std::cell::RefCell<crate::callback::ReplayGuard> = std::cell::RefCell::default();
}

/// Webhook verification: size, headers, timestamp window, HMAC (WebCrypto), replay.
pub async fn verify_callback(
    body: &JsValue,
    headers: &JsValue,
    hmac_key: &ApiKey,
    tolerance_s: Option<f64>,
) -> Result<JsValue, Failure> {
    use crate::callback::{
        check_timestamp, decode_signature, signed_message, signed_task_id, WebhookProblem, DEFAULT_TOLERANCE_SECONDS,
    };
    let parsed = callback_json(body)?;
    let timestamp = read_header(headers, "x-webhook-timestamp", MAX_HEADER_CHARS as u32);
    let signature = read_header(headers, "x-webhook-signature", MAX_HEADER_CHARS as u32);
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(webhook_failure(WebhookProblem::MissingHeaders));
    };
    let task_id = signed_task_id(&parsed).ok_or_else(|| webhook_failure(WebhookProblem::Malformed))?;
    let tolerance = tolerance_s.unwrap_or(DEFAULT_TOLERANCE_SECONDS);
    let now_s = now() / 1000.0;
    let ts = check_timestamp(&timestamp, now_s, tolerance).map_err(webhook_failure)?;
    let signature = decode_signature(&signature).map_err(webhook_failure)?;
    let message = signed_message(&task_id, timestamp.trim());
    let valid = match hmac_verify(hmac_key.expose(), &message, &signature) {
        Ok(p) => JsFuture::from(p).await.map(|v| v.is_truthy()).unwrap_or(false),
        Err(_) => false,
    };
    if !valid {
        return Err(webhook_failure(WebhookProblem::SignatureMismatch));
    }
    if !REPLAYS.with(|r| r.borrow_mut().first_time(&message, ts, now_s, tolerance)) {
        return Err(webhook_failure(WebhookProblem::Replayed));
    }
    parse_callback(&parsed)
}

/// Options of `waitForTask`.
pub struct WaitOptions<'a> {
    pub signal: Option<&'a AbortSignal>,
    pub timeout_ms: Option<f64>,
    pub on_progress: Option<&'a Function>,
    /// A fixed gap between polls instead of the default schedule.
    pub poll_interval_ms: Option<f64>,
    /// Runs the wait's clock faster (0.01 = a hundred times): sleeps shrink and elapsed time
    /// grows by this factor. For benchmarks and tests against an accelerated emulator; 1 otherwise.
    pub time_scale: f64,
}

/// The typed Task object handed to JS.
pub fn task_to_js(task: &Task<JsValue>, raw: JsValue) -> JsValue {
    let o = object();
    set(&o, "taskId", task.task_id.as_str());
    set(&o, "model", task.model.as_str());
    set(&o, "state", task.state.as_str());
    let urls = js_sys::Array::new();
    for u in &task.video_urls {
        urls.push(&JsValue::from_str(u));
    }
    set(&o, "videoUrls", urls);
    set(&o, "failCode", opt(task.fail_code.as_deref()));
    set(&o, "failMsg", opt(task.fail_msg.as_deref()));
    set(&o, "costTime", opt(task.cost_time));
    set(&o, "createTime", opt(task.create_time));
    set(&o, "updateTime", opt(task.update_time));
    set(&o, "completeTime", opt(task.complete_time));
    set(&o, "consumeCredits", opt(task.consume_credits));
    set(&o, "remainedCredits", opt(task.remained_credits));
    set(&o, "param", task.param.clone().unwrap_or(JsValue::NULL));
    set(&o, "raw", raw);
    o.into()
}
