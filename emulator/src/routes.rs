//! The HTTP surface: Kie's API routes (answering errors as Kie does, HTTP 200 with the error in
//! the body `code`), the upload API under `/upload`, served files, and `/__emulator/*` controls.

use crate::state::{
    new_id, now_ms, Fault, FaultRule, Outcome, State, Task, Upload, MAX_FAULTS, MAX_TASKS, MAX_UPLOAD_BYTES_TOTAL,
};
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, Path, Query, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use kie_kling::contract::MODEL_ID;
use kie_kling::image::check_image;
use kie_kling::validate::{validate_body, IssueCode};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type Shared = Arc<State>;

/// A tiny MP4 the emulator serves as every generated video (made by scripts/make-sample-video.sh).
pub static SAMPLE_MP4: &[u8] = include_bytes!("../assets/sample.mp4");

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn envelope(code: i64, msg: &str, data: Value) -> Response {
    json_response(StatusCode::OK, json!({"code": code, "msg": msg, "data": data}))
}

fn error(code: i64, msg: &str) -> Response {
    envelope(code, msg, Value::Null)
}

fn upload_error(code: i64, msg: &str) -> Response {
    json_response(
        StatusCode::OK,
        json!({"success": false, "code": code, "msg": msg, "data": null}),
    )
}

/// The Bearer key, or the 401 Kie answers (as HTTP 200, contract §1).
/// The accepted Bearer key: any non-empty one, or exactly `--api-key` when given.
fn bearer_key(state: &State, headers: &HeaderMap) -> Option<String> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty());
    match (key, &state.config.api_key) {
        (Some(k), Some(expected)) if k == expected => Some(k.to_owned()),
        (Some(k), None) => Some(k.to_owned()),
        _ => None,
    }
}

/// Kie's 401, as HTTP 200 with the code in the body (contract §1).
fn api_unauthorized() -> Response {
    error(401, "You do not have access permissions")
}

/// The upload API's 401.
fn upload_unauthorized() -> Response {
    upload_error(401, "Authentication failed: Invalid API Key")
}

/// What every API route does first: the Bearer key (Kie's 401 otherwise), counting, and a
/// scripted fault that replaces the answer. Returns the key and the fault left to the route
/// (task scripting, and a reset when `defer_reset`).
async fn prelude(
    state: &State,
    headers: &HeaderMap,
    route: &str,
    defer_reset: bool,
) -> Result<(String, Option<Fault>), Response> {
    let unauthorized = if route == "upload" {
        upload_unauthorized
    } else {
        api_unauthorized
    };
    // Kie's Cloudflare front refuses requests without a User-Agent (contract §9).
    if state.config.require_user_agent && !headers.contains_key(header::USER_AGENT) {
        state.count(route);
        return Err(cloudflare_1010());
    }
    let Some(key) = bearer_key(state, headers) else {
        state.count(route);
        return Err(unauthorized());
    };
    let fault = state.begin(route, &key);
    if defer_reset && matches!(fault, Some(Fault::Reset)) {
        return Ok((key, fault));
    }
    match fault_answer(&fault).await {
        Some(r) => Err(r),
        None => Ok((key, fault)),
    }
}

/// Cloudflare's bare block page, as Kie's front answers it.
fn cloudflare_1010() -> Response {
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "text/plain")], "error code: 1010").into_response()
}

/// Applies a scripted fault that replaces the answer; latency just delays.
async fn fault_answer(fault: &Option<Fault>) -> Option<Response> {
    match fault.as_ref()? {
        Fault::Latency(ms) => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            None
        }
        Fault::Code { code, msg, http_status, retry_after } => {
            let mut r = json_response(
                StatusCode::from_u16(*http_status).unwrap_or(StatusCode::OK),
                json!({"code": code, "msg": msg, "data": null}),
            );
            if let Some(v) = retry_after.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Some(r)
        }
        Fault::Html502 => Some(
            (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/html")],
             "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>")
                .into_response(),
        ),
        Fault::Cloudflare403 => Some(cloudflare_1010()),
        Fault::TruncatedJson => Some((StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"code\":200,\"msg\":\"success\",\"data\":{\"taskId\":\"").into_response()),
        Fault::Reset => Some(reset()),
        Fault::Redirect => Some(
            (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/__emulator/redirected")], "").into_response(),
        ),
        Fault::Task { .. } => None,
    }
}

/// Status and headers go out, then the connection drops mid-body.
fn reset() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "emulated reset",
        ))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

pub async fn create_task(AxState(state): AxState<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    // A scripted reset still creates the task first: the answer is what gets lost.
    let (key, fault) = match prelude(&state, &headers, "createTask", true).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Ok(parsed) = serde_json::from_slice::<Value>(&body) else {
        return error(422, "Invalid JSON body");
    };
    if parsed.get("model").and_then(Value::as_str) != Some(MODEL_ID) {
        return error(422, "The page does not exist or is not published");
    }
    // Kie ignores fields it does not know; every other rule of the contract is enforced.
    if let Err(issues) = validate_body(&parsed) {
        let issues: Vec<_> = issues
            .into_iter()
            .filter(|i| i.code != IssueCode::UnknownField)
            .collect();
        if !issues.is_empty() {
            if state.config.quirk_500_required && issues.iter().any(|i| i.code == IssueCode::Missing) {
                return error(500, "This field is required");
            }
            let msg = issues
                .iter()
                .map(|i| format!("{}: {}", i.path, i.message))
                .collect::<Vec<_>>()
                .join("; ");
            return error(422, &msg);
        }
    }
    // Validated above, so the duration is "5" or "10" (or absent: the SDK default).
    let duration = parsed["input"]["duration"]
        .as_str()
        .and_then(kie_kling::model::Duration::parse)
        .unwrap_or(kie_kling::model::Duration::Five);
    let cost = f64::from(duration.credits());
    let now = Instant::now();
    let task = {
        let mut w = state.world();
        let limit = state.config.rate_limit;
        if limit > 0 {
            let window = Duration::from_millis(state.config.rate_window_ms);
            let times = w.windows.entry(key.clone()).or_default();
            while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
                times.pop_front();
            }
            if times.len() >= limit {
                drop(w);
                let mut r = if state.config.http_status_for_429 {
                    json_response(
                        StatusCode::TOO_MANY_REQUESTS,
                        json!({"code": 429, "msg": "Rate limit exceeded", "data": null}),
                    )
                } else {
                    error(429, "Rate limit exceeded")
                };
                r.headers_mut().remove(header::RETRY_AFTER);
                return r;
            }
        }
        if state.balance(&w, &key) < cost {
            return error(402, "Insufficient credits");
        }
        if w.tasks.len() >= MAX_TASKS {
            if let Some(oldest) = w.task_order.pop_front() {
                w.tasks.remove(&oldest);
            }
        }
        if limit > 0 {
            w.windows.entry(key.clone()).or_default().push_back(now);
        }
        let [a, b, c] = state.config.timeline_ms;
        let mut task = Task {
            id: new_id(),
            key: key.clone(),
            param: parsed.to_string(),
            credits: cost,
            created: now,
            created_ms: now_ms(),
            phases_ms: [state.scaled(a), state.scaled(b), state.scaled(c)],
            outcome: Outcome::Success,
            invisible_ms: 0,
            use_message_key: false,
            settled: false,
        };
        if let Some(Fault::Task {
            outcome,
            invisible_ms,
            phases_ms,
            use_message_key,
        }) = &fault
        {
            if let Some(o) = outcome {
                task.outcome = o.clone();
            }
            task.invisible_ms = *invisible_ms;
            if let Some(p) = phases_ms {
                task.phases_ms = *p;
            }
            task.use_message_key = *use_message_key;
        }
        // A prompt can script its own failure, so the demo can show one without the admin API.
        if task.outcome == Outcome::Success
            && parsed["input"]["prompt"]
                .as_str()
                .is_some_and(|p| p.contains("#emulator:fail"))
        {
            task.outcome = Outcome::Fail {
                code: json!("501"),
                msg: "Generation Failed".into(),
            };
        }
        w.tasks.insert(task.id.clone(), task.clone());
        w.task_order.push_back(task.id.clone());
        *w.counters.tasks_created.entry(key.clone()).or_default() += 1;
        task
    };
    if let Some(after) = task.terminal_after() {
        let callback = parsed.get("callBackUrl").and_then(Value::as_str).map(str::to_owned);
        tokio::spawn(settle(state.clone(), task.id.clone(), after, callback));
    }
    if matches!(fault, Some(Fault::Reset)) {
        return reset();
    }
    envelope(200, "success", json!({"taskId": task.id}))
}

/// At the task's end: charge a success, then deliver the callback if one was asked for.
async fn settle(state: Shared, id: String, after: Duration, callback: Option<String>) {
    tokio::time::sleep(after).await;
    let body = {
        let mut w = state.world();
        let Some(task) = w.tasks.get(&id).cloned() else {
            return;
        };
        if task.outcome == Outcome::Success && !task.settled {
            let balance = state.balance(&w, &task.key) - task.credits;
            w.credits.insert(task.key.clone(), balance);
        }
        if let Some(t) = w.tasks.get_mut(&id) {
            t.settled = true;
        }
        let remained = state.balance(&w, &task.key);
        let data = task.record(Instant::now() + Duration::from_millis(1), &state.base_url, remained);
        match task.outcome {
            Outcome::Success => {
                json!({"code": 200, "msg": "Playground task completed successfully.", "data": data})
            }
            _ => json!({"code": 501, "msg": "Playground task failed.", "data": {
                "taskId": task.id, "model": MODEL_ID, "state": "fail", "failCode": data["failCode"], "failMsg": data["failMsg"],
                "consumeCredits": 0, "completeTime": data["completeTime"], "param": task.param}}),
        }
    };
    let Some(url) = callback else { return };
    // The emulator never sends traffic off this machine.
    if !is_loopback_url(&url) {
        state.world().counters.callbacks_skipped += 1;
        return;
    }
    for _ in 0..state.config.callback_deliveries.max(1) {
        let timestamp = now_ms() / 1000;
        let mut req = state
            .http
            .post(&url)
            .timeout(Duration::from_secs(15))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = &state.config.webhook_hmac_key {
            req = req
                .header("X-Webhook-Timestamp", timestamp.to_string())
                .header("X-Webhook-Signature", sign(key, &id, timestamp));
        }
        let ok = req.send().await.is_ok_and(|r| r.status().is_success());
        let mut w = state.world();
        if ok {
            w.counters.callbacks_sent += 1;
        } else {
            w.counters.callbacks_failed += 1;
        }
    }
}

/// Base64(HMAC-SHA256(key, taskId + "." + timestamp)) (contract §2).
pub fn sign(key: &str, task_id: &str, timestamp: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{task_id}.{timestamp}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

pub async fn record_info(
    AxState(state): AxState<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let key = match prelude(&state, &headers, "recordInfo", false).await {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    let Some(id) = q.get("taskId").filter(|t| !t.is_empty()) else {
        return error(400, "taskId parameter is required");
    };
    let w = state.world();
    let now = Instant::now();
    match w.tasks.get(id.as_str()).filter(|t| t.key == key && t.visible_at(now)) {
        Some(task) => {
            let data = task.record(now, &state.base_url, state.balance(&w, &key));
            let msg_key = if task.use_message_key { "message" } else { "msg" };
            json_response(StatusCode::OK, json!({"code": 200, msg_key: "success", "data": data}))
        }
        None => error(422, "recordInfo is null"),
    }
}

pub async fn credit(AxState(state): AxState<Shared>, headers: HeaderMap) -> Response {
    let key = match prelude(&state, &headers, "credit", false).await {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    let balance = state.balance(&state.world(), &key);
    envelope(200, "success", json!(balance))
}

pub async fn download_url(AxState(state): AxState<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = prelude(&state, &headers, "downloadUrl", false).await {
        return r;
    }
    let url = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["url"].as_str().map(str::to_owned));
    let Some(url) = url else {
        return error(422, "url is required");
    };
    let ours = [
        format!("{}/results/", state.base_url),
        format!("{}/files/", state.base_url),
    ];
    if !ours.iter().any(|p| url.starts_with(p.as_str())) {
        return error(422, "The url is not a file generated by Kie");
    }
    let token = new_id();
    let mut w = state.world();
    if w.downloads.len() > 10_000 {
        w.downloads.clear();
    }
    w.downloads
        .insert(token.clone(), (url, Instant::now() + Duration::from_secs(20 * 60)));
    envelope(200, "success", json!(format!("{}/dl/{token}", state.base_url)))
}

pub async fn result_file(Path(name): Path<String>) -> Response {
    if !name.ends_with(".mp4") {
        return StatusCode::NOT_FOUND.into_response();
    }
    ([(header::CONTENT_TYPE, "video/mp4")], SAMPLE_MP4).into_response()
}

pub async fn uploaded_file(AxState(state): AxState<Shared>, Path(path): Path<String>) -> Response {
    let w = state.world();
    match w.uploads.get(&path).filter(|u| u.expires > Instant::now()) {
        Some(u) => ([(header::CONTENT_TYPE, u.mime.clone())], u.bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub async fn temp_download(AxState(state): AxState<Shared>, Path(token): Path<String>) -> Response {
    let target = state
        .world()
        .downloads
        .get(&token)
        .filter(|(_, exp)| *exp > Instant::now())
        .map(|(u, _)| u.clone());
    let Some(url) = target else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(path) = url.strip_prefix(&format!("{}/files/", state.base_url)) {
        return uploaded_file(AxState(state.clone()), Path(path.to_owned())).await;
    }
    ([(header::CONTENT_TYPE, "video/mp4")], SAMPLE_MP4).into_response()
}

// ---- uploads (a separate host in production: here under /upload) ----

fn clean_segment_path(p: &str) -> Result<String, &'static str> {
    if p.is_empty() {
        return Err("Missing required parameter: uploadPath");
    }
    if p.starts_with('/') || p.ends_with('/') {
        return Err("uploadPath must not start or end with /");
    }
    if p.len() > 200
        || p.split('/')
            .any(|s| s.is_empty() || s == "." || s == ".." || s.contains('\\') || s.chars().any(char::is_control))
    {
        return Err("uploadPath has an invalid segment");
    }
    Ok(p.to_owned())
}

fn clean_file_name(name: Option<&str>, mime: &str) -> Result<String, &'static str> {
    match name.filter(|n| !n.is_empty()) {
        None => {
            let ext = mime.rsplit('/').next().unwrap_or("bin").replace("jpeg", "jpg");
            Ok(format!("{}.{ext}", new_id()))
        }
        Some(n)
            if n.len() > 200 || n.contains(['/', '\\']) || n == "." || n == ".." || n.chars().any(char::is_control) =>
        {
            Err("fileName must be a plain file name")
        }
        Some(n) => Ok(n.to_owned()),
    }
}

fn store_upload(state: &State, upload_path: &str, file_name: Option<&str>, bytes: Vec<u8>) -> Response {
    let mime = match check_image(&bytes) {
        Ok(m) => m,
        Err(p) => return upload_error(400, p.message()),
    };
    let path = match clean_segment_path(upload_path) {
        Ok(p) => p,
        Err(m) => return upload_error(400, m),
    };
    let name = match clean_file_name(file_name, mime) {
        Ok(n) => n,
        Err(m) => return upload_error(400, m),
    };
    let file_path = format!("{path}/{name}");
    let size = bytes.len();
    let mut w = state.world();
    if w.upload_bytes + size > MAX_UPLOAD_BYTES_TOTAL {
        return upload_error(500, "emulator upload storage is full (POST /__emulator/reset to clear)");
    }
    if let Some(old) = w.uploads.insert(
        file_path.clone(),
        Upload {
            bytes,
            mime: mime.into(),
            expires: Instant::now() + Duration::from_millis(state.config.upload_ttl_ms),
        },
    ) {
        w.upload_bytes -= old.bytes.len();
    }
    w.upload_bytes += size;
    let download = format!("{}/files/{file_path}", state.base_url);
    json_response(
        StatusCode::OK,
        json!({"success": true, "code": 200, "msg": "File uploaded successfully", "data": {
        "success": true, "fileName": name, "filePath": file_path, "downloadUrl": download, "fileSize": size,
        "mimeType": mime, "uploadedAt": iso8601(now_ms())}}),
    )
}

async fn upload_prelude(state: &State, headers: &HeaderMap) -> Result<(), Response> {
    prelude(state, headers, "upload", false).await.map(|_| ())
}

pub async fn upload_stream(AxState(state): AxState<Shared>, headers: HeaderMap, mut multipart: Multipart) -> Response {
    // Read the whole body before answering anything, errors included: answering mid-upload
    // would leave the client's connection in a state its next request trips over.
    let (mut file, mut upload_path, mut file_name, mut malformed) = (None, String::new(), None, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let Ok(data) = field.bytes().await else {
                    malformed = Some("the multipart body could not be read (too large?)");
                    break;
                };
                match name.as_str() {
                    "file" => file = Some(data.to_vec()),
                    "uploadPath" => upload_path = String::from_utf8_lossy(&data).into_owned(),
                    "fileName" => file_name = Some(String::from_utf8_lossy(&data).into_owned()),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                malformed = Some("the multipart body is malformed");
                break;
            }
        }
    }
    if let Err(r) = upload_prelude(&state, &headers).await {
        return r;
    }
    if let Some(m) = malformed {
        return upload_error(400, m);
    }
    let Some(file) = file else {
        return upload_error(400, "Missing required parameter: file");
    };
    store_upload(&state, &upload_path, file_name.as_deref(), file)
}

pub async fn upload_base64(AxState(state): AxState<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = upload_prelude(&state, &headers).await {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return upload_error(400, "Invalid JSON body");
    };
    let Some(data) = v["base64Data"].as_str() else {
        return upload_error(400, "Missing required parameter: base64Data");
    };
    let payload = match data.strip_prefix("data:") {
        Some(rest) => rest.split_once(";base64,").map(|(_, b)| b).unwrap_or(""),
        None => data,
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(payload.trim()) else {
        return upload_error(400, "Base64 decoding failed: Invalid Base64 format");
    };
    store_upload(
        &state,
        v["uploadPath"].as_str().unwrap_or(""),
        v["fileName"].as_str(),
        bytes,
    )
}

/// Only loopback URLs are fetched: the emulator never reaches outside this machine.
fn is_loopback_url(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    if !matches!(u.scheme(), "http" | "https") || !u.username().is_empty() {
        return false;
    }
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

pub async fn upload_url(AxState(state): AxState<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = upload_prelude(&state, &headers).await {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return upload_error(400, "Invalid JSON body");
    };
    let Some(url) = v["fileUrl"].as_str() else {
        return upload_error(400, "Missing required parameter: fileUrl");
    };
    if !is_loopback_url(url) {
        return upload_error(
            400,
            "the emulator only fetches loopback URLs (127.0.0.1, localhost, [::1])",
        );
    }
    let resp = match state.http.get(url).timeout(Duration::from_secs(30)).send().await {
        Ok(r) => r,
        Err(_) => return upload_error(400, "could not download fileUrl"),
    };
    if resp.status().is_redirection() {
        return upload_error(400, "fileUrl redirected; redirects are not followed");
    }
    if !resp.status().is_success() {
        return upload_error(400, "fileUrl did not answer 200");
    }
    let limit = kie_kling::contract::IMAGE_MAX_BYTES as usize + 1;
    let mut bytes = Vec::new();
    let mut resp = resp;
    while let Ok(Some(chunk)) = resp.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > limit {
            return upload_error(400, kie_kling::image::ImageProblem::TooLarge.message());
        }
    }
    store_upload(
        &state,
        v["uploadPath"].as_str().unwrap_or(""),
        v["fileName"].as_str(),
        bytes,
    )
}

/// Unix ms to `YYYY-MM-DDTHH:MM:SS.sssZ`.
pub fn iso8601(ms: u64) -> String {
    let (days, rem) = ((ms / 86_400_000) as i64, ms % 86_400_000);
    // Civil from days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

// ---- controls ----

fn parse_rule(v: &Value) -> Result<FaultRule, String> {
    let name = v["fault"].as_str().ok_or("fault is required")?;
    let route = v["route"].as_str().unwrap_or("*").to_owned();
    let times = v["times"].as_u64().unwrap_or(1).clamp(1, 100_000) as u32;
    let retry_after = v["retryAfter"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| v["retryAfter"].as_u64().map(|n| n.to_string()));
    let code = |code: i64, msg: &str, http: u16| Fault::Code {
        code,
        msg: v["msg"].as_str().unwrap_or(msg).to_owned(),
        http_status: http,
        retry_after: retry_after.clone(),
    };
    let fault = match name {
        "latency" => Fault::Latency(v["ms"].as_u64().unwrap_or(1000).min(600_000)),
        "code" => code(
            v["code"].as_i64().ok_or("code is required")?,
            "error",
            v["httpStatus"].as_u64().unwrap_or(200) as u16,
        ),
        "unauthorized" => code(401, "You do not have access permissions", 200),
        "insufficient_credits" => code(402, "Insufficient credits", 200),
        "rate_limit" => code(429, "Rate limit exceeded", 200),
        "http_429" => code(429, "Rate limit exceeded", 429),
        "daily_limit" => code(
            433,
            "The current number of points used by apiKey has exceeded the daily limit",
            200,
        ),
        "maintenance" => code(455, "Service is under maintenance", 200),
        "server_error" => code(500, "Server Error - internal", 200),
        "feature_disabled" => code(505, "Feature disabled", 200),
        "html_502" => Fault::Html502,
        "cloudflare_403" => Fault::Cloudflare403,
        "truncated_json" => Fault::TruncatedJson,
        "reset" => Fault::Reset,
        "redirect" => Fault::Redirect,
        "task" => {
            let outcome = match v["outcome"].as_str() {
                None => None,
                Some("success") => Some(Outcome::Success),
                Some("never") => Some(Outcome::Never),
                Some("fail") => Some(Outcome::Fail {
                    code: v.get("failCode").cloned().unwrap_or(json!("501")),
                    msg: v["failMsg"].as_str().unwrap_or("Generation Failed").to_owned(),
                }),
                Some(_) => return Err("outcome must be success, fail or never".into()),
            };
            let phases_ms = v["timelineMs"].as_array().and_then(|a| {
                let n: Vec<u64> = a.iter().filter_map(Value::as_u64).collect();
                (n.len() == 3).then(|| [n[0], n[1], n[2]])
            });
            Fault::Task {
                outcome,
                invisible_ms: v["invisibleMs"].as_u64().unwrap_or(0),
                phases_ms,
                use_message_key: v["messageKey"].as_bool().unwrap_or(false),
            }
        }
        other => return Err(format!("unknown fault {other:?}")),
    };
    let route = if matches!(fault, Fault::Task { .. }) {
        "createTask".to_owned()
    } else {
        route
    };
    Ok(FaultRule {
        route,
        key: v["key"].as_str().map(str::to_owned),
        fault,
        remaining: times,
    })
}

pub async fn add_faults(AxState(state): AxState<Shared>, body: Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": "invalid JSON"}));
    };
    let items = if let Value::Array(a) = v { a } else { vec![v] };
    let mut rules = Vec::new();
    for item in &items {
        match parse_rule(item) {
            Ok(r) => rules.push(r),
            Err(e) => return json_response(StatusCode::BAD_REQUEST, json!({"error": e})),
        }
    }
    let mut w = state.world();
    if w.faults.len() + rules.len() > MAX_FAULTS {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": "too many queued faults"}));
    }
    let n = rules.len();
    w.faults.extend(rules);
    json_response(StatusCode::OK, json!({"queued": n}))
}

pub async fn clear_faults(AxState(state): AxState<Shared>) -> Response {
    state.world().faults.clear();
    json_response(StatusCode::OK, json!({"cleared": true}))
}

pub async fn counters(AxState(state): AxState<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let w = state.world();
    let c = &w.counters;
    let body = match q.get("key") {
        Some(k) => json!({
            "tasksCreated": c.tasks_created.get(k).copied().unwrap_or(0),
            "requests": c.requests_by_key.get(k).cloned().unwrap_or_default(),
            "credits": state.balance(&w, k),
        }),
        None => json!({
            "tasksCreated": c.tasks_created,
            "requests": c.requests,
            "callbacksSent": c.callbacks_sent,
            "callbacksFailed": c.callbacks_failed,
            "callbacksSkipped": c.callbacks_skipped,
            "redirectsFollowed": c.redirects_followed,
            "redirectsFollowedWithKey": c.redirects_followed_with_key,
            "tasks": w.tasks.len(),
        }),
    };
    json_response(StatusCode::OK, body)
}

/// Where the `redirect` fault points: counts arrivals, so a test can show nobody followed it.
pub async fn redirected(AxState(state): AxState<Shared>, headers: HeaderMap) -> Response {
    let mut w = state.world();
    w.counters.redirects_followed += 1;
    if headers.contains_key(header::AUTHORIZATION) {
        w.counters.redirects_followed_with_key += 1;
    }
    json_response(
        StatusCode::OK,
        json!({"code": 200, "msg": "followed a redirect", "data": null}),
    )
}

pub async fn set_credits(AxState(state): AxState<Shared>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    match (v["key"].as_str(), v["credits"].as_f64()) {
        (Some(k), Some(c)) => {
            state.world().credits.insert(k.to_owned(), c);
            json_response(StatusCode::OK, json!({"key": k, "credits": c}))
        }
        _ => json_response(StatusCode::BAD_REQUEST, json!({"error": "expected {key, credits}"})),
    }
}

pub async fn reset_world(AxState(state): AxState<Shared>) -> Response {
    let mut w = state.world();
    w.tasks.clear();
    w.task_order.clear();
    w.credits.clear();
    w.windows.clear();
    w.faults.clear();
    w.counters = Default::default();
    w.uploads.clear();
    w.upload_bytes = 0;
    w.downloads.clear();
    json_response(StatusCode::OK, json!({"reset": true}))
}
