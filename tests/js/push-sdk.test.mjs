// The SDK's half of push (issue 17): a keyless client waiting through kie-kling/proxy discovers
// the status stream from the proxy's replies (no setting), listens instead of polling, resumes a
// dropped stream, and finishes by polling when callbacks never come. Real parts throughout: the
// emulator and the proxy over HTTP on 127.0.0.1, the SDK's wasm in Node.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { KlingClient } from "kie-kling";
import { createKieProxy, toNodeListener, memoryHub, memoryStore } from "kie-kling/proxy";
import { startEmulator, validInput } from "./emulator.mjs";

const KEY = "sk-PUSHSDK-0a1b2c3d4e5f";
const HMAC = "whk-PUSHSDK-9f8e7d6c";
const TOKENS = { "token-alice": "alice", "token-bob": "bob" };
const EVENTS = "/api/v1/jobs/recordInfo/events";
const READ = "/api/v1/jobs/recordInfo";

/** The emulator (tasks end 1.5 s after creation) behind a proxy on Node's http server. Every
 *  request the proxy gets is recorded; `dropNextStream` cuts the next status stream's socket. */
async function stack(emulatorArgs = []) {
  const emu = await startEmulator(["--timeline", "300,300,900", "--webhook-hmac-key", HMAC, "--api-key", KEY, ...emulatorArgs]);
  const seen = [];
  const drops = { next: 0 };
  const streams = { open: 0, most: 0 };
  let handler = null;
  const listener = toNodeListener((r) => handler(r));
  const server = createServer((req, res) => {
    const path = req.url.split("?")[0];
    seen.push(path);
    if (path === EVENTS) {
      streams.most = Math.max(streams.most, ++streams.open);
      res.once("close", () => streams.open--);
      if (drops.next > 0) {
        drops.next--;
        setTimeout(() => req.socket.destroy(), 300);
      }
    }
    listener(req, res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  handler = createKieProxy({
    apiKey: KEY, hmacKey: HMAC, publicUrl: url, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase,
    authorize: (r) => TOKENS[(r.headers.get("authorization") ?? "").replace(/^Bearer /, "")] ?? null,
  });
  const client = (token = "token-alice", options = {}) => new KlingClient({ baseUrl: url, headers: { authorization: `Bearer ${token}` }, ...options });
  const count = (path) => seen.filter((p) => p === path).length;
  return {
    emu, url, client, count, drops, seen, streams,
    close: async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); await emu.close(); },
  };
}

let s;
before(async () => { s = await stack(); });
after(async () => { await s.close(); });

test("generate through the proxy: the callback's Task arrives within 1 s, with no poll at all", async () => {
  const before = s.count(READ);
  const states = [];
  const { task, videoUrl } = await s.client().generate(validInput(), { onProgress: (t) => states.push(t.state) });
  const noticed = Date.now() - task.completeTime;
  assert.equal(task.state, "success");
  assert.ok(noticed >= 0 && noticed < 1_000, `noticed ${noticed} ms after completion`);
  assert.equal(s.count(READ) - before, 0, "no recordInfo poll: the stream carried the result");
  assert.deepEqual(states, ["success"]);
  assert.match(videoUrl, /^http:\/\/127\.0\.0\.1:\d+\//);
});

test("waitForTask discovers the stream from its first poll and polls only that once", async () => {
  const alice = s.client();
  const { taskId } = await alice.createTask(validInput());
  const [reads, streams] = [s.count(READ), s.count(EVENTS)];
  const states = [];
  const task = await alice.waitForTask(taskId, { onProgress: (t) => states.push(t.state) });
  assert.ok(Date.now() - task.completeTime < 1_000);
  assert.equal(s.count(READ) - reads, 1, "one poll");
  assert.equal(s.count(EVENTS) - streams, 1, "one stream");
  assert.equal(states.at(-1), "success");
  assert.equal(new Set(states).size, states.length, "each state reported once");
});

test("a dropped stream is resumed after one poll, and the result still arrives within 1 s", async () => {
  const alice = s.client();
  const { taskId } = await alice.createTask(validInput());
  const [reads, streams] = [s.count(READ), s.count(EVENTS)];
  s.drops.next = 1;
  const task = await alice.waitForTask(taskId);
  assert.equal(task.state, "success");
  assert.ok(Date.now() - task.completeTime < 1_000);
  assert.equal(s.count(EVENTS) - streams, 2, "the dropped stream, then the resumed one");
  assert.equal(s.count(READ) - reads, 2, "the first poll, and one after the drop");
});

test("abort and timeout behave as with polling while a stream is open", async () => {
  const alice = s.client();
  const { taskId } = await alice.createTask(validInput());
  const streams = s.count(EVENTS);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("user left")), 200);
  const started = Date.now();
  const aborted = await alice.waitForTask(taskId, { signal: controller.signal }).catch((e) => e);
  assert.equal(aborted.kind, "aborted");
  assert.equal(aborted.taskId, taskId);
  assert.match(aborted.message, /keeps running on Kie/);
  assert.ok(Date.now() - started < 1_000, "the abort cut the open stream short");
  assert.equal(s.count(EVENTS) - streams, 1, "it was listening when the abort came");
  const timedOut = await alice.waitForTask(taskId, { timeoutMs: 250 }).catch((e) => e);
  assert.equal(timedOut.kind, "timeout");
  assert.match(timedOut.message, /did not finish within 250 ms/);
});

test("another caller's SDK gets not_found from its first poll and never opens the stream", async () => {
  const { taskId } = await s.client().createTask(validInput());
  const streams = s.count(EVENTS);
  const e = await s.client("token-bob").waitForTask(taskId).catch((err) => err);
  assert.equal(e.kind, "not_found");
  assert.equal(s.count(EVENTS), streams);
  // (The stream route itself refuses a foreign caller: tests/js/push.test.mjs.)
});

test("one client holds at most 4 streams at once (browsers allow 6 connections per host over HTTP/1.1); its other waits poll", async () => {
  const alice = s.client();
  const ids = [];
  for (let i = 0; i < 6; i++) ids.push((await alice.createTask(validInput())).taskId);
  s.streams.most = s.streams.open;
  const tasks = await Promise.all(ids.map((id) => alice.waitForTask(id, { pollIntervalMs: 200 })));
  assert.ok(tasks.every((t) => t.state === "success"));
  assert.equal(s.streams.most, 4);
});

test("with callbacks lost, the SDK still finishes: its safety poll catches the result", async () => {
  const lost = await stack(["--callback-deliveries", "0"]);
  try {
    // On a clock 1000 times faster the 10-minute safety poll comes every 0.6 s.
    const { task } = await lost.client().generate(validInput(), { timeScale: 0.001, timeoutMs: 60 * 60_000 });
    assert.equal(task.state, "success");
    assert.ok(lost.count(EVENTS) >= 1, "it listened first");
    assert.ok(lost.count(READ) >= 1, "and polled to finish");
  } finally {
    await lost.close();
  }
});

test("a proxy without a public URL offers no stream: the SDK polls as before", async () => {
  const emu = await startEmulator(["--timeline", "100,100,300", "--api-key", KEY]);
  const proxy = createKieProxy({ apiKey: KEY, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase, allowAnonymous: true });
  const seen = [];
  const server = createServer(toNodeListener((r) => (seen.push(new URL(r.url).pathname), proxy(r))));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const client = new KlingClient({ baseUrl: `http://127.0.0.1:${server.address().port}` });
    const { task } = await client.generate(validInput(), { pollIntervalMs: 100 });
    assert.equal(task.state, "success");
    assert.equal(seen.filter((p) => p === EVENTS).length, 0);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await emu.close();
  }
});

test("two proxy instances sharing a store and a hub: the callback landing on one reaches the SDK streaming from the other", async () => {
  // As two Worker isolates behind one hostname: the page talks to A, Kie's callback lands on B.
  const emu = await startEmulator(["--timeline", "300,300,900", "--webhook-hmac-key", HMAC, "--api-key", KEY]);
  const [store, hub] = [memoryStore(), memoryHub()];
  const servers = [];
  const listen = async (handler) => {
    const server = createServer(toNodeListener((r) => handler.current(r)));
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    return `http://127.0.0.1:${server.address().port}`;
  };
  const [a, b] = [{ current: null }, { current: null }];
  const [urlA, urlB] = [await listen(a), await listen(b)];
  const callbacks = { a: 0, b: 0 };
  const make = (name) => {
    const proxy = createKieProxy({ apiKey: KEY, hmacKey: HMAC, publicUrl: urlB, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase, store, hub, authorize: () => "alice" });
    return (r) => (new URL(r.url).pathname === "/api/kie-callback" && callbacks[name]++, proxy(r));
  };
  a.current = make("a");
  b.current = make("b");
  try {
    const { task } = await new KlingClient({ baseUrl: urlA }).generate(validInput());
    assert.equal(task.state, "success");
    assert.ok(Date.now() - task.completeTime < 1_000);
    assert.deepEqual(callbacks, { a: 0, b: 1 }, "the callback went to the other instance");
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    await emu.close();
  }
});
