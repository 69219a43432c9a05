// What errors and records promise their readers (the types narrow on them): validation errors
// always carry `issues`, task_failed its failCode/failMsg/task, callbacks' costTime is in ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sdkForUrls from "kie-kling";
import { KlingClient, KieError, parseCallback, verifyCallback } from "kie-kling";

test("every validation error has an issues array, from the SDK's checks and from Kie's answers", async () => {
  const client = new KlingClient({
    apiKey: "k-errors",
    fetch: async () => new Response(JSON.stringify({ code: 422, msg: "prompt is required", data: null }), { headers: { "content-type": "application/json" } }),
  });
  const fromKie = await client.createTask({ prompt: "p", image_url: "https://e.com/a.png" }).catch((e) => e);
  const blankId = await client.getTask("").catch((e) => e);
  const noKey = await verifyCallback({ body: "{}", headers: {} }).catch((e) => e);
  for (const e of [fromKie, blankId, noKey]) {
    assert.ok(e instanceof KieError && e.kind === "validation", String(e));
    assert.ok(Array.isArray(e.issues), `${e.message}: issues ${e.issues}`);
  }
});

test("a callback's costTime (seconds on the wire) reads in milliseconds, like recordInfo's", () => {
  const task = parseCallback({ code: 200, data: { taskId: "t1", state: "success", costTime: 8, resultJson: "{\"resultUrls\":[\"https://e.com/v.mp4\"]}" } });
  assert.equal(task.costTime, 8000);
});

test("URLs longer than 4096 characters are too_long, judged before they are copied", () => {
  const { validate } = sdkForUrls;
  const long = `https://example.com/${"a".repeat(5000)}`;
  const r = validate({ input: { prompt: "p", image_url: long }, callBackUrl: long });
  const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i]));
  assert.equal(byPath["input.image_url"].code, "too_long");
  assert.equal(byPath["input.image_url"].limit, 4096);
  assert.equal(byPath.callBackUrl.code, "too_long");
});
