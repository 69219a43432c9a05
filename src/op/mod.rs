//! Every client operation as a sans-IO state machine (the h11 / quinn-proto shape): given the
//! time and a jitter in [0, 1), it says what to do next (send this request, sleep this long,
//! report this progress, or finish with this result) and takes in what happened (the reply, a
//! failed send, the end of a sleep, an abort). No I/O, no timers, no JS: the shell's one driver
//! (`client::Run`) executes the steps, and `cargo test` pins every decision with a fake clock.
//!
//! An operation is a chain of phases: generate = upload? -> create -> wait; the others are one
//! phase each. Each request is retried by `policy` (reads on any transient failure, creates and
//! uploads only where Kie certainly did nothing), and a create that may have gone through is
//! never sent again: it fails with `maybe_created`.
//!
//! A wait listens instead of polling once the server offers status streams (a `kie-kling/proxy`
//! that receives Kie's callbacks, `contract::push`): it opens the task's stream, polls once when
//! a stream ends or breaks and then reopens it, polls every `SAFETY_POLL_MS` while listening,
//! and goes back to polling for good when streams are refused or keep breaking.

mod failure;
#[cfg(test)]
mod tests;

pub use failure::Failure;

use crate::contract::assumptions::{DEFAULT_WAIT_TIMEOUT_MS, NOT_YET_VISIBLE_GRACE_MS};
use crate::contract::boundary::MAX_RESPONSE_BYTES;
use crate::contract::push::{EVENTS_PATH, HEALTHY_STREAM_MS, MAX_STREAM_BREAKS, SAFETY_POLL_MS};
use crate::error::{is_record_null, ErrorKind};
use crate::model::itoa;
use crate::policy::{self, Operation};
use crate::view::View;
use crate::wire::{self, Task, TaskState};

/// The client's settings an operation needs.
#[derive(Clone, Debug)]
pub struct Settings {
    pub base_url: String,
    pub upload_base_url: String,
    pub request_timeout_ms: f64,
    pub max_retries: u32,
}

/// How a wait polls.
#[derive(Clone, Copy, Debug, Default)]
pub struct WaitSettings {
    /// The whole wait's bound (default `DEFAULT_WAIT_TIMEOUT_MS`).
    pub timeout_ms: Option<f64>,
    /// A fixed gap between polls instead of the adaptive schedule.
    pub poll_interval_ms: Option<f64>,
    /// Whether this client created the task lately: only then may "recordInfo is null" mean
    /// "not visible yet" (contract §1) rather than "no such task".
    pub recently_created: bool,
    /// The caller follows the task's states (`onProgress`): Kie's callback reports only the end,
    /// so a listening wait still polls on its schedule to see the states in between.
    pub progress: bool,
}

/// Where an upload goes: chosen by what the image is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upload {
    /// Bytes (Blob, File, ArrayBuffer, Uint8Array): multipart stream upload.
    Stream,
    /// An http(s) URL Kie fetches itself.
    Url,
    /// A data: URL or base64 text.
    Base64,
}

impl Upload {
    pub fn route(self) -> &'static str {
        match self {
            Upload::Stream => "/api/file-stream-upload",
            Upload::Url => "/api/file-url-upload",
            Upload::Base64 => "/api/file-base64-upload",
        }
    }
}

/// What the caller asked for.
#[derive(Clone, Debug)]
pub enum Plan {
    Create,
    Get {
        task_id: String,
    },
    Wait {
        task_id: String,
        wait: WaitSettings,
    },
    /// Upload the image first when `upload` says how, then create, then wait.
    Generate {
        upload: Option<Upload>,
        wait: WaitSettings,
    },
    Upload(Upload),
    Credits,
    DownloadUrl {
        url: String,
    },
}

impl Plan {
    /// This plan with the upload's route, known once the driver has read the image.
    pub fn with_upload(self, route: Upload) -> Plan {
        match self {
            Plan::Generate { wait, .. } => Plan::Generate {
                upload: Some(route),
                wait,
            },
            Plan::Upload(_) => Plan::Upload(route),
            other => other,
        }
    }
}

/// The body a request carries. The driver holds the bodies it prepared from the caller's values
/// (the create body, the upload form); the machine says which one, and the image URL an upload
/// returned for the create body.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    None,
    Create { image_url: Option<String> },
    Upload,
    Json(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub payload: Payload,
    /// Abort the exchange after this long.
    pub timeout_ms: f64,
}

/// What to do next.
#[derive(Debug, PartialEq)]
pub enum Step<V> {
    Send(Request),
    Sleep(f64),
    /// The task changed state (a wait's `onProgress`): `Machine::last_task` is the new one.
    Progress,
    Done(Result<Output<V>, Failure<V>>),
}

#[derive(Debug, PartialEq)]
pub enum Output<V> {
    Created(String),
    /// A task and its raw record (getTask, waitForTask).
    Task(Task<V>, V),
    /// The finished task generate created.
    Generated(Task<V>, V),
    /// The upload API's `data` (its `downloadUrl` checked).
    Uploaded(V),
    Credits(f64),
    DownloadUrl(String),
}

/// How a send failed without an answer.
#[derive(Debug, PartialEq)]
pub enum SendError<V> {
    /// The request's own timeout (`Request::timeout_ms`) elapsed.
    TimedOut,
    /// The host could not complete it: its description and the error itself.
    Network { detail: String, cause: Option<V> },
}

/// What happened since the last step.
#[derive(Debug, PartialEq)]
pub enum Input<V> {
    Start,
    /// An answer: status, body text (`None` when over `MAX_RESPONSE_BYTES`, not read), the
    /// Retry-After header in delta seconds, and whether the server offers status streams
    /// (`push::EVENTS_HEADER`). The answer to a stream is the data of its `task` event, or ""
    /// when the stream ended without one.
    Reply {
        status: u16,
        text: Option<String>,
        retry_after: Option<String>,
        push: bool,
    },
    Failed(SendError<V>),
    Woke,
    /// The caller's signal fired (its reason, when it has one); `in_flight` when a request
    /// had been handed to the host (false when the driver saw the abort before sending).
    Aborted {
        reason: Option<V>,
        in_flight: bool,
    },
    /// The progress step was delivered.
    Reported,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Upload(Upload),
    Create,
    Get,
    Poll,
    /// A wait listening to the task's status stream.
    Listen,
    Credits,
    DownloadUrl,
}

impl Phase {
    fn operation(self) -> Operation {
        match self {
            Phase::Create => Operation::Create,
            Phase::Upload(_) => Operation::Upload,
            _ => Operation::Read,
        }
    }
}

/// What the last step is waiting for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pending {
    Nothing,
    Reply,
    RetryTimer,
    PollTimer,
    Report,
}

pub struct Machine<V> {
    settings: Settings,
    phase: Phase,
    /// Create after the upload, wait after the create (generate).
    then_create: bool,
    then_wait: bool,
    wait: WaitSettings,
    pending: Pending,
    attempt: u32,
    /// The timeout of the request in flight (for its message).
    sent_timeout_ms: f64,
    task_id: Option<String>,
    image_url: Option<String>,
    download_body: Option<String>,
    created: bool,
    wait_start: Option<f64>,
    last_state: Option<TaskState>,
    last_task: Option<Box<(Task<V>, V)>>,
    /// The server offers status streams (they are used while `breaks` is under the limit).
    offered: bool,
    /// Streams that ended or broke without news in a row (`MAX_STREAM_BREAKS`: push is off for
    /// this wait), and when the current one opened.
    breaks: u32,
    listen_since: f64,
    /// How long the current stream may stay open before the wait polls.
    listen_ms: f64,
}

impl<V: View + Clone> Machine<V> {
    pub fn new(settings: Settings, plan: Plan) -> Self {
        let mut m = Machine {
            settings,
            phase: Phase::Create,
            then_create: false,
            then_wait: false,
            wait: WaitSettings::default(),
            pending: Pending::Nothing,
            attempt: 0,
            sent_timeout_ms: 0.0,
            task_id: None,
            image_url: None,
            download_body: None,
            created: false,
            wait_start: None,
            last_state: None,
            last_task: None,
            offered: false,
            breaks: 0,
            listen_since: 0.0,
            listen_ms: 0.0,
        };
        match plan {
            Plan::Create => {}
            Plan::Get { task_id } => {
                m.phase = Phase::Get;
                m.task_id = Some(task_id);
            }
            Plan::Wait { task_id, wait } => {
                m.phase = Phase::Poll;
                m.task_id = Some(task_id);
                m.wait = wait;
            }
            Plan::Generate { upload, wait } => {
                m.then_wait = true;
                m.wait = wait;
                m.wait.recently_created = true;
                if let Some(u) = upload {
                    m.phase = Phase::Upload(u);
                    m.then_create = true;
                }
            }
            Plan::Upload(u) => m.phase = Phase::Upload(u),
            Plan::Credits => m.phase = Phase::Credits,
            Plan::DownloadUrl { url } => {
                m.phase = Phase::DownloadUrl;
                let mut text = String::from("{\"url\":");
                crate::model::push_json_string(&mut text, &url);
                text.push('}');
                m.download_body = Some(text);
            }
        }
        m
    }

    /// Retries made of the current request so far (0 for its first send).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Whether the request it asked for is a status stream.
    pub fn listening(&self) -> bool {
        self.phase == Phase::Listen
    }

    /// The task this operation created, if it got that far (a client remembers it).
    pub fn created_task(&self) -> Option<&str> {
        self.task_id.as_deref().filter(|_| self.created)
    }

    /// Takes in what happened and says what to do next; `now` in ms on any monotonic-enough
    /// clock, `jitter` in [0, 1).
    pub fn step(&mut self, input: Input<V>, now: f64, jitter: f64) -> Step<V> {
        let pending = core::mem::replace(&mut self.pending, Pending::Nothing);
        match (pending, input) {
            (_, Input::Aborted { reason, in_flight }) => Step::Done(Err(self.aborted(in_flight, reason))),
            (Pending::Nothing, Input::Start) => self.begin(now, jitter),
            (
                Pending::Reply,
                Input::Reply {
                    status,
                    text,
                    retry_after,
                    push,
                },
            ) => {
                self.offered |= push;
                if self.phase == Phase::Listen {
                    return self.on_stream(status, text, now, jitter);
                }
                self.on_reply(status, text, retry_after, now, jitter)
            }
            // The stream's time is up (a safety poll, or the next poll of a wait that follows
            // the states): poll once, then listen again.
            (Pending::Reply, Input::Failed(SendError::TimedOut)) if self.phase == Phase::Listen => {
                self.breaks = 0;
                self.poll_now(now)
            }
            (Pending::Reply, Input::Failed(e)) => {
                let f = self.send_failure(e);
                self.on_failure(f, now, jitter)
            }
            (Pending::RetryTimer, Input::Woke) => self.send(now),
            (Pending::PollTimer, Input::Woke) => {
                self.attempt = 0;
                self.send(now)
            }
            (Pending::Report, Input::Reported) => self.after_poll(now, jitter),
            // A driver that answers out of turn: a bug of ours, reported rather than trapped.
            _ => Step::Done(Err(Failure::new(
                ErrorKind::InvalidResponse,
                "internal: unexpected step",
            ))),
        }
    }

    fn begin(&mut self, now: f64, jitter: f64) -> Step<V> {
        if self.phase == Phase::Poll {
            self.wait_start = Some(now);
            // generate through a proxy that offers streams: nothing to poll for yet.
            if self.push() {
                return self.listen(now, jitter);
            }
        }
        self.send(now)
    }

    /// Whether a wait listens rather than sleeps before its next poll.
    fn push(&self) -> bool {
        self.offered && self.breaks < MAX_STREAM_BREAKS
    }

    fn waiting(&self) -> bool {
        matches!(self.phase, Phase::Poll | Phase::Listen)
    }

    fn listen(&mut self, now: f64, jitter: f64) -> Step<V> {
        self.phase = Phase::Listen;
        self.listen_since = now;
        self.listen_ms = if self.wait.progress {
            self.poll_delay(now, jitter)
        } else {
            SAFETY_POLL_MS
        };
        self.send(now)
    }

    fn poll_now(&mut self, now: f64) -> Step<V> {
        self.phase = Phase::Poll;
        self.attempt = 0;
        self.send(now)
    }

    /// The answer to a stream: the task it carried (read as a recordInfo answer), else a poll.
    fn on_stream(&mut self, status: u16, text: Option<String>, now: f64, jitter: f64) -> Step<V> {
        match text {
            Some(text) if status == 200 && !text.is_empty() => self.on_reply(200, Some(text), None, now, jitter),
            // Refused (no streams here after all, or not for this caller, however late the
            // answer came): the poll answers, and the wait polls from now on.
            _ if status != 200 => {
                self.breaks = MAX_STREAM_BREAKS;
                self.poll_now(now)
            }
            _ => self.stream_broke(now),
        }
    }

    /// A stream ended, broke or brought no end: poll now (a callback may have come meanwhile),
    /// then listen again. Breaks soon after opening count, and `MAX_STREAM_BREAKS` in a row turn
    /// push off; a stream that lived `HEALTHY_STREAM_MS` clears the count.
    fn stream_broke(&mut self, now: f64) -> Step<V> {
        let quick = now - self.listen_since < HEALTHY_STREAM_MS;
        self.breaks = if quick { self.breaks + 1 } else { 0 };
        self.poll_now(now)
    }

    fn wait_timeout(&self) -> f64 {
        self.wait.timeout_ms.unwrap_or(DEFAULT_WAIT_TIMEOUT_MS)
    }

    fn elapsed(&self, now: f64) -> f64 {
        now - self.wait_start.unwrap_or(now)
    }

    fn url(&self, path: &str) -> String {
        let mut u = self.settings.base_url.clone();
        u.push_str(path);
        u
    }

    fn send(&mut self, now: f64) -> Step<V> {
        let mut timeout_ms = self.settings.request_timeout_ms;
        let (method, url, payload) = match self.phase {
            Phase::Upload(u) => {
                let mut url = self.settings.upload_base_url.clone();
                url.push_str(u.route());
                ("POST", url, Payload::Upload)
            }
            Phase::Create => (
                "POST",
                self.url("/api/v1/jobs/createTask"),
                Payload::Create {
                    image_url: self.image_url.clone(),
                },
            ),
            Phase::Get | Phase::Poll | Phase::Listen => {
                if self.waiting() {
                    let remaining = self.wait_timeout() - self.elapsed(now);
                    if remaining <= 0.0 {
                        return Step::Done(Err(self.wait_timed_out()));
                    }
                    // A stream stays open up to the safety poll, a poll up to the request timeout.
                    let limit = if self.phase == Phase::Listen {
                        self.listen_ms
                    } else {
                        timeout_ms
                    };
                    timeout_ms = limit.min(remaining);
                }
                let mut url = self.url(if self.phase == Phase::Listen {
                    EVENTS_PATH
                } else {
                    "/api/v1/jobs/recordInfo"
                });
                url.push_str("?taskId=");
                push_uri_component(&mut url, self.task_id.as_deref().unwrap_or(""));
                ("GET", url, Payload::None)
            }
            Phase::Credits => ("GET", self.url("/api/v1/chat/credit"), Payload::None),
            Phase::DownloadUrl => (
                "POST",
                self.url("/api/v1/common/download-url"),
                Payload::Json(self.download_body.clone().unwrap_or_default()),
            ),
        };
        self.pending = Pending::Reply;
        self.sent_timeout_ms = timeout_ms;
        Step::Send(Request {
            method,
            url,
            payload,
            timeout_ms,
        })
    }

    fn send_failure(&self, e: SendError<V>) -> Failure<V> {
        match e {
            SendError::TimedOut => {
                let mut m = String::from("the request timed out after ");
                m.push_str(&itoa(self.sent_timeout_ms as u64));
                m.push_str(" ms");
                Failure::new(ErrorKind::Timeout, m)
            }
            SendError::Network { detail, cause } => {
                // The host only: never the path or query, never the key.
                let mut m = String::from("network error: could not reach ");
                m.push_str(host_of(self.request_base()));
                if !detail.is_empty() {
                    m.push_str(" (");
                    m.push_str(&detail);
                    m.push(')');
                }
                let mut f = Failure::new(ErrorKind::Network, m);
                f.cause = cause;
                f
            }
        }
    }

    fn request_base(&self) -> &str {
        match self.phase {
            Phase::Upload(_) => &self.settings.upload_base_url,
            _ => &self.settings.base_url,
        }
    }

    fn on_reply(
        &mut self,
        status: u16,
        text: Option<String>,
        retry_after: Option<String>,
        now: f64,
        jitter: f64,
    ) -> Step<V> {
        let Some(text) = text else {
            let mut m = String::from("response body over ");
            m.push_str(&itoa(MAX_RESPONSE_BYTES as u64));
            m.push_str(" bytes: not read");
            let mut f = Failure::new(ErrorKind::InvalidResponse, m);
            f.status = Some(status);
            return self.on_failure(f, now, jitter);
        };
        let parsed = V::parse_json(&text);
        match wire::read_envelope(status, parsed.as_ref(), &text) {
            Ok(data) => self.on_data(data, now, jitter),
            Err(api) => {
                let mut f = Failure::from_api(api);
                f.retry_after_ms = retry_after.and_then(|v| policy::parse_retry_after(&v));
                self.on_failure(f, now, jitter)
            }
        }
    }

    /// A failed exchange: retried when the policy allows, else the phase's failure.
    fn on_failure(&mut self, mut f: Failure<V>, now: f64, jitter: f64) -> Step<V> {
        if self.phase == Phase::Listen {
            return self.stream_broke(now);
        }
        let polling = self.phase == Phase::Poll;
        let out_of_time = polling && self.elapsed(now) >= self.wait_timeout();
        let retry = if out_of_time {
            None
        } else {
            policy::plan_retry(
                self.phase.operation(),
                f.kind,
                self.attempt,
                self.settings.max_retries,
                f.retry_after_ms,
                jitter,
            )
        };
        // A wait does not sleep past its own end: the failure is the better answer then.
        let retry = retry.filter(|ms| !polling || *ms < self.wait_timeout() - self.elapsed(now));
        if let Some(ms) = retry {
            self.attempt += 1;
            self.pending = Pending::RetryTimer;
            return Step::Sleep(ms);
        }
        if matches!(self.phase, Phase::Get | Phase::Poll) {
            f.task_id = self.task_id.clone();
        }
        if policy::maybe_created(self.phase.operation(), f.kind, true) {
            f.maybe_created = true;
            f.message.push_str(MAYBE_CREATED);
        }
        if polling {
            let record_null = f.kind == ErrorKind::NotFound && f.msg.as_deref().is_some_and(is_record_null);
            // Just-created tasks can read as "recordInfo is null" for a while (contract §1).
            if record_null && self.wait.recently_created && self.elapsed(now) < NOT_YET_VISIBLE_GRACE_MS {
                return self.sleep_before_poll(now, jitter);
            }
            if record_null {
                let mut m = String::from("no task \"");
                m.push_str(self.task_id.as_deref().unwrap_or(""));
                m.push_str("\" is visible to this key (Kie answered: recordInfo is null)");
                f.message = m;
            } else if f.kind == ErrorKind::Timeout && out_of_time {
                return Step::Done(Err(self.wait_timed_out()));
            }
        }
        Step::Done(Err(f))
    }

    fn on_data(&mut self, data: Option<V>, now: f64, jitter: f64) -> Step<V> {
        let invalid = |m: &str| Failure::new(ErrorKind::InvalidResponse, m);
        match self.phase {
            Phase::Upload(_) => {
                let data = data.filter(|d| {
                    d.field("downloadUrl")
                        .and_then(|u| u.string())
                        .is_some_and(|u| !u.is_empty())
                });
                let Some(data) = data else {
                    return Step::Done(Err(invalid("data.downloadUrl: missing in the upload answer")));
                };
                if !self.then_create {
                    return Step::Done(Ok(Output::Uploaded(data)));
                }
                self.image_url = data.field("downloadUrl").and_then(|u| u.string());
                self.next_phase(Phase::Create, now, jitter)
            }
            Phase::Create => {
                let id = data
                    .and_then(|d| d.field("taskId"))
                    .and_then(|t| t.string())
                    .filter(|t| !t.is_empty());
                let Some(id) = id else {
                    // Kie answered success: the task may well exist (maybeCreated).
                    return self.on_failure(invalid("data.taskId: missing in the createTask answer"), now, jitter);
                };
                self.task_id = Some(id.clone());
                self.created = true;
                if !self.then_wait {
                    return Step::Done(Ok(Output::Created(id)));
                }
                self.next_phase(Phase::Poll, now, jitter)
            }
            Phase::Credits => match data.and_then(|d| d.number()) {
                Some(n) => Step::Done(Ok(Output::Credits(n))),
                None => Step::Done(Err(invalid("data: the credit balance is not a number"))),
            },
            Phase::DownloadUrl => match data.and_then(|d| d.string()) {
                Some(u) => Step::Done(Ok(Output::DownloadUrl(u))),
                None => Step::Done(Err(invalid("data: the download URL is not a string"))),
            },
            Phase::Get | Phase::Poll | Phase::Listen => {
                let decoded = match data {
                    Some(raw) => wire::decode_task(&raw).map(|task| (task, raw)),
                    None => Err(wire::DecodeError {
                        path: "data",
                        message: "expected the task record object",
                    }),
                };
                match decoded {
                    Ok((task, raw)) if self.phase == Phase::Get => Step::Done(Ok(Output::Task(task, raw))),
                    Ok((task, raw)) => self.on_poll(task, raw, now, jitter),
                    Err(_) if self.phase == Phase::Listen => self.stream_broke(now),
                    Err(e) => {
                        let mut m = String::from(e.path);
                        m.push_str(": ");
                        m.push_str(e.message);
                        let mut f = Failure::new(ErrorKind::InvalidResponse, m);
                        f.task_id = self.task_id.clone();
                        Step::Done(Err(f))
                    }
                }
            }
        }
    }

    fn next_phase(&mut self, phase: Phase, now: f64, jitter: f64) -> Step<V> {
        self.phase = phase;
        self.attempt = 0;
        self.begin(now, jitter)
    }

    fn on_poll(&mut self, task: Task<V>, raw: V, now: f64, jitter: f64) -> Step<V> {
        let changed = self.last_state != Some(task.state);
        self.last_state = Some(task.state);
        self.last_task = Some(Box::new((task, raw)));
        if changed {
            // Reported first (`last_task`); what follows is decided after the report.
            self.pending = Pending::Report;
            return Step::Progress;
        }
        self.after_poll(now, jitter)
    }

    /// What follows a poll: the end on success or failure, else a sleep until the next poll.
    fn after_poll(&mut self, now: f64, jitter: f64) -> Step<V> {
        let terminal = self.last_state.is_some_and(TaskState::is_terminal);
        let Some(seen) = self.last_task.take_if(|_| terminal) else {
            return self.sleep_before_poll(now, jitter);
        };
        let (task, raw) = *seen;
        if task.state == TaskState::Success {
            return Step::Done(Ok(if self.created {
                Output::Generated(task, raw)
            } else {
                Output::Task(task, raw)
            }));
        }
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
        f.task = Some(Box::new((task, raw)));
        Step::Done(Err(f))
    }

    /// The task a wait saw last: what a `Progress` step reports.
    pub fn last_task(&self) -> Option<&(Task<V>, V)> {
        self.last_task.as_deref()
    }

    fn sleep_before_poll(&mut self, now: f64, jitter: f64) -> Step<V> {
        if self.push() {
            // A stream's answer that is not the end (kie-kling/proxy sends only ends): a break,
            // so a server that keeps answering so cannot make the wait loop without sleeping.
            if self.phase == Phase::Listen {
                return self.stream_broke(now);
            }
            return self.listen(now, jitter);
        }
        self.pending = Pending::PollTimer;
        Step::Sleep(
            self.poll_delay(now, jitter)
                .min((self.wait_timeout() - self.elapsed(now)).max(0.0)),
        )
    }

    fn poll_delay(&self, now: f64, jitter: f64) -> f64 {
        self.wait
            .poll_interval_ms
            .unwrap_or_else(|| policy::poll_delay_ms(self.elapsed(now), jitter))
    }

    fn wait_timed_out(&mut self) -> Failure<V> {
        let mut m = String::from("the task did not finish within ");
        m.push_str(&itoa(self.wait_timeout() as u64));
        m.push_str(" ms");
        let mut f = Failure::new(ErrorKind::Timeout, m);
        f.task_id = self.task_id.clone();
        f.task = self.last_task.take();
        f
    }

    fn aborted(&mut self, in_flight: bool, reason: Option<V>) -> Failure<V> {
        let mut f = Failure::aborted(reason);
        if self.waiting() {
            // Kie has no cancel endpoint: the task runs on (and is charged).
            let id = self.task_id.clone().unwrap_or_default();
            f.message.push_str(": the wait stopped; the task keeps running on Kie (the API has no cancel) and is charged: read it later with getTask(\"");
            f.message.push_str(&id);
            f.message.push_str("\")");
            f.task_id = Some(id);
            f.task = self.last_task.take();
        } else if in_flight && policy::maybe_created(self.phase.operation(), f.kind, true) {
            f.maybe_created = true;
            f.message.push_str(MAYBE_CREATED);
        }
        f
    }
}

const MAYBE_CREATED: &str = "; the task may have been created: check before creating it again (the SDK never re-sends a create that may have gone through)";

/// Percent-encodes as `encodeURIComponent` does.
fn push_uri_component(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')') {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// The host (and port) of an http(s) URL, without userinfo: byte scans, since str's substring
/// searcher costs about a kilobyte of wasm.
pub fn host_of(url: &str) -> &str {
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
