//! The contract's rules applied to a createTask request, reporting every problem at once as
//! `Issue { path, code, message, limit }`. Pure: reads through `View`, so the same rules run on
//! JS objects in the wasm and on `serde_json::Value` natively and in the emulator.
//! It never coerces or trims: a value is sent as given or reported.
//!
//! Layout: `issue` (what is reported), `url` (the URL rule), `suggest` (did-you-mean); the rules
//! of each field are here.

mod issue;
mod suggest;
mod url;

pub use issue::{Issue, IssueCode};
pub use suggest::{did_you_mean, push_suggestion};
pub use url::check_http_url;

use crate::contract::{assumptions, DURATIONS, MODEL_ID, NEGATIVE_PROMPT_MAX_CHARS, PROMPT_MAX_CHARS};
use crate::model::{itoa, CreateTaskBody, CreateTaskInput, Duration};
use crate::view::{Kind, View};

pub static BODY_FIELDS: [&str; 3] = ["model", "callBackUrl", "input"];
pub static INPUT_FIELDS: [&str; 5] = ["prompt", "image_url", "duration", "negative_prompt", "cfg_scale"];
/// The body-relevant option of `createTask(input, options)`; the shell adds its own (signal,
/// timeouts) to the list it checks against.
pub static OPTION_FIELDS: [&str; 1] = ["callBackUrl"];

/// Whether validation also copies the long texts into the body it returns. `Check` leaves
/// `prompt` and `negative_prompt` empty: the wasm then builds the JS body from the caller's own
/// strings, never copying a 5000-character prompt across the boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Build,
    Check,
}

/// Validates a whole createTask body `{ model?, callBackUrl?, input }`.
pub fn validate_body<V: View>(body: &V) -> Result<CreateTaskBody, Vec<Issue>> {
    validate_body_in(Mode::Build, body)
}

/// `validate_body`, choosing whether long texts are copied.
pub fn validate_body_in<V: View>(mode: Mode, body: &V) -> Result<CreateTaskBody, Vec<Issue>> {
    let mut issues = Vec::new();
    if body.kind() != Kind::Object {
        issues.push(type_issue("", "the request must be an object", body.kind()));
        return Err(issues);
    }
    for key in body.unknown_keys(&BODY_FIELDS) {
        let hint = if INPUT_FIELDS.contains(&key.as_str()) {
            Some("; input fields go inside \"input\"")
        } else {
            None
        };
        issues.push(unknown_field(&key, &key, &BODY_FIELDS, hint));
    }
    if let Some(model) = body.field("model") {
        if model.kind() == Kind::Unreadable {
            issues.push(unreadable("model"));
        } else if model.string().as_deref() != Some(MODEL_ID) {
            let mut m = String::from("model must be \"");
            m.push_str(MODEL_ID);
            m.push_str("\" (this SDK is for Kling V2.1 Standard only)");
            issues.push(Issue::new("model", IssueCode::NotOneOf, m));
        }
    }
    let call_back_url = check_callback_url(body.field("callBackUrl").as_ref(), "callBackUrl", &mut issues);
    let input = match body.field("input") {
        None => {
            issues.push(Issue::new("input", IssueCode::Missing, "input is required".into()));
            None
        }
        Some(v) => check_input(mode, &v, &mut issues),
    };
    finish(input, call_back_url, issues)
}

/// Validates `input` plus the options of `createTask(input, { callBackUrl })`: the shape the
/// client API takes. Paths are the body's (`input.prompt`, `callBackUrl`).
pub fn validate_input<V: View>(input: &V, options: Option<&V>) -> Result<CreateTaskBody, Vec<Issue>> {
    validate_input_in(Mode::Build, input, options, &OPTION_FIELDS)
}

/// `validate_input`, choosing whether long texts are copied, with the option names the
/// caller's method accepts (`known`, which includes `callBackUrl`).
pub fn validate_input_in<V: View>(
    mode: Mode,
    input: &V,
    options: Option<&V>,
    known: &'static [&'static str],
) -> Result<CreateTaskBody, Vec<Issue>> {
    let mut issues = Vec::new();
    let call_back_url = match options {
        Some(opts) if check_options(opts, known, &mut issues) => {
            check_callback_url(opts.field("callBackUrl").as_ref(), "callBackUrl", &mut issues)
        }
        _ => None,
    };
    let checked = check_input(mode, input, &mut issues);
    finish(checked, call_back_url, issues)
}

/// `uploadPath` as the upload API takes it: a relative folder like "images/2026" (no leading or
/// trailing `/`, no empty or dot segments, no backslash or control character, at most
/// `UPLOAD_PATH_MAX_CHARS`). The SDK checks it before sending; the emulator refuses the same.
pub fn check_upload_path(p: &str) -> Result<(), &'static str> {
    // Byte scans: str's char searchers cost more wasm than the whole check.
    if p.is_empty()
        || p.len() > crate::contract::assumptions::UPLOAD_PATH_MAX_CHARS
        || p.starts_with('/')
        || p.ends_with('/')
        || p.as_bytes().split(|b| *b == b'/').any(|s| {
            s.is_empty() || s == b"." || s == b".." || s.iter().any(|b| *b == b'\\' || *b < 0x20 || *b == 0x7f)
        })
    {
        Err("must be a relative path like \"images/2026\" (no leading or trailing /, no empty or dot segments, at most 200 characters)")
    } else {
        Ok(())
    }
}

/// A method's options: absent, or an object with only `known` keys (each unknown one an
/// issue, with the name it was probably meant to be). True when it is an object to read.
pub fn check_options<V: View>(opts: &V, known: &'static [&'static str], issues: &mut Vec<Issue>) -> bool {
    match opts.kind() {
        Kind::Null | Kind::Undefined => false,
        Kind::Object => {
            for key in opts.unknown_keys(known) {
                let mut path = String::from("options.");
                path.push_str(&key);
                issues.push(unknown_field(&path, &key, known, None));
            }
            true
        }
        other => {
            issues.push(type_issue("options", "options must be an object", other));
            false
        }
    }
}

fn finish(
    input: Option<CreateTaskInput>,
    call_back_url: Option<String>,
    issues: Vec<Issue>,
) -> Result<CreateTaskBody, Vec<Issue>> {
    match input {
        Some(input) if issues.is_empty() => Ok(CreateTaskBody::new(input, call_back_url)),
        _ => Err(issues),
    }
}

fn check_input<V: View>(mode: Mode, input: &V, issues: &mut Vec<Issue>) -> Option<CreateTaskInput> {
    if input.kind() != Kind::Object {
        issues.push(type_issue("input", "input must be an object", input.kind()));
        return None;
    }
    let before = issues.len();
    for key in input.unknown_keys(&INPUT_FIELDS) {
        let mut path = String::from("input.");
        path.push_str(&key);
        let hint = if key == "callBackUrl" || key == "model" {
            Some("; it belongs at the top level (or in the options), not in input")
        } else {
            None
        };
        issues.push(unknown_field(&path, &key, &INPUT_FIELDS, hint));
    }
    let prompt = check_text(mode, input, "prompt", true, PROMPT_MAX_CHARS, issues);
    let negative_prompt = check_text(mode, input, "negative_prompt", false, NEGATIVE_PROMPT_MAX_CHARS, issues);
    let image_url = check_image_url(input.field("image_url").as_ref(), issues);
    let duration = check_duration(input.field("duration").as_ref(), issues);
    let cfg_tenths = check_cfg_scale(input.field("cfg_scale").as_ref(), issues);
    if issues.len() != before {
        return None;
    }
    Some(CreateTaskInput {
        prompt: prompt?,
        image_url: image_url?,
        duration: duration?,
        negative_prompt,
        cfg_scale: f64::from(cfg_tenths?) / 10.0,
    })
}

fn check_text<V: View>(
    mode: Mode,
    input: &V,
    key: &'static str,
    required: bool,
    max: usize,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    let mut path = String::from("input.");
    path.push_str(key);
    let value = match input.field(key) {
        None if required => {
            let mut m = String::from(key);
            m.push_str(" is required");
            issues.push(Issue::new(&path, IssueCode::Missing, m));
            return None;
        }
        None => return None,
        Some(v) => v,
    };
    let Some((count, blank)) = value.text_stats() else {
        let mut m = String::from(key);
        m.push_str(" must be a string");
        issues.push(type_issue(&path, &m, value.kind()));
        return None;
    };
    if required && blank {
        let mut m = String::from(key);
        m.push_str(" must not be empty or only whitespace");
        issues.push(Issue::new(&path, IssueCode::Empty, m));
        return None;
    }
    if count > max {
        issues.push(too_long(&path, key, max, count));
        return None;
    }
    match mode {
        Mode::Build => value.string(),
        Mode::Check => Some(String::new()),
    }
}

fn check_duration<V: View>(value: Option<&V>, issues: &mut Vec<Issue>) -> Option<Duration> {
    const PATH: &str = "input.duration";
    let Some(value) = value else {
        return Duration::parse(assumptions::DEFAULT_DURATION);
    };
    if value.kind() == Kind::Unreadable {
        issues.push(unreadable(PATH));
        return None;
    }
    match value.string() {
        Some(s) => match Duration::parse(&s) {
            Some(d) => Some(d),
            None => {
                issues.push(Issue::new(
                    PATH,
                    IssueCode::NotOneOf,
                    duration_message("duration must be \"5\" or \"10\"", None),
                ));
                None
            }
        },
        None => {
            issues.push(Issue::new(
                PATH,
                IssueCode::InvalidType,
                duration_message("duration must be the string \"5\" or \"10\"", Some(value.kind())),
            ));
            None
        }
    }
}

fn duration_message(base: &str, got: Option<Kind>) -> String {
    let mut m = String::from(base);
    if let Some(kind) = got {
        m.push_str(" (got ");
        m.push_str(kind.noun());
        m.push(')');
    }
    m.push_str("; accepted values: ");
    for (i, d) in DURATIONS.iter().enumerate() {
        if i > 0 {
            m.push_str(", ");
        }
        m.push('"');
        m.push_str(d);
        m.push('"');
    }
    m
}

fn check_cfg_scale<V: View>(value: Option<&V>, issues: &mut Vec<Issue>) -> Option<u8> {
    const PATH: &str = "input.cfg_scale";
    let Some(value) = value else {
        return Some(assumptions::DEFAULT_CFG_SCALE_TENTHS);
    };
    let Some(x) = value.number() else {
        issues.push(type_issue(
            PATH,
            "cfg_scale must be a number from 0 to 1 in steps of 0.1",
            value.kind(),
        ));
        return None;
    };
    cfg_scale_tenths(x).map_err(|issue| issues.push(issue)).ok()
}

/// The tenths of a cfg_scale, or why it is not acceptable.
pub fn cfg_scale_tenths(x: f64) -> Result<u8, Issue> {
    const PATH: &str = "input.cfg_scale";
    if !x.is_finite() {
        return Err(Issue::new(
            PATH,
            IssueCode::NotFinite,
            "cfg_scale must be a finite number (not NaN or Infinity)".into(),
        ));
    }
    let tol = assumptions::CFG_SCALE_TOLERANCE;
    if x < -tol {
        return Err(Issue::new(PATH, IssueCode::OutOfRange, "cfg_scale must be at least 0".into()).with_limit(0.0));
    }
    if x > 1.0 + tol {
        return Err(Issue::new(PATH, IssueCode::OutOfRange, "cfg_scale must be at most 1".into()).with_limit(1.0));
    }
    let scaled = x * 10.0;
    let tenths = (scaled + 0.5) as i64;
    if (scaled - tenths as f64).abs() > tol * 10.0 {
        return Err(Issue::new(
            PATH,
            IssueCode::NotOnStep,
            "cfg_scale must be a multiple of 0.1 (0, 0.1, ..., 1)".into(),
        )
        .with_limit(0.1));
    }
    Ok(tenths.clamp(0, 10) as u8)
}

fn check_image_url<V: View>(value: Option<&V>, issues: &mut Vec<Issue>) -> Option<String> {
    const PATH: &str = "input.image_url";
    let Some(value) = value else {
        issues.push(Issue::new(
            PATH,
            IssueCode::Missing,
            "image_url is required (upload a local image with uploadImage first)".into(),
        ));
        return None;
    };
    if too_long_url(value, PATH, issues) {
        return None;
    }
    let Some(url) = value.string() else {
        issues.push(type_issue(PATH, "image_url must be a URL string", value.kind()));
        return None;
    };
    let head = url.trim_start().get(..5).unwrap_or("");
    if head.eq_ignore_ascii_case("data:") || head.eq_ignore_ascii_case("blob:") {
        issues.push(Issue::new(
            PATH,
            IssueCode::NeedsUpload,
            "image_url must be an http(s) URL the API can fetch; upload data: and blob: images with client.uploadImage() and pass the returned url".into(),
        ));
        return None;
    }
    http_url(url, PATH, "image_url", issues)
}

fn check_callback_url<V: View>(value: Option<&V>, path: &str, issues: &mut Vec<Issue>) -> Option<String> {
    let value = value?;
    if too_long_url(value, path, issues) {
        return None;
    }
    let Some(url) = value.string() else {
        issues.push(type_issue(path, "callBackUrl must be a URL string", value.kind()));
        return None;
    };
    http_url(url, path, "callBackUrl", issues)
}

/// `url` when it passes the URL rule; else an `invalid_url` issue at `path` saying why.
fn http_url(url: String, path: &str, field: &str, issues: &mut Vec<Issue>) -> Option<String> {
    match check_http_url(&url) {
        Ok(()) => Some(url),
        Err(why) => {
            let mut m = String::from(field);
            m.push_str(" must be an absolute http(s) URL: ");
            m.push_str(why);
            issues.push(Issue::new(path, IssueCode::InvalidUrl, m));
            None
        }
    }
}

/// A URL string over the limit, judged by its length alone (so it is never copied).
fn too_long_url<V: View>(value: &V, path: &str, issues: &mut Vec<Issue>) -> bool {
    let max = assumptions::URL_MAX_CHARS;
    match value.text_stats() {
        Some((count, _)) if count > max => {
            issues.push(too_long(path, "the URL", max, count));
            true
        }
        _ => false,
    }
}

/// "`what` must be at most `max` characters (got `count`)", with the limit.
pub fn too_long(path: &str, what: &str, max: usize, count: usize) -> Issue {
    let mut m = String::from(what);
    m.push_str(" must be at most ");
    m.push_str(&itoa(max as u64));
    m.push_str(" characters (got ");
    m.push_str(&itoa(count as u64));
    m.push(')');
    Issue::new(path, IssueCode::TooLong, m).with_limit(max as f64)
}

/// The issue for a value whose read threw.
pub fn unreadable(path: &str) -> Issue {
    Issue::new(
        path,
        IssueCode::Unreadable,
        "reading it threw (a throwing getter or a revoked Proxy)".into(),
    )
}

fn type_issue(path: &str, what: &str, got: Kind) -> Issue {
    if got == Kind::Unreadable {
        return unreadable(if path.is_empty() { "request" } else { path });
    }
    let mut m = String::from(what);
    m.push_str(" (got ");
    m.push_str(got.noun());
    m.push(')');
    Issue::new(path, IssueCode::InvalidType, m)
}

fn unknown_field(path: &str, key: &str, known: &[&str], hint: Option<&str>) -> Issue {
    let mut m = String::from("unknown field \"");
    m.push_str(key);
    m.push('"');
    if let Some(h) = hint {
        m.push_str(h);
    } else if !push_suggestion(&mut m, key, known) {
        m.push_str("; known fields: ");
        for (i, k) in known.iter().enumerate() {
            if i > 0 {
                m.push_str(", ");
            }
            m.push_str(k);
        }
    }
    Issue::new(path, IssueCode::UnknownField, m)
}

/// A constructor's option it does not take (`KlingClient`, `ProxyCore`): `unknown option "x"`,
/// with the name it likely meant.
pub fn unknown_option(key: &str, known: &[&str]) -> Issue {
    let mut m = String::from("unknown option \"");
    m.push_str(key);
    m.push('"');
    push_suggestion(&mut m, key, known);
    Issue::new(key, IssueCode::UnknownField, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn ok_input() -> Value {
        json!({"prompt": "a cat", "image_url": "https://x.test/cat.png"})
    }

    fn issues_of(body: Value) -> Vec<Issue> {
        validate_body(&body).err().unwrap_or_default()
    }

    fn with_input(field: &str, value: Value) -> Vec<Issue> {
        let mut input = ok_input();
        input[field] = value;
        issues_of(json!({ "input": input }))
    }

    fn codes(issues: &[Issue]) -> Vec<(&str, &str)> {
        issues.iter().map(|i| (i.path.as_str(), i.code.as_str())).collect()
    }

    #[test]
    fn vendor_example_validates_clean() {
        let body: Value = serde_json::from_str(include_str!("../../tests/fixtures/vendor-example.json")).unwrap();
        let parsed = validate_body(&body).expect("vendor example is valid");
        assert_eq!(
            serde_json::from_str::<Value>(&serde_json::to_string(&parsed).unwrap()).unwrap(),
            body
        );
    }

    #[test]
    fn defaults_are_sent_explicitly() {
        let body = validate_body(&json!({ "input": ok_input() })).unwrap();
        let v: Value = serde_json::from_str(&serde_json::to_string(&body).unwrap()).unwrap();
        assert_eq!(v["input"]["duration"], "5");
        assert_eq!(v["input"]["cfg_scale"], 0.5);
        assert_eq!(v["model"], MODEL_ID);
        assert!(v["input"].get("negative_prompt").is_none());
    }

    #[test]
    fn prompt_edges_count_utf16_units() {
        assert!(with_input("prompt", json!("a".repeat(5000))).is_empty());
        let too_long = with_input("prompt", json!("a".repeat(5001)));
        assert_eq!(codes(&too_long), [("input.prompt", "too_long")]);
        assert_eq!(too_long[0].limit, Some(5000.0));
        assert!(too_long[0].message.contains("5001"));
        // CJK: one unit each, so 4000 characters (12000 UTF-8 bytes) is fine; 5000 too.
        assert!(with_input("prompt", json!("猫".repeat(5000))).is_empty());
        assert_eq!(
            codes(&with_input("prompt", json!("猫".repeat(5001)))),
            [("input.prompt", "too_long")]
        );
        // A surrogate pair counts 2: 4998 + 2 = 5000 passes, 4999 + 2 = 5001 does not.
        assert!(with_input("prompt", json!(format!("{}😀", "a".repeat(4998)))).is_empty());
        assert_eq!(
            codes(&with_input("prompt", json!(format!("{}😀", "a".repeat(4999))))),
            [("input.prompt", "too_long")]
        );
    }

    #[test]
    fn negative_prompt_edges() {
        assert!(with_input("negative_prompt", json!("b".repeat(499))).is_empty());
        assert!(with_input("negative_prompt", json!("模".repeat(500))).is_empty());
        let issues = with_input("negative_prompt", json!("b".repeat(501)));
        assert_eq!(codes(&issues), [("input.negative_prompt", "too_long")]);
        assert_eq!(issues[0].limit, Some(500.0));
        assert_eq!(
            codes(&with_input("negative_prompt", json!(3))),
            [("input.negative_prompt", "invalid_type")]
        );
        assert!(with_input("negative_prompt", Value::Null).is_empty());
    }

    #[test]
    fn prompt_required_and_not_blank() {
        assert_eq!(codes(&with_input("prompt", json!(""))), [("input.prompt", "empty")]);
        assert_eq!(
            codes(&with_input("prompt", json!(" \n\t "))),
            [("input.prompt", "empty")]
        );
        // Blank as JavaScript's trim() sees it, so native and wasm agree.
        assert_eq!(
            codes(&with_input("prompt", json!("\u{feff}\u{3000}\u{2028}"))),
            [("input.prompt", "empty")]
        );
        assert!(
            with_input("prompt", json!("\u{85}")).is_empty(),
            "U+0085 is not whitespace to JS"
        );
        assert_eq!(codes(&with_input("prompt", Value::Null)), [("input.prompt", "missing")]);
        assert_eq!(
            codes(&with_input("prompt", json!(["a"]))),
            [("input.prompt", "invalid_type")]
        );
    }

    #[test]
    fn duration_only_strings_5_and_10() {
        assert!(with_input("duration", json!("5")).is_empty());
        assert!(with_input("duration", json!("10")).is_empty());
        for bad in [json!("6"), json!("05"), json!(""), json!("5s")] {
            assert_eq!(codes(&with_input("duration", bad)), [("input.duration", "not_one_of")]);
        }
        let numeric = with_input("duration", json!(5));
        assert_eq!(codes(&numeric), [("input.duration", "invalid_type")]);
        assert!(numeric[0].message.contains("\"5\", \"10\"") && numeric[0].message.contains("a number"));
    }

    #[test]
    fn cfg_scale_grid_with_tolerance() {
        for good in [0.0, 0.1, 0.5, 1.0, 0.1 + 0.2, 0.7000000000000001, 1.0 - 1e-12] {
            assert!(with_input("cfg_scale", json!(good)).is_empty(), "{good}");
        }
        assert_eq!(cfg_scale_tenths(0.1 + 0.2), Ok(3));
        for (bad, code) in [
            (1.1, "out_of_range"),
            (-0.1, "out_of_range"),
            (0.05, "not_on_step"),
            (0.55, "not_on_step"),
            (1.0001, "out_of_range"),
        ] {
            assert_eq!(
                codes(&with_input("cfg_scale", json!(bad))),
                [("input.cfg_scale", code)],
                "{bad}"
            );
        }
        assert_eq!(cfg_scale_tenths(f64::NAN).unwrap_err().code, IssueCode::NotFinite);
        assert_eq!(cfg_scale_tenths(f64::INFINITY).unwrap_err().code, IssueCode::NotFinite);
        assert_eq!(
            codes(&with_input("cfg_scale", json!("0.5"))),
            [("input.cfg_scale", "invalid_type")]
        );
        let body =
            validate_body(&json!({"input": {"prompt": "p", "image_url": "https://a.b/c", "cfg_scale": 0.1 + 0.2}}))
                .unwrap();
        assert!(serde_json::to_string(&body).unwrap().ends_with("\"cfg_scale\":0.3}}"));
    }

    #[test]
    fn urls() {
        for good in [
            "https://x.test/a.png",
            "http://127.0.0.1:8080/a.webp",
            "HTTPS://X.TEST",
            "https://[::1]:9/x",
            "https://user@h.test/x?q=1#f",
        ] {
            assert!(with_input("image_url", json!(good)).is_empty(), "{good}");
        }
        for bad in [
            "x.test/a.png",
            "ftp://x.test/a",
            "https://",
            "https:///a",
            "https://a b/c",
            "https://x.test:0/",
            "https://x.test:99999/",
            "https://x.test:abc/",
            "",
        ] {
            assert_eq!(
                codes(&with_input("image_url", json!(bad))),
                [("input.image_url", "invalid_url")],
                "{bad}"
            );
        }
        for upload in [
            "data:image/png;base64,iVBOR",
            "blob:https://x.test/1234",
            "DATA:image/png;base64,AA",
        ] {
            let issues = with_input("image_url", json!(upload));
            assert_eq!(codes(&issues), [("input.image_url", "needs_upload")]);
            assert!(issues[0].message.contains("uploadImage"));
        }
        let cb = issues_of(json!({"input": ok_input(), "callBackUrl": "not a url"}));
        assert_eq!(codes(&cb), [("callBackUrl", "invalid_url")]);
        assert!(issues_of(json!({"input": ok_input(), "callBackUrl": "https://cb.test/hook"})).is_empty());
    }

    #[test]
    fn unknown_fields_suggest_the_right_name() {
        let issues = issues_of(json!({
            "callbackUrl": "https://cb.test",
            "input": {"prompt": "p", "imageUrl": "https://x.test/a.png", "negativePrompt": "n", "cfgScale": 0.5, "zzz": 1}
        }));
        let msg = |p: &str| {
            issues
                .iter()
                .find(|i| i.path == p)
                .map(|i| i.message.clone())
                .unwrap_or_default()
        };
        assert!(msg("callbackUrl").contains("did you mean \"callBackUrl\""));
        assert!(msg("input.imageUrl").contains("did you mean \"image_url\""));
        assert!(msg("input.negativePrompt").contains("did you mean \"negative_prompt\""));
        assert!(msg("input.cfgScale").contains("did you mean \"cfg_scale\""));
        assert!(msg("input.zzz").contains("known fields"));
        assert!(issues
            .iter()
            .any(|i| i.path == "input.image_url" && i.code == IssueCode::Missing));
        // Typos too.
        assert_eq!(did_you_mean("promt", &INPUT_FIELDS), Some("prompt"));
        assert_eq!(did_you_mean("duraton", &INPUT_FIELDS), Some("duration"));
    }

    #[test]
    fn unknown_options_name_the_option_and_the_likely_one() {
        let known = ["apiKey", "baseUrl"];
        let typo = unknown_option("baseURL", &known);
        assert_eq!(typo.path, "baseURL");
        assert_eq!(typo.code, IssueCode::UnknownField);
        assert_eq!(typo.message, "unknown option \"baseURL\"; did you mean \"baseUrl\"?");
        assert_eq!(unknown_option("zzz", &known).message, "unknown option \"zzz\"");
        let mut m = String::from("unknown limit");
        assert!(!push_suggestion(&mut m, "zzz", &known));
        assert_eq!(m, "unknown limit");
    }

    #[test]
    fn shape_errors() {
        assert_eq!(codes(&issues_of(json!("x"))), [("", "invalid_type")]);
        assert_eq!(codes(&issues_of(json!({}))), [("input", "missing")]);
        assert_eq!(codes(&issues_of(json!({"input": []}))), [("input", "invalid_type")]);
        assert_eq!(
            codes(&issues_of(json!({"input": ok_input(), "model": "kling/v2-1-pro"}))),
            [("model", "not_one_of")]
        );
        let misplaced = issues_of(json!({"prompt": "p", "input": ok_input()}));
        assert!(misplaced[0].message.contains("inside \"input\""));
    }

    #[test]
    fn all_issues_reported_at_once() {
        let issues = issues_of(
            json!({"input": {"prompt": "", "duration": 5, "cfg_scale": 2, "negative_prompt": "x".repeat(600)}}),
        );
        assert_eq!(issues.len(), 5, "{issues:?}");
    }

    #[test]
    fn options_form() {
        let input = ok_input();
        let opts = json!({"callBackUrl": "https://cb.test/x"});
        let body = validate_input(&input, Some(&opts)).unwrap();
        assert_eq!(body.call_back_url.as_deref(), Some("https://cb.test/x"));
        let bad = json!({"callbackUrl": "https://cb.test/x"});
        let issues = validate_input(&input, Some(&bad)).unwrap_err();
        assert_eq!(codes(&issues), [("options.callbackUrl", "unknown_field")]);
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::Null)),
            (0u8..12).prop_map(|t| json!(f64::from(t) / 10.0)),
            "\\PC{0,40}".prop_map(Value::String),
            prop_oneof![Just("5"), Just("10"), Just("https://x.test/a.png"), Just("data:x")].prop_map(|s| json!(s)),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            let keys = prop_oneof![
                Just("prompt".to_string()),
                Just("image_url".to_string()),
                Just("duration".to_string()),
                Just("negative_prompt".to_string()),
                Just("cfg_scale".to_string()),
                Just("input".to_string()),
                Just("callBackUrl".to_string()),
                Just("model".to_string()),
                "[a-zA-Z_]{1,12}",
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys, inner), 0..7).prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics_and_accepted_bodies_round_trip(v in arb_json()) {
            for candidate in [v.clone(), json!({"input": v.clone()})] {
                if let Ok(body) = validate_body(&candidate) {
                    let text = serde_json::to_string(&body).unwrap();
                    let reparsed: Value = serde_json::from_str(&text).unwrap();
                    let again = validate_body(&reparsed).expect("an accepted body stays valid");
                    prop_assert_eq!(&again, &body);
                    prop_assert_eq!(serde_json::to_string(&again).unwrap(), text);
                }
            }
        }

        #[test]
        fn any_prompt_length_is_judged_by_utf16_units(s in "\\PC{0,60}", n in 0usize..3) {
            let prompt = s.repeat(n * 100);
            let ok = with_input("prompt", json!(prompt)).is_empty();
            let expected = !crate::view::is_blank(&prompt) && prompt.encode_utf16().count() <= PROMPT_MAX_CHARS;
            prop_assert_eq!(ok, expected);
        }
    }
}

#[cfg(test)]
mod fixture_tests {
    use super::*;
    use serde_json::Value;

    /// The shared request table (tests/fixtures/requests.json), also run by the JS tests and
    /// against the emulator.
    #[test]
    fn request_fixtures() {
        let cases: Vec<Value> = serde_json::from_str(include_str!("../../tests/fixtures/requests.json")).unwrap();
        assert!(cases.len() >= 20);
        for case in cases {
            let got: Vec<(String, String)> = validate_body(&case["body"])
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|i| (i.path, i.code.as_str().to_owned()))
                .collect();
            let want: Vec<(String, String)> = case["issues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned()))
                .collect();
            assert_eq!(got, want, "{}", case["name"]);
        }
    }
}
