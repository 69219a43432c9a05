// The fault matrix: every client operation against every emulator fault. Each cell asserts a
// typed KieError with the right kind and retryable, at most one task per createTask call, and
// (for the abort row) no request after the abort. Prints the matrix as a table.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KlingClient, KieError, verifyCallback } from "kie-kling";
import { startEmulator, startReceiver, validInput, PNG_1X1 } from "../js/emulator.mjs";

const HMAC = "matrix-hmac-key";
let emu, receiver;
const unhandled = [];
const onUnhandled = (e) => unhandled.push(e);
before(async () => {
  process.on("unhandledRejection", onUnhandled);
  emu = await startEmulator(["--timeline", "30,30,30", "--rate-limit", "0", "--webhook-hmac-key", HMAC, "--callback-deliveries", "2"]);
  receiver = await startReceiver();
});
after(async () => { process.off("unhandledRejection", onUnhandled); await emu.close(); await receiver.close(); });

const ROUTES = { create: "createTask", get: "recordInfo", wait: "recordInfo", upload: "upload", credits: "credit" };
const OPS = Object.keys(ROUTES);

async function runOp(op, client, taskId, options = {}) {
  switch (op) {
    case "create": return client.createTask(validInput(), options);
    case "get": return client.getTask(taskId, options);
    case "wait": return client.waitForTask(taskId, { pollIntervalMs: 20, timeoutMs: 3000, ...options });
    case "upload": return client.uploadImage(PNG_1X1, options);
    case "credits": return client.getCredits(options);
  }
}

// fault -> (op) -> expected { kind, retryable, maybeCreated? }
const transient = (kind) => (op) => ({ kind, retryable: true });
const ambiguousOnCreate = (kind) => (op) => (op === "create" ? { kind, retryable: false, maybeCreated: true } : { kind, retryable: true });
const FAULTS = {
  "latency past the timeout": { rule: { fault: "latency", ms: 1500 }, client: { timeoutMs: 250 }, expect: ambiguousOnCreate("timeout") },
  "429 burst": { rule: { fault: "rate_limit", retryAfter: 0 }, expect: transient("rate_limited") },
  "HTTP 429 burst": { rule: { fault: "http_429", retryAfter: 0 }, expect: transient("rate_limited") },
  "455 window": { rule: { fault: "maintenance", retryAfter: 0 }, expect: transient("maintenance") },
  "500": { rule: { fault: "server_error" }, expect: ambiguousOnCreate("server") },
  "HTML 502": { rule: { fault: "html_502" }, expect: ambiguousOnCreate("server") },
  "bare 403 (error code: 1010)": { rule: { fault: "cloudflare_403" }, expect: () => ({ kind: "blocked", retryable: false }) },
  "truncated JSON": { rule: { fault: "truncated_json" }, expect: ambiguousOnCreate("invalid_response") },
  "connection reset": { rule: { fault: "reset" }, expect: ambiguousOnCreate("network") },
  "307 redirect (never followed)": { rule: { fault: "redirect" }, expect: () => ({ kind: "http", retryable: false }) },
};

const table = [];
test("every operation against every fault", async () => {
  for (const [name, f] of Object.entries(FAULTS)) {
    const cells = [];
    for (const op of OPS) {
      const key = emu.key("mx");
      const client = new KlingClient({ apiKey: key, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase, maxRetries: 2, ...f.client });
      const taskId = op === "get" || op === "wait" ? (await client.createTask(validInput())).taskId : undefined;
      const createdBefore = (await emu.counters(key)).tasksCreated;
      await emu.fault({ ...f.rule, key, route: ROUTES[op], times: 10 });
      const err = await runOp(op, client, taskId).then(() => null, (e) => e);
      assert.ok(err instanceof KieError, `${name} / ${op}: a KieError (got ${err})`);
      const want = f.expect(op);
      assert.equal(err.kind, want.kind, `${name} / ${op}: kind`);
      assert.equal(err.retryable, want.retryable, `${name} / ${op}: retryable`);
      assert.equal(err.maybeCreated, want.maybeCreated ?? false, `${name} / ${op}: maybeCreated`);
      if (f.rule.fault === "latency") await new Promise((r) => setTimeout(r, 1600));
      const c = await emu.counters(key);
      if (op === "create") assert.ok(c.tasksCreated - createdBefore <= 1, `${name}: at most one task per createTask`);
      if (f.rule.fault === "redirect") {
        assert.equal(err.status, 307, `${name} / ${op}: status`);
        assert.match(err.message, /does not follow/);
        const all = await (await fetch(`${emu.base}/__emulator/counters`)).json();
        assert.equal(all.redirectsFollowed, 0, `${name} / ${op}: nothing followed the redirect (the key stays with baseUrl)`);
      }
      const sent = c.requests[ROUTES[op]] ?? 0;
      cells.push(`${err.kind}${err.retryable ? " ↻" : ""}${err.maybeCreated ? " ?" : ""} (${sent} req)`);
    }
    table.push([name, ...cells]);
  }

  // A task that never finishes: only waiting can notice it.
  {
    const key = emu.key("mx");
    await emu.fault({ fault: "task", outcome: "never", key });
    const client = new KlingClient({ apiKey: key, baseUrl: emu.base });
    const { taskId } = await client.createTask(validInput());
    const err = await client.waitForTask(taskId, { timeoutMs: 400, pollIntervalMs: 50 }).catch((e) => e);
    assert.equal(err.kind, "timeout");
    assert.equal(err.task.state, "generating");
    table.push(["never-finishing task", "ok", "ok (generating)", "timeout, last task attached", "-", "-"]);
  }

  // Abort during a slow answer: rejects as aborted, and no request follows.
  {
    const row = ["abort during a slow answer"];
    for (const op of OPS) {
      const key = emu.key("mx");
      const client = new KlingClient({ apiKey: key, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase });
      const taskId = op === "get" || op === "wait" ? (await client.createTask(validInput())).taskId : undefined;
      await emu.fault({ fault: "latency", ms: 2000, key, route: ROUTES[op] });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const err = await runOp(op, client, taskId, { signal: ac.signal }).catch((e) => e);
      assert.equal(err.kind, "aborted", `abort / ${op}`);
      assert.equal(err.name, "AbortError");
      const n = (await emu.counters(key)).requests[ROUTES[op]];
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await emu.counters(key)).requests[ROUTES[op]], n, `abort / ${op}: no request after the abort`);
      row.push(`aborted${err.maybeCreated ? " ?" : ""}`);
    }
    table.push(row);
  }

  // A duplicate callback delivery: the first verifies, the second is a replay.
  {
    const key = emu.key("mx");
    const client = new KlingClient({ apiKey: key, baseUrl: emu.base });
    const start = receiver.deliveries.length;
    const { taskId } = await client.createTask(validInput(), { callBackUrl: receiver.url });
    const deliveries = (await receiver.waitFor(start + 2)).slice(start).filter((d) => d.body.includes(taskId));
    assert.equal(deliveries.length, 2);
    const first = await verifyCallback({ body: deliveries[0].body, headers: deliveries[0].headers, hmacKey: HMAC });
    assert.equal(first.taskId, taskId);
    const second = await verifyCallback({ body: deliveries[1].body, headers: deliveries[1].headers, hmacKey: HMAC }).catch((e) => e);
    const ok = second instanceof KieError ? second.reason === "replayed" : second.taskId === taskId;
    assert.ok(ok, "the duplicate is either refused as a replay or is a fresh signed delivery of the same task");
    table.push(["duplicate callback", "-", "-", "-", "-", `verifyCallback: 1st ok, 2nd ${second instanceof KieError ? second.reason : "ok (new timestamp)"}`]);
  }

  assert.deepEqual(unhandled, [], "no unhandled promise rejection");
  const header = ["fault", ...OPS];
  console.log(["", `| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...table.map((r) => `| ${r.join(" | ")} |`),
    "", "↻ = retryable: true; ? = maybeCreated: true; (N req) = requests the SDK sent, retries included"].join("\n"));
});
