//! The Kie.ai contract for `kling/v2-1-standard` in one place: every limit the validator, the
//! emulator and the TypeScript types use, and every assumption we made where the public
//! documentation is silent (see the "Unknowns" table of the contract notes).
//!
//! Nothing here does work; it only names facts, so that a change of the API is a change of one file.

/// The only model this SDK speaks to (contract §0).
pub const MODEL_ID: &str = "kling/v2-1-standard";

/// `input.prompt`: required, at most this many characters (contract §0).
pub const PROMPT_MAX_CHARS: usize = 5000;
/// `input.negative_prompt`: optional, at most this many characters (contract §0).
pub const NEGATIVE_PROMPT_MAX_CHARS: usize = 500;
/// `input.duration`: seconds of video, sent as a JSON string (contract §0).
pub const DURATIONS: [&str; 2] = ["5", "10"];
/// `input.cfg_scale`: 0..=1 on a 0.1 grid (contract §0), stored as tenths.
pub const CFG_SCALE_MAX_TENTHS: u8 = 10;
/// Input images: jpeg, png or webp, at most 10 MB (contract §0, §3).
pub const IMAGE_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Image MIME types the API accepts.
pub const IMAGE_MIME_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];
/// Credits charged per task: 25 for 5 s, 50 for 10 s (contract §0).
pub const CREDITS_5S: u32 = 25;
pub const CREDITS_10S: u32 = 50;
/// New tasks allowed per key in the sliding window, and the window (contract §5).
pub const RATE_LIMIT_TASKS: usize = 20;
pub const RATE_LIMIT_WINDOW_MS: u64 = 10_000;

/// Assumptions about what the public documentation does not say. Each one is the safe choice.
pub mod assumptions {
    /// Server-side defaults are not reliably applied (contract §0), so the SDK always sends
    /// `duration` and `cfg_scale`, filling these when the caller leaves them out.
    pub const DEFAULT_DURATION: &str = "5";
    pub const DEFAULT_CFG_SCALE_TENTHS: u8 = 5;
    /// `negative_prompt` has no reliable default: it is sent only when the caller gives one.
    pub const SEND_NEGATIVE_PROMPT_ONLY_WHEN_GIVEN: bool = true;
    /// How "characters" are counted: UTF-16 code units, as JavaScript's `String.length` and an
    /// HTML `maxlength` count them. For text in the Basic Multilingual Plane (Latin, CJK, ...)
    /// this equals the code-point count; an emoji outside it counts 2. Counting the stricter way
    /// means we never send a prompt that a UTF-16-counting server (Java, JS) would reject.
    pub const CHARS_ARE_UTF16_UNITS: bool = true;
    /// A `cfg_scale` is on the 0.1 grid if it is within this of a multiple of 0.1 (so `0.1 + 0.2`
    /// is accepted and sent as `0.3`); 0.05 is not.
    pub const CFG_SCALE_TOLERANCE: f64 = 1e-9;
    /// `recordInfo` may answer `recordInfo is null` for a task that was just created (contract §1).
    /// While waiting, that answer means "not visible yet" for this long after the wait started,
    /// for a task the same client created (one of its last `MAX_REMEMBERED_CREATES`); any other
    /// id (a typo, another account's task) is `not_found` at once.
    pub const NOT_YET_VISIBLE_GRACE_MS: f64 = 30_000.0;
    /// Task ids a client remembers as its own for the grace above (a ring: the oldest go first).
    pub const MAX_REMEMBERED_CREATES: usize = 256;
    /// No `Retry-After` is documented for 429 (contract §5): without one, a rate-limited create
    /// waits at least this long (a sizeable part of the 10 s window) before it tries again.
    pub const RATE_LIMIT_MIN_BACKOFF_MS: f64 = 2_000.0;
    /// Give up waiting for a task after this long by default (contract §1 advises 10-15 min).
    pub const DEFAULT_WAIT_TIMEOUT_MS: f64 = 15.0 * 60_000.0;
    /// Per-request timeout by default.
    pub const DEFAULT_REQUEST_TIMEOUT_MS: f64 = 60_000.0;
    /// Retries of a retryable failure by default.
    pub const DEFAULT_MAX_RETRIES: u32 = 2;
    /// URLs (`image_url`, `callBackUrl`, upload URLs): the API documents no length limit. We refuse
    /// longer than this (a generous bound for signed URLs), judged before the text is copied.
    pub const URL_MAX_CHARS: usize = 4096;
    /// `uploadPath`: the docs give only its shape (a relative folder). We refuse paths longer
    /// than this, and control characters, backslashes and empty or dot segments (the emulator too).
    pub const UPLOAD_PATH_MAX_CHARS: usize = 200;
    /// Uploaded files: the docs say 3 days, users report about 24 h (contract §3); plan for 24 h.
    pub const UPLOAD_RETENTION_MS: f64 = 24.0 * 3_600_000.0;
}

/// Kie's API sits behind Cloudflare, which may answer HTTP 403 with the bare text
/// `error code: 1010` to requests without a User-Agent (contract §1, §9; Workers' outbound fetch
/// sends none). The SDK therefore sends this `User-Agent`
/// wherever the runtime lets a request set it (Node, Workers, Deno, Bun; browsers send their own),
/// and maps a 1010 answer to kind `blocked`.
pub const USER_AGENT: &str = concat!("kie-kling/", env!("CARGO_PKG_VERSION"));

/// The production base URLs (contract §0, §3).
pub const API_BASE_URL: &str = "https://api.kie.ai";
pub const UPLOAD_BASE_URL: &str = "https://kieai.redpandaai.co";

/// Limits of the JS boundary: what the wasm measures before copying a caller's or a server's
/// data into its linear memory, which never shrinks (CONTRIBUTING.md, "The boundary rule").
pub mod boundary {
    /// A callback body (text, bytes or an object's JSON) larger than this is refused (`too_large`).
    pub const MAX_CALLBACK_BODY_BYTES: usize = 1024 * 1024;
    /// An API response body larger than this is refused (`invalid_response`); a record with a
    /// 5000-character prompt is a few KB.
    pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
    /// No single string longer than this (UTF-16 units) is copied into wasm; every field the SDK
    /// reads is far shorter (prompts 5000, URLs 4096), so a longer one is refused by its rule.
    pub const MAX_STRING_UNITS: usize = 65_536;
    /// Elements read from one array, keys from one object.
    pub const MAX_ITEMS: usize = 1024;
    /// Header values read for webhook checks (a timestamp, a base64 SHA-256).
    pub const MAX_HEADER_CHARS: usize = 128;
    /// A taskId longer than this is refused without a request (Kie's ids are 32 hex digits).
    pub const MAX_TASK_ID_CHARS: usize = 256;
    /// Base64 text for the base64 upload: the encoding of `IMAGE_MAX_BYTES` with room for a
    /// `data:` header and line breaks; longer is refused as too large before it is read.
    pub const MAX_BASE64_CHARS: usize = (super::IMAGE_MAX_BYTES as usize).div_ceil(3) * 4 * 105 / 100 + 1024;
}

/// Completion pushed instead of polled: a proxy (`kie-kling/proxy`) that receives Kie's
/// callbacks offers each task's status as a Server-Sent Events stream, and says so on its
/// replies; a wait then listens instead of polling.
pub mod push {
    /// The stream of one task: `GET EVENTS_PATH?taskId=`; its `task` event carries the final
    /// record in the recordInfo envelope, then the stream ends.
    pub const EVENTS_PATH: &str = "/api/v1/jobs/recordInfo/events";
    /// The response header by which a proxy offers the streams (discovery: no setting needed).
    pub const EVENTS_HEADER: &str = "x-kie-events";
    /// While listening, a wait still polls this often: a lost callback costs at most this
    /// (the proxy also ends each stream after `STREAM_MAX_MS`, and the client polls once then).
    pub const SAFETY_POLL_MS: f64 = 10.0 * 60_000.0;
    /// The proxy ends a stream without news after this long (the client polls once, reopens).
    pub const STREAM_MAX_MS: f64 = 5.0 * 60_000.0;
    /// Streams that end or break without news this many times in a row, each within
    /// `HEALTHY_STREAM_MS` of opening, turn push off for the wait: it polls as without a proxy.
    pub const MAX_STREAM_BREAKS: u32 = 3;
    /// Status streams one client holds open at once; its further waits poll. Browsers allow 6
    /// connections per host over HTTP/1.1, and creates, polls and uploads need some too.
    pub const MAX_OPEN_STREAMS: u32 = 4;
    pub const HEALTHY_STREAM_MS: f64 = 30_000.0;
}

/// Limits of `kie-kling/proxy` (src/proxy.rs), the server half.
pub mod proxy {
    /// JSON request bodies (createTask, download-url, URL upload), bytes; 413 above.
    pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;
    /// A multipart upload: the image limit plus room for the form's framing, bytes; 413 above.
    pub const MAX_UPLOAD_BODY_BYTES: usize = super::IMAGE_MAX_BYTES as usize + 64 * 1024;
    /// Caller ids longer than this from `authorize` are refused (they become store keys).
    pub const MAX_CALLER_ID_CHARS: usize = 256;
    /// Callers whose create windows are kept in memory at once (the stalest go first).
    pub const MAX_TRACKED_CALLERS: usize = 10_000;
    /// Callback deliveries accepted per minute by one process or isolate: each costs one
    /// upstream read to confirm, so forged floods are capped at this many reads.
    pub const CALLBACKS_PER_MINUTE: u32 = 120;
    /// Finished tasks stay in the store this long (Kie keeps results about 14 days).
    pub const STORED_TASK_TTL_SECONDS: u64 = 14 * 24 * 3600;
    /// Ownership records last as long as the tasks they guard are worth reading.
    pub const OWNER_TTL_SECONDS: u64 = 14 * 24 * 3600;
    /// The proxy paces creates under Kie's per-key limit (`RATE_LIMIT_TASKS` per
    /// `RATE_LIMIT_WINDOW_MS`) against a window this much longer: Kie counts arrivals on its own
    /// clock, and requests take varying time to get there.
    pub const PACE_MARGIN_MS: f64 = 500.0;
    /// Creates waiting for a slot, at most; more are refused with 429 and Retry-After.
    pub const PACE_MAX_QUEUE: usize = 200;
    /// The longest a create waits for its slot; a longer wait is refused with 429 instead.
    pub const PACE_MAX_WAIT_MS: f64 = 30_000.0;
}
