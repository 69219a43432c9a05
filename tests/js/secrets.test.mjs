// Provokes every error kind with a recognisable key and searches everything observable for it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { KlingClient } from "kie-kling";
import { startEmulator, validInput } from "./emulator.mjs";

let emu;
before(async () => { emu = await startEmulator(["--timeline", "50,50,50"]); });
after(() => emu.close());

const rejects = async (p) => { try { await p; } catch (e) { return e; } assert.fail("expected a rejection"); };

function assertClean(err, key, label) {
  const seen = [err.message, err.stack, JSON.stringify(err), inspect(err, { depth: 5, showHidden: true }), String(err)];
  for (const [name, value] of Object.entries(Object.getOwnPropertyDescriptors(err))) seen.push(name, inspect(value.value, { depth: 5 }));
  for (const text of seen) assert.ok(!String(text).includes(key), `${label}: key found in ${String(text).slice(0, 200)}`);
}

test("no error kind carries the key, even when the server echoes it; nothing is logged", async () => {
  const kinds = new Set();
  const logged = [];
  const original = {};
  for (const m of ["log", "info", "warn", "error", "debug", "trace"]) {
    original[m] = console[m];
    console[m] = (...args) => logged.push(args.map(String).join(" "));
  }
  const run = async (label, fn) => {
    const key = `sk-LEAK-${Math.random().toString(36).slice(2)}-${label}`;
    const err = await rejects(fn(key));
    kinds.add(err.kind);
    assertClean(err, key, label);
  };
  const c = (key, o = {}) => new KlingClient({ apiKey: key, baseUrl: emu.base, maxRetries: 0, ...o });
  const echo = (key, code) => emu.fault({ fault: "code", code, msg: `bad key ${key} was rejected`, key, route: "*" });
  await run("validation", (k) => c(k).createTask({ prompt: "" }));
  await run("validation-options", (k) => Promise.reject(captureThrow(() => new KlingClient({ apiKey: k, bogus: k }))));
  for (const [label, code] of [["unauthorized", 401], ["credits", 402], ["notfound", 404], ["ratelimited", 429], ["daily", 433], ["maint", 455], ["server", 500], ["genfail", 501], ["disabled", 505], ["http", 418], ["validation422", 422]]) {
    await run(label, async (k) => { await echo(k, code); return c(k).createTask(validInput()); });
  }
  await run("blocked", async (k) => { await emu.fault({ fault: "cloudflare_403", key: k }); return c(k).getTask("x"); });
  await run("invalid", async (k) => { await emu.fault({ fault: "truncated_json", key: k }); return c(k).getTask("x"); });
  await run("network", (k) => new KlingClient({ apiKey: k, baseUrl: "http://127.0.0.1:9", maxRetries: 0 }).getTask("x"));
  await run("timeout", async (k) => { await emu.fault({ fault: "latency", ms: 500, key: k }); return c(k, { timeoutMs: 50 }).getTask("x"); });
  await run("aborted", (k) => c(k).getTask("x", { signal: AbortSignal.abort() }));
  await run("task_failed", async (k) => { await emu.fault({ fault: "task", outcome: "fail", failMsg: `echo ${k}`, key: k }); return c(k).generate(validInput(), { pollIntervalMs: 20 }); });
  await run("wait-timeout", async (k) => { await emu.fault({ fault: "task", outcome: "never", key: k }); return c(k).generate(validInput(), { timeoutMs: 200, pollIntervalMs: 50 }); });
  Object.assign(console, original);
  assert.deepEqual(logged, [], "the SDK writes nothing to the console");
  assert.deepEqual([...kinds].sort(), [
    "aborted", "blocked", "daily_limit", "feature_disabled", "generation_failed", "http", "insufficient_credits", "invalid_response",
    "maintenance", "network", "not_found", "rate_limited", "server", "task_failed", "timeout", "unauthorized", "validation",
  ]);
});

test("the client object itself does not reveal the key", () => {
  const key = "sk-LEAK-client-object";
  const c = new KlingClient({ apiKey: key, baseUrl: emu.base });
  assert.ok(!inspect(c, { showHidden: true, depth: 5 }).includes(key));
  assert.ok(!JSON.stringify(c ?? {}).includes(key));
  assert.ok(!String(c).includes(key));
});

function captureThrow(fn) {
  try { fn(); } catch (e) { return e; }
  return new Error("did not throw");
}
