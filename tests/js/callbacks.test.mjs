// Callbacks: the emulator's real deliveries, verified (or refused) with verifyCallback.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KlingClient, verifyCallback, parseCallback, KieError } from "kie-kling";
import { startEmulator, startReceiver, validInput } from "./emulator.mjs";

const HMAC_KEY = "whk-test-secret-0123456789";
let signed, unsigned, receiver;
before(async () => {
  receiver = await startReceiver();
  signed = await startEmulator(["--timeline", "30,30,30", "--webhook-hmac-key", HMAC_KEY, "--callback-deliveries", "2"]);
  unsigned = await startEmulator(["--timeline", "30,30,30"]);
});
after(async () => { await signed.close(); await unsigned.close(); await receiver.close(); });

const rejects = async (p) => { try { await p; } catch (e) { return e; } assert.fail("expected a rejection"); };
const reason = async (options) => {
  const e = await rejects(verifyCallback(options));
  assert.ok(e instanceof KieError);
  assert.equal(e.kind, "invalid_webhook");
  return e.reason;
};

async function deliveryFor(emu, input = validInput()) {
  const start = receiver.deliveries.length;
  const c = new KlingClient({ apiKey: emu.key(), baseUrl: emu.base });
  const { taskId } = await c.createTask(input, { callBackUrl: receiver.url });
  const all = await receiver.waitFor(start + 1);
  return { taskId, delivery: all.slice(start).find((d) => d.body.includes(taskId)), client: c };
}

test("a signed delivery verifies once; the redelivery is a replay; forgeries fail, each with its reason", async () => {
  const { taskId, delivery } = await deliveryFor(signed);
  await receiver.waitFor(receiver.deliveries.length + 1, 1000);
  const ts = delivery.headers["x-webhook-timestamp"];
  assert.match(ts, /^\d{10}$/);
  const task = await verifyCallback({ body: delivery.body, headers: delivery.headers, hmacKey: HMAC_KEY });
  assert.equal(task.taskId, taskId);
  assert.equal(task.state, "success");
  assert.equal(task.videoUrls.length, 1);

  assert.equal(await reason({ body: delivery.body, headers: delivery.headers, hmacKey: HMAC_KEY }), "replayed");
  const tampered = delivery.body.replace(taskId, "f".repeat(32));
  assert.equal(await reason({ body: tampered, headers: delivery.headers, hmacKey: HMAC_KEY }), "signature_mismatch");
  const { taskId: t2, delivery: d2 } = await deliveryFor(signed);
  assert.equal(await reason({ body: d2.body, headers: d2.headers, hmacKey: "the-wrong-key" }), "signature_mismatch");
  const old = String(Math.floor(Date.now() / 1000) - 3600);
  assert.equal(await reason({ body: d2.body, headers: { ...d2.headers, "x-webhook-timestamp": old }, hmacKey: HMAC_KEY }), "stale_timestamp");
  const future = String(Math.floor(Date.now() / 1000) + 3600);
  assert.equal(await reason({ body: d2.body, headers: { ...d2.headers, "x-webhook-timestamp": future }, hmacKey: HMAC_KEY }), "future_timestamp");
  assert.equal(await reason({ body: d2.body, headers: {}, hmacKey: HMAC_KEY }), "missing_headers");
  assert.equal(await reason({ body: "x".repeat(1024 * 1024 + 1), headers: d2.headers, hmacKey: HMAC_KEY }), "too_large");
  assert.equal(await reason({ body: "{not json", headers: d2.headers, hmacKey: HMAC_KEY }), "malformed");
  // A Headers object and bytes work as well as plain objects and text; the genuine one still passes.
  const headers = new Headers(d2.headers);
  const ok = await verifyCallback({ body: new TextEncoder().encode(d2.body), headers, hmacKey: HMAC_KEY, toleranceSeconds: 60 });
  assert.equal(ok.taskId, t2);
  const err = await rejects(verifyCallback({ body: d2.body, headers: d2.headers, hmacKey: HMAC_KEY }));
  assert.ok(!JSON.stringify(err).includes(HMAC_KEY) && !err.stack.includes(HMAC_KEY));
});

test("unsigned callbacks: verifyCallback refuses them, parseCallback reads them, confirmCallback asks the API", async () => {
  const { taskId, delivery, client } = await deliveryFor(unsigned);
  assert.equal(delivery.headers["x-webhook-signature"], undefined);
  assert.equal(await reason({ body: delivery.body, headers: delivery.headers, hmacKey: HMAC_KEY }), "missing_headers");
  const parsed = parseCallback(delivery.body);
  assert.equal(parsed.taskId, taskId);
  assert.equal(parsed.state, "success");
  const confirmed = await client.confirmCallback(delivery.body);
  assert.equal(confirmed.taskId, taskId);
  assert.equal(confirmed.state, "success");
  assert.deepEqual(confirmed.videoUrls, parsed.videoUrls);
});

test("failure callbacks parse to a failed Task with a string failCode", async () => {
  const key = unsigned.key();
  await unsigned.fault({ fault: "task", outcome: "fail", failCode: 500, failMsg: "Internal server error", key });
  const start = receiver.deliveries.length;
  const c = new KlingClient({ apiKey: key, baseUrl: unsigned.base });
  const { taskId } = await c.createTask(validInput(), { callBackUrl: receiver.url });
  const d = (await receiver.waitFor(start + 1)).slice(start).find((x) => x.body.includes(taskId));
  const t = parseCallback(JSON.parse(d.body));
  assert.equal(t.state, "fail");
  assert.equal(t.failCode, "500");
  assert.equal(t.failMsg, "Internal server error");
  assert.deepEqual(t.videoUrls, []);
});
