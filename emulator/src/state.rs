//! The emulator's in-memory world: tasks and their timelines, credits, rate windows, uploads,
//! scripted faults and counters. Bounded everywhere so a runaway test cannot exhaust memory.

use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const MAX_TASKS: usize = 50_000;
pub const MAX_UPLOAD_BYTES_TOTAL: usize = 256 * 1024 * 1024;
pub const MAX_FAULTS: usize = 10_000;

/// Command-line settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub api_key: Option<String>,
    /// Phase lengths (waiting, queuing, generating) in ms, before scaling.
    pub timeline_ms: [u64; 3],
    /// Multiplies every timeline (0.1 = ten times faster).
    pub time_scale: f64,
    pub webhook_hmac_key: Option<String>,
    pub http_status_for_429: bool,
    pub quirk_500_required: bool,
    pub rate_limit: usize,
    pub rate_window_ms: u64,
    pub initial_credits: f64,
    pub callback_deliveries: u32,
    pub upload_ttl_ms: u64,
    pub request_timeout_ms: u64,
    /// Answer 403 "error code: 1010" to API and upload requests without a User-Agent.
    pub require_user_agent: bool,
}

/// How a scripted task ends.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Success,
    Fail { code: Value, msg: String },
    Never,
}

#[derive(Clone, Debug)]
pub struct Task {
    pub id: String,
    pub key: String,
    pub param: String,
    pub credits: f64,
    pub created: Instant,
    pub created_ms: u64,
    pub phases_ms: [u64; 3],
    pub outcome: Outcome,
    pub invisible_ms: u64,
    pub use_message_key: bool,
    pub settled: bool,
}

impl Task {
    /// (state, update time offset ms, terminal?) at `now`.
    pub fn state_at(&self, now: Instant) -> (&'static str, u64, bool) {
        let age = now.saturating_duration_since(self.created).as_millis() as u64;
        let [w, q, g] = self.phases_ms;
        if age < w {
            ("waiting", 0, false)
        } else if age < w + q {
            ("queuing", w, false)
        } else if age < w + q + g || self.outcome == Outcome::Never {
            ("generating", w + q, false)
        } else {
            match self.outcome {
                Outcome::Success => ("success", w + q + g, true),
                _ => ("fail", w + q + g, true),
            }
        }
    }

    pub fn visible_at(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.created).as_millis() as u64 >= self.invisible_ms
    }

    pub fn terminal_after(&self) -> Option<Duration> {
        (self.outcome != Outcome::Never).then(|| Duration::from_millis(self.phases_ms.iter().sum()))
    }

    /// The recordInfo `data` object.
    pub fn record(&self, now: Instant, base_url: &str, remained: f64) -> Value {
        let (state, update_offset, terminal) = self.state_at(now);
        let total: u64 = self.phases_ms.iter().sum();
        let success = state == "success";
        let (fail_code, fail_msg) = match (&self.outcome, state) {
            (Outcome::Fail { code, msg }, "fail") => (code.clone(), json!(msg)),
            _ => (json!(""), json!("")),
        };
        json!({
            "taskId": self.id,
            "model": kie_kling::contract::MODEL_ID,
            "state": state,
            "param": self.param,
            "resultJson": if success { json!(json!({"resultUrls": [result_url(base_url, &self.id)]}).to_string()) } else { json!("") },
            "failCode": fail_code,
            "failMsg": fail_msg,
            "costTime": if terminal { json!(total) } else { Value::Null },
            "completeTime": if terminal { json!(self.created_ms + total) } else { Value::Null },
            "createTime": self.created_ms,
            "updateTime": self.created_ms + update_offset,
            "consumeCredits": if success { self.credits } else { 0.0 },
            "remainedCredits": remained,
        })
    }
}

pub fn result_url(base_url: &str, id: &str) -> String {
    format!("{base_url}/results/{id}.mp4")
}

/// One scripted fault: applies to the next matching requests.
#[derive(Clone, Debug)]
pub struct FaultRule {
    /// "createTask", "recordInfo", "credit", "downloadUrl", "upload" or "*".
    pub route: String,
    /// Only requests with this Bearer key (any when None).
    pub key: Option<String>,
    pub fault: Fault,
    /// How many requests it applies to.
    pub remaining: u32,
}

#[derive(Clone, Debug)]
pub enum Fault {
    /// Delay the answer (then answer normally).
    Latency(u64),
    /// An envelope error `{code, msg}` with HTTP 200 (or the given HTTP status).
    Code {
        code: i64,
        msg: String,
        http_status: u16,
        retry_after: Option<String>,
    },
    /// HTML gateway page with HTTP 502.
    Html502,
    /// Cloudflare's bare `error code: 1010` with HTTP 403.
    Cloudflare403,
    /// HTTP 200 with a JSON body cut in half.
    TruncatedJson,
    /// HTTP 307 to `/__emulator/redirected` on the same origin, where a client that follows it
    /// would carry its Authorization header (the landing counts every arrival).
    Redirect,
    /// Headers sent, then the connection drops (for createTask: after creating the task).
    Reset,
    /// createTask only: the next task ends this way, is invisible for a while, or uses `message`.
    Task {
        outcome: Option<Outcome>,
        invisible_ms: u64,
        phases_ms: Option<[u64; 3]>,
        use_message_key: bool,
    },
}

#[derive(Default)]
pub struct Counters {
    pub tasks_created: HashMap<String, u64>,
    /// When each task was created, ms since the emulator started (the pacing tests read it).
    pub create_times_ms: HashMap<String, Vec<u64>>,
    /// createTask answers refused by the rate limit, per key.
    pub rate_limited: HashMap<String, u64>,
    pub requests: HashMap<String, u64>,
    pub requests_by_key: HashMap<String, HashMap<String, u64>>,
    pub callbacks_sent: u64,
    pub callbacks_failed: u64,
    /// Callbacks not sent because their URL was not a loopback address.
    pub callbacks_skipped: u64,
    /// Requests that followed a `redirect` fault, and how many of them carried Authorization.
    pub redirects_followed: u64,
    pub redirects_followed_with_key: u64,
}

pub struct Upload {
    pub bytes: Vec<u8>,
    pub mime: String,
    pub expires: Instant,
}

pub struct World {
    pub tasks: HashMap<String, Task>,
    pub task_order: VecDeque<String>,
    pub credits: HashMap<String, f64>,
    pub windows: HashMap<String, VecDeque<Instant>>,
    pub faults: Vec<FaultRule>,
    pub counters: Counters,
    pub uploads: HashMap<String, Upload>,
    pub upload_bytes: usize,
    pub downloads: HashMap<String, (String, Instant)>,
}

pub struct State {
    pub config: Config,
    pub base_url: String,
    /// When the emulator started: create times are counted from here.
    pub started: std::time::Instant,
    pub world: Mutex<World>,
    pub http: reqwest::Client,
}

impl State {
    pub fn new(config: Config, base_url: String) -> Self {
        State {
            config,
            base_url,
            started: std::time::Instant::now(),
            world: Mutex::new(World {
                tasks: HashMap::new(),
                task_order: VecDeque::new(),
                credits: HashMap::new(),
                windows: HashMap::new(),
                faults: Vec::new(),
                counters: Counters::default(),
                uploads: HashMap::new(),
                upload_bytes: 0,
                downloads: HashMap::new(),
            }),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a plain HTTP client builds"),
        }
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn scaled(&self, ms: u64) -> u64 {
        (ms as f64 * self.config.time_scale).round() as u64
    }

    /// Counts a request and takes the first fault scripted for it, if any.
    pub fn begin(&self, route: &str, key: &str) -> Option<Fault> {
        let mut w = self.world();
        Self::count_in(&mut w, route, key);
        let idx = w.faults.iter().position(|f| {
            (f.route == route || f.route == "*") && f.key.as_deref().is_none_or(|k| k == key) && f.remaining > 0
        })?;
        let fault = w.faults[idx].fault.clone();
        w.faults[idx].remaining -= 1;
        if w.faults[idx].remaining == 0 {
            w.faults.remove(idx);
        }
        Some(fault)
    }

    /// Counts a request without taking a fault (an unauthenticated one: faults are scripted per key).
    pub fn count(&self, route: &str) {
        Self::count_in(&mut self.world(), route, "");
    }

    fn count_in(w: &mut World, route: &str, key: &str) {
        *w.counters.requests.entry(route.to_owned()).or_default() += 1;
        *w.counters
            .requests_by_key
            .entry(key.to_owned())
            .or_default()
            .entry(route.to_owned())
            .or_default() += 1;
    }

    pub fn balance(&self, w: &World, key: &str) -> f64 {
        w.credits.get(key).copied().unwrap_or(self.config.initial_credits)
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub fn new_id() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..32)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
        .collect()
}
