//! wasm-bindgen-test of the exported API, in Node and (WASM_BINDGEN_USE_BROWSER=1) headless
//! Chromium, against the emulator whose URL scripts/test.sh bakes in as KIE_EMULATOR_URL.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use kie_kling::js::{build_create_task_body, validate, KlingClient};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const EMULATOR: Option<&str> = option_env!("KIE_EMULATOR_URL");

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn raw_fetch(url: &str, init: &JsValue) -> Promise;
}

fn obj(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn s(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

fn emulator() -> String {
    EMULATOR
        .expect("run through scripts/test.sh, which starts the emulator")
        .to_owned()
}

fn unique_key(name: &str) -> String {
    let mut k = String::from(name);
    k.push('-');
    k.push_str(&(js_sys::Math::random() * 1e12).floor().to_string());
    k
}

async fn admin(path: &str, method: &str, body: &str) -> JsValue {
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &method.into()).unwrap();
    if !body.is_empty() {
        Reflect::set(&init, &"body".into(), &body.into()).unwrap();
    }
    let resp: web_sys::Response = JsFuture::from(raw_fetch(&(emulator() + path), &init))
        .await
        .unwrap()
        .dyn_into()
        .unwrap();
    JsFuture::from(resp.json().unwrap()).await.unwrap()
}

async fn fault(rule: &str) {
    admin("/__emulator/faults", "POST", rule).await;
}

async fn counter(key: &str, route: &str) -> f64 {
    let c = admin(&format!("/__emulator/counters?key={key}"), "GET", "").await;
    get(&get(&c, "requests"), route).as_f64().unwrap_or(0.0)
}

fn client(key: &str, extra: &str) -> KlingClient {
    let mut opts = format!(
        r#"{{"apiKey":"{key}","baseUrl":"{}","dangerouslyAllowBrowser":true"#,
        emulator()
    );
    opts.push_str(extra);
    opts.push('}');
    KlingClient::new(Some(obj(&opts))).unwrap_or_else(|e| panic!("client: {:?}", e))
}

const INPUT: &str = r#"{"prompt":"a cat","image_url":"https://example.com/cat.png"}"#;

#[wasm_bindgen_test]
fn validate_reports_all_issues() {
    let r = validate(obj(
        r#"{"input":{"prompt":"","duration":5,"cfg_scale":0.05,"imageUrl":"x"}}"#,
    ));
    assert_eq!(get(&r, "ok"), JsValue::FALSE);
    let issues: Array = get(&r, "issues").dyn_into().unwrap();
    let paths: Vec<String> = issues.iter().map(|i| s(&i, "path")).collect();
    assert_eq!(
        paths,
        [
            "input.imageUrl",
            "input.prompt",
            "input.image_url",
            "input.duration",
            "input.cfg_scale"
        ]
    );
    let ok = validate(obj(
        r#"{"input":{"prompt":"猫","image_url":"https://x.test/a.png","cfg_scale":0.30000000000000004}}"#,
    ));
    assert_eq!(get(&ok, "ok"), JsValue::TRUE);
}

#[wasm_bindgen_test]
fn build_body_cleans_cfg_and_throws_kie_errors() {
    let input = obj(r#"{"prompt":"p","image_url":"https://x.test/a.png","cfg_scale":0.30000000000000004}"#);
    let body = build_create_task_body(input, None).unwrap();
    let text = JSON::stringify(&body).unwrap().as_string().unwrap();
    assert_eq!(
        text,
        r#"{"model":"kling/v2-1-standard","input":{"prompt":"p","image_url":"https://x.test/a.png","duration":"5","cfg_scale":0.3}}"#
    );
    let err = build_create_task_body(obj(r#"{"prompt":" "}"#), None).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&err, "kind"), "validation");
    assert_eq!(s(&err, "name"), "KieError");
}

#[wasm_bindgen_test]
async fn full_task_life_with_progress() {
    let key = unique_key("life");
    let states = Array::new();
    let push = Function::new_with_args("t", "this.push(t.state)").bind0(&states);
    let opts = Object::new();
    Reflect::set(&opts, &"onProgress".into(), &push).unwrap();
    Reflect::set(&opts, &"pollIntervalMs".into(), &30.into()).unwrap();
    let out = client(&key, "").generate(obj(INPUT), Some(opts.into())).await.unwrap();
    let seen: Vec<String> = states.iter().filter_map(|v| v.as_string()).collect();
    assert_eq!(seen, ["waiting", "queuing", "generating", "success"]);
    assert!(s(&out, "videoUrl").ends_with(".mp4"));
    assert_eq!(s(&get(&out, "task"), "state"), "success");
}

#[wasm_bindgen_test]
async fn create_is_not_retried_when_ambiguous_but_is_on_429() {
    let key = unique_key("create500");
    fault(&format!(
        r#"{{"fault":"server_error","route":"createTask","key":"{key}"}}"#
    ))
    .await;
    let err = client(&key, "").create_task(obj(INPUT), None).await.unwrap_err();
    assert_eq!(s(&err, "kind"), "server");
    assert_eq!(get(&err, "maybeCreated"), JsValue::TRUE);
    assert_eq!(counter(&key, "createTask").await, 1.0);

    let key = unique_key("create429");
    fault(&format!(
        r#"{{"fault":"rate_limit","route":"createTask","key":"{key}","retryAfter":0}}"#
    ))
    .await;
    let ok = client(&key, "").create_task(obj(INPUT), None).await.unwrap();
    assert_eq!(s(&ok, "taskId").len(), 32);
    assert_eq!(counter(&key, "createTask").await, 2.0);
}

#[wasm_bindgen_test]
async fn abort_cuts_a_request_short() {
    let key = unique_key("abort");
    fault(&format!(
        r#"{{"fault":"latency","ms":3000,"route":"recordInfo","key":"{key}"}}"#
    ))
    .await;
    let controller = web_sys::AbortController::new().unwrap();
    let opts = Object::new();
    Reflect::set(&opts, &"signal".into(), &controller.signal()).unwrap();
    let c = client(&key, "");
    let abort = Function::new_no_args("this.abort()").bind0(&controller);
    let t0 = js_sys::Date::now();
    let _ = web_sys_set_timeout(&abort, 100);
    let err = c.get_task("x".into(), Some(opts.into())).await.unwrap_err();
    let took = js_sys::Date::now() - t0;
    assert!(
        took < 100.0 + 50.0,
        "rejected {took} ms after the start; the abort came at 100 ms"
    );
    assert_eq!(s(&err, "name"), "AbortError");
    assert_eq!(s(&err, "kind"), "aborted");
}

#[wasm_bindgen_test]
async fn error_kinds_from_faults() {
    for (rule, kind) in [
        ("cloudflare_403", "blocked"),
        ("truncated_json", "invalid_response"),
        ("html_502", "server"),
        ("unauthorized", "unauthorized"),
        ("redirect", "http"),
    ] {
        let key = unique_key(rule);
        fault(&format!(r#"{{"fault":"{rule}","key":"{key}"}}"#)).await;
        let err = client(&key, r#","maxRetries":0"#)
            .get_task("x".into(), None)
            .await
            .unwrap_err();
        assert_eq!(s(&err, "kind"), kind, "{rule}");
    }
}

#[wasm_bindgen_test]
fn a_key_in_a_browser_page_needs_the_opt_in() {
    let in_page = kie_kling::client::in_browser_page();
    let attempt = KlingClient::new(Some(obj(r#"{"apiKey":"sk-page","baseUrl":"http://127.0.0.1:9"}"#)));
    assert_eq!(attempt.is_err(), in_page, "refused exactly in a browser page");
    if let Err(e) = attempt {
        assert!(s(&e, "message").contains("baseUrl"));
        assert!(!s(&e, "message").contains("sk-page"));
    }
    assert!(
        KlingClient::new(Some(obj(r#"{"baseUrl":"http://127.0.0.1:9"}"#))).is_ok(),
        "no key (proxy mode) is always fine"
    );
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn web_sys_set_timeout(f: &Function, ms: i32) -> JsValue;
}

#[wasm_bindgen(inline_js = "
export async function signForTest(key, message) {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(message)));
  return btoa(String.fromCharCode(...sig));
}
export function pngBlob() {
  const b = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='), c => c.charCodeAt(0));
  return new Blob([b], { type: 'image/png' });
}
export function gifFile() { return new Blob(['GIF89a......'], { type: 'image/png' }); }
")]
extern "C" {
    #[wasm_bindgen(js_name = signForTest)]
    fn sign_for_test(key: &str, message: &str) -> Promise;
    #[wasm_bindgen(js_name = pngBlob)]
    fn png_blob() -> JsValue;
    #[wasm_bindgen(js_name = gifFile)]
    fn gif_file() -> JsValue;
}

#[wasm_bindgen_test]
async fn blob_upload_then_create() {
    let key = unique_key("upload");
    let c = client(&key, &format!(r#","uploadBaseUrl":"{}/upload""#, emulator()));
    let up = c.upload_image(png_blob(), None).await.unwrap();
    assert_eq!(s(&up, "mimeType"), "image/png");
    let input = obj(INPUT);
    Reflect::set(&input, &"image_url".into(), &get(&up, "url")).unwrap();
    assert_eq!(s(&c.create_task(input, None).await.unwrap(), "taskId").len(), 32);
    let err = c.upload_image(gif_file(), None).await.unwrap_err();
    assert_eq!(s(&err, "kind"), "validation");
    assert_eq!(counter(&key, "upload").await, 1.0, "the GIF never left");
}

#[wasm_bindgen_test]
async fn verify_callback_on_webcrypto() {
    let now = (js_sys::Date::now() / 1000.0).floor().to_string();
    let body = r#"{"code":200,"msg":"ok","data":{"taskId":"abc123","state":"success","resultJson":"{\"resultUrls\":[\"https://x.test/v.mp4\"]}"}}"#;
    let sig = JsFuture::from(sign_for_test("hk", &format!("abc123.{now}")))
        .await
        .unwrap();
    let headers = Object::new();
    Reflect::set(&headers, &"X-Webhook-Timestamp".into(), &now.clone().into()).unwrap();
    Reflect::set(&headers, &"X-Webhook-Signature".into(), &sig).unwrap();
    let opts = |key: &str| {
        let o = Object::new();
        Reflect::set(&o, &"body".into(), &body.into()).unwrap();
        Reflect::set(&o, &"headers".into(), &headers).unwrap();
        Reflect::set(&o, &"hmacKey".into(), &key.into()).unwrap();
        JsValue::from(o)
    };
    let wrong = kie_kling::js::verify_callback(opts("not-hk")).await.unwrap_err();
    assert_eq!(s(&wrong, "reason"), "signature_mismatch");
    let task = kie_kling::js::verify_callback(opts("hk")).await.unwrap();
    assert_eq!(s(&task, "taskId"), "abc123");
    let again = kie_kling::js::verify_callback(opts("hk")).await.unwrap_err();
    assert_eq!(s(&again, "reason"), "replayed");
}
