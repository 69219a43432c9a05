//! Fuzzing every parser and validator that sees outside data, natively, for a bounded time:
//! random JSON and byte mutations of the contract's examples (tests/fixtures/fuzz-seeds).
//! A short smoke run is part of `cargo test`; `npm run fuzz` runs each target FUZZ_SECONDS
//! (default 60) with `--ignored`. Any panic is a crash (its input is saved under
//! target/fuzz-crashes/); any single execution over 1 s is a hang.
#![cfg(not(target_arch = "wasm32"))]

use kie_kling::{callback, image, policy, validate, wire};
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// xorshift64*: deterministic per seed, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

const KEYS: [&str; 16] = [
    "prompt",
    "image_url",
    "duration",
    "negative_prompt",
    "cfg_scale",
    "input",
    "model",
    "callBackUrl",
    "taskId",
    "task_id",
    "state",
    "resultJson",
    "resultUrls",
    "failCode",
    "data",
    "code",
];
const STRINGS: [&str; 14] = [
    "",
    " ",
    "5",
    "10",
    "kling/v2-1-standard",
    "https://x.test/a.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "success",
    "fail",
    "waiting",
    "{\"resultUrls\":[\"https://a/b.mp4\"]}",
    "{bad",
    "😀猫\u{feff}\u{85}",
    "recordInfo is null",
];

fn random_string(r: &mut Rng) -> String {
    if r.chance(2) {
        return STRINGS[r.below(STRINGS.len())].to_owned();
    }
    let max = if r.chance(20) { 6000 } else { 40 };
    let len = r.below(max);
    (0..len)
        .map(|_| {
            char::from_u32(match r.below(4) {
                0 => r.below(128) as u32,
                1 => 0x4e00 + r.below(500) as u32,
                2 => 0x1f600 + r.below(50) as u32,
                _ => r.below(0x10ffff) as u32,
            })
            .unwrap_or('?')
        })
        .collect()
}

fn random_json(r: &mut Rng, depth: usize) -> Value {
    match r.below(if depth == 0 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(r.chance(2)),
        2 => match r.below(5) {
            0 => json!(r.below(12) as f64 / 10.0),
            1 => json!(f64::from_bits(r.next()))
                .is_null()
                .then(|| json!(0))
                .unwrap_or_else(|| json!(f64::from_bits(r.next()))),
            2 => json!(r.next() as i64),
            3 => json!(5),
            _ => json!(-0.1),
        },
        3 | 4 => json!(random_string(r)),
        5 => Value::Array((0..r.below(4)).map(|_| random_json(r, depth - 1)).collect()),
        _ => Value::Object(
            (0..r.below(7))
                .map(|_| {
                    (
                        if r.chance(4) {
                            random_string(r)
                        } else {
                            KEYS[r.below(KEYS.len())].to_owned()
                        },
                        random_json(r, depth - 1),
                    )
                })
                .collect(),
        ),
    }
}

fn mutate(r: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=r.below(8) {
        let at = r.below(b.len() + 1);
        match r.below(4) {
            0 if at < b.len() => b[at] = r.next() as u8,
            1 => b.insert(at, b"{}[]\",:0123456789.-e\\nul"[r.below(24)]),
            2 if at < b.len() => {
                b.remove(at);
            }
            _ => {
                let from = r.below(b.len().max(1));
                let to = (from + r.below(32)).min(b.len());
                let chunk = b[from..to].to_vec();
                b.splice(at..at, chunk);
            }
        }
    }
    b
}

fn seeds() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fuzz-seeds");
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    out.sort();
    out
}

type Target = fn(&mut Rng, &[Vec<u8>]);

fn json_input(r: &mut Rng, seeds: &[Vec<u8>]) -> (Vec<u8>, Option<Value>) {
    if r.chance(2) {
        let v = random_json(r, 4);
        (v.to_string().into_bytes(), Some(v))
    } else {
        let pick = r.below(seeds.len());
        let bytes = mutate(r, &seeds[pick]);
        let v = serde_json::from_slice(&bytes).ok();
        (bytes, v)
    }
}

fn target_validate(r: &mut Rng, seeds: &[Vec<u8>]) {
    let (_, v) = json_input(r, seeds);
    let v = v.unwrap_or_else(|| random_json(r, 3));
    for mode in [validate::Mode::Build, validate::Mode::Check] {
        let _ = validate::validate_body_in(mode, &v);
        let _ = validate::validate_body_in(mode, &json!({ "input": v }));
        let _ = validate::validate_input_in(mode, &v, Some(&v), &validate::OPTION_FIELDS);
    }
    if let Ok(body) = validate::validate_body(&v) {
        let again: Value =
            serde_json::from_str(&serde_json::to_string(&body).unwrap()).expect("accepted bodies serialise to JSON");
        assert_eq!(validate::validate_body(&again).expect("and stay valid"), body);
    }
}

fn target_record(r: &mut Rng, seeds: &[Vec<u8>]) {
    let (bytes, v) = json_input(r, seeds);
    let text = String::from_utf8_lossy(&bytes);
    let status = [200u16, 200, 403, 429, 500, 502, 418][r.below(7)];
    if let Ok(Some(data)) = wire::read_envelope(status, v.as_ref(), &text) {
        let _ = wire::decode_task(&data);
    }
    if let Some(v) = &v {
        let _ = wire::decode_task(v);
        let _ = wire::decode_task(&v["data"]);
    }
}

fn target_callback(r: &mut Rng, seeds: &[Vec<u8>]) {
    let (_, v) = json_input(r, seeds);
    if let Some(v) = &v {
        let _ = callback::signed_task_id(v);
        let _ = wire::decode_task(&v["data"]);
    }
    let ts = if r.chance(2) {
        (r.next() % 3_000_000_000).to_string()
    } else {
        random_string(r)
    };
    let now = (r.next() % 3_000_000_000) as f64;
    let tolerance = r.below(1000) as f64;
    if let Ok(t) = callback::check_timestamp(&ts, now, tolerance) {
        let mut guard = callback::ReplayGuard::default();
        assert!(guard.first_time(&ts, t, now, tolerance));
        assert!(
            !guard.first_time(&ts, t, now, tolerance),
            "a replay inside the window is caught"
        );
    }
    let _ = callback::signed_message(&random_string(r), &ts);
}

fn target_image(r: &mut Rng, _: &[Vec<u8>]) {
    let heads: [&[u8]; 4] = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF\0\0\0\0WEBP", b"GIF89a"];
    let mut bytes: Vec<u8> = if r.chance(2) {
        heads[r.below(4)].to_vec()
    } else {
        Vec::new()
    };
    bytes.extend((0..r.below(64)).map(|_| r.next() as u8));
    let _ = image::sniff_image(&bytes);
    let _ = image::check_image(&bytes);
    let mut text = if r.chance(2) {
        String::from("data:image/png;base64,")
    } else {
        String::new()
    };
    text.push_str(&random_string(r));
    let (payload, _) = image::base64_payload(&text);
    let _ = image::check_base64_image(payload);
    let b64: String = (0..r.below(64))
        .map(|_| b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ "[r.below(67)] as char)
        .collect();
    let _ = image::check_base64_image(&b64);
}

fn target_retry_after(r: &mut Rng, _: &[Vec<u8>]) {
    let samples = ["Sun, 06 Nov 1994 08:49:37 GMT", "120", "1.5", "0", ""];
    let v = if r.chance(3) {
        samples[r.below(5)].to_owned()
    } else {
        random_string(r)
    };
    if let Some(ms) = policy::parse_retry_after(&v) {
        assert!(ms.is_finite() && ms >= 0.0, "{v:?} -> {ms}");
    }
    let kinds = kie_kling::error::ErrorKind::ALL;
    let op = [
        policy::Operation::Create,
        policy::Operation::Read,
        policy::Operation::Upload,
    ][r.below(3)];
    if let Some(d) = policy::plan_retry(
        op,
        kinds[r.below(kinds.len())],
        r.below(40) as u32,
        r.below(12) as u32,
        None,
        f64::from_bits(r.next()),
    ) {
        assert!((0.0..=policy::RETRY_AFTER_MAX_MS.max(policy::RETRY_CAP_MS + 2000.0)).contains(&d));
    }
    let d = policy::poll_delay_ms(f64::from_bits(r.next()), f64::from_bits(r.next()));
    assert!(d > 0.0 && d <= policy::POLL_MAX_MS, "{d}");
}

fn target_url(r: &mut Rng, _: &[Vec<u8>]) {
    let mut s = ["https://", "http://", "HTTPS://", "", "data:", "blob:"][r.below(6)].to_owned();
    s.push_str(&random_string(r));
    let _ = validate::check_http_url(&s);
    let _ = validate::did_you_mean(&random_string(r), &KEYS);
}

const TARGETS: [(&str, Target); 6] = [
    ("request validation", target_validate),
    ("recordInfo envelope + decoder", target_record),
    ("callback parser + verifier checks", target_callback),
    ("upload content sniffing", target_image),
    ("Retry-After + retry/poll policy", target_retry_after),
    ("URL check + did-you-mean", target_url),
];

fn run(seconds_per_target: f64) {
    let seeds = seeds();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rows = Vec::new();
    let mut crashes_total = 0;
    for (i, (name, target)) in TARGETS.iter().enumerate() {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1) ^ std::process::id() as u64);
        let deadline = Instant::now() + Duration::from_secs_f64(seconds_per_target);
        let (mut execs, mut crashes, mut hangs) = (0u64, 0u64, 0u64);
        while Instant::now() < deadline {
            let state = r.0;
            let t = Instant::now();
            let ok = catch_unwind(AssertUnwindSafe(|| target(&mut r, &seeds))).is_ok();
            if t.elapsed() > Duration::from_secs(1) {
                hangs += 1;
            }
            if !ok {
                crashes += 1;
                let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/fuzz-crashes");
                let _ = std::fs::create_dir_all(dir);
                let _ = std::fs::write(
                    format!("{dir}/{i}-{state:x}.txt"),
                    format!("target {name}, rng state {state:#x}"),
                );
            }
            execs += 1;
        }
        crashes_total += crashes + hangs;
        rows.push(format!("| {name} | {execs} | {crashes} | {hangs} |"));
    }
    let _ = std::panic::take_hook();
    println!(
        "\n| fuzz target | executions | crashes | hangs |\n|---|---|---|---|\n{}",
        rows.join("\n")
    );
    assert_eq!(
        crashes_total, 0,
        "crashes or hangs: inputs are noted under target/fuzz-crashes/"
    );
}

#[test]
fn fuzz_smoke() {
    run(0.5);
}

#[test]
#[ignore = "long: run by `npm run fuzz` (FUZZ_SECONDS per target, default 60)"]
fn fuzz_long() {
    let seconds = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    run(seconds);
}
