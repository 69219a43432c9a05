// The boundary in headless Chromium: the browser build, loaded by a page from the emulator,
// answers 100,000 hostile calls of each class with KieErrors, then still creates and reads a task.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { chromium } from "playwright-core";
import { startEmulator } from "../js/emulator.mjs";

const SITE = new URL("../../target/demo-site", import.meta.url).pathname;
let emu, context;

before(async () => {
  if (!existsSync(`${SITE}/index.html`)) throw new Error("run scripts/build.sh first (it assembles target/demo-site)");
  emu = await startEmulator(["--serve", SITE, "--timeline", "50,50,50"]);
  context = await chromium.launchPersistentContext(mkdtempSync(`${tmpdir()}/kie-e2e-`), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // The shared hostile classes, served beside the page.
  await context.route("**/__test/hostile-classes.mjs", (route) =>
    route.fulfill({ path: new URL("../js/hostile-classes.mjs", import.meta.url).pathname, contentType: "text/javascript" }));
});
after(async () => { await context?.close(); await emu?.close(); });

test("100,000 hostile calls of each class in Chromium, then a valid createTask and getTask", async () => {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${emu.base}/`);
  const out = await page.evaluate(async () => {
    const sdk = await import("/pkg/browser.js");
    const { runHostile } = await import("/__test/hostile-classes.mjs");
    const before = sdk.wasmMemoryBytes();
    const result = { ms: null, error: null };
    try {
      result.ms = await runHostile(sdk, 100_000);
    } catch (e) {
      result.error = String(e);
    }
    const big = await sdk.verifyCallback({ body: "x".repeat(128 * 1024 * 1024), headers: {}, hmacKey: "k" }).catch((e) => e.reason);
    const client = new sdk.KlingClient({ apiKey: "emulator-boundary", baseUrl: location.origin, dangerouslyAllowBrowser: true });
    const { taskId } = await client.createTask({ prompt: "a cat", image_url: "https://example.com/a.png" });
    const task = await client.getTask(taskId);
    return { ...result, big, taskId: task.taskId === taskId, memory: [before, sdk.wasmMemoryBytes()] };
  });
  console.log(`chromium hostile classes (ms): ${JSON.stringify(out.ms)}; wasm memory ${out.memory}`);
  assert.equal(out.error, null);
  assert.equal(out.big, "too_large");
  assert.equal(out.taskId, true);
  assert.ok(out.memory[1] < 4 * 1024 * 1024, `wasm memory ${out.memory[1]}`);
  assert.deepEqual(errors, []);
  await page.close();
});
