// The JS boundary holds (README, "The boundary rule"; SECURITY.md): no value, however hostile or
// mistaken, crashes the process, escapes as anything but a KieError, hangs a call, or leaves the
// wasm broken for later calls. Regression tests for each defect found, then a property-based
// fuzzer over every export and method. Runs in its own process (node --test), so the wasm
// memory figures are this file's own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import fc from "fast-check";
import * as sdk from "kie-kling";
import * as runtime from "../../js/runtime.js";
import { totalFunctions } from "../../scripts/total-functions.mjs";
import { startEmulator, validInput } from "./emulator.mjs";

const { KlingClient, KieError, validate, buildCreateTaskBody, parseCallback, verifyCallback, checkImage, wasmMemoryBytes } = sdk;
const MB = 1024 * 1024;
let emu;
const startMemory = wasmMemoryBytes();
before(async () => { emu = await startEmulator(["--timeline", "20,20,20"]); });
after(async () => { await emu.close(); });

// ---- hostile values -------------------------------------------------------------------------
const throwingGetter = () => ({ get prompt() { throw new Error("getter"); }, image_url: "https://example.com/a.png" });
const revoked = () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; };
const trapAll = () => new Proxy({}, Object.fromEntries(
  ["get", "has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf", "defineProperty", "set", "deleteProperty", "isExtensible", "preventExtensions", "setPrototypeOf", "apply", "construct"]
    .map((t) => [t, () => { throw new Error(`trap ${t}`); }]),
));
const cyclic = () => { const o = { prompt: "p", image_url: "https://e.com/a.png" }; o.self = o; o.input = o; return o; };
const HUGE = "x".repeat(1_000_000);
const hostileValues = () => [
  undefined, null, 0, -0, NaN, Infinity, 5n, Symbol("s"), true, "", " ", "\uD800", "\uDFFF\uD800", HUGE,
  throwingGetter(), revoked(), trapAll(), cyclic(), Object.create(null), [], [1, 2], new Uint8Array(3),
  new ArrayBuffer(2), () => {}, function named() {}, new Date(), /re/, new Map(), Object.create(AbortSignal.prototype),
  { signal: Object.create(AbortSignal.prototype) }, { signal: revoked() }, { onProgress: 5 }, { input: revoked() },
  { input: throwingGetter() }, { body: undefined, headers: trapAll(), hmacKey: "k" }, new Proxy([], { get() { throw 1; } }),
];

const rejectsKie = async (promise) => {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof KieError, `not a KieError: ${e}`);
    return e;
  }
  assert.fail("expected a rejection");
};
const throwsKie = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KieError, `not a KieError: ${String(e)}`);
    return e;
  }
  assert.fail("expected a KieError");
};

// A stand-in server in process (a custom fetch, the SDK's documented option): every task fails at
// once, so waits end on the first poll. Not a mock of our code: the SDK runs all of its own.
const instantServer = (extra = {}) => async (url) => {
  const path = new URL(url).pathname;
  const ok = (data) => new Response(JSON.stringify({ code: 200, msg: "success", data }), { headers: { "content-type": "application/json" } });
  if (path.endsWith("/createTask")) return ok({ taskId: "t-instant" });
  if (path.endsWith("/recordInfo")) return ok({ taskId: "t-instant", model: "kling/v2-1-standard", state: "fail", failCode: "501", failMsg: "no", ...extra });
  if (path.endsWith("/credit")) return ok(7);
  if (path.endsWith("/download-url")) return ok("https://example.com/dl");
  return ok({ downloadUrl: "https://example.com/up.png", fileName: "up.png" });
};

const validCallStillWorks = async () => {
  assert.equal(validate({ input: validInput() }).ok, true);
  const c = new KlingClient({ apiKey: emu.key(), baseUrl: emu.base });
  const { taskId } = await c.createTask(validInput());
  const task = await c.getTask(taskId);
  assert.equal(task.taskId, taskId);
};

// ---- regressions: memory first, while this process's wasm memory is still small ---------------
test("a 128 MB callback body is refused as too_large without growing wasm memory past 4 MB", async () => {
  const before = wasmMemoryBytes();
  const text = "x".repeat(128 * MB);
  const e = await rejectsKie(verifyCallback({ body: text, headers: {}, hmacKey: "k" }));
  assert.equal(e.reason, "too_large");
  assert.equal(throwsKie(() => parseCallback(new Uint8Array(128 * MB))).reason, "too_large");
  console.log(`wasm memory before/after the 128 MB bodies: ${before} / ${wasmMemoryBytes()} B`);
  assert.ok(wasmMemoryBytes() < 4 * MB, `wasm memory ${wasmMemoryBytes()}`);
});

test("a 64 MB API response (chunked, no Content-Length) is refused as invalid_response, unread", async () => {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(MB, 0x20);
    res.on("error", () => {});
    for (let i = 0; i < 64; i++) res.write(chunk); // chunked: no Content-Length to go by
    res.end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const c = new KlingClient({ apiKey: "k-big-response", baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 });
    const e = await rejectsKie(c.getTask("abc"));
    assert.equal(e.kind, "invalid_response");
    assert.ok(wasmMemoryBytes() < 4 * MB, `wasm memory ${wasmMemoryBytes()}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("100,000 hostile calls of each class leave every later call working, memory flat", async () => {
  const before = wasmMemoryBytes();
  const freed = new KlingClient({ apiKey: "k-freed" });
  freed.free();
  const client = new KlingClient({ apiKey: "k-hostile", fetch: instantServer() });
  const classes = {
    "validate(throwing getter)": () => assert.equal(validate({ input: throwingGetter() }).ok, false),
    "validate(revoked Proxy)": () => assert.equal(validate(revoked()).ok, false),
    "parseCallback(undefined)": () => throwsKie(() => parseCallback(undefined)),
    "buildCreateTaskBody(trapping Proxy)": () => throwsKie(() => buildCreateTaskBody(trapAll())),
    "new KlingClient(revoked Proxy)": () => throwsKie(() => new KlingClient(revoked())),
  };
  for (const [name, call] of Object.entries(classes)) {
    const t0 = Date.now();
    for (let i = 0; i < 100_000; i++) call();
    console.log(`${name}: 100,000 calls in ${Date.now() - t0} ms`);
    assert.equal(validate({ input: validInput() }).ok, true, `after ${name}`);
  }
  const asyncClasses = {
    "createTask(throwing getter)": () => client.createTask(throwingGetter()),
    "createTask(revoked Proxy)": () => client.createTask(revoked()),
    "getTask(Symbol())": () => client.getTask(Symbol()),
    "getTask(undefined)": () => client.getTask(undefined),
    "getTask on a freed client": () => freed.getTask("x"),
  };
  for (const [name, call] of Object.entries(asyncClasses)) {
    const t0 = Date.now();
    // Batches of 1,000 in flight: each pending call holds its future in wasm memory meanwhile.
    for (let round = 0; round < 100; round++) {
      const batch = [];
      for (let i = 0; i < 1_000; i++) {
        const p = call(); // a promise, never a synchronous throw
        assert.equal(typeof p.then, "function", name);
        batch.push(p.then(() => assert.fail(`${name} resolved`), (e) => assert.ok(e instanceof KieError, `${name}: ${e}`)));
      }
      await Promise.all(batch);
    }
    console.log(`${name}: 100,000 calls in ${Date.now() - t0} ms`);
  }
  await validCallStillWorks();
  console.log(`wasm memory before/after 1,000,000 hostile calls: ${before} / ${wasmMemoryBytes()} B`);
  assert.ok(wasmMemoryBytes() - before <= MB, `wasm memory grew ${wasmMemoryBytes() - before} B`);
});

test("verifyCallback with an undefined, null, number or Symbol body rejects; the process exits 0", () => {
  const script = `
    import { verifyCallback, KieError } from "kie-kling";
    for (const body of [undefined, null, 42, Symbol("b"), 5n]) {
      try { await verifyCallback({ body, headers: {}, hmacKey: "k" }); process.exit(3); }
      catch (e) { if (!(e instanceof KieError) || e.kind !== "invalid_webhook") process.exit(4); }
    }
    try { await verifyCallback(undefined); process.exit(5); } catch (e) { if (!(e instanceof KieError)) process.exit(6); }
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: new URL("../../", import.meta.url).pathname, encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
});

test("a signed delivery re-encoded (padding, whitespace, unused bits, URL alphabet) or with a changed body is refused", async () => {
  const hmacKey = "whk-boundary-0123456789";
  const taskId = "t".repeat(32);
  const ts = String(Math.floor(Date.now() / 1000));
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(hmacKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${taskId}.${ts}`)));
  const b64 = btoa(String.fromCharCode(...sig));
  const body = JSON.stringify({ code: 200, msg: "ok", data: { taskId, state: "success", resultJson: "{\"resultUrls\":[\"https://e.com/v.mp4\"]}" } });
  const task = await verifyCallback({ body, headers: { "x-webhook-timestamp": ts, "x-webhook-signature": b64 }, hmacKey });
  assert.equal(task.taskId, taskId);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const last = alphabet.indexOf(b64[42]);
  const variants = [
    b64, b64.replace(/=+$/, ""), `${b64}=`, `${b64.slice(0, 10)} ${b64.slice(10)}`, `${b64.slice(0, 10)}\n${b64.slice(10)}`,
    b64.replace(/\+/g, "-").replace(/\//g, "_"), ...[1, 2, 3].map((f) => b64.slice(0, 42) + alphabet[(last & ~3) | ((last & 3) ^ f)] + "="),
  ];
  const changed = body.replace("https://e.com/v.mp4", "https://attacker.example/x.mp4");
  for (const signature of variants) {
    for (const b of [body, changed]) {
      const e = await rejectsKie(verifyCallback({ body: b, headers: { "x-webhook-timestamp": ts, "x-webhook-signature": signature }, hmacKey }));
      assert.ok(["malformed", "replayed"].includes(e.reason), `${JSON.stringify(signature)}: ${e.reason}`);
    }
  }
});

test("the key echoed inside a successful record (raw, param, videoUrls, failMsg), in any case, is never returned", async () => {
  const apiKey = "kie_live_ECHOED0123456789abcdef";
  const upper = apiKey.toUpperCase();
  const c = new KlingClient({
    apiKey,
    fetch: async () => new Response(JSON.stringify({
      code: 200, msg: `ok ${apiKey}`,
      data: {
        taskId: "t1", model: "kling/v2-1-standard", state: "success",
        param: JSON.stringify({ model: "kling/v2-1-standard", input: { prompt: `key ${apiKey}`, image_url: `https://e.com/${upper}` } }),
        resultJson: JSON.stringify({ resultUrls: [`https://e.com/v.mp4?k=${apiKey}`, `https://e.com/${apiKey.toLowerCase()}`] }),
        failMsg: `failed for ${apiKey}`,
      },
    })),
  });
  const task = await c.getTask("t1");
  const text = JSON.stringify(task);
  // Transformed forms (base64, fragments) are the proxy's concern: tests/js/proxy.test.mjs.
  for (const form of [apiKey, upper, apiKey.toLowerCase()]) assert.ok(!text.includes(form), `${form} in ${text}`);
  assert.ok(text.includes("[redacted]"));
});

test("every @total function of runtime.js returns for every hostile value", () => {
  const TOTAL = totalFunctions(new URL("../../js/runtime.js", import.meta.url).pathname);
  assert.ok(TOTAL.length >= 20, `found ${TOTAL.length}`);
  // The arguments the wasm itself supplies (names, limits); the caller's value goes first.
  const wasmArgs = {
    fieldOf: ["prompt"], propOf: ["prompt"], unknownKeys: [["prompt"]], ownKeys: [8], itemsOf: [8], stringOf: [8],
    textSlice: [0, 8], snapshot: [["prompt", "input"], "input", ["prompt"]], readHeader: ["x-webhook-signature", 8],
    callbackJson: [1024], functionOf: ["onProgress"], makeError: ["m", {}],
  };
  for (const name of TOTAL) {
    const fn = runtime[name];
    assert.equal(typeof fn, "function", name);
    for (const a of hostileValues()) {
      try {
        if (name === "setProp") fn({}, "k", a);
        else if (name === "makeError") fn("validation", "m", a);
        // drive (async) answers a hostile value with a rejection: returning is what counts.
        else if (name === "drive") fn(a).catch(() => {});
        else fn(a, ...(wasmArgs[name] ?? []));
      } catch (e) {
        assert.fail(`${name} threw ${String(e)}`);
      }
    }
  }
});

// ---- the boundary fuzzer -------------------------------------------------------------------------
// Proxies cannot pass through fast-check's generators (it inspects values), so hostile values are
// generated as tokens and made inside the property.
class Make { constructor(i) { this.i = i; } }
const realize = (v) => {
  if (v instanceof Make) return hostileValues()[v.i];
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype && Object.values(v).some((x) => x instanceof Make)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, realize(x)]));
  }
  return v;
};
const made = fc.nat(hostileValues().length - 1).map((i) => new Make(i));
const hostile = fc.oneof(
  { weight: 4, arbitrary: fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withUnicodeString: true }) },
  { weight: 2, arbitrary: made },
  { weight: 2, arbitrary: fc.record({ prompt: fc.oneof(fc.string(), fc.constant(HUGE), fc.constant("\uD800")), image_url: fc.oneof(fc.webUrl(), fc.string(), made), duration: fc.constantFrom("5", "10", 5, undefined), cfg_scale: fc.oneof(fc.double(), fc.constant(5n)) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.func(fc.anything()) },
);
const calls = [
  (a) => validate(a),
  (a, b) => buildCreateTaskBody(a, b),
  (a) => parseCallback(a),
  (a) => new KlingClient(a),
];
const asyncCalls = [
  (c, a, b) => c.createTask(a, b),
  (c, a, b) => c.getTask(a, b),
  (c, a, b) => c.waitForTask(a, b),
  (c, a, b) => c.generate(a, b),
  (c, a, b) => c.uploadImage(a, b),
  (c, a) => c.getCredits(a),
  (c, a, b) => c.getDownloadUrl(a, b),
  (c, a, b) => c.confirmCallback(a, b),
  (c, a) => checkImage(a),
  (c, a) => verifyCallback(a),
  (c, a, b) => verifyCallback({ body: a, headers: b, hmacKey: "k" }),
];
const settleWithin = (p, ms) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  p.then((v) => { clearTimeout(timer); resolve({ v }); }, (e) => { clearTimeout(timer); resolve({ e }); });
});

test("boundary fuzzer: every export and method answers any value with a value or a KieError", async () => {
  const seconds = Number(process.env.FUZZ_SECONDS || 0);
  const numRuns = seconds > 0 ? 10_000_000 : 20_000;
  const before = wasmMemoryBytes();
  const started = Date.now();
  const client = new KlingClient({ apiKey: "k-fuzz", fetch: instantServer() });
  const freed = new KlingClient({ apiKey: "k-fuzz-freed" });
  freed.free();
  let cases = 0;
  // A crash kills the process before fast-check can report: the seed is printed first.
  const seed = Number(process.env.FUZZ_SEED || Date.now() % 2 ** 31);
  console.log(`boundary fuzzer seed ${seed} (FUZZ_SEED=${seed} replays it)`);
  await fc.assert(
    fc.asyncProperty(fc.nat(calls.length + asyncCalls.length * 2 - 1), hostile, hostile, async (which, ta, tb) => {
      cases++;
      const [a, b] = [realize(ta), realize(tb)];
      if (which < calls.length) {
        try {
          calls[which](a, b);
        } catch (e) {
          if (!(e instanceof KieError)) throw new Error(`sync call ${which} threw ${String(e)}`);
        }
        return;
      }
      const k = which - calls.length;
      const c = k < asyncCalls.length ? client : freed;
      let p;
      try {
        p = asyncCalls[k % asyncCalls.length](c, a, b);
      } catch (e) {
        throw new Error(`async call ${k} threw synchronously: ${String(e)}`);
      }
      const r = await settleWithin(Promise.resolve(p), 2000);
      if ("e" in r && !(r.e instanceof KieError)) throw new Error(`async call ${k} rejected with ${String(r.e)}`);
    }),
    { seed, numRuns, interruptAfterTimeLimit: seconds > 0 ? seconds * 1000 : 55_000, markInterruptAsFailure: seconds === 0 },
  );
  await validCallStillWorks();
  const grew = wasmMemoryBytes() - before;
  console.log(`boundary fuzzer: ${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s; wasm memory ${before} -> ${wasmMemoryBytes()} B (start of file ${startMemory} B)`);
  assert.ok(grew <= MB, `wasm memory grew ${grew} B`);
});
