//! The wasm shell: the only module with I/O. It turns the core's decisions into `fetch` calls
//! (the runtime's global fetch, never `window`, or one the caller passes), sleeps on timers an
//! AbortSignal cuts short, and hands answers back to the core to classify and decode.

use crate::contract::assumptions;
use crate::error::{is_record_null, redact, ApiKey, ErrorKind};
use crate::jsview::{object, opt, set};
use crate::model::itoa;
use crate::policy::{self, Operation};
use crate::view::View;
use crate::wire::{self, Task, TaskState};
use js_sys::{Function, Math, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, Response};

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(kind: &str, message: &str, fields: &Object) -> JsValue;
    fn sleep(ms: f64, signal: Option<&AbortSignal>) -> Promise;
    #[wasm_bindgen(js_name = inBrowserPage)]
    pub fn in_browser_page() -> bool;
    pub fn now() -> f64;

    type Deadline;
    #[wasm_bindgen(constructor)]
    fn new(signal: Option<&AbortSignal>, ms: f64) -> Deadline;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &Deadline) -> AbortSignal;
    #[wasm_bindgen(method, getter, js_name = timedOut)]
    fn timed_out(this: &Deadline) -> bool;
    #[wasm_bindgen(method, getter, js_name = userAborted)]
    fn user_aborted(this: &Deadline) -> bool;
    #[wasm_bindgen(method)]
    fn clear(this: &Deadline);
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's global fetch, called unbound (Workers reject a fetch bound to another `this`).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Promise;
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
            Some(k) => redact(s, k.expose()),
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
        }
        if let Some(task) = self.task {
            set(&fields, "task", redact_value(task, key));
        }
        if self.kind == ErrorKind::TaskFailed {
            set(&fields, "failCode", opt(self.fail_code));
            set(&fields, "failMsg", opt(self.fail_msg.as_deref().map(clean)));
        }
        make_error(self.kind.as_str(), &clean(&self.message), &fields)
    }
}

/// `value` with the key scrubbed from every string inside it (a server may echo it anywhere).
fn redact_value(value: JsValue, key: Option<&ApiKey>) -> JsValue {
    let Some(key) = key else { return value };
    let Some(text) = js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string()) else { return value };
    if !text.contains(key.expose()) {
        return value;
    }
    js_sys::JSON::parse(&redact(&text, key.expose())).unwrap_or(JsValue::NULL)
}

fn aborted() -> Failure {
    Failure::new(ErrorKind::Aborted, "the operation was aborted")
}

/// The client's settings, validated by `js::KlingClient::new`.
#[derive(Debug)]
pub struct Client {
    pub key: Option<ApiKey>,
    pub base_url: String,
    #[allow(dead_code)] // used by the upload helper (issue 6)
    pub upload_base_url: String,
    pub fetch: Option<Function>,
    pub timeout_ms: f64,
    pub max_retries: u32,
}

struct Reply {
    status: u16,
    text: String,
    retry_after: Option<String>,
}

/// Per-call settings.
pub struct CallOptions<'a> {
    pub signal: Option<&'a AbortSignal>,
    /// Bounds this request; the client's `timeoutMs` when `None`.
    pub timeout_ms: Option<f64>,
}

impl Client {
    /// One HTTP exchange, no retries.
    async fn send(&self, method: &str, url: &str, body: Option<&str>, call: &CallOptions<'_>) -> Result<Reply, Failure> {
        let deadline = Deadline::new(call.signal, call.timeout_ms.unwrap_or(self.timeout_ms));
        let result = self.send_within(method, url, body, &deadline).await;
        let outcome = result.map_err(|err| {
            if deadline.user_aborted() {
                aborted()
            } else if deadline.timed_out() {
                let mut m = String::from("the request timed out after ");
                m.push_str(&itoa(call.timeout_ms.unwrap_or(self.timeout_ms) as u64));
                m.push_str(" ms");
                Failure::new(ErrorKind::Timeout, m)
            } else {
                let detail = err
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .or_else(|| err.as_string())
                    .unwrap_or_default();
                let mut m = String::from("network error: the request did not complete");
                if !detail.is_empty() {
                    m.push_str(" (");
                    m.push_str(&detail);
                    m.push(')');
                }
                Failure::new(ErrorKind::Network, m)
            }
        });
        deadline.clear();
        outcome
    }

    async fn send_within(&self, method: &str, url: &str, body: Option<&str>, deadline: &Deadline) -> Result<Reply, JsValue> {
        let headers = Headers::new()?;
        headers.set("Accept", "application/json")?;
        if let Some(key) = &self.key {
            let mut auth = String::from("Bearer ");
            auth.push_str(key.expose());
            headers.set("Authorization", &auth)?;
        }
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(b) = body {
            headers.set("Content-Type", "application/json")?;
            init.set_body(&JsValue::from_str(b));
        }
        init.set_headers(&headers);
        init.set_signal(Some(&deadline.signal()));
        let promise = match &self.fetch {
            Some(f) => Promise::resolve(&f.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init)?),
            None => global_fetch(url, &init),
        };
        let response: Response = JsFuture::from(promise).await?.dyn_into()?;
        let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
        Ok(Reply { status: response.status(), text, retry_after: response.headers().get("retry-after").ok().flatten() })
    }

    /// Sends with the retry policy of `op`; returns the envelope's `data` (null when absent).
    pub async fn call(&self, op: Operation, method: &str, url: &str, body: Option<&str>, call: &CallOptions<'_>) -> Result<JsValue, Failure> {
        let mut attempt = 0;
        loop {
            if call.signal.is_some_and(AbortSignal::aborted) {
                return Err(aborted());
            }
            let mut failure = match self.send(method, url, body, call).await {
                Ok(reply) => {
                    let parsed = JsValue::parse_json(&reply.text);
                    match wire::read_envelope(reply.status, parsed.as_ref(), &reply.text) {
                        Ok(data) => return Ok(data.unwrap_or(JsValue::NULL)),
                        Err(api) => {
                            let mut f = Failure::from_api(api);
                            f.retry_after_ms = reply.retry_after.and_then(|v| policy::parse_retry_after(&v, now()));
                            f
                        }
                    }
                }
                Err(f) => f,
            };
            let retry = if failure.kind == ErrorKind::Aborted {
                None
            } else {
                policy::plan_retry(op, failure.kind, attempt, self.max_retries, failure.retry_after_ms, Math::random())
            };
            match retry {
                Some(ms) => {
                    if JsFuture::from(sleep(ms, call.signal)).await.is_err() {
                        return Err(aborted());
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

    fn url(&self, path: &str) -> String {
        let mut u = self.base_url.clone();
        u.push_str(path);
        u
    }

    /// `POST /api/v1/jobs/createTask` with an already validated body; returns the taskId.
    pub async fn create_task(&self, body_json: &str, call: &CallOptions<'_>) -> Result<String, Failure> {
        let data = self.call(Operation::Create, "POST", &self.url("/api/v1/jobs/createTask"), Some(body_json), call).await?;
        data.field("taskId")
            .and_then(|t| t.string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Failure::new(ErrorKind::InvalidResponse, "data.taskId: missing in the createTask answer"))
    }

    /// `GET /api/v1/jobs/recordInfo`, decoded.
    pub async fn get_task(&self, task_id: &str, call: &CallOptions<'_>) -> Result<(Task<JsValue>, JsValue), Failure> {
        if task_id.trim().is_empty() {
            return Err(Failure::new(ErrorKind::Validation, "taskId: must be a non-empty string"));
        }
        let mut url = self.url("/api/v1/jobs/recordInfo?taskId=");
        url.push_str(&String::from(js_sys::encode_uri_component(task_id)));
        let data = self.call(Operation::Read, "GET", &url, None, call).await.map_err(|mut f| {
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

    /// Polls until the task ends, the wait times out, or `signal` aborts.
    pub async fn wait_for_task(&self, task_id: &str, wait: &WaitOptions<'_>) -> Result<JsValue, Failure> {
        let start = now();
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
            let elapsed = now() - start;
            let remaining = timeout - elapsed;
            if remaining <= 0.0 {
                return Err(timed_out(last_task));
            }
            let call = CallOptions { signal: wait.signal, timeout_ms: Some(remaining.min(self.timeout_ms)) };
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
                // Just-created tasks can read as "recordInfo is null" for a while (contract §1).
                Err(f) if f.kind == ErrorKind::NotFound
                    && f.msg.as_deref().is_some_and(is_record_null)
                    && now() - start < assumptions::NOT_YET_VISIBLE_GRACE_MS => {}
                Err(f) if f.kind == ErrorKind::Timeout && now() - start >= timeout => return Err(timed_out(last_task)),
                Err(f) => return Err(f),
            }
            let elapsed = now() - start;
            let delay = wait.poll_interval_ms.unwrap_or_else(|| policy::poll_delay_ms(elapsed, Math::random()));
            let delay = delay.min((timeout - elapsed).max(0.0));
            if JsFuture::from(sleep(delay, wait.signal)).await.is_err() {
                let mut f = aborted();
                f.task_id = Some(task_id.to_owned());
                return Err(f);
            }
        }
    }
}

/// Options of `waitForTask`.
pub struct WaitOptions<'a> {
    pub signal: Option<&'a AbortSignal>,
    pub timeout_ms: Option<f64>,
    pub on_progress: Option<&'a Function>,
    /// A fixed gap between polls instead of the default schedule.
    pub poll_interval_ms: Option<f64>,
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
