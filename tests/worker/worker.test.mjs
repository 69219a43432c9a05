// The package and kie-kling/proxy's example Worker in real workerd (through miniflare, with KV
// and the Rate Limiting binding), against the emulator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { mkdirSync, copyFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { KlingClient, KieError } from "kie-kling";
import { startEmulator, validInput, PNG_1X1 } from "../js/emulator.mjs";

const root = new URL("../../", import.meta.url).pathname;
const out = `${root}target/worker-test/`;
const KEY = "sk-WORKER-SECRET-9f8e7d6c5b";
const HMAC = "whk-WORKER-HMAC-0a1b2c3d";
const ORIGIN = "http://localhost:5173";
const TOKENS = "tok-alice:alice,tok-bob:bob,tok-carol:carol,tok-dave:dave";
let emu, mf, probe, workerUrl;

/** The package as an installed copy would resolve it under workerd conditions (the example
 *  depends on the published name; here it is this checkout's build). */
const thisPackage = {
  name: "this-package",
  setup(b) {
    b.onResolve({ filter: /^kie-kling(\/proxy)?$/ }, (a) => ({ path: `${root}pkg/${a.path.endsWith("/proxy") ? "proxy.workerd.js" : "workerd.js"}` }));
  },
};

/** Bundles a Worker the way wrangler does: workerd conditions, the .wasm left as a module. */
async function bundle(entry, name) {
  mkdirSync(out, { recursive: true });
  await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", conditions: ["workerd", "worker"],
    external: ["*.wasm"], outfile: `${out}${name}.js`, minify: true, logLevel: "error", plugins: [thisPackage] });
  for (const wasm of ["kie_kling_bg.wasm", "kie_kling_proxy_bg.wasm"]) copyFileSync(`${root}pkg/${wasm}`, `${out}${wasm}`);
  return `${out}${name}.js`;
}

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const modules = (script) => [
  { type: "ESModule", path: script },
  { type: "CompiledWasm", path: `${out}kie_kling_bg.wasm` },
  { type: "CompiledWasm", path: `${out}kie_kling_proxy_bg.wasm` },
];

before(async () => {
  // --require-user-agent: Workers send no User-Agent of their own; the SDK's must get through.
  emu = await startEmulator(["--timeline", "100,100,100", "--webhook-hmac-key", HMAC, "--api-key", KEY, "--require-user-agent"]);
  const script = await bundle(`${root}examples/worker/src/index.js`, "worker");
  const port = await freePort();
  workerUrl = `http://127.0.0.1:${port}`;
  mf = new Miniflare({
    modulesRoot: out, modules: modules(script), compatibilityDate: "2025-01-01", host: "127.0.0.1", port,
    kvNamespaces: ["TASKS"],
    ratelimits: { CREATE_LIMITER: { simple: { limit: 4, period: 60 } } },
    durableObjects: { KIE_PACER: "KiePacer", KIE_TASK_HUB: "KieTaskHub" },
    bindings: {
      // A short window, so the pacing test takes seconds: 3 creates per 1.5 s for the key, paced
      // against 1.8 s (the margin the real pacer keeps over Kie's window, scaled alike).
      KIE_PACER_OPTIONS: JSON.stringify({ perWindow: 3, windowMs: 1_800 }),
      KIE_API_KEY: KEY, KIE_WEBHOOK_HMAC_KEY: HMAC, KIE_BASE_URL: emu.base, KIE_UPLOAD_BASE_URL: emu.uploadBase,
      PUBLIC_URL: workerUrl, ALLOWED_ORIGINS: ORIGIN, APP_TOKENS: TOKENS, CREDITS_PER_DAY: "1000",
    },
  });
  await mf.ready;
  const probeScript = await bundle(`${root}tests/worker/probe.js`, "probe");
  probe = new Miniflare({ modulesRoot: out, modules: modules(probeScript), compatibilityDate: "2025-01-01", bindings: { KEY, EMULATOR: emu.base } });
});
after(async () => { await mf?.dispose(); await probe?.dispose(); await emu?.close(); });

const seen = [];
async function call(path, init = {}) {
  const r = await fetch(workerUrl + path, init);
  const text = await r.text();
  seen.push(text, JSON.stringify([...r.headers]));
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) };
}
const asCaller = (token) => new KlingClient({ baseUrl: workerUrl, headers: { authorization: `Bearer ${token}` } });
const counted = async (route) => (await emu.counters(KEY)).requests?.[route] ?? 0;

test("the package's functions run inside workerd", async () => {
  const r = await probe.dispatchFetch("http://probe/");
  const body = await r.json();
  assert.deepEqual(body.validate, ["invalid_type"]);
  assert.equal(body.body.input.cfg_scale, 0.3);
  assert.equal(body.parsed, "500");
  assert.equal(body.verify, "true malformed", "a signature that is not base64 of 32 bytes");
  assert.equal(body.image, "image/png");
  assert.equal(body.generated, "success");
});

test("the boundary holds in workerd: 100,000 hostile calls of each class, then a valid generate", async () => {
  const r = await probe.dispatchFetch("http://probe/hostile?n=100000");
  const body = await r.json();
  console.log(`workerd hostile classes (ms): ${JSON.stringify(body.ms)}; wasm memory ${body.memory}`);
  assert.equal(body.error, undefined);
  assert.equal(body.after, "success");
  assert.ok(body.memory[1] - body.memory[0] <= 1024 * 1024, `wasm memory grew ${body.memory[1] - body.memory[0]} B`);
});

test("browser-style client -> Worker -> emulator -> signed callback -> KV -> success without another Kie call", async () => {
  const client = asCaller("tok-alice"); // no key, as in a page: uploads go to the Worker too
  const up = await client.uploadImage(new Blob([PNG_1X1], { type: "image/png" }));
  assert.match(up.url, /\/files\//);
  const sent = async () => (await (await fetch(`${emu.base}/__emulator/counters`)).json()).callbacksSent ?? 0;
  const sentBefore = await sent();
  const { taskId } = await client.createTask({ ...validInput(), image_url: up.url });
  const until = Date.now() + 10_000;
  while ((await sent()) <= sentBefore && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const kv = await mf.getKVNamespace("TASKS");
  while (!(await kv.get(`task:${taskId}`)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await kv.get(`owner:${taskId}`), "u:alice", "ownership recorded in KV, under the namespaced caller id");
  const before = await counted("recordInfo");
  const task = await client.waitForTask(taskId, { pollIntervalMs: 50 });
  assert.equal(task.state, "success");
  assert.equal(task.param.callBackUrl, `${workerUrl}/api/kie-callback`, "the Worker set its own callBackUrl");
  const direct = await call(`/api/v1/jobs/recordInfo?taskId=${taskId}`, { headers: { authorization: "Bearer tok-alice" } });
  assert.equal(direct.headers.get("x-served-from"), "store");
  assert.equal(await counted("recordInfo"), before, "answered from KV: no recordInfo call to Kie");
  const foreign = await asCaller("tok-bob").getTask(taskId).catch((e) => e);
  assert.ok(foreign instanceof KieError && foreign.kind === "not_found", "another caller sees nothing");
});

test("no credentials, with or without an allowed Origin -> 401 and nothing upstream; invalid input -> 422", async () => {
  const before = await counted("createTask");
  for (const headers of [{}, { origin: ORIGIN }, { authorization: "Bearer nope" }]) {
    const r = await call("/api/v1/jobs/createTask", { method: "POST", headers, body: JSON.stringify({ input: validInput() }) });
    assert.equal(r.status, 401);
  }
  const bad = await call("/api/v1/jobs/createTask", { method: "POST", headers: { authorization: "Bearer tok-alice" }, body: JSON.stringify({ input: { prompt: "", duration: 5 } }) });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.json().data.issues.map((i) => i.path).sort(), ["input.duration", "input.image_url", "input.prompt"]);
  assert.equal(await counted("createTask"), before);
});

test("the Rate Limiting binding limits creates per caller, whatever CF-Connecting-IP says", async () => {
  // Miniflare's binding counts in fixed windows of the period (60 s, on the minute) and clears
  // them all when one ends: start where the seven paced creates cannot straddle that moment.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
  const statuses = [];
  for (let i = 0; i < 7; i++) {
    const r = await call("/api/v1/jobs/createTask", {
      method: "POST", headers: { authorization: "Bearer tok-carol", "cf-connecting-ip": `203.0.113.${i}` }, body: JSON.stringify({ input: validInput() }),
    });
    statuses.push(r.status);
    if (r.status === 429) assert.ok(Number(r.headers.get("retry-after")) > 0);
  }
  assert.ok(statuses.includes(429), JSON.stringify(statuses));
  assert.ok(statuses.filter((s) => s === 200).length <= 4, JSON.stringify(statuses));
});

test("forged callbacks are refused and store nothing; oversize bodies 413; origins judged exactly", async () => {
  const body = JSON.stringify({ code: 200, msg: "ok", data: { taskId: "forged0000000000000000000000000", state: "success", resultJson: '{"resultUrls":["https://evil.example/x.mp4"]}' } });
  const ts = String(Math.floor(Date.now() / 1000));
  for (const headers of [{}, { "x-webhook-timestamp": ts, "x-webhook-signature": btoa("nope") }, { "x-webhook-timestamp": "1000", "x-webhook-signature": btoa("x".repeat(32)) }]) {
    const r = await call("/api/kie-callback", { method: "POST", body, headers });
    assert.equal(r.status, 401);
  }
  assert.equal(await (await mf.getKVNamespace("TASKS")).get("task:forged0000000000000000000000000"), null);
  const big = await call("/api/v1/jobs/createTask", { method: "POST", headers: { authorization: "Bearer tok-alice" }, body: "x".repeat(100_000) });
  assert.equal(big.status, 413);
  const evil = await call("/api/v1/jobs/createTask", { method: "POST", headers: { origin: "https://evil.example", authorization: "Bearer tok-alice" }, body: "{}" });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get("access-control-allow-origin"), null);
  const pre = await call("/api/v1/jobs/createTask", { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST" } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), ORIGIN);
  assert.match(pre.headers.get("access-control-allow-headers"), /authorization/);
});

test("no response ever contains the key, even when Kie echoes it; the Worker's size", async () => {
  await emu.fault({ fault: "code", code: 500, msg: `invalid key ${KEY} ${KEY.toUpperCase()} ${btoa(KEY)} for ${HMAC}`, key: KEY, route: "credit", times: 3 });
  const r = await call("/api/v1/chat/credit", { headers: { authorization: "Bearer tok-alice" } });
  assert.equal(r.status, 502, "an upstream server error is a bad gateway here");
  assert.match(r.json().msg, /\[redacted\]/);
  for (const text of seen) {
    for (const secret of [KEY, KEY.toUpperCase(), btoa(KEY), HMAC]) assert.ok(!text.includes(secret), `leaked: ${text.slice(0, 200)}`);
  }
  const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
  const files = [`${out}worker.js`, `${out}kie_kling_proxy_bg.wasm`];
  const total = files.reduce((n, f) => n + gz(f), 0);
  console.log(`Worker bundle: script ${statSync(files[0]).size} B + proxy wasm ${statSync(files[1]).size} B raw, ${total} B gzip (free plan limit 3 MB)`);
  assert.ok(total < 3 * 1024 * 1024);
});

test("the KiePacer Durable Object paces every caller's creates for the key: at most 3 per window, in order", async () => {
  const before = (await emu.counters(KEY)).createTimesMs?.length ?? 0;
  const tokens = TOKENS.split(",").map((pair) => pair.split(":")[0]);
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => call("/api/v1/jobs/createTask", {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${tokens[i % tokens.length]}` },
    body: JSON.stringify({ input: { prompt: "a cat", image_url: "https://example.com/cat.png" } }),
  })));
  const ok = answers.filter((a) => a.status === 200).length;
  const times = (await emu.counters(KEY)).createTimesMs.slice(before);
  assert.equal(times.length, ok, "every create that reached the emulator was answered");
  const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1_500).length));
  assert.ok(busiest <= 3, `busiest 1.5 s window held ${busiest}`);
  assert.ok(ok >= 4, `${answers.map((a) => a.status)}`);
  if (ok === 6) assert.ok(Date.now() - started >= 1_400, "the second three waited for the window");
});

test("a status stream through the Worker hears the callback via the task's KieTaskHub Durable Object", async () => {
  const alice = asCaller("tok-alice");
  const { taskId } = await alice.createTask(validInput());
  const r = await fetch(`${workerUrl}/api/v1/jobs/recordInfo/events?taskId=${taskId}`, { headers: { authorization: "Bearer tok-alice" } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "text/event-stream");
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let event = null;
  const deadline = Date.now() + 15_000;
  while (!event && Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
    const m = text.match(/event: task\ndata: (.*)\n\n/);
    if (m) event = { envelope: JSON.parse(m[1]), at: Date.now() };
  }
  assert.ok(event, `no task event; the stream said: ${JSON.stringify(text)}`);
  assert.equal(event.envelope.data.state, "success");
  assert.equal(event.envelope.data.taskId, taskId);
  const late = event.at - event.envelope.data.completeTime;
  assert.ok(late < 1_000, `noticed ${late} ms after completion`);
  seen.push(text);
  const bob = await fetch(`${workerUrl}/api/v1/jobs/recordInfo/events?taskId=${taskId}`, { headers: { authorization: "Bearer tok-bob" } });
  assert.equal(bob.status, 404, "another caller cannot open it");
  await bob.text();
});

test("the SDK waiting through the Worker is pushed the result via KieTaskHub: within 1 s, at most one poll", async () => {
  const asked = [];
  const recorded = (url, init) => (asked.push(new URL(url).pathname), fetch(url, init));
  // Its own caller: the Rate Limiting binding allows each caller 4 creates a minute.
  const alice = new KlingClient({ baseUrl: workerUrl, headers: { authorization: "Bearer tok-dave" }, fetch: recorded });
  const { taskId } = await alice.createTask(validInput());
  const task = await alice.waitForTask(taskId);
  assert.equal(task.state, "success");
  const late = Date.now() - task.completeTime;
  assert.ok(late < 1_000, `noticed ${late} ms after completion`);
  assert.equal(asked.filter((p) => p === "/api/v1/jobs/recordInfo").length, 1, `requests: ${asked}`);
  assert.equal(asked.filter((p) => p === "/api/v1/jobs/recordInfo/events").length, 1, `requests: ${asked}`);
  // generate listens from its create on: no poll at all.
  asked.length = 0;
  const { task: generated } = await alice.generate(validInput());
  assert.equal(generated.state, "success");
  assert.ok(Date.now() - generated.completeTime < 1_000);
  assert.deepEqual(asked, ["/api/v1/jobs/createTask", "/api/v1/jobs/recordInfo/events"]);
});
