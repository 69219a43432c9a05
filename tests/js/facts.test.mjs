// One source for each fact: the limits and defaults live in src/contract.rs (and the callback
// window in src/callback.rs); the shipped types, the README and the demo page repeat them for
// readers, so this test reads the Rust constants and fails when any repetition drifts, and checks
// that the running SDK reports the same limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { validate } from "kie-kling";

const root = new URL("../../", import.meta.url).pathname;
const read = (path) => readFileSync(root + path, "utf8");
const rust = read("src/contract.rs") + read("src/callback.rs");
/** A Rust constant's value, with `_` separators, `* 1024` products and `N.0 * 60_000.0` evaluated. */
const constant = (name) => {
  const m = rust.match(new RegExp(`const ${name}: [\\w&'; \\[\\]]+ = ([^;]+);`));
  assert.ok(m, `src/contract.rs has no ${name}`);
  return m[1].replaceAll("_", "").split("*").map((f) => Number(f.trim())).reduce((a, b) => a * b, 1);
};
const types = read("js/index.d.ts");
const readme = read("README.md");

test("the shipped types, the README and the demo repeat src/contract.rs exactly", () => {
  const prompt = constant("PROMPT_MAX_CHARS");
  const negative = constant("NEGATIVE_PROMPT_MAX_CHARS");
  const imageMb = constant("IMAGE_MAX_BYTES") / 1024 / 1024;
  const facts = [
    [types, new RegExp(`At most ${prompt} characters[^]*?prompt: string`), "prompt limit in CreateTaskInput"],
    [types, new RegExp(`At most ${negative} characters[^]*?negative_prompt\\?: string`), "negative_prompt limit"],
    [types, new RegExp(`at most ${imageMb} MB`), "image size in checkImage/uploadImage"],
    [types, new RegExp(`Default ${constant("DEFAULT_REQUEST_TIMEOUT_MS")}\\.`), "requestTimeoutMs default"],
    [types, new RegExp(`Default ${constant("DEFAULT_WAIT_TIMEOUT_MS")} \\(15 minutes\\)`), "waitTimeoutMs default"],
    [types, new RegExp(`Default ${constant("DEFAULT_TOLERANCE_SECONDS")}\\.`), "callback tolerance default"],
    [types, new RegExp(`one of its last ${constant("MAX_REMEMBERED_CREATES")}\\)[^]*?up to ${constant("NOT_YET_VISIBLE_GRACE_MS") / 1000} s`), "not-yet-visible grace"],
    [types, new RegExp(`${constant("CREDITS_5S")} per 5 s video, ${constant("CREDITS_10S")} per 10 s`), "credits per task"],
    [readme, new RegExp(`\`input.prompt\` \\| required string, not blank, at most ${prompt} characters`), "README prompt rule"],
    [readme, new RegExp(`\`input.negative_prompt\` \\| optional string, at most ${negative} characters`), "README negative_prompt rule"],
    [readme, new RegExp(`at most ${imageMb} MB`), "README image size"],
  ];
  for (const [text, pattern, what] of facts) assert.match(text, pattern, what);
  // The demo page asks the SDK for its limits instead of repeating them.
  const page = read("www/app.js");
  for (const n of [prompt, negative, constant("IMAGE_MAX_BYTES")]) assert.ok(!new RegExp(`\\b${n}\\b`).test(page), `www/app.js hard-codes ${n}`);
});

test("the running SDK reports the limits of src/contract.rs", () => {
  const over = validate({ input: { prompt: "x".repeat(constant("PROMPT_MAX_CHARS") + 1), image_url: "https://example.com/a.png", negative_prompt: "x".repeat(constant("NEGATIVE_PROMPT_MAX_CHARS") + 1) } });
  const limit = (path) => over.issues.find((i) => i.path === path)?.limit;
  assert.equal(limit("input.prompt"), constant("PROMPT_MAX_CHARS"));
  assert.equal(limit("input.negative_prompt"), constant("NEGATIVE_PROMPT_MAX_CHARS"));
});

test("push: the proxy and the SDK's reader use src/contract.rs's route, header and stream cap", () => {
  const text = (name) => rust.match(new RegExp(`const ${name}: &str = "([^"]+)";`))?.[1];
  const [path, header] = [text("EVENTS_PATH"), text("EVENTS_HEADER")];
  assert.ok(path && header, "src/contract.rs names the push route and header");
  const proxy = read("js/proxy.js");
  const runtime = read("js/runtime.js");
  assert.ok(proxy.includes(`const EVENTS_PATH = "${path}";`), "js/proxy.js EVENTS_PATH");
  assert.ok(proxy.includes(`"${header}": EVENTS_PATH`), "js/proxy.js offers the header");
  assert.ok(proxy.includes(`access-control-expose-headers": "retry-after, x-served-from, ${header}"`), "a page may read the header");
  assert.ok(runtime.includes(`res.headers.get("${header}")`), "js/runtime.js reads the header");
  assert.match(proxy, new RegExp(`const STREAM_MAX_MS = ${constant("STREAM_MAX_MS") / 60_000} \\* 60_000;`), "js/proxy.js stream cap");
});
