// kie-kling/proxy paces every caller's creates under Kie's per-key limit (issue 17's pacer):
// many callers bursting through one proxy never make the emulator answer 429, creates go in
// arrival order, the queue is bounded, and a create whose caller left is never sent. The
// emulator's window is 1 s here (--rate-window-ms), and the pacer's 1.25 s, so a run takes seconds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createKieProxy, memoryPacer, toNodeListener } from "kie-kling/proxy";
import { startEmulator, validInput } from "./emulator.mjs";

const KEY = "sk-PACER-0a1b2c3d4e5f";
const WINDOW = 1_000;
let emu;
before(async () => { emu = await startEmulator(["--api-key", KEY, "--rate-limit", "20", "--rate-window-ms", String(WINDOW), "--timeline", "50,50,50"]); });
after(async () => { await emu.close(); });

const proxyFor = (pacer) => createKieProxy({
  apiKey: KEY, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase, pacer,
  authorize: (r) => r.headers.get("x-user"),
});
const create = (proxy, user, signal) => proxy(new Request("http://proxy.test/api/v1/jobs/createTask", {
  method: "POST", headers: { "content-type": "application/json", "x-user": user },
  body: JSON.stringify({ model: "kling/v2-1-standard", input: validInput() }), signal,
}));
const busiest = (times, window) => Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + window).length));

test("60 creates from 20 concurrent callers: never more than 20 per window reach Kie, no 429, in arrival order", async () => {
  const before = (await emu.counters(KEY)).tasksCreated;
  const proxy = proxyFor(memoryPacer({ perWindow: 20, windowMs: WINDOW + 250 }));
  const order = [];
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => create(proxy, `user-${i % 20}`).then(async (r) => {
    order.push(i);
    return { i, status: r.status, body: await r.json() };
  })));
  assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => [a.status, a.body.msg]), [], "every create succeeded");
  const c = await emu.counters(KEY);
  assert.equal(c.tasksCreated - before, 60);
  assert.equal(c.rateLimited, 0, "the emulator never had to refuse one");
  const times = c.createTimesMs.slice(-60);
  assert.ok(busiest(times, WINDOW) <= 20, `busiest ${WINDOW} ms window held ${busiest(times, WINDOW)}`);
  assert.ok(Date.now() - started >= 2 * WINDOW, "60 creates need at least two more windows");
  // Arrival order: the first 20 (one per caller) finish before any of the last 20 start.
  assert.ok(Math.max(...order.slice(0, 20)) < 40, "the first arrivals went first");
  console.log(`pacer: 60 creates in ${Date.now() - started} ms, busiest window ${busiest(times, WINDOW)}`);
});

test("beyond its queue the pacer answers 429 with Retry-After and sends nothing", async () => {
  const before = (await emu.counters(KEY)).tasksCreated;
  const proxy = proxyFor(memoryPacer({ perWindow: 2, windowMs: 5_000, maxQueue: 2 }));
  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => create(proxy, `u${i}`)));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses.filter((s) => s === 429).length, 2, `${statuses}`);
  const refused = answers.find((r) => r.status === 429);
  assert.ok(Number(refused.headers.get("retry-after")) >= 1);
  assert.equal((await emu.counters(KEY)).tasksCreated - before, 4, "2 at once + 2 queued; the refused 2 never sent");
});

test("a caller that leaves while its create waits is never sent, and its slot is given back", async () => {
  const before = (await emu.counters(KEY)).tasksCreated;
  const proxy = proxyFor(memoryPacer({ perWindow: 1, windowMs: 3_000 }));
  assert.equal((await create(proxy, "first")).status, 200);
  const leaving = new AbortController();
  const waiting = create(proxy, "leaver", leaving.signal);
  setTimeout(() => leaving.abort(), 100);
  assert.equal((await waiting).status, 499);
  await new Promise((r) => setTimeout(r, 3_200));
  assert.equal((await emu.counters(KEY)).tasksCreated - before, 1, "the abandoned create was never sent");
});

test("through Node's http server, a client that hangs up drops its waiting create", async () => {
  const before = (await emu.counters(KEY)).tasksCreated;
  const proxy = proxyFor(memoryPacer({ perWindow: 1, windowMs: 2_000 }));
  const server = createServer(toNodeListener(proxy));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/api/v1/jobs/createTask`;
  const post = (signal) => fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-user": "n" }, body: JSON.stringify({ input: validInput() }), signal });
  try {
    assert.equal((await post()).status, 200);
    const gone = new AbortController();
    const pending = post(gone.signal).catch(() => "hung up");
    setTimeout(() => gone.abort(), 100);
    assert.equal(await pending, "hung up");
    await new Promise((r) => setTimeout(r, 2_300));
    assert.equal((await emu.counters(KEY)).tasksCreated - before, 1);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("pacer options are validated, and a pacer that is not one is refused", () => {
  assert.throws(() => memoryPacer({ perWindw: 20 }), (e) => e.kind === "validation" && /perWindow/.test(e.issues[0].message));
  assert.throws(() => memoryPacer({ windowMs: -1 }), (e) => e.kind === "validation" && e.issues[0].path === "windowMs");
  assert.throws(() => proxyFor({ reserve: 1 }), (e) => e.kind === "validation" && e.issues[0].path === "pacer");
});
