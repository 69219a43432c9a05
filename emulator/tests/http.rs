//! The emulator over real HTTP on 127.0.0.1: routes, envelopes, timelines, limits, uploads,
//! callbacks and every fault kind.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Emu {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Emu {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kie-emulator"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("kie-emulator listening on ")
        .expect("first line announces the URL")
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "start-up took {:?}",
        started.elapsed()
    );
    Emu {
        child,
        base,
        http: reqwest::Client::new(),
    }
}

impl Emu {
    async fn post(&self, path: &str, key: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .bearer_auth(key)
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }
    async fn post_json(&self, path: &str, key: &str, body: &Value) -> Value {
        self.post(path, key, body).await.json().await.unwrap()
    }
    async fn get_json(&self, path: &str, key: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
    async fn create(&self, key: &str) -> Value {
        self.post_json("/api/v1/jobs/createTask", key, &body()).await
    }
    async fn record(&self, key: &str, id: &str) -> Value {
        self.get_json(&format!("/api/v1/jobs/recordInfo?taskId={id}"), key)
            .await
    }
    async fn fault(&self, rule: Value) {
        let r = self
            .http
            .post(format!("{}/__emulator/faults", self.base))
            .body(rule.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    async fn counters(&self, key: &str) -> Value {
        self.http
            .get(format!("{}/__emulator/counters?key={key}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// Sends a request and reads its JSON answer.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

fn body() -> Value {
    json!({"model": "kling/v2-1-standard", "input": {"prompt": "a cat", "image_url": "https://example.com/cat.png"}})
}

fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend((0..200u8).collect::<Vec<_>>());
    b
}

#[tokio::test]
async fn task_moves_through_its_states_and_the_record_matches_the_contract() {
    let emu = start(&["--timeline", "300,300,300"]);
    let created = emu.create("k").await;
    assert_eq!(created["code"], 200);
    assert_eq!(created["msg"], "success");
    let id = created["data"]["taskId"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    let last = loop {
        let r = emu.record("k", &id).await;
        let state = r["data"]["state"].as_str().unwrap().to_owned();
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state == "success" || Instant::now() > deadline {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    };
    assert_eq!(seen, ["waiting", "queuing", "generating", "success"]);
    let d = &last["data"];
    assert_eq!(d["model"], "kling/v2-1-standard");
    let param: Value = serde_json::from_str(d["param"].as_str().unwrap()).unwrap();
    assert_eq!(param, body());
    let result: Value = serde_json::from_str(d["resultJson"].as_str().unwrap()).unwrap();
    let url = result["resultUrls"][0].as_str().unwrap();
    let video = emu.http.get(url).send().await.unwrap();
    assert_eq!(video.headers()["content-type"], "video/mp4");
    let bytes = video.bytes().await.unwrap();
    assert_eq!(&bytes[4..8], b"ftyp", "a real MP4");
    assert_eq!(d["failCode"], "");
    assert_eq!(d["costTime"], 900);
    assert_eq!(
        d["completeTime"].as_u64().unwrap(),
        d["createTime"].as_u64().unwrap() + 900
    );
    assert!(d["updateTime"].as_u64() == d["completeTime"].as_u64());
}

#[tokio::test]
async fn errors_come_as_http_200_with_the_code_in_the_body() {
    let emu = start(&["--api-key", "right"]);
    let r = emu.post("/api/v1/jobs/createTask", "wrong", &body()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"code": 401, "msg": "You do not have access permissions", "data": null})
    );
    let none = emu
        .http
        .get(format!("{}/api/v1/chat/credit", emu.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(none["code"], 401);
    assert_eq!(
        emu.record("right", "nope").await,
        json!({"code": 422, "msg": "recordInfo is null", "data": null})
    );
    assert_eq!(emu.get_json("/api/v1/jobs/recordInfo", "right").await["code"], 400);
    let mut other_model = body();
    other_model["model"] = json!("kling/v9");
    let r = emu.post_json("/api/v1/jobs/createTask", "right", &other_model).await;
    assert_eq!(
        r,
        json!({"code": 422, "msg": "The page does not exist or is not published", "data": null})
    );
    // Tasks are private to their key.
    let id = emu.create("right").await["data"]["taskId"].as_str().unwrap().to_owned();
    assert_eq!(emu.record("right", &id).await["code"], 200);
    let other = start(&[]);
    assert_eq!(other.record("someone-else", &id).await["code"], 422);
}

#[tokio::test]
async fn request_fixtures_valid_accepted_invalid_rejected_with_422() {
    let emu = start(&["--rate-limit", "0"]);
    let cases: Vec<Value> = serde_json::from_str(include_str!("../../tests/fixtures/requests.json")).unwrap();
    for case in cases {
        let r = emu
            .post_json("/api/v1/jobs/createTask", "fixtures", &case["body"])
            .await;
        let issues = case["issues"].as_array().unwrap();
        // Kie ignores fields it does not know; the SDK refuses them before sending.
        let only_unknown = issues.iter().all(|i| i[1] == "unknown_field");
        if issues.is_empty() || only_unknown {
            assert_eq!(r["code"], 200, "{}: {r}", case["name"]);
        } else {
            assert_eq!(r["code"], 422, "{}: {r}", case["name"]);
            let path = issues[0][0].as_str().unwrap();
            assert!(r["msg"].as_str().unwrap().contains(path), "{}: {r}", case["name"]);
        }
    }
}

#[tokio::test]
async fn quirk_500_for_missing_fields() {
    let emu = start(&["--quirk-500-required"]);
    let r = emu
        .post_json(
            "/api/v1/jobs/createTask",
            "k",
            &json!({"model": "kling/v2-1-standard", "input": {"prompt": "x"}}),
        )
        .await;
    assert_eq!(r, json!({"code": 500, "msg": "This field is required", "data": null}));
}

#[tokio::test]
async fn rate_limit_drops_the_21st_task_in_10_seconds() {
    let emu = start(&[]);
    for i in 0..20 {
        assert_eq!(emu.create("rl").await["code"], 200, "task {i}");
    }
    let r = emu.post("/api/v1/jobs/createTask", "rl", &body()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 429);
    assert_eq!(emu.create("another-key").await["code"], 200, "limits are per key");
    assert_eq!(emu.counters("rl").await["tasksCreated"], 20, "dropped, not queued");

    let strict = start(&["--http-429", "--rate-limit", "1"]);
    assert_eq!(strict.create("h").await["code"], 200);
    let r = strict.post("/api/v1/jobs/createTask", "h", &body()).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 429);
}

#[tokio::test]
async fn credits_fall_as_tasks_succeed_and_402_when_exhausted() {
    let emu = start(&["--timeline", "0,0,100", "--credits", "60"]);
    assert_eq!(
        emu.get_json("/api/v1/chat/credit", "c").await["data"].as_f64().unwrap(),
        60.0
    );
    emu.create("c").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        emu.get_json("/api/v1/chat/credit", "c").await["data"].as_f64().unwrap(),
        35.0
    );
    let mut ten = body();
    ten["input"]["duration"] = json!("10");
    assert_eq!(emu.post_json("/api/v1/jobs/createTask", "c", &ten).await["code"], 402);
    assert_eq!(emu.counters("c").await["tasksCreated"], 1);
}

#[tokio::test]
async fn download_url_for_kie_files_only() {
    let emu = start(&["--timeline", "0,0,0"]);
    let id = emu.create("d").await["data"]["taskId"].as_str().unwrap().to_owned();
    let url = format!("{}/results/{id}.mp4", emu.base);
    let r = emu
        .post_json("/api/v1/common/download-url", "d", &json!({"url": url}))
        .await;
    assert_eq!(r["code"], 200);
    let temp = r["data"].as_str().unwrap();
    let got = emu.http.get(temp).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(&got.bytes().await.unwrap()[4..8], b"ftyp");
    let r = emu
        .post_json(
            "/api/v1/common/download-url",
            "d",
            &json!({"url": "https://elsewhere.example/x.mp4"}),
        )
        .await;
    assert_eq!(r["code"], 422);
}

#[tokio::test]
async fn uploads_check_content_and_serve_files_back() {
    let emu = start(&[]);
    let up = |path: &str| format!("{}/upload/api/{path}", emu.base);
    // multipart
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(png()).file_name("cat.png"))
        .text("uploadPath", "images/test")
        .text("fileName", "cat.png");
    let r: Value = json_of(emu.http.post(up("file-stream-upload")).bearer_auth("u").multipart(form)).await;
    assert_eq!(r["success"], true, "{r}");
    assert_eq!(r["data"]["mimeType"], "image/png");
    assert_eq!(r["data"]["fileSize"], png().len());
    assert!(r["data"]["uploadedAt"].as_str().unwrap().ends_with('Z'));
    let download = r["data"]["downloadUrl"].as_str().unwrap().to_owned();
    let served = emu.http.get(&download).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), png(), "byte-identical");
    // base64, with and without the data: prefix
    let b64 = base64::engine::general_purpose::STANDARD.encode(png());
    for data in [b64.clone(), format!("data:image/png;base64,{b64}")] {
        let r = emu
            .post_json(
                "/upload/api/file-base64-upload",
                "u",
                &json!({"base64Data": data, "uploadPath": "b64"}),
            )
            .await;
        assert_eq!(r["success"], true, "{r}");
    }
    // url upload: loopback only
    let r = emu
        .post_json(
            "/upload/api/file-url-upload",
            "u",
            &json!({"fileUrl": download, "uploadPath": "copied", "fileName": "c.png"}),
        )
        .await;
    assert_eq!(r["success"], true, "{r}");
    let r = emu
        .post_json(
            "/upload/api/file-url-upload",
            "u",
            &json!({"fileUrl": "https://example.com/a.png", "uploadPath": "x"}),
        )
        .await;
    assert_eq!(r["success"], false);
    assert!(r["msg"].as_str().unwrap().contains("loopback"));
    // content checks
    for (bytes, why) in [
        (b"GIF89a............".to_vec(), "gif"),
        (b"just some text".to_vec(), "text"),
    ] {
        let b = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let r = emu
            .post_json(
                "/upload/api/file-base64-upload",
                "u",
                &json!({"base64Data": b, "uploadPath": "x", "fileName": "renamed.png"}),
            )
            .await;
        assert_eq!(
            (r["success"].clone(), r["code"].clone()),
            (json!(false), json!(400)),
            "{why}"
        );
    }
    let mut big = png();
    big.resize(11 * 1024 * 1024, 0);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(big))
        .text("uploadPath", "x");
    let r: Value = json_of(emu.http.post(up("file-stream-upload")).bearer_auth("u").multipart(form)).await;
    assert_eq!(r["success"], false);
    assert!(r["msg"].as_str().unwrap().contains("10 MB"));
    // parameters and path tricks
    let b = base64::engine::general_purpose::STANDARD.encode(png());
    for (path, name) in [
        ("", "a.png"),
        ("/abs", "a.png"),
        ("a/../b", "a.png"),
        ("ok", "../evil.png"),
        ("ok", "dir/evil.png"),
    ] {
        let r = emu
            .post_json(
                "/upload/api/file-base64-upload",
                "u",
                &json!({"base64Data": b, "uploadPath": path, "fileName": name}),
            )
            .await;
        assert_eq!(r["success"], false, "{path} {name}");
    }
    let r = emu
        .post_json(
            "/upload/api/file-base64-upload",
            "u",
            &json!({"base64Data": "%%%", "uploadPath": "x"}),
        )
        .await;
    assert_eq!(r["msg"], "Base64 decoding failed: Invalid Base64 format");
    let r: Value = json_of(emu.http.post(up("file-base64-upload")).body("{}")).await;
    assert_eq!(r["code"], 401);
}

type Seen = Arc<Mutex<Vec<(Option<String>, Option<String>, Value)>>>;

async fn receiver() -> (String, Seen) {
    use axum::{routing::post, Router};
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let s = s.clone();
            async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
                s.lock().unwrap().push((
                    h("x-webhook-timestamp"),
                    h("x-webhook-signature"),
                    serde_json::from_str(&body).unwrap(),
                ));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn wait_for(seen: &Seen, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen.lock().unwrap().len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn callbacks_are_signed_and_can_be_redelivered() {
    let (url, seen) = receiver().await;
    let emu = start(&[
        "--timeline",
        "50,50,50",
        "--webhook-hmac-key",
        "hmac-secret",
        "--callback-deliveries",
        "2",
    ]);
    let mut b = body();
    b["callBackUrl"] = json!(url);
    let id = emu.post_json("/api/v1/jobs/createTask", "cb", &b).await["data"]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_for(&seen, 2).await;
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "delivered twice");
    for (ts, sig, body) in got {
        let ts = ts.expect("timestamp header");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"hmac-secret").unwrap();
        mac.update(format!("{id}.{ts}").as_bytes());
        let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(sig.as_deref(), Some(expected.as_str()));
        assert_eq!(body["code"], 200);
        assert_eq!(body["data"]["taskId"], id.as_str());
        assert_eq!(body["data"]["state"], "success");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(now.abs_diff(ts.parse().unwrap()) < 10, "seconds, not ms");
    }

    // Unsigned without a key; failure bodies carry code 501 and the failCode.
    let (url, seen) = receiver().await;
    let plain = start(&["--timeline", "0,0,50"]);
    plain
        .fault(json!({"fault": "task", "outcome": "fail", "failCode": 500, "failMsg": "Internal server error"}))
        .await;
    let mut b = body();
    b["callBackUrl"] = json!(url);
    plain.post_json("/api/v1/jobs/createTask", "cb", &b).await;
    wait_for(&seen, 1).await;
    let (ts, sig, body) = seen.lock().unwrap()[0].clone();
    assert_eq!((ts, sig), (None, None));
    assert_eq!(body["code"], 501);
    assert_eq!(body["data"]["state"], "fail");
    assert_eq!(body["data"]["failCode"], 500);
    assert_eq!(body["data"]["consumeCredits"], 0);
}

#[tokio::test]
async fn every_fault_kind() {
    let emu = start(&["--timeline", "100,100,100"]);
    // latency
    emu.fault(json!({"fault": "latency", "ms": 300, "route": "credit", "key": "f"}))
        .await;
    let t = Instant::now();
    assert_eq!(emu.get_json("/api/v1/chat/credit", "f").await["code"], 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    // envelope codes, HTTP 200
    for (fault, code) in [
        ("unauthorized", 401),
        ("insufficient_credits", 402),
        ("rate_limit", 429),
        ("daily_limit", 433),
        ("maintenance", 455),
        ("server_error", 500),
        ("feature_disabled", 505),
    ] {
        emu.fault(json!({"fault": fault, "route": "createTask", "key": "f"}))
            .await;
        let r = emu.post("/api/v1/jobs/createTask", "f", &body()).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], code, "{fault}");
    }
    assert_eq!(
        emu.counters("f").await["tasksCreated"],
        0,
        "error faults create nothing"
    );
    // real HTTP 429 with Retry-After
    emu.fault(json!({"fault": "http_429", "route": "recordInfo", "key": "f", "retryAfter": 2}))
        .await;
    let r = emu
        .http
        .get(format!("{}/api/v1/jobs/recordInfo?taskId=x", emu.base))
        .bearer_auth("f")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    // non-JSON and broken bodies
    emu.fault(json!({"fault": "html_502", "key": "f", "times": 1})).await;
    let r = emu
        .http
        .get(format!("{}/api/v1/chat/credit", emu.base))
        .bearer_auth("f")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.text().await.unwrap().starts_with("<html>"));
    emu.fault(json!({"fault": "cloudflare_403", "key": "f"})).await;
    let r = emu
        .http
        .get(format!("{}/api/v1/chat/credit", emu.base))
        .bearer_auth("f")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (403, "error code: 1010".to_owned())
    );
    emu.fault(json!({"fault": "truncated_json", "key": "f"})).await;
    let text = emu
        .http
        .get(format!("{}/api/v1/chat/credit", emu.base))
        .bearer_auth("f")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err());
    // reset: createTask creates the task, then the answer is lost
    emu.fault(json!({"fault": "reset", "route": "createTask", "key": "f"}))
        .await;
    let r = emu
        .http
        .post(format!("{}/api/v1/jobs/createTask", emu.base))
        .bearer_auth("f")
        .body(body().to_string())
        .send()
        .await;
    let lost = match r {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(lost, "the answer never arrives whole");
    assert_eq!(emu.counters("f").await["tasksCreated"], 1, "but the task exists");
    // scripted task outcomes
    for (code, expected) in [
        (json!(501), json!(501)),
        (json!("500"), json!("500")),
        (Value::Null, Value::Null),
    ] {
        emu.fault(json!({"fault": "task", "outcome": "fail", "failCode": code, "key": "f"}))
            .await;
        let id = emu.create("f").await["data"]["taskId"].as_str().unwrap().to_owned();
        tokio::time::sleep(Duration::from_millis(400)).await;
        let r = emu.record("f", &id).await;
        assert_eq!(r["data"]["state"], "fail");
        assert_eq!(r["data"]["failCode"], expected);
    }
    emu.fault(json!({"fault": "task", "outcome": "never", "key": "f"}))
        .await;
    let id = emu.create("f").await["data"]["taskId"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(emu.record("f", &id).await["data"]["state"], "generating");
    emu.fault(json!({"fault": "task", "invisibleMs": 300, "messageKey": true, "key": "f"}))
        .await;
    let id = emu.create("f").await["data"]["taskId"].as_str().unwrap().to_owned();
    assert_eq!(emu.record("f", &id).await["msg"], "recordInfo is null");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let r = emu.record("f", &id).await;
    assert_eq!(
        (r["code"].clone(), r["message"].clone(), r.get("msg").is_none()),
        (json!(200), json!("success"), true)
    );
    // faults are scoped by key
    emu.fault(json!({"fault": "maintenance", "key": "someone"})).await;
    assert_eq!(emu.get_json("/api/v1/chat/credit", "f").await["code"], 200);
    assert_eq!(emu.get_json("/api/v1/chat/credit", "someone").await["code"], 455);
    // unknown faults are refused clearly
    let r = emu
        .http
        .post(format!("{}/__emulator/faults", emu.base))
        .body(r#"{"fault":"gremlins"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn bodies_are_capped_and_cors_is_open() {
    let emu = start(&[]);
    let big = "x".repeat(2 * 1024 * 1024);
    let r = emu
        .http
        .post(format!("{}/api/v1/jobs/createTask", emu.base))
        .bearer_auth("k")
        .body(big)
        .send()
        .await;
    assert_refused_as_too_large(r);
    // A fresh connection: the server closed the one that carried the oversized body.
    let r = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{}/api/v1/jobs/createTask", emu.base))
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let counters: Value = reqwest::Client::new()
        .get(format!("{}/__emulator/counters", emu.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(counters["requests"].is_object());
}

#[tokio::test]
async fn hostile_input_is_refused_clearly_without_crashing() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut emu = start(&["--request-timeout-ms", "500"]);
    // Deep JSON: refused, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let r: Value = json_of(
        emu.http
            .post(format!("{}/api/v1/jobs/createTask", emu.base))
            .bearer_auth("h")
            .body(deep),
    )
    .await;
    assert_eq!(r["code"], 422, "nesting past serde_json's limit is refused");
    let deep = format!(
        "{{\"model\":\"kling/v2-1-standard\",\"input\":{}{}}}",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let r: Value = json_of(
        emu.http
            .post(format!("{}/api/v1/jobs/createTask", emu.base))
            .bearer_auth("h")
            .body(deep),
    )
    .await;
    assert_eq!(r["code"], 422);
    // Invalid UTF-8.
    let r: Value = json_of(
        emu.http
            .post(format!("{}/api/v1/jobs/createTask", emu.base))
            .bearer_auth("h")
            .body(vec![0xff, 0xfe, b'{', 0xc3]),
    )
    .await;
    assert_eq!(r["code"], 422);
    // Uploads over the body cap.
    let big = vec![b'A'; 17 * 1024 * 1024];
    let r = emu
        .http
        .post(format!("{}/upload/api/file-base64-upload", emu.base))
        .bearer_auth("h")
        .body(big)
        .send()
        .await;
    assert_refused_as_too_large(r);
    emu.http = reqwest::Client::new();
    // A slow body (slowloris) is cut off by the request timeout; bounded: at most 20 writes.
    let addr = emu.base.trim_start_matches("http://").to_owned();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    sock.write_all(
        b"POST /api/v1/jobs/createTask HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer h\r\nContent-Length: 1000\r\n\r\n{",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if sock.write_all(b" ").await.is_err() {
            break;
        }
        let mut buf = [0u8; 512];
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(1), sock.read(&mut buf)).await {
            answer.extend_from_slice(&buf[..n]);
            if n == 0 || !answer.is_empty() {
                break;
            }
        }
    }
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // Still serving.
    assert_eq!(emu.create("h").await["code"], 200);
}

#[tokio::test]
async fn url_uploads_never_follow_redirects() {
    use axum::{response::Redirect, routing::get, Router};
    let app = Router::new().route(
        "/img.png",
        get(|| async { Redirect::temporary("https://example.com/img.png") }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/img.png", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let emu = start(&[]);
    let r = emu
        .post_json(
            "/upload/api/file-url-upload",
            "u",
            &json!({"fileUrl": url, "uploadPath": "x"}),
        )
        .await;
    assert_eq!(r["success"], false);
    assert!(r["msg"].as_str().unwrap().contains("redirect"), "{r}");
    for bad in [
        "http://10.0.0.1/a.png",
        "http://user@127.0.0.1/a.png",
        "file:///etc/passwd",
        "http://localhost.evil.example/a.png",
    ] {
        let r = emu
            .post_json(
                "/upload/api/file-url-upload",
                "u",
                &json!({"fileUrl": bad, "uploadPath": "x"}),
            )
            .await;
        assert_eq!(r["success"], false, "{bad}");
    }
}

/// The server answers 413 as soon as it sees the length and closes the connection; a client
/// still sending may see the reset before it reads the 413. Either way nothing was accepted.
fn assert_refused_as_too_large(r: reqwest::Result<reqwest::Response>) {
    match r {
        Ok(resp) => assert_eq!(resp.status(), 413),
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
}
