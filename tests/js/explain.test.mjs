// Errors that explain (issue 18): a TimeoutError reason is kind "timeout", any other abort keeps
// its reason as `cause`, a network error names the host (never the path, query or key) and keeps
// the underlying error, and a rejection's stack shows the caller's own frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KlingClient, KieError } from "kie-kling";

const hanging = () => new Promise(() => {});

test("AbortSignal.timeout gives kind timeout; abort(reason) keeps the reason as cause", async () => {
  const client = new KlingClient({ apiKey: "k-explain", baseUrl: "http://127.0.0.1:9", fetch: (url, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason))) });
  const timedOut = await client.getTask("t1", { signal: AbortSignal.timeout(50) }).catch((e) => e);
  assert.ok(timedOut instanceof KieError);
  assert.equal(timedOut.kind, "timeout", timedOut.message);
  assert.equal(timedOut.cause?.name, "TimeoutError");
  const controller = new AbortController();
  const reason = new Error("user left");
  setTimeout(() => controller.abort(reason), 20);
  const aborted = await client.getTask("t1", { signal: controller.signal }).catch((e) => e);
  assert.equal(aborted.kind, "aborted");
  assert.equal(aborted.cause, reason);
});

test("a network error names the host, keeps the cause, and never shows the path, query or key", async () => {
  const client = new KlingClient({ apiKey: "k-secret-explain-123456", baseUrl: "http://127.0.0.1:1", maxRetries: 0 });
  const e = await client.getTask("task-with-a-secret-looking-id").catch((x) => x);
  assert.equal(e.kind, "network");
  assert.match(e.message, /could not reach 127\.0\.0\.1:1\b/);
  assert.ok(!e.message.includes("recordInfo") && !e.message.includes("task-with") && !e.message.includes("k-secret"));
  assert.ok(e.cause instanceof Error, "the underlying error is kept");
});

test("a rejection's stack includes the caller's frame", async () => {
  const client = new KlingClient({ apiKey: "k-stack", baseUrl: "http://127.0.0.1:1", maxRetries: 0 });
  async function callerFunctionName() {
    return client.getTask("x");
  }
  const e = await callerFunctionName().catch((x) => x);
  assert.match(e.stack, /callerFunctionName/);
  assert.match(e.stack, /explain\.test\.mjs/);
  void hanging;
});
