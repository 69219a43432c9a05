// The demo page in headless Chromium (Debian's, driven by playwright-core), served by the
// emulator exactly as `npm run demo` serves it. Screenshots go to test-output/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { chromium } from "playwright-core";
import { startEmulator, PNG_1X1 } from "../js/emulator.mjs";

const OUT = new URL("../../test-output/e2e/", import.meta.url).pathname;
const SITE = new URL("../../target/demo-site", import.meta.url).pathname;
const DEMO_KEY = "emulator-demo";
let emu, browser, context;

before(async () => {
  if (!existsSync(`${SITE}/index.html`)) throw new Error("run scripts/build.sh first (it assembles target/demo-site)");
  mkdirSync(OUT, { recursive: true });
  emu = await startEmulator(["--serve", SITE, "--timeline", "600,600,1500"]);
  context = await chromium.launchPersistentContext(mkdtempSync(`${tmpdir()}/kie-e2e-`), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => { await context?.close(); await emu?.close(); });

async function openPage() {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${emu.base}/`);
  await page.waitForSelector("html[data-ready=true]");
  return { page, errors };
}

const pngFile = { name: "frame.png", mimeType: "image/png", buffer: Buffer.from(PNG_1X1) };
const requestsOf = async (route) => (await emu.counters(DEMO_KEY)).requests?.[route] ?? 0;

test("happy path: an image file becomes a playing video", async () => {
  const { page, errors } = await openPage();
  await page.screenshot({ path: `${OUT}form.png`, fullPage: true });
  await page.setInputFiles("#file", pngFile);
  await page.waitForFunction(() => !document.getElementById("submit").disabled);
  assert.match(await page.textContent("#body-json"), /"model": "kling\/v2-1-standard"/);
  await page.click("#submit");
  await page.waitForFunction(() => /^[0-9a-f]{32}$/.test(document.getElementById("task-id").textContent));
  await page.waitForSelector("#timeline li.current");
  await page.screenshot({ path: `${OUT}progress.png`, fullPage: true });
  await page.waitForFunction(() => document.getElementById("video").readyState >= 2, null, { timeout: 20_000 });
  assert.match(await page.textContent("#status"), /Done in/);
  assert.match(await page.getAttribute("#download", "href"), /\/results\/[0-9a-f]{32}\.mp4$/);
  assert.match(await page.textContent("#recent"), /success/);
  await page.screenshot({ path: `${OUT}result.png`, fullPage: true });
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: `${OUT}phone.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("validation messages appear as fields break and clear as they are fixed", async () => {
  const { page } = await openPage();
  await page.setInputFiles("#file", pngFile);
  await page.fill("#prompt", "   ");
  assert.match(await page.textContent("#prompt-err"), /empty/);
  assert.equal(await page.isDisabled("#submit"), true);
  assert.equal(await page.getAttribute("#prompt", "aria-invalid"), "true");
  await page.fill("#prompt", "a cat");
  assert.equal(await page.textContent("#prompt-err"), "");
  await page.fill("#negative", "n".repeat(501));
  assert.match(await page.textContent("#negative_prompt-err"), /at most 500/);
  assert.match(await page.textContent("#negative-count"), /501 \/ 500/);
  await page.fill("#negative", "blur");
  await page.fill("#callback", "not a url");
  assert.match(await page.textContent("#callBackUrl-err"), /absolute http/);
  await page.fill("#callback", "");
  await page.fill("#image-url", "ftp://example.com/a.png");
  assert.match(await page.textContent("#image_url-err"), /http/);
  await page.fill("#image-url", "https://example.com/a.png");
  assert.equal(await page.textContent("#image_url-err"), "");
  assert.equal(await page.isDisabled("#submit"), false);
  await page.close();
});

test("a non-image or oversize file is refused before upload, with a message", async () => {
  const { page } = await openPage();
  const before = await requestsOf("upload");
  await page.setInputFiles("#file", { name: "cat.png", mimeType: "image/png", buffer: Buffer.from("GIF89a..........") });
  await page.waitForFunction(() => document.getElementById("image_url-err").textContent.length > 0);
  assert.match(await page.textContent("#image_url-err"), /not a jpeg, png or webp/);
  assert.equal(await page.isDisabled("#submit"), true);
  const big = Buffer.alloc(11 * 1024 * 1024);
  Buffer.from(PNG_1X1).copy(big);
  await page.setInputFiles("#file", { name: "huge.png", mimeType: "image/png", buffer: big });
  await page.waitForFunction(() => /10 MB/.test(document.getElementById("image_url-err").textContent));
  assert.equal(await requestsOf("upload"), before);
  await page.close();
});

test("cancel stops polling", async () => {
  await emu.fault({ fault: "task", outcome: "never", key: DEMO_KEY });
  const { page } = await openPage();
  await page.fill("#image-url", "https://example.com/a.png");
  await page.click("#submit");
  await page.waitForFunction(() => /^[0-9a-f]{32}$/.test(document.getElementById("task-id").textContent));
  await page.waitForFunction(() => document.querySelector("#timeline li.current")?.dataset.state === "generating", null, { timeout: 10_000 });
  await page.click("#cancel");
  await page.waitForFunction(() => /Cancelled/.test(document.getElementById("status").textContent));
  const polls = await requestsOf("recordInfo");
  await new Promise((r) => setTimeout(r, 3500));
  assert.equal(await requestsOf("recordInfo"), polls, "no poll after cancel");
  assert.equal(await page.isDisabled("#cancel"), true);
  await page.close();
});

test("a failing task shows its failure", async () => {
  const { page } = await openPage();
  await page.fill("#image-url", "https://example.com/a.png");
  await page.fill("#prompt", "this one fails #emulator:fail");
  await page.click("#submit");
  await page.waitForFunction(() => document.getElementById("run-err").textContent.length > 0, null, { timeout: 15_000 });
  assert.match(await page.textContent("#run-err"), /task_failed: .*501.*Generation Failed/);
  assert.equal(await page.getAttribute("#timeline li[data-state=done]", "class"), "reached failed");
  await page.screenshot({ path: `${OUT}failed.png`, fullPage: true });
  await page.close();
});

test("a typed key stays out of the DOM, the URL and storage unless the user opts in", async () => {
  const { page } = await openPage();
  const key = "sk-DEMO-SECRET-4c1f9e";
  await page.check("input[name=mode][value=key]");
  assert.equal(await page.isVisible("#key-warning"), true);
  await page.fill("#api-key", key);
  const visible = async () => page.evaluate((k) => ({
    html: document.documentElement.outerHTML.includes(k),
    text: document.body.innerText.includes(k),
    url: location.href.includes(k),
    storage: JSON.stringify({ ...localStorage }).includes(k) || JSON.stringify({ ...sessionStorage }).includes(k),
    cookie: document.cookie.includes(k),
  }), key);
  assert.deepEqual(await visible(), { html: false, text: false, url: false, storage: false, cookie: false });
  await page.check("#remember-key");
  assert.equal((await visible()).storage, true, "stored only after opting in");
  await page.uncheck("#remember-key");
  assert.equal((await visible()).storage, false, "and removed when the box is cleared");
  await page.close();
});
