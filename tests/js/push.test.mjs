// kie-kling/proxy's status stream (issue 17, the server half of push): a caller's open stream
// gets the authoritative Task the moment Kie's callback is confirmed, with no polling; every open
// stream for the task gets it; a stream opened later gets it at once; another caller gets 404.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { KlingClient } from "kie-kling";
import { createKieProxy, toNodeListener } from "kie-kling/proxy";
import { startEmulator, validInput } from "./emulator.mjs";

const KEY = "sk-PUSH-0a1b2c3d4e5f6a7b";
const HMAC = "whk-PUSH-9f8e7d6c";
const TOKENS = { "token-alice": "alice", "token-bob": "bob" };
let emu, server, proxyUrl;

before(async () => {
  emu = await startEmulator(["--timeline", "300,300,900", "--webhook-hmac-key", HMAC, "--api-key", KEY]);
  let handler = null;
  server = createServer(toNodeListener((r) => handler(r)));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  proxyUrl = `http://127.0.0.1:${server.address().port}`;
  handler = createKieProxy({
    apiKey: KEY, hmacKey: HMAC, publicUrl: proxyUrl, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase,
    authorize: (r) => TOKENS[(r.headers.get("authorization") ?? "").replace(/^Bearer /, "")] ?? null,
  });
});
after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); await emu.close(); });

const asCaller = (token) => new KlingClient({ baseUrl: proxyUrl, headers: { authorization: `Bearer ${token}` } });

/** Opens the task's stream and resolves with the first `task` event's envelope and when it came. */
async function firstEvent(taskId, token) {
  const r = await fetch(`${proxyUrl}/api/v1/jobs/recordInfo/events?taskId=${taskId}`, { headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) return { status: r.status };
  assert.equal(r.headers.get("content-type"), "text/event-stream");
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { status: 200, ended: true, text };
    text += value;
    const m = text.match(/event: task\ndata: (.*)\n\n/);
    if (m) {
      const at = Date.now();
      const rest = await reader.read(); // the stream ends after the task
      return { status: 200, envelope: JSON.parse(m[1]), at, closed: rest.done };
    }
  }
}

test("open streams receive the confirmed Task within 1 s of completion, without polling", async () => {
  const alice = asCaller("token-alice");
  const { taskId } = await alice.createTask(validInput());
  const readsBefore = (await emu.counters(KEY)).requests?.recordInfo ?? 0;
  const [one, two] = await Promise.all([firstEvent(taskId, "token-alice"), firstEvent(taskId, "token-alice")]);
  for (const e of [one, two]) {
    assert.equal(e.envelope.code, 200);
    assert.equal(e.envelope.data.state, "success");
    assert.equal(e.envelope.data.taskId, taskId);
    assert.ok(e.closed, "the stream ends after the task");
    const late = e.at - e.envelope.data.completeTime;
    assert.ok(late >= 0 && late < 1_000, `noticed ${late} ms after completion`);
  }
  const reads = ((await emu.counters(KEY)).requests?.recordInfo ?? 0) - readsBefore;
  assert.equal(reads, 1, "one upstream read: the proxy's confirmation of the callback, no polls");
  const later = await firstEvent(taskId, "token-alice");
  assert.equal(later.envelope.data.state, "success", "a stream opened after completion answers at once");
  assert.ok(JSON.stringify(later.envelope).indexOf(KEY) < 0);
});

test("through Node's http server the stream is written as it happens, before the task ends", async () => {
  const { taskId } = await asCaller("token-alice").createTask(validInput());
  const started = Date.now();
  const r = await fetch(`${proxyUrl}/api/v1/jobs/recordInfo/events?taskId=${taskId}`, { headers: { authorization: "Bearer token-alice" } });
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  const first = await reader.read();
  assert.match(first.value, /^retry: 3000\n/);
  assert.ok(Date.now() - started < 1_000, "the preamble arrives at once, while the task still runs");
  await reader.cancel();
});

test("another caller cannot open a task's stream", async () => {
  const { taskId } = await asCaller("token-alice").createTask(validInput());
  assert.equal((await firstEvent(taskId, "token-bob")).status, 404);
  assert.equal((await firstEvent("no-such-task", "token-alice")).status, 404);
  const anonymous = await fetch(`${proxyUrl}/api/v1/jobs/recordInfo/events?taskId=${taskId}`);
  assert.equal(anonymous.status, 401);
});
