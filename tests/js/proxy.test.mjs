// kie-kling/proxy in Node: the SDK through it end to end (browser-style client -> proxy ->
// emulator -> signed callback -> proxy -> store -> client), and the attack suite: each case the
// old example Worker got wrong, with the observed answer and the upstream requests counted by
// the emulator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { KlingClient, KieError } from "kie-kling";
import { createKieProxy, toNodeListener, memoryStore, KieError as ProxyKieError } from "kie-kling/proxy";
import { startEmulator, validInput, PNG_1X1 } from "./emulator.mjs";

const KEY = "sk-PROXY-SECRET-0a1b2c3d4e5f6a7b";
const HMAC = "whk-PROXY-HMAC-9f8e7d6c5b4a";
const ORIGIN = "https://app.example";
const TOKENS = { "token-alice": "alice", "token-bob": "bob", "token-carol": "carol", "token-dave": "dave" };
let emu, proxyUrl, server, store;
const answers = []; // every response body and header set, searched for secrets at the end

async function serve(handler) {
  const s = createServer(toNodeListener(handler));
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  return { server: s, url: `http://127.0.0.1:${s.address().port}` };
}

const bearer = (request) => TOKENS[(request.headers.get("authorization") ?? "").replace(/^Bearer /, "")] ?? null;

before(async () => {
  emu = await startEmulator(["--timeline", "80,80,80", "--webhook-hmac-key", HMAC, "--api-key", KEY]);
  store = memoryStore();
  // The proxy's URL is needed for its callBackUrl before it listens: listen first, then attach.
  let handler = null;
  ({ server, url: proxyUrl } = await serve((r) => handler(r)));
  handler = createKieProxy({
    apiKey: KEY, hmacKey: HMAC, publicUrl: proxyUrl, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase,
    authorize: bearer, allowedOrigins: [ORIGIN], store,
    limits: { createsPerMinute: 6, creditsPerDay: 150 },
  });
});
after(async () => { server?.closeAllConnections(); await new Promise((r) => server.close(r)); await emu.close(); });

async function call(path, init = {}) {
  const r = await fetch(proxyUrl + path, init);
  const text = await r.text();
  answers.push(text, JSON.stringify([...r.headers]));
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) };
}
const asCaller = (token) => new KlingClient({
  baseUrl: proxyUrl,
  fetch: (url, init) => {
    init.headers.set("authorization", `Bearer ${token}`);
    return fetch(url, init);
  },
});
const creates = async () => (await emu.counters(KEY)).requests?.createTask ?? 0;
const reads = async () => (await emu.counters(KEY)).requests?.recordInfo ?? 0;
const createBody = (input = validInput()) => JSON.stringify({ model: "kling/v2-1-standard", input });

test("options: no authorize and no allowAnonymous throws; unknown names get a did-you-mean", () => {
  const e = (() => { try { createKieProxy({ apiKey: KEY }); } catch (x) { return x; } })();
  assert.ok(e instanceof ProxyKieError && e.kind === "validation");
  assert.match(e.message, /authorize\(request\)/);
  assert.match(e.message, /allowAnonymous: true/);
  assert.throws(() => createKieProxy({ apiKey: KEY, authorise: bearer }), /did you mean "authorize"/);
  assert.throws(() => createKieProxy({ apiKey: KEY, allowAnonymous: true, limits: { createPerMinute: 1 } }), /did you mean "createsPerMinute"/);
  assert.throws(() => createKieProxy({ authorize: bearer }), /apiKey is required/);
  assert.throws(() => createKieProxy({ apiKey: KEY, authorize: bearer, allowedOrigins: ["https://a.example/"] }), /origin/);
  const warnings = [];
  const warn = console.warn;
  console.warn = (m) => warnings.push(m);
  try {
    createKieProxy({ apiKey: KEY, allowAnonymous: true });
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
});

test("the SDK through the proxy: upload, generate, signed callback, stored result served without a Kie read", async () => {
  const alice = asCaller("token-alice");
  const up = await alice.uploadImage(new Blob([PNG_1X1], { type: "image/png" }));
  assert.match(up.url, /^http:\/\/127\.0\.0\.1:\d+\//);
  const delivered = () => fetch(`${emu.base}/__emulator/counters`).then((r) => r.json()).then((c) => c.callbacksSent ?? 0);
  const sentBefore = await delivered();
  const { taskId, task } = await alice.generate({ ...validInput(), image_url: up.url }, { pollIntervalMs: 50 });
  assert.equal(task.state, "success");
  assert.equal(task.param.callBackUrl, `${proxyUrl}/api/kie-callback`, "the proxy set its own callBackUrl");
  const until = Date.now() + 10_000;
  while ((await delivered()) <= sentBefore && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  const readsBefore = await reads();
  const again = await call(`/api/v1/jobs/recordInfo?taskId=${taskId}`, { headers: { authorization: "Bearer token-alice" } });
  assert.equal(again.status, 200);
  assert.equal(again.headers.get("x-served-from"), "store", "the confirmed callback stored the record");
  assert.equal(again.json().data.state, "success");
  assert.equal(await reads(), readsBefore, "served from the store: no Kie read");
  assert.equal(await alice.getCredits() > 0, true);
});

test("attack: no credentials (no Origin, an allowed Origin, a spoofed allowed Origin, a wrong token) -> 401, nothing upstream", async () => {
  const before = await creates();
  const cases = [
    {},
    { origin: ORIGIN },
    { origin: ORIGIN, "x-forwarded-for": "1.2.3.4" },
    { authorization: "Bearer not-a-token" },
    { authorization: "Basic token-alice" },
  ];
  for (const headers of cases) {
    const r = await call("/api/v1/jobs/createTask", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: createBody() });
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.equal(r.json().code, 401);
    assert.equal(r.headers.get("access-control-allow-origin"), headers.origin ? ORIGIN : null, "CORS on the 401 for an allowed origin");
  }
  assert.equal(await creates(), before, "0 upstream creates");
});

test("attack: an origin outside allowedOrigins -> 403 without CORS; preflights cover the SDK's headers", async () => {
  const r = await call("/api/v1/jobs/createTask", { method: "POST", headers: { origin: "https://evil.example", authorization: "Bearer token-alice" }, body: createBody() });
  assert.equal(r.status, 403);
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  const pre = await call("/api/v1/jobs/createTask", { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), ORIGIN);
  assert.match(pre.headers.get("access-control-allow-headers"), /authorization/);
  assert.match(pre.headers.get("access-control-allow-headers"), /content-type/);
});

test("attack: caller B reading caller A's task -> 404, the same answer as a task that does not exist", async () => {
  const { taskId } = await asCaller("token-alice").createTask(validInput());
  const other = await call(`/api/v1/jobs/recordInfo?taskId=${taskId}`, { headers: { authorization: "Bearer token-bob" } });
  const missing = await call(`/api/v1/jobs/recordInfo?taskId=${"f".repeat(32)}`, { headers: { authorization: "Bearer token-bob" } });
  assert.equal(other.status, 404);
  assert.equal(other.text, missing.text);
  const e = await asCaller("token-bob").getTask(taskId).catch((x) => x);
  assert.ok(e instanceof KieError && e.kind === "not_found");
  assert.equal((await asCaller("token-alice").getTask(taskId)).taskId, taskId);
});

test("attack: over createsPerMinute -> 429 with Retry-After, even while rotating client IP headers", async () => {
  const before = await creates();
  const statuses = [];
  for (let i = 0; i < 10; i++) {
    const r = await call("/api/v1/jobs/createTask", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer token-carol", "cf-connecting-ip": `10.0.0.${i}`, "x-forwarded-for": `10.1.0.${i}` },
      body: createBody(),
    });
    statuses.push(r.status);
    if (r.status === 429) assert.ok(Number(r.headers.get("retry-after")) > 0);
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
  assert.equal(await creates() - before, 6);
});

test("attack: over creditsPerDay -> 433 before anything is sent upstream", async () => {
  const dave = asCaller("token-dave");
  await dave.createTask({ ...validInput(), duration: "10" }); // 50
  await dave.createTask({ ...validInput(), duration: "10" }); // 100
  await dave.createTask({ ...validInput(), duration: "10" }); // 150: the limit
  const before = await creates();
  const e = await dave.createTask(validInput()).catch((x) => x);
  assert.ok(e instanceof KieError && e.kind === "daily_limit", String(e));
  assert.equal(e.status, 433);
  assert.equal(await creates(), before, "0 creates upstream");
});

/** A proxy of its own (own store and limits) whose upstream reads are counted exactly. */
async function countingProxy(extra) {
  const count = { recordInfo: 0 };
  const handler = createKieProxy({
    apiKey: KEY, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase, authorize: bearer, store: memoryStore(), ...extra,
    fetch: (url, init) => { if (url.includes("/recordInfo")) count.recordInfo++; return fetch(url, init); },
  });
  const { server: s, url } = await serve(handler);
  return { url, count, close: async () => { s.closeAllConnections(); await new Promise((r) => s.close(r)); } };
}

test("attack: 300 forged callbacks: with hmacKey all refused, 0 upstream reads; without it, reads capped by the callback limit", async () => {
  const ts = String(Math.floor(Date.now() / 1000));
  for (const hmacKey of [HMAC, undefined]) {
    const p = await countingProxy(hmacKey ? { hmacKey } : {});
    try {
      const created = await fetch(`${p.url}/api/v1/jobs/createTask`, { method: "POST", headers: { authorization: "Bearer token-bob" }, body: createBody() });
      const { taskId } = (await created.json()).data;
      const readsBefore = p.count.recordInfo;
      const statuses = {};
      for (let i = 0; i < 300; i++) {
        const r = await fetch(`${p.url}/api/kie-callback`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-webhook-timestamp": ts, "x-webhook-signature": btoa(String.fromCharCode(...new Uint8Array(32).fill(i % 256))) },
          body: JSON.stringify({ code: 200, data: { taskId, state: "success", resultJson: "{\"resultUrls\":[\"https://attacker.example/x.mp4\"]}" } }),
        });
        answers.push(await r.text());
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
      const upstream = p.count.recordInfo - readsBefore;
      console.log(`forged callbacks ${hmacKey ? "with" : "without"} hmacKey: answers ${JSON.stringify(statuses)}, upstream reads ${upstream}`);
      if (hmacKey) {
        assert.deepEqual(statuses, { 401: 300 });
        assert.equal(upstream, 0);
      } else {
        // Each confirming read is capped (120 a minute), and once the task is confirmed final
        // the proxy stops reading it at all.
        assert.ok(upstream <= 120, `${upstream} upstream reads`);
      }
    } finally {
      await p.close();
    }
  }
});

test("attack: a captured signed callback replayed (re-encoded signature, changed body) leaves the stored task unchanged", async () => {
  const { taskId } = await asCaller("token-alice").createTask(validInput());
  const ts = String(Math.floor(Date.now() / 1000));
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(HMAC), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${taskId}.${ts}`)))));
  // Wait for the task to finish and its genuine callback to be stored.
  const until = Date.now() + 10_000;
  let stored;
  while (!(stored = await store.get(`task:${taskId}`)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.ok(stored, "the genuine callback was stored");
  const forgedBody = JSON.stringify({ code: 200, data: { taskId, state: "fail", failMsg: "attacker", resultJson: "{\"resultUrls\":[\"https://attacker.example/x.mp4\"]}" } });
  for (const signature of [sig, sig.replace(/=$/, ""), ` ${sig.slice(0, 8)} ${sig.slice(8)}`, sig.replace(/\+/g, "-").replace(/\//g, "_")]) {
    await call("/api/kie-callback", { method: "POST", headers: { "x-webhook-timestamp": ts, "x-webhook-signature": signature }, body: forgedBody });
  }
  assert.equal(await store.get(`task:${taskId}`), stored, "the stored record is the authoritative one, unchanged");
  const seen = await asCaller("token-alice").getTask(taskId);
  assert.equal(seen.state, "success");
  assert.ok(!JSON.stringify(seen).includes("attacker"));
});

test("attack: two callers uploading with the same fileName get two different URLs, both intact", async () => {
  const form = (bytes) => { const f = new FormData(); f.append("file", new Blob([bytes], { type: "image/png" }), "same.png"); f.append("uploadPath", "shared"); f.append("fileName", "same.png"); return f; };
  const second = new Uint8Array([...PNG_1X1, 0, 0, 0, 1]);
  const a = (await call("/upload/api/file-stream-upload", { method: "POST", headers: { authorization: "Bearer token-alice" }, body: form(PNG_1X1) })).json();
  const b = (await call("/upload/api/file-stream-upload", { method: "POST", headers: { authorization: "Bearer token-bob" }, body: form(second) })).json();
  assert.equal(a.code, 200);
  assert.equal(b.code, 200);
  assert.notEqual(a.data.downloadUrl, b.data.downloadUrl);
  assert.deepEqual(new Uint8Array(await (await fetch(a.data.downloadUrl)).arrayBuffer()), PNG_1X1);
  assert.deepEqual(new Uint8Array(await (await fetch(b.data.downloadUrl)).arrayBuffer()), second);
});

test("attack: an upstream that echoes the key (exact, uppercased, base64, a 20-character prefix) leaks nothing", async () => {
  const echo = `key ${KEY} upper ${KEY.toUpperCase()} b64 ${btoa(KEY)} prefix ${KEY.slice(0, 20)} hmac ${HMAC}`;
  const echoing = createKieProxy({
    apiKey: KEY, hmacKey: HMAC, allowAnonymous: true,
    fetch: async () => new Response(JSON.stringify({ code: 500, msg: echo, data: { note: echo } }), { headers: { "content-type": "application/json" } }),
  });
  const warn = console.warn;
  console.warn = () => {};
  console.warn = warn;
  const { server: s, url } = await serve(echoing);
  try {
    for (const [path, init] of [["/api/v1/jobs/recordInfo?taskId=x", {}], ["/api/v1/chat/credit", {}], ["/api/v1/jobs/createTask", { method: "POST", body: createBody() }]]) {
      const r = await fetch(url + path, init);
      const text = await r.text() + JSON.stringify([...r.headers]);
      for (const form of [KEY, KEY.toUpperCase(), btoa(KEY), KEY.slice(0, 20), KEY.slice(3, 15), HMAC]) {
        assert.ok(!text.includes(form), `${form} leaked from ${path}: ${text}`);
      }
    }
  } finally {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

test("attack: oversized bodies, chunked or declared, -> 413", async () => {
  const big = new Uint8Array(200 * 1024).fill(0x20);
  const chunked = () => new ReadableStream({ start(c) { for (let i = 0; i < 4; i++) c.enqueue(big); c.close(); } });
  for (const path of ["/api/v1/jobs/createTask", "/api/v1/common/download-url"]) {
    const r = await call(path, { method: "POST", headers: { authorization: "Bearer token-alice" }, body: chunked(), duplex: "half" });
    assert.equal(r.status, 413, path);
  }
  const cb = await call("/api/kie-callback", { method: "POST", body: new Uint8Array(2 * 1024 * 1024), headers: {} });
  assert.equal(cb.status, 413);
  const huge = () => new ReadableStream({ start(c) { for (let i = 0; i < 12; i++) c.enqueue(new Uint8Array(1024 * 1024)); c.close(); } });
  const up = await call("/upload/api/file-stream-upload", { method: "POST", headers: { authorization: "Bearer token-alice" }, body: huge(), duplex: "half" });
  assert.equal(up.status, 413);
});

test("no answer of the proxy carried the key or the HMAC key", () => {
  const all = answers.join("\n");
  for (const secret of [KEY, HMAC, KEY.toUpperCase(), btoa(KEY)]) assert.ok(!all.includes(secret), secret);
});

test("examples/node/proxy-server.mjs serves the SDK through a plain Node http server", async () => {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [new URL("../../examples/node/proxy-server.mjs", import.meta.url).pathname], {
    env: { ...process.env, KIE_API_KEY: KEY, APP_TOKEN: "example-token", KIE_BASE_URL: emu.base, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      child.stdout.on("data", (d) => { const m = /http:\/\/\S+/.exec(String(d)); if (m) resolve(m[0]); });
      child.once("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    const client = new KlingClient({ baseUrl: url, headers: { authorization: "Bearer example-token" } });
    const { task } = await client.generate(validInput(), { pollIntervalMs: 50 });
    assert.equal(task.state, "success");
    const refused = await new KlingClient({ baseUrl: url }).createTask(validInput()).catch((e) => e);
    assert.equal(refused.kind, "unauthorized");
  } finally {
    child.kill();
  }
});

test("review fixes hold: parallel creates cannot overspend creditsPerDay; uploads are limited; odd authorize answers and config refused", async () => {
  // Four creates of 25 credits at once against a 50-credit day: exactly two get through.
  const p = await countingProxy({ limits: { createsPerMinute: 100, creditsPerDay: 50 } });
  try {
    const answers = await Promise.all([0, 1, 2, 3].map(() =>
      fetch(`${p.url}/api/v1/jobs/createTask`, { method: "POST", headers: { authorization: "Bearer token-alice" }, body: createBody() }).then((r) => r.status)));
    assert.deepEqual(answers.sort(), [200, 200, 433, 433]);
  } finally {
    await p.close();
  }
  // Uploads count against createsPerMinute on their own.
  const u = await countingProxy({ limits: { createsPerMinute: 1 } });
  try {
    const form = () => { const f = new FormData(); f.append("file", new Blob([PNG_1X1], { type: "image/png" }), "a.png"); return f; };
    const first = await fetch(`${u.url}/upload/api/file-stream-upload`, { method: "POST", headers: { authorization: "Bearer token-bob" }, body: form() });
    const second = await fetch(`${u.url}/upload/api/file-stream-upload`, { method: "POST", headers: { authorization: "Bearer token-bob" }, body: form() });
    assert.deepEqual([first.status, second.status], [200, 429]);
  } finally {
    await u.close();
  }
  // authorize answering something other than a string or null is a server error, not anonymous.
  const odd = createKieProxy({ apiKey: KEY, baseUrl: emu.base, authorize: () => 42, allowAnonymous: true });
  assert.equal((await odd(new Request("http://proxy.test/api/v1/chat/credit"))).status, 500);
  // A rateLimiter without createsPerMinute would do nothing: refused.
  assert.throws(() => createKieProxy({ apiKey: KEY, authorize: bearer, rateLimiter: { limit: async () => ({ success: true }) } }), /createsPerMinute/);
});

test("only publicUrl's origin counts as the proxy's own: a Host-matching Origin without it is refused", async () => {
  const p = await countingProxy({}); // no publicUrl
  try {
    const r = await fetch(`${p.url}/api/v1/chat/credit`, { headers: { origin: p.url, authorization: "Bearer token-alice" } });
    assert.equal(r.status, 403);
  } finally {
    await p.close();
  }
  // With publicUrl (the main proxy of this file), a same-origin page is judged by authorize alone.
  const same = await call("/api/v1/chat/credit", { headers: { origin: proxyUrl } });
  assert.equal(same.status, 401);
  assert.equal(same.headers.get("access-control-allow-origin"), null);
});
