//! The jobs API: createTask, recordInfo, credits, download links and the files they point at.

use super::*;

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
                *w.counters.rate_limited.entry(key.clone()).or_default() += 1;
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
        let at = state.started.elapsed().as_millis() as u64;
        let times = w.counters.create_times_ms.entry(key.clone()).or_default();
        if times.len() >= 10_000 {
            times.remove(0);
        }
        times.push(at);
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
