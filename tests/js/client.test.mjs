// KlingClient through the built package, against the real emulator over HTTP on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KlingClient, KieError } from "kie-kling";
import { startEmulator, validInput } from "./emulator.mjs";

let emu;
before(async () => { emu = await startEmulator(["--timeline", "150,150,150"]); });
after(() => emu.close());

const client = (key, opts = {}) => new KlingClient({ apiKey: key, baseUrl: emu.base, ...opts });
const rejects = async (promise) => {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
};

test("a task's whole life: generate resolves with the video, onProgress sees each state once, in order", async () => {
  const key = emu.key();
  const states = [];
  const out = await client(key).generate(validInput(), { pollIntervalMs: 40, onProgress: (t) => states.push(t.state) });
  assert.deepEqual(states, ["waiting", "queuing", "generating", "success"]);
  assert.match(out.videoUrl, /^http:\/\/127\.0\.0\.1:\d+\/results\/[0-9a-f]{32}\.mp4$/);
  assert.equal(out.task.state, "success");
  assert.equal(out.task.taskId, out.taskId);
  assert.equal(out.task.param.input.duration, "5");
  assert.equal(typeof out.task.createTime, "number");
  assert.equal(out.task.failCode, null);
  const video = await fetch(out.videoUrl);
  assert.equal(video.headers.get("content-type"), "video/mp4");
  assert.equal((await emu.counters(key)).tasksCreated, 1);
});

test("getTask decodes the record: videoUrls, times as numbers, param, raw", async () => {
  const key = emu.key();
  const c = client(key);
  const { taskId } = await c.createTask(validInput(), { callBackUrl: "http://127.0.0.1:9/hook" });
  const t = await c.getTask(taskId);
  assert.equal(t.taskId, taskId);
  assert.equal(t.model, "kling/v2-1-standard");
  assert.ok(["waiting", "queuing"].includes(t.state));
  assert.deepEqual(t.videoUrls, []);
  assert.equal(t.param.callBackUrl, "http://127.0.0.1:9/hook");
  assert.equal(t.raw.taskId, taskId);
});

test("invalid input is rejected before anything is sent", async () => {
  const key = emu.key();
  const err = await rejects(client(key).createTask({ prompt: "x", image_url: "data:image/png;base64,AAAA", duration: 5 }));
  assert.ok(err instanceof KieError);
  assert.equal(err.kind, "validation");
  assert.deepEqual(err.issues.map((i) => i.code).sort(), ["invalid_type", "needs_upload"]);
  const counters = await emu.counters(key);
  assert.equal(counters.requests.createTask ?? 0, 0);
});

test("failed tasks reject with task_failed and a string failCode, whatever type Kie sent", async () => {
  for (const [failCode, expected] of [[501, "501"], ["500", "500"], [null, null]]) {
    const key = emu.key();
    await emu.fault({ fault: "task", outcome: "fail", failCode, failMsg: "Generation Failed", key });
    const err = await rejects(client(key).generate(validInput(), { pollIntervalMs: 40 }));
    assert.equal(err.kind, "task_failed");
    assert.equal(err.failCode, expected);
    assert.equal(err.failMsg, "Generation Failed");
    assert.equal(err.task.state, "fail");
    assert.ok(err.taskId);
    assert.equal(err.retryable, false);
  }
});

test("'recordInfo is null' right after creation means not yet visible; later it is not_found", async () => {
  const key = emu.key();
  await emu.fault({ fault: "task", invisibleMs: 400, messageKey: true, key });
  const c = client(key);
  const out = await c.generate(validInput(), { pollIntervalMs: 50 });
  assert.equal(out.task.state, "success");
  const err = await rejects(c.getTask("0123456789abcdef0123456789abcdef"));
  assert.equal(err.kind, "not_found");
  assert.equal(err.code, 422);
  assert.equal(err.msg, "recordInfo is null");
});

test("the wait times out with kind timeout and the last task attached", async () => {
  const key = emu.key();
  await emu.fault({ fault: "task", outcome: "never", key });
  const c = client(key);
  const { taskId } = await c.createTask(validInput());
  const started = Date.now();
  const err = await rejects(c.waitForTask(taskId, { timeoutMs: 600, pollIntervalMs: 100 }));
  assert.equal(err.kind, "timeout");
  assert.equal(err.task.taskId, taskId);
  assert.ok(["waiting", "queuing", "generating"].includes(err.task.state), err.task.state);
  assert.ok(Date.now() - started < 1500);
});

test("every API error code maps to its kind", async () => {
  const table = [
    ["unauthorized", "unauthorized", 401], ["insufficient_credits", "insufficient_credits", 402], ["daily_limit", "daily_limit", 433],
    ["feature_disabled", "feature_disabled", 505], ["cloudflare_403", "blocked", null],
  ];
  for (const [fault, kind, code] of table) {
    const key = emu.key();
    await emu.fault({ fault, key, route: "createTask" });
    const err = await rejects(client(key).createTask(validInput()));
    assert.equal(err.kind, kind, fault);
    assert.equal(err.code, code, fault);
    assert.equal(err.maybeCreated, false, fault);
  }
  const key = emu.key();
  await emu.fault({ fault: "code", code: 501, msg: "Generation Failed", key, route: "recordInfo" });
  assert.equal((await rejects(client(key).getTask("x"))).kind, "generation_failed");
  await emu.fault({ fault: "code", code: 418, msg: "teapot", key, route: "recordInfo" });
  assert.equal((await rejects(client(key).getTask("x"))).kind, "http");
});

test("reads retry transient failures, then give up with retryable: true", async () => {
  for (const [fault, kind] of [["server_error", "server"], ["maintenance", "maintenance"], ["html_502", "server"], ["truncated_json", "invalid_response"], ["http_429", "rate_limited"], ["rate_limit", "rate_limited"]]) {
    const key = emu.key();
    await emu.fault({ fault, key, route: "recordInfo", times: 3, retryAfter: 0 });
    const err = await rejects(client(key, { maxRetries: 2 }).getTask("x"));
    assert.equal(err.kind, kind, fault);
    assert.equal(err.retryable, true, fault);
    assert.equal((await emu.counters(key)).requests.recordInfo, 3, `${fault}: 1 try + 2 retries`);
  }
  const key = emu.key();
  await emu.fault({ fault: "server_error", key, route: "recordInfo", times: 1 });
  const { taskId } = await client(key).createTask(validInput());
  const t = await client(key).getTask(taskId);
  assert.equal(t.taskId, taskId, "recovered after one retry");
});

test("createTask on 500, reset or timeout sends exactly one POST and rejects with maybeCreated", async () => {
  for (const [rule, kind, opts] of [
    [{ fault: "server_error" }, "server", {}],
    [{ fault: "html_502" }, "server", {}],
    [{ fault: "reset" }, "network", {}],
    [{ fault: "truncated_json" }, "invalid_response", {}],
    [{ fault: "latency", ms: 800 }, "timeout", { timeoutMs: 200 }],
  ]) {
    const key = emu.key();
    await emu.fault({ ...rule, key, route: "createTask" });
    const err = await rejects(client(key, { maxRetries: 3, ...opts }).createTask(validInput()));
    assert.equal(err.kind, kind, rule.fault);
    assert.equal(err.maybeCreated, true, rule.fault);
    assert.equal(err.retryable, false, rule.fault);
    assert.match(err.message, /may have been created/);
    await new Promise((r) => setTimeout(r, rule.fault === "latency" ? 700 : 0));
    assert.equal((await emu.counters(key)).requests.createTask, 1, `${rule.fault}: exactly one POST`);
  }
});

test("createTask on 429 or 455 retries, and exactly one task exists", async () => {
  for (const fault of ["rate_limit", "http_429", "maintenance"]) {
    const key = emu.key();
    await emu.fault({ fault, key, route: "createTask", times: 2, retryAfter: 0 });
    const { taskId } = await client(key).createTask(validInput());
    assert.ok(taskId);
    const c = await emu.counters(key);
    assert.equal(c.requests.createTask, 3, fault);
    assert.equal(c.tasksCreated, 1, fault);
  }
});

test("abort during a fetch rejects within 50 ms with AbortError, and nothing follows", async () => {
  const key = emu.key();
  await emu.fault({ fault: "latency", ms: 3000, key, route: "recordInfo" });
  const ac = new AbortController();
  const p = client(key).getTask("x", { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  ac.abort();
  const err = await rejects(p);
  assert.ok(performance.now() - t0 < 50, `took ${performance.now() - t0} ms`);
  assert.equal(err.name, "AbortError");
  assert.equal(err.kind, "aborted");
  assert.ok(err instanceof KieError);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await emu.counters(key)).requests.recordInfo, 1);
});

test("abort during a backoff sleep and during a poll sleep rejects within 50 ms; no request follows", async () => {
  const key = emu.key();
  await emu.fault({ fault: "server_error", key, route: "recordInfo", retryAfter: 5 });
  const ac = new AbortController();
  const p = client(key).getTask("x", { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 200));
  let t0 = performance.now();
  ac.abort();
  let err = await rejects(p);
  assert.ok(performance.now() - t0 < 50);
  assert.equal(err.kind, "aborted");

  const key2 = emu.key();
  await emu.fault({ fault: "task", outcome: "never", key: key2 });
  const c = client(key2);
  const { taskId } = await c.createTask(validInput());
  const ac2 = new AbortController();
  const wait = c.waitForTask(taskId, { signal: ac2.signal, pollIntervalMs: 5000 });
  await new Promise((r) => setTimeout(r, 200));
  t0 = performance.now();
  ac2.abort();
  err = await rejects(wait);
  assert.ok(performance.now() - t0 < 50);
  assert.equal(err.name, "AbortError");
  assert.equal(err.taskId, taskId);
  // Kie has no cancel: the error says the task runs on, and hands over the last Task seen.
  assert.match(err.message, /keeps running on Kie/);
  assert.equal(err.task.taskId, taskId);
  assert.ok(["waiting", "queuing", "generating"].includes(err.task.state), err.task.state);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await emu.counters(key)).requests.recordInfo, 1);
  assert.equal((await emu.counters(key2)).requests.recordInfo, 1);
  // An already-aborted signal sends nothing.
  const key3 = emu.key();
  const err3 = await rejects(client(key3).createTask(validInput(), { signal: AbortSignal.abort() }));
  assert.equal(err3.kind, "aborted");
  assert.equal(err3.maybeCreated, false);
  assert.equal((await emu.counters(key3)).requests.createTask ?? 0, 0);
  // Aborted in the same tick as the call: a method's work starts after the caller's code, as a
  // promise's does, so nothing is sent and nothing may have been created.
  const key4 = emu.key();
  const ac4 = new AbortController();
  const p4 = client(key4).createTask(validInput(), { signal: ac4.signal });
  ac4.abort();
  const err4 = await rejects(p4);
  assert.equal(err4.kind, "aborted");
  assert.equal(err4.maybeCreated, false);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await emu.counters(key4)).requests.createTask ?? 0, 0);
});

test("network errors and request timeouts are typed", async () => {
  const dead = new KlingClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  const err = await rejects(dead.getTask("x"));
  assert.equal(err.kind, "network");
  assert.equal(err.retryable, true);
  const key = emu.key();
  await emu.fault({ fault: "latency", ms: 1000, key, route: "recordInfo" });
  const t = await rejects(client(key, { timeoutMs: 100, maxRetries: 0 }).getTask("x"));
  assert.equal(t.kind, "timeout");
  assert.notEqual(t.name, "AbortError", "our timeout is not the caller's abort");
});

test("a custom fetch is used, called unbound, and the key goes only to the base URL", async () => {
  const key = emu.key();
  const calls = [];
  const fetchSpy = function (url, init) {
    calls.push({ url, auth: new Headers(init.headers).get("authorization"), thisValue: this });
    return fetch(url, init);
  };
  const c = client(key, { fetch: fetchSpy });
  await c.generate(validInput(), { pollIntervalMs: 40 });
  assert.ok(calls.length >= 2);
  for (const call of calls) {
    assert.ok(call.url.startsWith(emu.base + "/api/v1/"), call.url);
    assert.equal(call.auth, `Bearer ${key}`);
    assert.equal(call.thisValue, undefined);
    assert.ok(!call.url.includes(key), "the key is never in a URL");
  }
});

test("client options are validated; no key means proxy mode", () => {
  assert.throws(() => new KlingClient({ apiKey: "k", baseURL: "http://x" }), (e) => e.kind === "validation" && /did you mean "baseUrl"/.test(e.message));
  assert.throws(() => new KlingClient({}), (e) => e.kind === "validation" && /apiKey is required/.test(e.message));
  assert.throws(() => new KlingClient({ apiKey: "k", maxRetries: -1 }), (e) => e.issues[0].path === "maxRetries");
  assert.throws(() => new KlingClient({ apiKey: "k", baseUrl: "ftp://x" }), (e) => e.issues[0].path === "baseUrl");
  const proxy = new KlingClient({ baseUrl: "http://127.0.0.1:1/" });
  assert.equal(proxy.baseUrl, "http://127.0.0.1:1");
});

test("free() while a call is in flight: the call still settles (its future holds the client)", async () => {
  const key = emu.key();
  const c = client(key);
  const pending = c.generate(validInput(), { pollIntervalMs: 40 });
  c.free();
  const out = await pending;
  assert.equal(out.task.state, "success");
  // The freed object itself is unusable: its calls reject with a KieError (never reach wasm).
  await assert.rejects(c.getTask("x"), (e) => e instanceof KieError && e.kind === "validation" && /freed/.test(e.message));
});

test("per-call maxRetries and requestTimeoutMs override the client's, on every method", async () => {
  const key = emu.key();
  await emu.fault({ fault: "server_error", key, route: "recordInfo", times: 5, retryAfter: 0 });
  const c = client(key, { maxRetries: 4 });
  const err = await rejects(c.getTask("x", { maxRetries: 0 }));
  assert.equal(err.kind, "server");
  assert.equal((await emu.counters(key)).requests.recordInfo, 1, "maxRetries: 0 for this call: one request");
  await rejects(c.getTask("x", { maxRetries: 1 }));
  assert.equal((await emu.counters(key)).requests.recordInfo, 3, "then 1 try + 1 retry");
  const slow = emu.key();
  await emu.fault({ fault: "latency", ms: 3000, key: slow, route: "credit" });
  const t0 = Date.now();
  const timeout = await rejects(client(slow).getCredits({ requestTimeoutMs: 200, maxRetries: 0 }));
  assert.equal(timeout.kind, "timeout");
  assert.match(timeout.message, /after 200 ms/);
  assert.ok(Date.now() - t0 < 2500, "the per-call bound, not the client's 60 s");
});

test("each method names an option it does not take, and a bad value, before sending anything", async () => {
  const key = emu.key();
  const c = client(key);
  const typo = await rejects(c.waitForTask("t", { pollIntervalMS: 500 }));
  assert.equal(typo.kind, "validation");
  assert.equal(typo.issues[0].path, "options.pollIntervalMS");
  assert.match(typo.issues[0].message, /did you mean "pollIntervalMs"/);
  const bad = await rejects(c.generate(validInput(), { waitTimeoutMs: -1, maxRetries: 11 }));
  assert.deepEqual(bad.issues.map((i) => i.path).sort(), ["maxRetries", "waitTimeoutMs"]);
  const both = await rejects(c.createTask({ prompt: "" , image_url: "https://example.com/a.png" }, { callbackUrl: "https://x.test/cb" }));
  assert.deepEqual(both.issues.map((i) => i.path).sort(), ["input.prompt", "options.callbackUrl"], "input and option issues at once");
  assert.equal((await rejects(c.getCredits({ onProgress: () => {} }))).issues[0].path, "options.onProgress");
  const counters = await emu.counters(key);
  assert.equal(Object.values(counters.requests ?? {}).reduce((a, b) => a + b, 0), 0, "nothing was sent");
});

test("logLevel logs each exchange (method, path, status, attempt, duration) and never the key, query or body", async () => {
  const key = emu.key();
  await emu.fault({ fault: "http_429", key, route: "recordInfo", times: 1, retryAfter: 0 });
  const lines = [];
  const logger = Object.fromEntries(["debug", "info", "warn", "error"].map((level) => [level, (message, entry) => lines.push({ level, message, entry })]));
  const c = client(key, { logLevel: "debug", logger });
  const { taskId } = await c.createTask(validInput());
  await c.getTask(taskId);
  assert.deepEqual(lines.map((l) => [l.level, l.entry.method, l.entry.path, l.entry.status, l.entry.attempt]), [
    ["debug", "POST", "/api/v1/jobs/createTask", 200, 1],
    ["warn", "GET", "/api/v1/jobs/recordInfo", 429, 1],
    ["debug", "GET", "/api/v1/jobs/recordInfo", 200, 2],
  ]);
  assert.ok(lines.every((l) => typeof l.entry.durationMs === "number" && l.message.startsWith("kie-kling: ")));
  const text = JSON.stringify(lines);
  assert.ok(!text.includes(key) && !text.includes(taskId) && !text.includes("cat surfing"), "no key, query or body");
  const warnOnly = [];
  await client(key, { logLevel: "warn", logger: { ...logger, debug: (m) => warnOnly.push(m) } }).getCredits();
  assert.equal(warnOnly.length, 0, "debug lines are not written at warn");
  for (const [options, path] of [[{ logLevel: "verbose" }, "logLevel"], [{ logLevel: "debug", logger: "console" }, "logger"]]) {
    assert.throws(() => client(key, options), (e) => e.kind === "validation" && e.issues[0].path === path, path);
  }
});
