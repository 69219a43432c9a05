//! The shell's one driver (`Run`): it runs an operation machine (`op`) to its end, doing what
//! each step says over the runtime's global `fetch` (never `window`; or one the caller passes),
//! timers an AbortSignal cuts short, and the caller's `onProgress`. The one place that handles
//! abort. It is explicit states, not an `async fn` (`task::Work`): one promise at a time.

use crate::contract::boundary::MAX_RESPONSE_BYTES;
use crate::contract::push::MAX_OPEN_STREAMS;
use crate::contract::USER_AGENT;
use crate::convert::{failure_to_js, output_to_js, task_to_js, Failure};
use crate::error::{redact_echo, ApiKey};
use crate::model::CreateTaskBody;
use crate::op::{Input, Machine, Output, Payload, Plan, Request, SendError, Settings, Step, Upload};
use crate::task::{Next, Outcome, Work};
use crate::upload::{self, Body, Prepared};
use crate::view::View;
use js_sys::{Function, Math, Promise};
use std::rc::Rc;
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

impl Job {
    /// The input for the caller's abort (with the signal's reason, when it has one).
    fn aborted(&self, in_flight: bool) -> Input<JsValue> {
        Input::Aborted {
            reason: self.signal.as_ref().map(abort_reason).filter(|r| !r.is_undefined()),
            in_flight,
        }
    }
}

/// One operation in flight: the driver. It runs the operation machine (`op`), doing what each
/// step says, and waits between steps on one promise at a time (`task::Work`): the image's
/// first bytes, a response, its answer read, or a sleep.
pub struct Run {
    client: Rc<Client>,
    job: Job,
    /// Runs the clock faster for the bench (see `Job::time_scale`); 1 otherwise.
    scale: f64,
    machine: Option<Machine<JsValue>>,
    awaiting: Awaiting,
}

/// What the promise the driver handed back last is.
enum Awaiting {
    /// Nothing yet: the plan, started once the image to upload (if any) has been read.
    Start(Plan),
    ImageHead(Image, Plan),
    /// A request's response, then its answer read, under the request's deadline (`true`: a
    /// status stream, counted against the client's cap).
    Response(Deadline, bool),
    Reply(Deadline, bool),
    Sleep,
    Nothing,
}

impl Run {
    pub fn new(client: Rc<Client>, plan: Plan, job: Job) -> Run {
        Run {
            client,
            scale: if job.time_scale > 0.0 { job.time_scale } else { 1.0 },
            job,
            machine: None,
            awaiting: Awaiting::Start(plan),
        }
    }

    /// Builds the machine for `plan`, with the upload's route and body when the image has been read.
    fn begin(&mut self, plan: Plan, upload: Option<(Upload, Body)>) -> Input<JsValue> {
        let plan = match upload {
            Some((route, body)) => {
                self.job.upload = Some(body);
                plan.with_upload(route)
            }
            None => plan,
        };
        let client = &self.client;
        let settings = Settings {
            base_url: client.base_url.clone(),
            upload_base_url: client.upload_base_url.clone(),
            // On the scaled clock a request may still take its real timeout.
            request_timeout_ms: self.job.request_timeout_ms.unwrap_or(client.request_timeout_ms) / self.scale,
            max_retries: self.job.max_retries.unwrap_or(client.max_retries),
        };
        self.machine = Some(Machine::new(settings, plan));
        Input::Start
    }

    fn done(&self, result: Result<Output<JsValue>, Failure>) -> Next {
        Next::Done(
            result
                .map(output_to_js)
                .map_err(|f| failure_to_js(f, self.client.key.as_ref())),
        )
    }
}

impl Drop for Run {
    /// A run freed while a request is out (its promise never settled) gives back its stream slot
    /// and detaches its deadline from the caller's signal.
    fn drop(&mut self) {
        if let Awaiting::Response(deadline, stream) | Awaiting::Reply(deadline, stream) = &self.awaiting {
            let streams = &self.client.streams;
            streams.set(streams.get() - u32::from(*stream));
            let _ = deadline.clear();
        }
    }
}

impl Work for Run {
    fn advance(&mut self, settled: Outcome) -> Next {
        let mut input = match core::mem::replace(&mut self.awaiting, Awaiting::Nothing) {
            Awaiting::Start(plan) => match self.job.image.take() {
                None => self.begin(plan, None),
                Some(image) => match upload::prepare(&image.source, &image.upload_path, image.file_name.as_deref()) {
                    Ok(Prepared::Ready(route, body)) => self.begin(plan, Some((route, body))),
                    Ok(Prepared::Head(head)) => {
                        self.awaiting = Awaiting::ImageHead(image, plan);
                        return Next::Wait(head);
                    }
                    Err(f) => return self.done(Err(f)),
                },
            },
            Awaiting::ImageHead(image, plan) => {
                let form = upload::sniff_head(settled).and_then(|mime| {
                    upload::stream_form(&image.source, mime, &image.upload_path, image.file_name.as_deref())
                });
                match form {
                    Ok(body) => self.begin(plan, Some((Upload::Stream, body))),
                    Err(f) => return self.done(Err(f)),
                }
            }
            Awaiting::Response(deadline, stream) => {
                match settled.and_then(|response| read_reply(&response, MAX_RESPONSE_BYTES as u32)) {
                    Ok(reading) => {
                        self.awaiting = Awaiting::Reply(deadline, stream);
                        return Next::Wait(reading);
                    }
                    Err(e) => self.client.exchanged(&self.job, deadline, stream, Err(e)),
                }
            }
            Awaiting::Reply(deadline, stream) => self.client.exchanged(&self.job, deadline, stream, settled),
            Awaiting::Sleep if settled.is_ok() => Input::Woke,
            Awaiting::Sleep | Awaiting::Nothing => self.job.aborted(false),
        };
        let Some(machine) = self.machine.as_mut() else {
            return Next::Done(Err(JsValue::UNDEFINED)); // unreachable: every path above begins it
        };
        let signal = self.job.signal.as_ref();
        let streams = &self.client.streams;
        loop {
            input = match machine.step(input, now() / self.scale, Math::random()) {
                Step::Send(_) if signal.is_some_and(is_aborted) => self.job.aborted(false),
                // Past the cap the stream is refused here, as a server would: this wait polls.
                Step::Send(_) if machine.listening() && streams.get() >= MAX_OPEN_STREAMS => Input::Reply {
                    status: 429,
                    text: None,
                    retry_after: None,
                    push: false,
                },
                Step::Send(request) => {
                    let attempt = machine.attempt() + 1;
                    // Counted before the send: a custom fetch may start another wait meanwhile.
                    let stream = machine.listening();
                    streams.set(streams.get() + u32::from(stream));
                    match self.client.send(&request, &self.job, self.scale, attempt) {
                        Ok((response, deadline)) => {
                            self.awaiting = Awaiting::Response(deadline, stream);
                            return Next::Wait(response);
                        }
                        Err(Some((deadline, err))) => self.client.exchanged(&self.job, deadline, stream, Err(err)),
                        Err(None) => {
                            streams.set(streams.get() - u32::from(stream));
                            self.job.aborted(true)
                        }
                    }
                }
                Step::Sleep(ms) => match sleep(ms * self.scale, signal) {
                    Ok(woken) => {
                        self.awaiting = Awaiting::Sleep;
                        return Next::Wait(woken);
                    }
                    Err(_) => self.job.aborted(false),
                },
                Step::Progress => {
                    if let (Some(f), Some((task, raw))) = (&self.job.on_progress, machine.last_task()) {
                        // A throwing progress callback must not break the wait.
                        let _ = f.call1(&JsValue::UNDEFINED, &task_to_js(task, raw.clone()));
                    }
                    Input::Reported
                }
                Step::Done(result) => {
                    if let Some(id) = machine.created_task() {
                        self.client.note_created(id);
                    }
                    return self.done(result);
                }
            };
        }
    }
}

impl Client {
    /// The end of an exchange (its answer read, or how it failed), its deadline cleared.
    fn exchanged(&self, job: &Job, deadline: Deadline, stream: bool, settled: Outcome) -> Input<JsValue> {
        let streams = &self.streams;
        streams.set(streams.get() - u32::from(stream));
        let ended = deadline.clear().unwrap_or(2);
        match settled {
            Ok(reply) => self.reply_input(&reply),
            Err(_) if ended == 2 => job.aborted(true),
            Err(_) if ended == 1 => Input::Failed(SendError::TimedOut),
            Err(err) => Input::Failed(SendError::Network {
                detail: describe_error(&err),
                cause: Some(err),
            }),
        }
    }

    /// Hands `request` to fetch under its deadline: the promise of the response and the deadline;
    /// `Err(None)` when the request could not be built (reported as aborted in flight, as before
    /// the machine: nothing was sent), or the deadline and the error when fetch threw at once.
    #[allow(clippy::type_complexity)]
    fn send(
        &self,
        request: &Request,
        job: &Job,
        scale: f64,
        attempt: u32,
    ) -> Result<(Promise, Deadline), Option<(Deadline, JsValue)>> {
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
        let deadline = Deadline::new(job.signal.as_ref(), request.timeout_ms * scale).map_err(|_| None)?;
        match self.fetch(request, body, &deadline, attempt) {
            Ok(response) => Ok((response, deadline)),
            Err(err) => Err(Some((deadline, err))),
        }
    }

    /// The fetch of `request`; any JS exception comes back as `Err`.
    fn fetch(
        &self,
        request: &Request,
        body: Option<Body>,
        deadline: &Deadline,
        attempt: u32,
    ) -> Result<Promise, JsValue> {
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
        match &self.fetch {
            // `then` on a resolved promise: a custom fetch may return any thenable (or throw).
            Some(f) => resolve(&f.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init)?),
            // A replaced global fetch may return any thenable, like a custom one.
            None => resolve(&global_fetch(url, &init)?.into()),
        }
    }

    /// The machine's input for an answer read by `readReply`. Its text is bounded by
    /// MAX_RESPONSE_BYTES and scrubbed of the key before anything reads it, so no result, error
    /// or raw record can carry it.
    fn reply_input(&self, reply: &JsValue) -> Input<JsValue> {
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
        Input::Reply {
            status: reply.field("status").and_then(|s| s.number()).unwrap_or(0.0) as u16,
            text,
            retry_after: reply.field("retryAfter").and_then(|v| v.string()),
            push: reply.field("push").is_some(),
        }
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
