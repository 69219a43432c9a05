//! The shell's one driver: it runs an operation machine (`op`) to its end, doing what each step
//! says over the runtime's global `fetch` (never `window`; or one the caller passes), timers an
//! AbortSignal cuts short, and the caller's `onProgress`. The one place that handles abort.

use crate::contract::boundary::MAX_RESPONSE_BYTES;
use crate::contract::push::MAX_OPEN_STREAMS;
use crate::contract::USER_AGENT;
use crate::convert::{task_to_js, Failure};
use crate::error::{redact_echo, ApiKey};
use crate::model::CreateTaskBody;
use crate::op::{Input, Machine, Output, Payload, Plan, Request, SendError, Settings, Step};
use crate::task::settled;
use crate::upload::Body;
use crate::view::View;
use js_sys::{Function, Math, Promise};
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Headers, RequestInit, RequestRedirect};

// The boundary rule: every import that touches a caller's value or runs a caller's code is
// declared `catch` (its exception returns as `Err`), or is one of runtime.js's TOTAL functions,
// which catch everything themselves. scripts/check-boundary.mjs enforces it at build time.
#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn sleep(ms: f64, signal: Option<&AbortSignal>) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = readReply, catch)]
    fn read_reply(response: &JsValue, max: u32) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = isAborted)]
    fn is_aborted(signal: &AbortSignal) -> bool;
    #[wasm_bindgen(js_name = abortReason)]
    fn abort_reason(signal: &AbortSignal) -> JsValue;
    #[wasm_bindgen(js_name = describeError)]
    fn describe_error(err: &JsValue) -> String;
    #[wasm_bindgen(js_name = inBrowserPage)]
    pub fn in_browser_page() -> bool;
    #[wasm_bindgen(js_name = sendsUserAgent)]
    pub fn sends_user_agent() -> bool;
    pub fn now() -> f64;
    #[wasm_bindgen(js_name = clientFetch)]
    pub fn client_fetch(options: &JsValue) -> JsValue;

    type Deadline;
    #[wasm_bindgen(constructor, catch)]
    fn new(signal: Option<&AbortSignal>, ms: f64) -> Result<Deadline, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &Deadline) -> AbortSignal;
    /// 2 the caller aborted, 1 the deadline fired, 0 neither.
    #[wasm_bindgen(method, catch)]
    fn clear(this: &Deadline) -> Result<u32, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's global fetch, called unbound (Workers reject a fetch bound to another `this`).
    /// Caught: it throws where there is none, and a host may throw synchronously.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Result<Promise, JsValue>;
    /// `Promise.resolve(x)`, caught: it reads `x.constructor` for a promise, which may throw.
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    fn resolve(value: &JsValue) -> Result<Promise, JsValue>;
}

/// The client's settings, validated by `js::KlingClient::new`.
pub struct Client {
    pub key: Option<ApiKey>,
    pub base_url: String,
    pub upload_base_url: String,
    pub request_timeout_ms: f64,
    pub max_retries: u32,
    pub fetch: Option<Function>,
    /// Sent with every request (the caller's credentials for its own backend).
    pub headers: Vec<(String, String)>,
    /// `User-Agent: kie-kling/<version>`, where the runtime lets a request set it (not in
    /// browsers): Kie's Cloudflare front may answer 1010 to requests without one (contract.rs).
    pub user_agent: bool,
    /// Tasks this client created: only those get the not-yet-visible grace.
    pub created: core::cell::RefCell<Vec<String>>,
    pub created_count: core::cell::Cell<usize>,
    /// Status streams open now (`contract::push::MAX_OPEN_STREAMS` at most).
    pub streams: core::cell::Cell<u32>,
}

/// What a run needs besides its plan: the caller's signal and progress callback, and the bodies
/// prepared from the caller's values (the machine says when each is sent).
#[derive(Default)]
pub struct Job {
    pub signal: Option<AbortSignal>,
    pub on_progress: Option<Function>,
    /// Runs the clock faster (0.01 = a hundred times): for the bench against an accelerated
    /// emulator; 1 otherwise.
    pub time_scale: f64,
    /// Per-call overrides of the client's settings.
    pub request_timeout_ms: Option<f64>,
    pub max_retries: Option<u32>,
    /// The caller's input (a snapshot) and its validated body fields.
    pub create: Option<(JsValue, CreateTaskBody)>,
    /// The image to upload (uploadImage, generate with a local image), read by the driver.
    pub image: Option<Image>,
    pub upload: Option<Body>,
}

pub struct Image {
    pub source: JsValue,
    pub upload_path: String,
    pub file_name: Option<String>,
}

impl Client {
    /// Runs `plan` to its end. Boxed: a method's future stays small until it gets this far
    /// (a thousand calls refused by validation hold little memory meanwhile).
    pub fn run(&self, plan: Plan, job: Job) -> Pin<Box<dyn Future<Output = Result<Output<JsValue>, Failure>> + '_>> {
        Box::pin(self.drive(plan, job))
    }

    async fn drive(&self, mut plan: Plan, mut job: Job) -> Result<Output<JsValue>, Failure> {
        if let Some(image) = job.image.take() {
            let (route, body) = crate::upload::prepare(&image.source, &image.upload_path, image.file_name).await?;
            job.upload = Some(body);
            plan = plan.with_upload(route);
        }
        let scale = if job.time_scale > 0.0 { job.time_scale } else { 1.0 };
        let settings = Settings {
            base_url: &self.base_url,
            upload_base_url: &self.upload_base_url,
            // On the scaled clock a request may still take its real timeout.
            request_timeout_ms: job.request_timeout_ms.unwrap_or(self.request_timeout_ms) / scale,
            max_retries: job.max_retries.unwrap_or(self.max_retries),
        };
        let mut machine = Machine::new(settings, plan);
        let signal = job.signal.as_ref();
        let aborted = |in_flight| Input::Aborted {
            reason: signal.map(abort_reason).filter(|r| !r.is_undefined()),
            in_flight,
        };
        let mut input = Input::Start;
        let result = loop {
            input = match machine.step(input, now() / scale, Math::random()) {
                Step::Send(_) if signal.is_some_and(is_aborted) => aborted(false),
                // Past the cap the stream is refused here, as a server would: this wait polls.
                Step::Send(_) if machine.listening() && self.streams.get() >= MAX_OPEN_STREAMS => Input::Reply {
                    status: 429,
                    text: None,
                    retry_after: None,
                    push: false,
                },
                Step::Send(request) => {
                    let stream = u32::from(machine.listening());
                    self.streams.set(self.streams.get() + stream);
                    let sent = self.send(&request, &job, scale, machine.attempt() + 1).await;
                    self.streams.set(self.streams.get() - stream);
                    match sent {
                        Ok(reply) => reply,
                        Err(None) => aborted(true),
                        Err(Some(e)) => Input::Failed(e),
                    }
                }
                Step::Sleep(ms) => {
                    let woke = match sleep(ms * scale, signal) {
                        Ok(p) => settled(p).await.is_ok(),
                        Err(_) => false,
                    };
                    if woke {
                        Input::Woke
                    } else {
                        aborted(false)
                    }
                }
                Step::Progress => {
                    if let (Some(f), Some((task, raw))) = (&job.on_progress, machine.last_task()) {
                        // A throwing progress callback must not break the wait.
                        let _ = f.call1(&JsValue::UNDEFINED, &task_to_js(task, raw.clone()));
                    }
                    Input::Reported
                }
                Step::Done(result) => break result,
            };
        };
        if let Some(id) = machine.created_task() {
            self.note_created(id);
        }
        result
    }

    /// One HTTP exchange under the request's deadline; `Err(None)` when the caller aborted it.
    async fn send(
        &self,
        request: &Request,
        job: &Job,
        scale: f64,
        attempt: u32,
    ) -> Result<Input<JsValue>, Option<SendError<JsValue>>> {
        let body = match &request.payload {
            Payload::None => None,
            Payload::Json(text) => Some(Body::Json(JsValue::from_str(text))),
            Payload::Upload => match &job.upload {
                Some(Body::Json(b)) => Some(Body::Json(b.clone())),
                Some(Body::Form(b)) => Some(Body::Form(b.clone())),
                None => None,
            },
            Payload::Create { image_url } => {
                let (input, checked) = job.create.as_ref().ok_or(None)?;
                let body = crate::convert::create_body(input, checked, image_url.as_deref());
                Some(Body::Json(js_sys::JSON::stringify(&body).map_err(|_| None)?.into()))
            }
        };
        let signal = job.signal.as_ref();
        let deadline = Deadline::new(signal, request.timeout_ms * scale).map_err(|_| None)?;
        let result = self.exchange(request, body, &deadline, attempt).await;
        let ended = deadline.clear().unwrap_or(2);
        result.map_err(|err| {
            if ended == 2 {
                None
            } else if ended == 1 {
                Some(SendError::TimedOut)
            } else {
                Some(SendError::Network {
                    detail: describe_error(&err),
                    cause: Some(err),
                })
            }
        })
    }

    /// The fetch and the capped read of its answer; any JS exception comes back as `Err`.
    async fn exchange(
        &self,
        request: &Request,
        body: Option<Body>,
        deadline: &Deadline,
        attempt: u32,
    ) -> Result<Input<JsValue>, JsValue> {
        let headers = Headers::new()?;
        // No Accept: each route has one answer type (JSON, or Server-Sent Events for a status stream).
        if self.user_agent {
            headers.set("User-Agent", USER_AGENT)?;
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
        init.set_method(request.method);
        match body {
            Some(Body::Json(text)) => {
                headers.set("Content-Type", "application/json")?;
                init.set_body(&text);
            }
            Some(Body::Form(form)) => init.set_body(&form),
            None => {}
        }
        init.set_headers(&headers);
        init.set_signal(Some(&deadline.signal()));
        // Never follow a redirect: the key goes only to the configured base URLs. A 3xx (or a
        // browser's opaque redirect, status 0) comes back as an error instead.
        init.set_redirect(RequestRedirect::Manual);
        // For a custom or logging fetch (`clientFetch`): which try of this request it is, from 1.
        crate::jsview::set(&init, "attempt", f64::from(attempt));
        let url = request.url.as_str();
        let promise = match &self.fetch {
            // `then` on a resolved promise: a custom fetch may return any thenable (or throw).
            Some(f) => resolve(&f.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init)?)?,
            // A replaced global fetch may return any thenable, like a custom one.
            None => resolve(&global_fetch(url, &init)?.into())?,
        };
        let response = settled(promise).await?;
        let reply = settled(read_reply(&response, MAX_RESPONSE_BYTES as u32)?).await?;
        // Bounded by MAX_RESPONSE_BYTES; scrubbed of the key before anything reads it, so no
        // result, error or raw record can carry it.
        let text = reply
            .get("text")
            .filter(|t| t.kind() == crate::view::Kind::String)
            .map(|t| {
                let t = crate::jsview::text_slice(&t, 0, MAX_RESPONSE_BYTES as u32);
                match &self.key {
                    Some(k) => redact_echo(&t, k.expose()),
                    None => t,
                }
            });
        Ok(Input::Reply {
            status: reply.field("status").and_then(|s| s.number()).unwrap_or(0.0) as u16,
            text,
            retry_after: reply.field("retryAfter").and_then(|v| v.string()),
            push: reply.field("push").is_some(),
        })
    }

    /// Remembers a task this client created: a ring of the newest `MAX_REMEMBERED_CREATES`
    /// (Kie allows 60 creates per 30 s per key, contract §5, so a full ring spans the grace).
    fn note_created(&self, task_id: &str) {
        let mut created = self.created.borrow_mut();
        let slot = self.created_count.get() % crate::contract::assumptions::MAX_REMEMBERED_CREATES;
        self.created_count.set(self.created_count.get() + 1);
        match created.get_mut(slot) {
            Some(old) => *old = task_id.to_owned(),
            None => created.push(task_id.to_owned()),
        }
    }

    /// Whether `task_id` is one of the tasks this client created last.
    pub fn created_recently(&self, task_id: &str) -> bool {
        self.created.borrow().iter().any(|id| id == task_id)
    }
}
