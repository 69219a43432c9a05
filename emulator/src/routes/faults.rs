//! Scripted faults: parsing a rule and the answer that replaces a route's.

use super::*;

/// Applies a scripted fault that replaces the answer; latency just delays.
pub(crate) async fn fault_answer(fault: &Option<Fault>) -> Option<Response> {
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
pub(crate) fn reset() -> Response {
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

pub(crate) fn parse_rule(v: &Value) -> Result<FaultRule, String> {
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
