// require("kie-kling") from CommonJS in Node 20: the `require` condition of the exports map loads
// pkg/node.cjs (no top-level await), which validates, generates against the emulator and
// verifies callbacks like the ES module does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { startEmulator } from "./emulator.mjs";

let emu;
before(async () => { emu = await startEmulator(["--timeline", "30,30,30"]); });
after(() => emu.close());

test("require('kie-kling') works from CommonJS: validate, generate, verifyCallback, KieError", () => {
  const script = `
    const { KlingClient, KieError, validate, verifyCallback } = require("kie-kling");
    (async () => {
      const out = { issues: validate({ input: { prompt: "p", image_url: "https://e.com/a.png", duration: 5 } }).issues.map((i) => i.code) };
      const client = new KlingClient({ apiKey: "cjs-key", baseUrl: process.env.KIE_BASE_URL });
      out.state = (await client.generate({ prompt: "a cat", image_url: "https://e.com/a.png" }, { pollIntervalMs: 20 })).task.state;
      out.reason = await verifyCallback({ body: "{}", headers: {}, hmacKey: "k" }).catch((e) => e instanceof KieError && e.reason);
      console.log(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const out = JSON.parse(execFileSync(process.execPath, ["-e", script], {
    cwd: new URL("../../", import.meta.url).pathname, env: { ...process.env, KIE_BASE_URL: emu.base }, encoding: "utf8", timeout: 60_000,
  }));
  assert.deepEqual(out, { issues: ["invalid_type"], state: "success", reason: "missing_headers" });
});
