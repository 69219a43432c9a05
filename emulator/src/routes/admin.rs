//! The /__emulator controls: faults, counters, credits, reset, the redirect witness.

use super::*;

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
            "rateLimited": c.rate_limited.get(k).copied().unwrap_or(0),
            "createTimesMs": c.create_times_ms.get(k).cloned().unwrap_or_default(),
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
