//! Envelopes and the prelude every API route runs first: the key, counting, Kie's error answers.

use super::*;

pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

pub(crate) fn envelope(code: i64, msg: &str, data: Value) -> Response {
    json_response(StatusCode::OK, json!({"code": code, "msg": msg, "data": data}))
}

pub(crate) fn error(code: i64, msg: &str) -> Response {
    envelope(code, msg, Value::Null)
}

pub(crate) fn upload_error(code: i64, msg: &str) -> Response {
    json_response(
        StatusCode::OK,
        json!({"success": false, "code": code, "msg": msg, "data": null}),
    )
}

/// The Bearer key, or the 401 Kie answers (as HTTP 200, contract §1).
/// The accepted Bearer key: any non-empty one, or exactly `--api-key` when given.
pub(crate) fn bearer_key(state: &State, headers: &HeaderMap) -> Option<String> {
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
pub(crate) fn api_unauthorized() -> Response {
    error(401, "You do not have access permissions")
}

/// The upload API's 401.
pub(crate) fn upload_unauthorized() -> Response {
    upload_error(401, "Authentication failed: Invalid API Key")
}

/// What every API route does first: the Bearer key (Kie's 401 otherwise), counting, and a
/// scripted fault that replaces the answer. Returns the key and the fault left to the route
/// (task scripting, and a reset when `defer_reset`).
pub(crate) async fn prelude(
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
pub(crate) fn cloudflare_1010() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain")],
        "error code: 1010",
    )
        .into_response()
}
