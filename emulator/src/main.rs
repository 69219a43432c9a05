//! kie-emulator: a local stand-in for the Kie.ai API (Kling V2.1 Standard), for tests and the
//! demo. Listens on 127.0.0.1 only. See the README ("The Kie emulator") for routes and controls.

mod routes;
mod state;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::Router;
use state::{Config, State};
use std::io::Write;
use std::sync::Arc;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;

const USAGE: &str = "usage: kie-emulator [--port N] [--api-key KEY] [--time-scale F] [--timeline W,Q,G]
  [--webhook-hmac-key KEY] [--http-429] [--quirk-500-required] [--rate-limit N] [--rate-window-ms N] [--credits N]
  [--callback-deliveries N] [--require-user-agent] [--serve DIR]
  --port N             port on 127.0.0.1 (0 picks a free one; default 8787)
  --api-key KEY        accept only this Bearer key (default: any non-empty key)
  --time-scale F       multiply task timelines (0.1 = ten times faster; default 1)
  --timeline W,Q,G     ms spent waiting, queuing, generating (default 500,500,2000)
  --webhook-hmac-key K sign callbacks (X-Webhook-Timestamp / X-Webhook-Signature)
  --http-429           answer rate limiting with a real HTTP 429 (default: HTTP 200 + code 429)
  --quirk-500-required answer missing fields with the live quirk {code:500,msg:'This field is required'}
  --rate-limit N       new tasks per window per key (default 20; 0 disables)
  --rate-window-ms N   the rate limit's sliding window (default 10000)
  --credits N          starting credits per key (default 10000)
  --callback-deliveries N  deliver each callback N times (default 1), to test idempotent receivers;
                       0: never (a lost callback)
  --require-user-agent answer 403 \"error code: 1010\" to requests without a User-Agent, as Kie's Cloudflare front does
  --serve DIR          also serve DIR at / (static files: the browser tests load the package from it)
  --request-timeout-ms N  answer 408 to a request not read and answered within N ms (default 30000)";

fn parse_args() -> Result<(u16, Config, Option<String>), String> {
    let mut port = 8787u16;
    let mut serve = None;
    let mut request_timeout_ms = 30_000u64;
    let mut c = Config {
        api_key: None,
        timeline_ms: [500, 500, 2000],
        time_scale: 1.0,
        webhook_hmac_key: None,
        http_status_for_429: false,
        quirk_500_required: false,
        rate_limit: kie_kling::contract::RATE_LIMIT_TASKS,
        rate_window_ms: kie_kling::contract::RATE_LIMIT_WINDOW_MS,
        initial_credits: 10_000.0,
        callback_deliveries: 1,
        upload_ttl_ms: 24 * 3_600_000,
        request_timeout_ms: 30_000,
        require_user_agent: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => port = value("--port")?.parse().map_err(|_| "--port must be a number")?,
            "--api-key" => c.api_key = Some(value("--api-key")?),
            "--time-scale" | "--clock" => {
                c.time_scale = value("--time-scale")?
                    .parse()
                    .map_err(|_| "--time-scale must be a number")?;
                if !(c.time_scale.is_finite() && c.time_scale >= 0.0) {
                    return Err("--time-scale must be >= 0".into());
                }
            }
            "--timeline" => {
                let v: Vec<u64> = value("--timeline")?
                    .split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .collect();
                c.timeline_ms = v.try_into().map_err(|_| "--timeline takes three numbers: W,Q,G")?;
            }
            "--webhook-hmac-key" => c.webhook_hmac_key = Some(value("--webhook-hmac-key")?),
            "--http-429" => c.http_status_for_429 = true,
            "--quirk-500-required" => c.quirk_500_required = true,
            "--rate-limit" => {
                c.rate_limit = value("--rate-limit")?
                    .parse()
                    .map_err(|_| "--rate-limit must be a number")?
            }
            "--rate-window-ms" => {
                c.rate_window_ms = value("--rate-window-ms")?
                    .parse()
                    .map_err(|_| "--rate-window-ms must be a number")?
            }
            "--credits" => c.initial_credits = value("--credits")?.parse().map_err(|_| "--credits must be a number")?,
            "--callback-deliveries" => {
                c.callback_deliveries = value("--callback-deliveries")?
                    .parse()
                    .map_err(|_| "--callback-deliveries must be a number")?
            }
            "--require-user-agent" => c.require_user_agent = true,
            "--serve" => serve = Some(value("--serve")?),
            "--request-timeout-ms" => {
                request_timeout_ms = value("--request-timeout-ms")?
                    .parse()
                    .map_err(|_| "--request-timeout-ms must be a number")?
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    c.request_timeout_ms = request_timeout_ms;
    Ok((port, c, serve))
}

#[tokio::main]
async fn main() {
    let (port, config, serve) = match parse_args() {
        Ok(v) => v,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("kie-emulator: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kie-emulator: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    let base_url = format!("http://127.0.0.1:{port}");
    let state_timeout = config.request_timeout_ms;
    let state = Arc::new(State::new(config, base_url.clone()));

    let api = Router::new()
        .route("/api/v1/jobs/createTask", post(routes::create_task))
        .route("/api/v1/jobs/recordInfo", get(routes::record_info))
        .route("/api/v1/chat/credit", get(routes::credit))
        .route("/api/v1/common/download-url", post(routes::download_url))
        .route(
            "/__emulator/faults",
            post(routes::add_faults).delete(routes::clear_faults),
        )
        .route("/__emulator/counters", get(routes::counters))
        .route("/__emulator/credits", post(routes::set_credits))
        .route("/__emulator/reset", post(routes::reset_world))
        .route("/__emulator/redirected", any(routes::redirected))
        .route("/results/{name}", get(routes::result_file))
        .route("/files/{*path}", get(routes::uploaded_file))
        .route("/dl/{token}", get(routes::temp_download))
        .layer(DefaultBodyLimit::max(1024 * 1024));
    let uploads = Router::new()
        .route("/upload/api/file-stream-upload", post(routes::upload_stream))
        .route("/upload/api/file-base64-upload", post(routes::upload_base64))
        .route("/upload/api/file-url-upload", post(routes::upload_url))
        .layer(DefaultBodyLimit::max(16 * 1024 * 1024));
    let mut app = api.merge(uploads).with_state(state);
    if let Some(dir) = serve {
        app = app.fallback_service(ServeDir::new(dir));
    }
    // Bounds every request, body included, so a slow-body (slowloris) client cannot hold a
    // handler forever; faults that delay answers stay below it.
    let timeout = std::time::Duration::from_millis(state_timeout);
    let app = app
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CorsLayer::permissive());

    println!("kie-emulator listening on {base_url}");
    let _ = std::io::stdout().flush();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        eprintln!("kie-emulator: {e}");
        std::process::exit(1);
    }
}
