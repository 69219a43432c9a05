//! Every `#[wasm_bindgen]` export (their TypeScript declarations are js/index.d.ts). JS names are camelCase; request objects keep the API's field names verbatim.

use crate::client::{client_fetch, in_browser_page, sends_user_agent, Client, Image, Job, Run};
use crate::contract::{assumptions, API_BASE_URL, UPLOAD_BASE_URL};
use crate::convert::{create_body, failure_to_js, issues_to_js, Failure};
use crate::error::{ApiKey, ErrorKind};
use crate::jsview::{object, prop, set, snapshot};
use crate::op::{Plan, Upload, WaitSettings};
use crate::task::{spawn, Next, Outcome, Work};
use crate::validate::{self, Issue, IssueCode, Mode};
use crate::view::{Kind, View};
use js_sys::{Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

// The public TypeScript types are hand-written in js/index.d.ts (the one shipped declaration file).

/// The thrown "validation" KieError for `issues` (option checks outside this module).
#[cfg(feature = "proxy")]
pub fn validation_error(issues: &[Issue]) -> JsValue {
    failure_to_js(Failure::invalid(issues.to_vec()), None)
}

/// `validate`: documented in js/index.d.ts (the shipped docs).
#[wasm_bindgen(unchecked_return_type = "ValidationResult")]
pub fn validate(#[wasm_bindgen(unchecked_param_type = "CreateTaskRequest")] request: JsValue) -> JsValue {
    let request = snapshot(
        &request,
        &validate::BODY_FIELDS,
        Some(("input", &validate::INPUT_FIELDS)),
    );
    let issues = validate::validate_body_in(Mode::Check, &request)
        .err()
        .unwrap_or_default();
    let o = object();
    set(&o, "ok", issues.is_empty());
    set(&o, "issues", issues_to_js(&issues));
    o.into()
}

/// `buildCreateTaskBody`: documented in js/index.d.ts (the shipped docs).
#[wasm_bindgen(js_name = buildCreateTaskBody, unchecked_return_type = "CreateTaskBody")]
pub fn build_create_task_body(
    #[wasm_bindgen(unchecked_param_type = "CreateTaskInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "BuildOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let input = snapshot(&input, &validate::INPUT_FIELDS, None);
    let options = options.map(|o| snapshot(&o, &validate::OPTION_FIELDS, None));
    match validate::validate_input_in(Mode::Check, &input, options.as_ref(), &validate::OPTION_FIELDS) {
        Ok(checked) => Ok(create_body(&input, &checked, None).into()),
        Err(issues) => Err(failure_to_js(Failure::invalid(issues), None)),
    }
}

/// A client for the Kling V2.1 Standard API (or your own backend that forwards to it).
#[wasm_bindgen]
pub struct KlingClient {
    inner: Rc<Client>,
}

static CLIENT_OPTIONS: [&str; 11] = [
    "apiKey",
    "baseUrl",
    "uploadBaseUrl",
    "headers",
    "fetch",
    "requestTimeoutMs",
    "timeoutMs",
    "maxRetries",
    "dangerouslyAllowBrowser",
    "logger",
    "logLevel",
];

fn option_issue(path: &str, code: validate::IssueCode, message: &str) -> Issue {
    Issue {
        path: path.to_owned(),
        code,
        message: message.to_owned(),
        limit: None,
    }
}

fn read_base_url(opts: &JsValue, key: &'static str, default: &str, issues: &mut Vec<Issue>) -> String {
    let Some(v) = opts.field(key) else {
        return default.to_owned();
    };
    // In a page, a path ("/api/kie") is the page's own server: the proxy route of a Next.js app.
    let same_site_path = |s: &str| s.starts_with('/') && !s.starts_with("//") && in_browser_page();
    match v.string() {
        Some(s) if validate::check_http_url(&s).is_ok() || same_site_path(&s) => s.trim_end_matches('/').to_owned(),
        _ => {
            issues.push(option_issue(
                key,
                IssueCode::InvalidUrl,
                "must be an absolute http(s) URL (in a page, also a path like \"/api/kie\")",
            ));
            default.to_owned()
        }
    }
}

fn read_ms(opts: &JsValue, key: &'static str, issues: &mut Vec<Issue>) -> Option<f64> {
    let v = opts.field(key)?;
    let n = v.number().filter(|n| n.is_finite() && *n > 0.0);
    if n.is_none() {
        issues.push(option_issue(
            key,
            IssueCode::OutOfRange,
            "must be a positive finite number of milliseconds",
        ));
    }
    n
}

fn read_retries(opts: &JsValue, issues: &mut Vec<Issue>) -> Option<u32> {
    let v = opts.field("maxRetries")?;
    let n = v.number().filter(|n| n.fract() == 0.0 && (0.0..=10.0).contains(n));
    if n.is_none() {
        issues.push(
            option_issue(
                "maxRetries",
                IssueCode::OutOfRange,
                "must be a whole number from 0 to 10",
            )
            .with_limit(10.0),
        );
    }
    n.map(|n| n as u32)
}

#[wasm_bindgen]
impl KlingClient {
    /// `KlingClient constructor`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "KlingClientOptions")] options: Option<JsValue>,
    ) -> Result<KlingClient, JsValue> {
        let opts = snapshot(&options.unwrap_or(JsValue::UNDEFINED), &CLIENT_OPTIONS, None);
        let mut issues = Vec::new();
        if opts.kind() == Kind::Unreadable {
            issues.push(validate::unreadable("options"));
        } else if !matches!(opts.kind(), Kind::Object | Kind::Undefined | Kind::Null) {
            issues.push(option_issue(
                "options",
                IssueCode::InvalidType,
                "options must be an object",
            ));
        }
        for key in opts.keys().into_iter().filter(|_| opts.kind() == Kind::Object) {
            if !CLIENT_OPTIONS.contains(&key.as_str()) {
                issues.push(validate::unknown_option(&key, &CLIENT_OPTIONS));
            }
        }
        let key = match opts.field("apiKey") {
            None => None,
            Some(v) => match v.string() {
                Some(s) if !s.trim().is_empty() => Some(ApiKey::new(s)),
                _ => {
                    issues.push(option_issue(
                        "apiKey",
                        IssueCode::InvalidType,
                        "must be a non-empty string",
                    ));
                    None
                }
            },
        };
        let base_url = read_base_url(&opts, "baseUrl", API_BASE_URL, &mut issues);
        // Without a key, a custom baseUrl is the caller's own backend (kie-kling/proxy): uploads go
        // to its upload route too, never to Kie's upload host.
        let upload_default = if key.is_none() && base_url != API_BASE_URL {
            let mut u = base_url.clone();
            u.push_str("/upload");
            u
        } else {
            UPLOAD_BASE_URL.to_owned()
        };
        let upload_base_url = read_base_url(&opts, "uploadBaseUrl", &upload_default, &mut issues);
        // Extra headers for every request: the caller's own credentials for a proxy.
        let mut headers = Vec::new();
        if let Some(h) = opts.field("headers") {
            for name in h.keys() {
                match prop(&h, &name).and_then(|v| v.string()) {
                    Some(value) => headers.push((name, value)),
                    None => issues.push(option_issue(
                        "headers",
                        IssueCode::InvalidType,
                        "must map header names to strings",
                    )),
                }
            }
        }
        // The caller's fetch, wrapped in a request log when `logLevel` asks for one (runtime.js).
        let fetch = client_fetch(&opts);
        let fetch = match fetch.kind() {
            Kind::Undefined => None,
            Kind::Array => {
                let bad: Vec<String> = fetch.items().iter().filter_map(|v| v.string()).collect();
                if let [path, message] = bad.as_slice() {
                    issues.push(option_issue(path, IssueCode::InvalidType, message));
                }
                None
            }
            _ => Some(fetch.unchecked_into()),
        };
        // `timeoutMs` is the old name of `requestTimeoutMs` (kept for one release).
        let legacy_timeout = read_ms(&opts, "timeoutMs", &mut issues);
        let timeout_ms = read_ms(&opts, "requestTimeoutMs", &mut issues)
            .or(legacy_timeout)
            .unwrap_or(assumptions::DEFAULT_REQUEST_TIMEOUT_MS);
        let max_retries = read_retries(&opts, &mut issues).unwrap_or(assumptions::DEFAULT_MAX_RETRIES);
        if key.is_none() && base_url == API_BASE_URL && issues.is_empty() {
            issues.push(option_issue(
                "apiKey",
                IssueCode::Missing,
                "apiKey is required for api.kie.ai; without one, set baseUrl to your backend (kie-kling/proxy)",
            ));
        }
        if !issues.is_empty() {
            return Err(failure_to_js(Failure::invalid(issues), key.as_ref()));
        }
        let allow_browser = opts
            .field("dangerouslyAllowBrowser")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if key.is_some() && !allow_browser && in_browser_page() {
            let f = Failure::new(
                ErrorKind::Validation,
                "refusing an API key in a browser page, where every visitor can read it: point baseUrl at your backend (kie-kling/proxy) and leave apiKey out, or pass dangerouslyAllowBrowser: true to accept the risk",
            );
            return Err(failure_to_js(f, key.as_ref()));
        }
        Ok(KlingClient {
            inner: Rc::new(Client {
                key,
                base_url,
                upload_base_url,
                request_timeout_ms: timeout_ms,
                max_retries,
                fetch,
                headers,
                user_agent: sends_user_agent(),
                created: Default::default(),
                created_count: Default::default(),
                streams: Default::default(),
            }),
        })
    }

    /// `createTask`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(js_name = createTask, unchecked_return_type = "Promise<{ taskId: string }>")]
    pub fn create_task(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateTaskInput")] input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CreateOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.launch(creation(input, options, &CREATE_OPTIONS, false).map(|(job, _)| (Plan::Create, job)))
    }

    /// `getTask`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(js_name = getTask, unchecked_return_type = "Promise<Task>")]
    pub fn get_task(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.launch(task_id_arg(&task_id).and_then(|task_id| read(Plan::Get { task_id }, options)))
    }

    /// `waitForTask`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(js_name = waitForTask, unchecked_return_type = "Promise<Task>")]
    pub fn wait_for_task(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "WaitOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.launch((|| {
            let task_id = task_id_arg(&task_id)?;
            let (_, job, mut wait) = job_of(options, &WAIT_OPTIONS)?;
            wait.recently_created = self.inner.created_recently(&task_id);
            Ok((Plan::Wait { task_id, wait }, job))
        })())
    }

    /// `generate`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(unchecked_return_type = "Promise<GenerateResult>")]
    pub fn generate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateTaskInput")] input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "GenerateOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.launch(
            creation(input, options, &GENERATE_OPTIONS, true)
                .map(|(job, wait)| (Plan::Generate { upload: None, wait }, job)),
        )
    }

    /// `uploadImage`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(js_name = uploadImage, unchecked_return_type = "Promise<UploadResult>")]
    pub fn upload_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ImageSource")] source: JsValue,
        #[wasm_bindgen(unchecked_param_type = "UploadOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.launch(job_of(options, &UPLOAD_OPTIONS).map(|(opts, mut job, _)| {
            job.image = Some(image_job(source, &opts));
            (Plan::Upload(Upload::Stream), job)
        }))
    }

    /// `getCredits`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(js_name = getCredits, unchecked_return_type = "Promise<number>")]
    pub fn get_credits(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.launch(read(Plan::Credits, options))
    }

    /// `getDownloadUrl`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(js_name = getDownloadUrl, unchecked_return_type = "Promise<string>")]
    pub fn get_download_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.launch((|| {
            let url = text_arg(&url, "url", assumptions::URL_MAX_CHARS)?;
            if validate::check_http_url(&url).is_err() {
                return Err(Failure::new(
                    ErrorKind::Validation,
                    "url: must be an absolute http(s) URL of a Kie-generated file",
                ));
            }
            read(Plan::DownloadUrl { url }, options)
        })())
    }

    /// `confirmCallback`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(js_name = confirmCallback, unchecked_return_type = "Promise<Task>")]
    pub fn confirm_callback(
        &self,
        body: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.launch(crate::webhook::callback_task_id(&body).and_then(|task_id| read(Plan::Get { task_id }, options)))
    }

    /// `baseUrl`: documented in js/index.d.ts (the shipped docs).
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// Every method's promise: the one async step, which runs the operation its arguments
    /// were read into (or rejects with what was wrong with them), as a KieError scrubbed of the key.
    fn launch(&self, prepared: Result<(Plan, Job), Failure>) -> Promise {
        match prepared {
            Ok((plan, job)) => spawn(Run::new(self.inner.clone(), plan, job)),
            Err(f) => rejected(f, self.inner.key.as_ref()),
        }
    }
}

/// A call refused before any work: its promise is already rejected (no task is kept).
fn rejected(f: Failure, key: Option<&ApiKey>) -> Promise {
    Promise::reject(&failure_to_js(f, key))
}

/// `checkImage`'s work: the size checks and the promise of the first bytes, then the format.
struct CheckImage(Option<JsValue>);

impl Work for CheckImage {
    fn advance(&mut self, settled: Outcome) -> Next {
        let result = match self.0.take() {
            Some(source) => match crate::upload::read_head(&source) {
                Ok(head) => return Next::Wait(head),
                Err(f) => Err(f),
            },
            None => crate::upload::sniff_head(settled).map(JsValue::from),
        };
        Next::Done(result.map_err(|f| failure_to_js(f, None)))
    }
}

/// `verifyCallback`'s work: the checks up to the HMAC, then the host's verdict and the rest.
struct Verify {
    key: ApiKey,
    signed: Option<crate::webhook::Signed>,
    delivery: Option<(JsValue, JsValue, Option<f64>)>,
}

impl Work for Verify {
    fn advance(&mut self, settled: Outcome) -> Next {
        let result = match self.delivery.take() {
            Some((body, headers, tolerance)) => {
                match crate::webhook::verify_start(&body, &headers, &self.key, tolerance) {
                    Ok((verdict, signed)) => {
                        self.signed = Some(signed);
                        return Next::Wait(verdict);
                    }
                    Err(f) => Err(f),
                }
            }
            None => crate::webhook::verify_finish(settled, self.signed.take()),
        };
        Next::Done(result.map_err(|f| failure_to_js(f, Some(&self.key))))
    }
}

/// A read: its options are a signal and the per-call settings.
fn read(plan: Plan, options: Option<JsValue>) -> Result<(Plan, Job), Failure> {
    job_of(options, &REQUEST_OPTIONS).map(|(_, job, _)| (plan, job))
}

// The options each method takes (index.d.ts documents them): any other key is an error.
static REQUEST_OPTIONS: [&str; 3] = ["signal", "requestTimeoutMs", "maxRetries"];
static CREATE_OPTIONS: [&str; 4] = ["signal", "requestTimeoutMs", "maxRetries", "callBackUrl"];
static UPLOAD_OPTIONS: [&str; 5] = ["signal", "requestTimeoutMs", "maxRetries", "uploadPath", "fileName"];
static WAIT_OPTIONS: [&str; 8] = [
    "signal",
    "requestTimeoutMs",
    "maxRetries",
    "waitTimeoutMs",
    "timeoutMs",
    "pollIntervalMs",
    "onProgress",
    "timeScale",
];
static GENERATE_OPTIONS: [&str; 11] = [
    "signal",
    "requestTimeoutMs",
    "maxRetries",
    "waitTimeoutMs",
    "timeoutMs",
    "pollIntervalMs",
    "onProgress",
    "timeScale",
    "callBackUrl",
    "uploadPath",
    "fileName",
];

/// A method's options, read once (a snapshot) and checked against the names it takes: the
/// snapshot, the job's settings and, for waits, how to poll. Every bad option is reported.
fn job_of(options: Option<JsValue>, known: &'static [&'static str]) -> Result<(JsValue, Job, WaitSettings), Failure> {
    let opts = snapshot(&options.unwrap_or(JsValue::UNDEFINED), known, None);
    let mut issues = Vec::new();
    let mut job = Job::default();
    let mut wait = WaitSettings::default();
    if validate::check_options(&opts, known, &mut issues) {
        job.signal = signal_of(Some(&opts))?;
        job.on_progress = function_arg(&opts, "onProgress")?;
        wait.progress = job.on_progress.is_some();
        job.request_timeout_ms = read_ms(&opts, "requestTimeoutMs", &mut issues);
        job.max_retries = read_retries(&opts, &mut issues);
        // `timeoutMs` is the old name of `waitTimeoutMs` (kept for one release).
        let legacy_wait = read_ms(&opts, "timeoutMs", &mut issues);
        wait.timeout_ms = read_ms(&opts, "waitTimeoutMs", &mut issues).or(legacy_wait);
        wait.poll_interval_ms = read_ms(&opts, "pollIntervalMs", &mut issues);
        // Not public: runs the wait's clock faster for the bench.
        job.time_scale = opts
            .field("timeScale")
            .and_then(|v| v.number())
            .filter(|n| n.is_finite() && *n > 0.0 && *n <= 1.0)
            .unwrap_or(1.0);
    }
    if !issues.is_empty() {
        return Err(Failure::invalid(issues));
    }
    Ok((opts, job, wait))
}

/// `createTask`'s and `generate`'s arguments, read once: the input validated with the options
/// (all their issues at once), then the per-call settings. With `upload_local` (generate), a local
/// image (Blob, bytes, data: URL) is set aside to be uploaded first; the other fields are
/// validated before, so a bad prompt never costs an upload.
fn creation(
    input: JsValue,
    options: Option<JsValue>,
    known: &'static [&'static str],
    upload_local: bool,
) -> Result<(Job, WaitSettings), Failure> {
    let input = snapshot(&input, &validate::INPUT_FIELDS, None);
    let opts = snapshot(&options.unwrap_or(JsValue::UNDEFINED), known, None);
    let image = input.field("image_url").filter(|image| {
        upload_local
            && match image.string() {
                Some(s) => s.trim_start().get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:")),
                None => image.kind() == Kind::Object,
            }
    });
    let checked_input = match &image {
        Some(_) => {
            let copy = snapshot(&input, &validate::INPUT_FIELDS, None);
            crate::jsview::set(copy.unchecked_ref(), "image_url", PENDING_UPLOAD_URL);
            copy
        }
        None => input.clone(),
    };
    let checked =
        validate::validate_input_in(Mode::Check, &checked_input, Some(&opts), known).map_err(Failure::invalid)?;
    let (opts, mut job, wait) = job_of(Some(opts), known)?;
    job.image = image.map(|source| image_job(source, &opts));
    job.create = Some((input, checked));
    Ok((job, wait))
}

/// The image to upload, with `uploadPath` and `fileName` from `opts`.
fn image_job(source: JsValue, opts: &JsValue) -> Image {
    Image {
        source,
        upload_path: opts
            .field("uploadPath")
            .and_then(|v| v.string())
            .unwrap_or_else(|| crate::upload::DEFAULT_UPLOAD_PATH.to_owned()),
        file_name: opts.field("fileName").and_then(|v| v.string()),
    }
}

/// Stands in for an image URL while the rest of the input is validated before the upload.
const PENDING_UPLOAD_URL: &str = "https://upload.pending.invalid/image";

/// `checkImage`: documented in js/index.d.ts (the shipped docs).
#[wasm_bindgen(js_name = checkImage, unchecked_return_type = "Promise<string>")]
pub fn check_image(
    #[wasm_bindgen(unchecked_param_type = "Blob | ArrayBuffer | Uint8Array")] source: JsValue,
) -> Promise {
    spawn(CheckImage(Some(source)))
}

/// `parseCallback`: documented in js/index.d.ts (the shipped docs).
#[wasm_bindgen(js_name = parseCallback, unchecked_return_type = "Task")]
pub fn parse_callback(body: JsValue) -> Result<JsValue, JsValue> {
    crate::webhook::parse_callback(&body).map_err(|f| failure_to_js(f, None))
}

/// `verifyCallback`: documented in js/index.d.ts (the shipped docs).
#[wasm_bindgen(js_name = verifyCallback, unchecked_return_type = "Promise<Task>")]
pub fn verify_callback(#[wasm_bindgen(unchecked_param_type = "VerifyCallbackOptions")] options: JsValue) -> Promise {
    let hmac_key = options
        .field("hmacKey")
        .and_then(|k| k.string())
        .filter(|k| !k.is_empty());
    match hmac_key {
        None => rejected(
            Failure::new(
                ErrorKind::Validation,
                "hmacKey: the account's webhook HMAC key is required",
            ),
            None,
        ),
        Some(key) => spawn(Verify {
            key: ApiKey::new(key),
            signed: None,
            delivery: Some((
                options.field("body").unwrap_or(JsValue::UNDEFINED),
                options.field("headers").unwrap_or(JsValue::UNDEFINED),
                options
                    .field("toleranceSeconds")
                    .and_then(|t| t.number())
                    .filter(|t| t.is_finite() && *t >= 0.0),
            )),
        }),
    }
}

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = signalOf)]
    fn signal_of_js(options: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = functionOf)]
    fn function_of_js(options: &JsValue, key: &str) -> JsValue;
}

/// `options.signal`: absent, a real AbortSignal, or a validation error (never silently ignored).
fn signal_of(options: Option<&JsValue>) -> Result<Option<AbortSignal>, Failure> {
    let Some(options) = options else { return Ok(None) };
    let s = signal_of_js(options);
    if s.is_undefined() {
        Ok(None)
    } else if s.is_null() {
        Err(argument_failure("options.signal", "must be an AbortSignal"))
    } else {
        Ok(Some(s.unchecked_into()))
    }
}

/// `options[key]` as a function: absent, the function, or a validation error.
fn function_arg(options: &JsValue, key: &'static str) -> Result<Option<Function>, Failure> {
    let f = function_of_js(options, key);
    if f.is_undefined() {
        Ok(None)
    } else if f.is_null() {
        let mut path = String::from("options.");
        path.push_str(key);
        Err(argument_failure(&path, "must be a function"))
    } else {
        Ok(Some(f.unchecked_into()))
    }
}

/// A string argument, measured before it is copied: a validation error for anything else.
fn text_arg(value: &JsValue, path: &str, max: usize) -> Result<String, Failure> {
    match value.text_stats() {
        Some((len, _)) if len > max => Err(Failure::invalid(vec![validate::too_long(path, path, max, len)])),
        Some(_) => Ok(value.string().unwrap_or_default()),
        None => {
            let mut m = String::from("must be a string (got ");
            m.push_str(value.kind().noun());
            m.push(')');
            Err(argument_failure(path, &m))
        }
    }
}

fn task_id_arg(value: &JsValue) -> Result<String, Failure> {
    let id = text_arg(value, "taskId", crate::contract::boundary::MAX_TASK_ID_CHARS)?;
    if id.trim().is_empty() {
        return Err(Failure::new(
            ErrorKind::Validation,
            "taskId: must be a non-empty string",
        ));
    }
    Ok(id)
}

/// A validation failure with one `invalid_type` issue at `path`.
fn argument_failure(path: &str, message: &str) -> Failure {
    Failure::issue(path, IssueCode::InvalidType, message, None)
}
