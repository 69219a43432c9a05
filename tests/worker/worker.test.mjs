// The package and the example Worker in real workerd (through miniflare), against the emulator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { mkdirSync, copyFileSync, statSync } from "node:fs";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { KlingClient } from "kie-kling";
import { startEmulator, validInput, PNG_1X1 } from "../js/emulator.mjs";

const root = new URL("../../", import.meta.url).pathname;
const out = `${root}target/worker-test/`;
const KEY = "sk-WORKER-SECRET-9f8e7d6c5b";
const HMAC = "whk-WORKER-HMAC-0a1b2c3d";
const ORIGIN = "http://localhost:5173";
let emu, mf, probe, workerUrl;

/** Bundles a Worker the way wrangler does: workerd conditions, the .wasm left as a module. */
async function bundle(entry, name) {
  mkdirSync(out, { recursive: true });
  await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", conditions: ["workerd", "worker"],
    external: ["*.wasm"], outfile: `${out}${name}.js`, minify: true, logLevel: "error" });
  copyFileSync(`${root}pkg/kie_kling_bg.wasm`, `${out}kie_kling_bg.wasm`);
  return `${out}${name}.js`;
}

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const modules = (script) => [{ type: "ESModule", path: script }, { type: "CompiledWasm", path: `${out}kie_kling_bg.wasm` }];

before(async () => {
  emu = await startEmulator(["--timeline", "100,100,100", "--webhook-hmac-key", HMAC, "--api-key", KEY]);
  const script = await bundle(`${root}examples/worker/src/index.js`, "worker");
  const port = await freePort();
  workerUrl = `http://127.0.0.1:${port}`;
  mf = new Miniflare({
    modulesRoot: out, modules: modules(script), compatibilityDate: "2025-01-01", host: "127.0.0.1", port,
    kvNamespaces: ["TASKS"],
    bindings: { KIE_API_KEY: KEY, KIE_WEBHOOK_HMAC_KEY: HMAC, KIE_BASE_URL: emu.base, KIE_UPLOAD_BASE_URL: emu.uploadBase, PUBLIC_URL: workerUrl, ALLOWED_ORIGINS: ORIGIN },
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
  const client = new KlingClient({ baseUrl: workerUrl, uploadBaseUrl: `${workerUrl}/upload` }); // no key, as in a page
  const up = await client.uploadImage(new Blob([PNG_1X1], { type: "image/png" }));
  assert.match(up.url, /\/files\//);
  const { taskId } = await client.createTask({ ...validInput(), image_url: up.url });
  const until = Date.now() + 10_000;
  while ((await (await fetch(`${emu.base}/__emulator/counters`)).json()).callbacksSent < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const before = (await emu.counters(KEY)).requests.recordInfo ?? 0;
  const task = await client.waitForTask(taskId, { pollIntervalMs: 50 });
  assert.equal(task.state, "success");
  assert.equal(task.param.callBackUrl, `${workerUrl}/api/kie-callback`, "the Worker set its own callBackUrl");
  const direct = await call(`/api/tasks/${taskId}`);
  assert.equal(direct.headers.get("x-served-from"), "kv");
  assert.equal(direct.json().data.state, "success");
  assert.equal((await emu.counters(KEY)).requests.recordInfo ?? 0, before, "answered from KV: no recordInfo call to Kie");
});

test("invalid requests are answered by the SDK's validation inside the Worker, and nothing reaches Kie", async () => {
  const before = (await emu.counters(KEY)).requests.createTask ?? 0;
  const r = await call("/api/tasks", { method: "POST", body: JSON.stringify({ input: { prompt: "", duration: 5 } }) });
  assert.equal(r.status, 422);
  assert.deepEqual(r.json().issues.map((i) => i.path).sort(), ["input.duration", "input.image_url", "input.prompt"]);
  assert.equal((await emu.counters(KEY)).requests.createTask ?? 0, before);
});

test("forged callbacks are refused and store nothing", async () => {
  const body = JSON.stringify({ code: 200, msg: "ok", data: { taskId: "forged0000000000000000000000000", state: "success", resultJson: '{"resultUrls":["https://evil.example/x.mp4"]}' } });
  const ts = String(Math.floor(Date.now() / 1000));
  for (const headers of [{}, { "x-webhook-timestamp": ts, "x-webhook-signature": btoa("nope") }, { "x-webhook-timestamp": "1000", "x-webhook-signature": btoa("nope") }]) {
    const r = await call("/api/kie-callback", { method: "POST", body, headers });
    assert.equal(r.status, 401);
  }
  const r = await call("/api/tasks/forged0000000000000000000000000");
  assert.notEqual(r.headers.get("x-served-from"), "kv");
});

test("oversize bodies and disallowed origins are refused; allowed origins get CORS", async () => {
  const big = await call("/api/tasks", { method: "POST", body: "x".repeat(100_000) });
  assert.equal(big.status, 413);
  const evil = await call("/api/tasks", { method: "POST", headers: { origin: "https://evil.example" }, body: "{}" });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get("access-control-allow-origin"), null);
  const pre = await call("/api/tasks", { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST" } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), ORIGIN);
  const ok = await call("/api/tasks/unknown", { headers: { origin: ORIGIN } });
  assert.equal(ok.headers.get("access-control-allow-origin"), ORIGIN);
});

test("hostile bodies get clear errors: invalid UTF-8, deep JSON, path tricks in upload names", async () => {
  const bad = await call("/api/tasks", { method: "POST", body: new Uint8Array([0xff, 0xfe, 0x7b, 0xc3]) });
  assert.equal(bad.status, 422);
  const deep = await call("/api/tasks", { method: "POST", body: `{"input":${"[".repeat(20_000)}${"]".repeat(20_000)}}` });
  assert.equal(deep.status, 422);
  const form = new FormData();
  form.append("file", new Blob([PNG_1X1], { type: "image/png" }), "x.png");
  form.append("fileName", "../../etc/passwd");
  const tricky = await call("/api/uploads", { method: "POST", body: form });
  assert.equal(tricky.status, 422, tricky.text);
  assert.match(tricky.json().msg, /fileName/);
});

test("the Worker rate-limits each client", async () => {
  let limited = null;
  for (let i = 0; i < 70 && !limited; i++) {
    const r = await call("/api/tasks/x", { headers: { "cf-connecting-ip": "203.0.113.9" } });
    if (r.status === 429) limited = r;
  }
  assert.ok(limited, "limited within 70 requests");
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
});

test("no response ever contains the key, even when Kie echoes it", async () => {
  await emu.fault({ fault: "code", code: 500, msg: `invalid key ${KEY} for ${HMAC}`, key: KEY, route: "recordInfo", times: 3 });
  const r = await call("/api/tasks/abcdef");
  assert.equal(r.status, 502, "an upstream server error is a bad gateway here");
  assert.match(r.json().msg, /\[redacted\]/);
  for (const text of seen) {
    assert.ok(!text.includes(KEY), `key leaked: ${text.slice(0, 200)}`);
    assert.ok(!text.includes(HMAC), `hmac key leaked: ${text.slice(0, 200)}`);
  }
  assert.ok(statSync(`${out}worker.js`).size > 0);
});
