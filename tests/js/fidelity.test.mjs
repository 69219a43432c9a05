// Fidelity with Kie's current public material (src/contract.rs): the User-Agent Cloudflare wants,
// a fast not_found for ids this client never created, double-encoded `param.input`, and the
// unambiguous timeout names (the old ones still work).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { readFileSync } from "node:fs";
import { KlingClient, KieError, parseCallback } from "kie-kling";
import { startEmulator, validInput } from "./emulator.mjs";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
let emu;
before(async () => { emu = await startEmulator(["--timeline", "200,200,200", "--require-user-agent"]); });
after(async () => { await emu?.close(); });

/** A request with no User-Agent at all (Node's fetch always adds one). */
const bare = (url) => new Promise((resolve, reject) => {
  const req = request(url, { headers: { authorization: "Bearer k" } }, (res) => {
    let body = "";
    res.on("data", (d) => (body += d));
    res.on("end", () => resolve({ status: res.statusCode, body }));
  });
  req.on("error", reject);
  req.end();
});

test("the emulator answers Cloudflare's 1010 without a User-Agent; the SDK sends kie-kling/<version>", async () => {
  assert.deepEqual(await bare(`${emu.base}/api/v1/chat/credit`), { status: 403, body: "error code: 1010" });
  const seen = [];
  const client = new KlingClient({
    apiKey: emu.key("ua"),
    baseUrl: emu.base,
    // Records what the SDK puts on the wire, then lets the request through unchanged.
    fetch: (url, init) => { seen.push(new Headers(init.headers).get("user-agent")); return fetch(url, init); },
  });
  const { task } = await client.generate(validInput());
  assert.equal(task.state, "success");
  assert.ok(seen.length >= 2);
  assert.deepEqual([...new Set(seen)], [`kie-kling/${version}`]);
});

test("waitForTask on an id this client did not create fails fast with not_found (no 30 s grace)", async () => {
  const client = new KlingClient({ apiKey: emu.key("nf"), baseUrl: emu.base });
  const started = Date.now();
  const e = await client.waitForTask("typo-id").catch((err) => err);
  assert.ok(e instanceof KieError && e.kind === "not_found", String(e));
  assert.equal(e.taskId, "typo-id");
  assert.match(e.message, /^no task "typo-id" is visible to this key \(Kie answered: recordInfo is null\)/);
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
});

test("a task this client just created still gets the not-yet-visible grace", async () => {
  const key = emu.key("grace");
  await emu.fault({ fault: "task", invisibleMs: 1500, key });
  const client = new KlingClient({ apiKey: key, baseUrl: emu.base });
  const { taskId } = await client.createTask(validInput());
  const task = await client.waitForTask(taskId, { pollIntervalMs: 200 });
  assert.equal(task.state, "success");
});

test("param whose input is itself a JSON string decodes to one shape", () => {
  const inner = JSON.stringify({ prompt: "p", image_url: "https://e.com/a.png", duration: "5" });
  const task = parseCallback({ code: 200, data: { taskId: "t1", state: "waiting", param: JSON.stringify({ model: "kling/v2-1-standard", input: inner }) } });
  assert.deepEqual(task.param.input, { prompt: "p", image_url: "https://e.com/a.png", duration: "5" });
});

test("requestTimeoutMs bounds each request and waitTimeoutMs the whole wait; the old timeoutMs names still work", async () => {
  const key = emu.key("names");
  await emu.fault({ fault: "latency", ms: 1500, key, route: "credit", times: 2 });
  for (const options of [{ requestTimeoutMs: 200 }, { timeoutMs: 200 }]) {
    const client = new KlingClient({ apiKey: key, baseUrl: emu.base, maxRetries: 0, ...options });
    const e = await client.getCredits().catch((err) => err);
    assert.equal(e.kind, "timeout", `${JSON.stringify(options)}: ${e}`);
  }
  await emu.fault({ fault: "task", outcome: "never", key });
  const client = new KlingClient({ apiKey: key, baseUrl: emu.base });
  const { taskId } = await client.createTask(validInput());
  for (const options of [{ waitTimeoutMs: 400 }, { timeoutMs: 400 }]) {
    const e = await client.waitForTask(taskId, { ...options, pollIntervalMs: 100 }).catch((err) => err);
    assert.equal(e.kind, "timeout", `${JSON.stringify(options)}: ${e}`);
    assert.match(e.message, /within 400 ms/);
  }
  assert.throws(() => new KlingClient({ apiKey: key, requestTimeoutMs: -1 }), (e) => e.issues[0].path === "requestTimeoutMs");
});

test("a Retry-After given as an HTTP date is honoured (converted to seconds by the runtime)", async () => {
  let calls = 0;
  const at = [];
  const client = new KlingClient({
    apiKey: "k-date",
    fetch: async () => {
      at.push(Date.now());
      if (calls++ === 0) {
        // Whole seconds: an HTTP date has no finer grain; at least 2 s ahead.
        const when = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toUTCString();
        return new Response(JSON.stringify({ code: 429, msg: "rate limited", data: null }), { status: 429, headers: { "retry-after": when } });
      }
      return new Response(JSON.stringify({ code: 200, msg: "success", data: 42 }), { headers: { "content-type": "application/json" } });
    },
  });
  assert.equal(await client.getCredits(), 42);
  assert.equal(calls, 2);
  assert.ok(at[1] - at[0] >= 1500, `retried after ${at[1] - at[0]} ms`);
});
