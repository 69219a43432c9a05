//! Callback deliveries in the shell: the body read in JS (never copied into wasm), the
//! verification's I/O (headers, the host's WebCrypto HMAC, the clock) around the decisions of
//! `callback`, and the Task a delivery carries.

use crate::callback::{
    check_timestamp, decode_signature, signed_message, signed_task_id, ReplayGuard, WebhookProblem,
    DEFAULT_TOLERANCE_SECONDS, MAX_CALLBACK_BODY_BYTES,
};
use crate::contract::boundary::MAX_HEADER_CHARS;
use crate::convert::{task_to_js, Failure};
use crate::error::{ApiKey, ErrorKind};
use crate::view::View;
use crate::wire;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = hmacVerify, catch)]
    fn hmac_verify(key: &str, message: &str, signature: &[u8]) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = readHeader)]
    fn read_header(headers: &JsValue, name: &str, max: u32) -> Option<String>;
    #[wasm_bindgen(js_name = callbackJson)]
    fn callback_json_of(body: &JsValue, max: u32) -> JsValue;
    fn now() -> f64;
}

pub fn webhook_failure(problem: WebhookProblem) -> Failure {
    let mut f = Failure::new(ErrorKind::InvalidWebhook, problem.message());
    f.reason = Some(problem.as_str());
    f
}

/// A callback body as a JS value, measured and parsed in JS (see `callbackJson`): the body is
/// never copied into wasm, and an object body is read once, through JSON.
pub fn callback_json(body: &JsValue) -> Result<JsValue, Failure> {
    let out = callback_json_of(body, MAX_CALLBACK_BODY_BYTES as u32);
    match out.field("fail").and_then(|f| f.string()).as_deref() {
        None => Ok(out.get("value").unwrap_or(JsValue::NULL)),
        Some("too_large") => Err(webhook_failure(WebhookProblem::TooLarge)),
        Some(_) => Err(webhook_failure(WebhookProblem::Malformed)),
    }
}

/// The taskId a delivery names (what `confirmCallback` reads back from the API).
pub fn callback_task_id(body: &JsValue) -> Result<String, Failure> {
    signed_task_id(&callback_json(body)?).ok_or_else(|| webhook_failure(WebhookProblem::Malformed))
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
            f.reason = Some(WebhookProblem::Malformed.as_str());
            Err(f)
        }
    }
}

thread_local! {
    static REPLAYS: std::cell::RefCell<ReplayGuard> = std::cell::RefCell::default();
}

/// A delivery whose signature the host is checking: what `verify_finish` needs after.
pub struct Signed {
    parsed: JsValue,
    message: String,
    timestamp_s: f64,
    now_s: f64,
    tolerance_s: f64,
}

/// Webhook verification up to the HMAC: size, headers, timestamp window; then the promise of
/// the host's WebCrypto verdict on the signature.
pub fn verify_start(
    body: &JsValue,
    headers: &JsValue,
    hmac_key: &ApiKey,
    tolerance_s: Option<f64>,
) -> Result<(Promise, Signed), Failure> {
    let parsed = callback_json(body)?;
    let timestamp = read_header(headers, "x-webhook-timestamp", MAX_HEADER_CHARS as u32);
    let signature = read_header(headers, "x-webhook-signature", MAX_HEADER_CHARS as u32);
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(webhook_failure(WebhookProblem::MissingHeaders));
    };
    let task_id = signed_task_id(&parsed).ok_or_else(|| webhook_failure(WebhookProblem::Malformed))?;
    let tolerance_s = tolerance_s.unwrap_or(DEFAULT_TOLERANCE_SECONDS);
    let now_s = now() / 1000.0;
    let timestamp_s = check_timestamp(&timestamp, now_s, tolerance_s).map_err(webhook_failure)?;
    let signature = decode_signature(&signature).map_err(webhook_failure)?;
    let message = signed_message(&task_id, timestamp.trim());
    let verdict = hmac_verify(hmac_key.expose(), &message, &signature)
        .map_err(|_| webhook_failure(WebhookProblem::SignatureMismatch))?;
    Ok((
        verdict,
        Signed {
            parsed,
            message,
            timestamp_s,
            now_s,
            tolerance_s,
        },
    ))
}

/// The rest of the verification once the HMAC verdict settled: the replay check, then the Task.
pub fn verify_finish(verdict: Result<JsValue, JsValue>, signed: Option<Signed>) -> Result<JsValue, Failure> {
    let Some(signed) = signed.filter(|_| verdict.is_ok_and(|v| v.is_truthy())) else {
        return Err(webhook_failure(WebhookProblem::SignatureMismatch));
    };
    let first = REPLAYS.with(|r| {
        r.borrow_mut()
            .first_time(&signed.message, signed.timestamp_s, signed.now_s, signed.tolerance_s)
    });
    if !first {
        return Err(webhook_failure(WebhookProblem::Replayed));
    }
    parse_callback(&signed.parsed)
}
