// The demo as `npm run demo` serves it (scripts/demo-server.mjs: the page behind kie-kling/proxy,
// the emulator upstream), in headless Chromium: keyboard use, focus, a real drop, the phone
// layout, dark mode, console hygiene, axe-core, and that no request from the page carries the key.
// Screenshots of each state go to test-output/demo/; axe results to test-output/demo/axe.json.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, existsSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import axe from "axe-core";
import { startEmulator, PNG_1X1 } from "../js/emulator.mjs";
import { startDemo } from "../../scripts/demo-server.mjs";

const OUT = new URL("../../test-output/demo/", import.meta.url).pathname;
const SITE = new URL("../../target/demo-site", import.meta.url).pathname;
const KEY = `sk-e2e-${Math.random().toString(36).slice(2)}-SECRET`;
const HMAC = `hmac-${Math.random().toString(36).slice(2)}`;
const axeResults = {};
let emu, demo, browser;

before(async () => {
  if (!existsSync(`${SITE}/index.html`)) throw new Error("run scripts/build.sh first (it assembles target/demo-site)");
  mkdirSync(OUT, { recursive: true });
  emu = await startEmulator(["--timeline", "600,600,1500", "--webhook-hmac-key", HMAC]);
  demo = await startDemo({ site: SITE, upstream: { kind: "emulator", apiKey: KEY, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase, hmacKey: HMAC } });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  writeFileSync(`${OUT}axe.json`, JSON.stringify(axeResults, null, 2));
  await browser?.close();
  await demo?.close();
  await emu?.close();
});

/** A fresh context and page; records console problems and every request the page makes. */
async function openPage({ viewport = { width: 1280, height: 900 }, colorScheme = "light", touch = false } = {}) {
  // The page runs under the server's CSP (a violation is a console error); axe-core goes in
  // through the DevTools protocol, which the CSP does not govern. Reduced motion: no smooth scroll.
  const context = await browser.newContext({ viewport, colorScheme, hasTouch: touch, isMobile: touch, reducedMotion: "reduce" });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r));
  const responses = [];
  page.on("response", (r) => responses.push(r));
  requests.responses = responses;
  await page.goto(demo.url);
  await page.waitForSelector("html[data-ready=true]");
  return { page, problems, requests, close: () => context.close() };
}

/** The key is in nothing the page sent or received (URLs, headers, bodies), and everything but
 *  result media went to the demo's own origin. */
async function assertNoKey(requests) {
  assert.ok(requests.length > 0);
  for (const r of requests) {
    const text = `${r.url()} ${JSON.stringify(await r.allHeaders())} ${r.postData() ?? ""}`;
    assert.ok(!text.includes(KEY), `the key reached the page's request to ${r.url()}`);
    if (!r.url().startsWith(demo.origin) && !r.url().startsWith("blob:")) assert.match(r.url(), /\/results\/[0-9a-f]{32}\.mp4$/, "only result media come from elsewhere");
  }
  for (const r of requests.responses) {
    if (r.url().endsWith(".mp4") || r.url().endsWith(".wasm")) continue;
    const body = await r.body().catch(() => Buffer.alloc(0));
    const text = `${JSON.stringify(await r.allHeaders())} ${body.toString("utf8")}`;
    assert.ok(!text.includes(KEY), `the key reached the page in the answer to ${r.url()}`);
  }
  assert.ok(requests.responses.some((r) => r.url().includes("/kie/")), "the proxy's answers were checked");
}

async function checkAxe(page, state) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axe.source);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const scheme = await page.evaluate(() => (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  axeResults[`${state}/${scheme}`] = violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), [], `axe (${state}, ${scheme})`);
}

async function bothSchemes(page, state) {
  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    await checkAxe(page, state);
    await page.screenshot({ path: `${OUT}${state}-${colorScheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

const pngFile = { name: "frame.png", mimeType: "image/png", buffer: Buffer.from(PNG_1X1) };
const requestsOf = async (route) => (await emu.counters(KEY)).requests?.[route] ?? 0;
const focused = (page) => page.evaluate(() => document.activeElement?.id ?? "");
// Explicit and implicit (an <output> is a status) live regions that announce.
const liveRegions = (page) => page.evaluate(() =>
  document.querySelectorAll("[aria-live]:not([aria-live=off]), [role=alert], [role=status], [role=log], output:not([aria-live=off])").length);

/** Presses Tab until `id` has focus (at most 25 presses); returns the ids passed on the way. */
async function tabTo(page, id) {
  const seen = [];
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    const now = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    seen.push(now);
    if (now === id) return seen;
  }
  assert.fail(`Tab never reached #${id}: ${seen.join(" > ")}`);
}

test("the empty page shows no errors, one live region, dark mode and control borders of at least 3:1", async () => {
  const { page, problems, requests, close } = await openPage();
  assert.match(await page.textContent("#upstream"), /local emulator/);
  assert.equal(await page.$("input[type=password]"), null, "no key field");
  assert.deepEqual(await page.$$eval(".err", (els) => els.map((e) => e.textContent).filter(Boolean)), []);
  assert.equal(await page.$$eval("[aria-invalid]", (els) => els.length), 0);
  assert.equal(await liveRegions(page), 1);
  assert.match(await page.textContent("#status"), /Nothing running yet/);
  assert.match(await page.textContent("#cost"), /Costs 25 credits · you have/);
  await page.check("input[name=duration][value='10']");
  assert.match(await page.textContent("#cost"), /Costs 50 credits/);
  await bothSchemes(page, "empty");
  // The check can fail: an image without a text alternative is a critical violation.
  await page.evaluate(() => document.body.append(Object.assign(document.createElement("img"), { id: "axe-probe", src: "data:," })));
  await assert.rejects(checkAxe(page, "probe"), /image-alt/);
  delete axeResults["probe/light"];
  await page.evaluate(() => document.getElementById("axe-probe").remove());
  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    const ratios = await page.evaluate(() => {
      const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
      const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
      const card = getComputedStyle(document.querySelector(".card")).backgroundColor;
      return Object.fromEntries(["#prompt", "#image-url", "#negative", "#drop", ".choice"].map((sel) => [sel, ratio(getComputedStyle(document.querySelector(sel)).borderTopColor, card)]));
    });
    for (const [sel, r] of Object.entries(ratios)) assert.ok(r >= 3, `${sel} border ${r.toFixed(2)}:1 in ${colorScheme}`);
    if (colorScheme === "dark") assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(17, 19, 24)");
  }
  assert.deepEqual(problems, []);
  await assertNoKey(requests);
  await close();
});

test("errors appear after a field is touched or on submit, in plain words with the API name in small print", async () => {
  const { page, problems, close } = await openPage();
  await page.fill("#prompt", "");
  assert.match(await page.textContent("#prompt-err"), /^Describe the motion you want to see\./);
  assert.match(await page.textContent("#prompt-err .api"), /input\.prompt: (empty|missing)/);
  assert.equal(await page.textContent("#image-err"), "", "the image field was not touched yet");
  await page.click("#submit");
  assert.match(await page.textContent("#image-err"), /Choose an image, or paste its web address/);
  assert.equal(await focused(page), "prompt", "submit moves focus to the first field to fix");
  assert.equal(await page.getAttribute("#prompt", "aria-invalid"), "true");
  assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById("prompt")).borderTopColor), await page.evaluate(() => getComputedStyle(document.querySelector(".err")).color), "an invalid field's border is the error colour");
  assert.equal(await requestsOf("createTask"), 0, "nothing is sent while invalid");
  await page.fill("#prompt", "a cat");
  assert.equal(await page.textContent("#prompt-err"), "");
  await page.fill("#image-url", "ftp://example.com/a.png");
  assert.match(await page.textContent("#image-err"), /full web address that starts with https:\/\//);
  // Typing past a limit: the message is written once, not re-announced on each key.
  await page.fill("#negative", "n".repeat(501));
  assert.match(await page.textContent("#negative-err"), /Keep this to 500 characters or fewer/);
  assert.match(await page.textContent("#negative-count"), /501 \/ 500/);
  await page.evaluate(() => {
    window.__mutations = 0;
    const count = () => window.__mutations++;
    for (const id of ["negative-err", "status"]) new MutationObserver(count).observe(document.getElementById(id), { childList: true, subtree: true, characterData: true });
  });
  await page.focus("#negative");
  await page.keyboard.type("nnnnn");
  assert.equal(await page.evaluate(() => window.__mutations), 0, "no rewrite of the error or the status per keystroke");
  assert.equal(await liveRegions(page), 1);
  await bothSchemes(page, "invalid");
  assert.deepEqual(problems, []);
  await close();
});

test("keyboard only: from the empty page to a playing video, with focus on the status and then the result", async () => {
  const { page, problems, requests, close } = await openPage();
  const order = await tabTo(page, "submit");
  for (const id of ["prompt", "drop", "image-url", "cfg", "negative"]) assert.ok(order.includes(id), `Tab reaches #${id}: ${order.join(" > ")}`);
  await page.keyboard.down("Shift");
  await tabTo(page, "image-url");
  await page.keyboard.up("Shift");
  await page.keyboard.type("https://example.com/first-frame.png");
  await page.evaluate(() => {
    window.__statuses = [];
    new MutationObserver(() => window.__statuses.push(document.getElementById("status").textContent))
      .observe(document.getElementById("status"), { childList: true, characterData: true, subtree: true });
  });
  const creditsBefore = Number((await page.textContent("#cost")).match(/you have ([\d,]+)/)[1].replace(/,/g, ""));
  await tabTo(page, "submit");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "status");
  assert.match(await page.textContent("#status"), /Sending the request|Submitted|In the queue|Generating/, "status text from the first moment");
  await page.waitForSelector("#timeline li[aria-current=step]");
  assert.equal(await page.isVisible("#cancel"), true);
  await page.waitForFunction(() => document.activeElement?.id === "result-h", null, { timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById("video").readyState >= 2, null, { timeout: 20_000 });
  const inView = await page.evaluate(() => { const r = document.getElementById("result").getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; });
  assert.ok(inView, "the result is scrolled into view");
  assert.match(await page.textContent("#status"), /^Done in \d+\.\d s/);
  assert.equal(await page.textContent("#timeline li[data-step=end] .step"), "Done");
  assert.match(await page.getAttribute("#download", "href"), /\/results\/[0-9a-f]{32}\.mp4$/);
  assert.match(await page.textContent("#recent"), /success/);
  const statuses = await page.evaluate(() => window.__statuses);
  assert.ok(statuses.every((s, i) => i === 0 || s !== statuses[i - 1]), `each state announced once: ${statuses.join(" | ")}`);
  assert.ok(statuses.length <= 6, statuses.join(" | "));
  // Pushed, not polled: the page listened to the task's status stream (the proxy offers it, since
  // the emulator's callbacks reach it), and no poll saw the success: the stream brought it.
  const streams = requests.filter((r) => r.url().includes("/kie/api/v1/jobs/recordInfo/events?"));
  assert.ok(streams.length >= 1, "the page opened the task's status stream");
  for (const poll of requests.filter((r) => r.url().includes("/kie/api/v1/jobs/recordInfo?"))) {
    const body = await (await poll.response()).text();
    assert.match(body, /"state":"(waiting|queuing|generating)"/, "the success came by the stream, not by a poll");
  }
  await page.waitForFunction((n) => /you have/.test(document.getElementById("cost").textContent) && !document.getElementById("cost").textContent.includes(n), creditsBefore.toLocaleString("en"));
  assert.match(await page.textContent("#credits"), new RegExp(`Credits left: ${(creditsBefore - 25).toLocaleString("en")}`));
  await bothSchemes(page, "done");
  assert.deepEqual(problems, []);
  await assertNoKey(requests);
  await close();
});

test("a failing task: the timeline says Failed, focus and scroll move to a plain explanation", async () => {
  const { page, problems, requests, close } = await openPage();
  await page.fill("#image-url", "https://example.com/a.png");
  await page.fill("#prompt", "this one fails #emulator:fail");
  await page.click("#submit");
  await page.waitForFunction(() => document.activeElement?.id === "failure", null, { timeout: 15_000 });
  assert.match(await page.textContent("#failure-text"), /^The model could not make this video: Generation Failed\./);
  assert.match(await page.textContent("#failure-api"), /task_failed/);
  assert.equal(await page.textContent("#timeline li[data-step=end] .step"), "Failed");
  assert.match(await page.getAttribute("#timeline li[data-step=end]", "class"), /failed/);
  // The step it stopped in is marked failed, not done; none after it is marked done.
  const steps = await page.$$eval("#timeline li:not([hidden])", (els) => els.map((e) => `${e.dataset.step}:${e.className}`));
  const stopped = steps.findIndex((s) => /failed/.test(s));
  assert.ok(stopped >= 0 && stopped < steps.length - 1, steps.join(" "));
  assert.ok(steps.slice(stopped + 1, -1).every((s) => !/reached/.test(s)), steps.join(" "));
  assert.match(await page.textContent("#status"), /^Failed after/);
  assert.equal(await page.isVisible("#cancel"), false);
  await bothSchemes(page, "failed");
  assert.deepEqual(problems, []);
  await assertNoKey(requests);
  await close();
});

test("cancel: focus returns to the status, the timeline says Cancelled, and polling stops", async (t) => {
  await emu.fault({ fault: "task", outcome: "never", key: KEY });
  t.after(() => fetch(`${emu.base}/__emulator/faults`, { method: "DELETE" }));
  const { page, problems, close } = await openPage();
  await page.fill("#image-url", "https://example.com/a.png");
  await page.click("#submit");
  await page.waitForFunction(() => document.querySelector("#timeline li[aria-current=step]")?.dataset.step === "generating", null, { timeout: 10_000 });
  await bothSchemes(page, "running");
  await page.focus("#cancel");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /^Cancelled/.test(document.getElementById("status").textContent));
  assert.equal(await focused(page), "status");
  assert.equal(await page.textContent("#timeline li[data-step=end] .step"), "Cancelled");
  assert.match(await page.getAttribute("#timeline li[data-step=generating]", "class"), /cancelled/);
  assert.equal(await page.$("#timeline li[aria-current=step]"), null, "no step is still current");
  const polls = await requestsOf("recordInfo");
  await new Promise((r) => setTimeout(r, 3500));
  assert.equal(await requestsOf("recordInfo"), polls, "no poll after cancel");
  assert.equal(await page.isVisible("#cancel"), false);
  await page.screenshot({ path: `${OUT}cancelled-light.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await close();
});

test("a real drag and drop: a refused file is named with its reason, an image is uploaded through the proxy", async () => {
  const { page, problems, requests, close } = await openPage();
  const drop = async (name, bytes) => {
    const dataTransfer = await page.evaluateHandle(({ name, bytes }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
      return dt;
    }, { name, bytes });
    for (const type of ["dragenter", "dragover", "drop"]) await page.dispatchEvent("#drop", type, { dataTransfer });
  };
  const uploads = await requestsOf("upload");
  await drop("cat.png", [...Buffer.from("GIF89a..........")]);
  await page.waitForFunction(() => /cat\.png was refused/.test(document.getElementById("drop").textContent));
  assert.match(await page.textContent("#image-err"), /cat\.png was refused: .*jpeg, png or webp/i);
  assert.equal(await page.getAttribute("#drop", "aria-invalid"), "true");
  await drop("frame.png", [...PNG_1X1]);
  await page.waitForFunction(() => /frame\.png \(1 KB\) is ready/.test(document.getElementById("drop").textContent));
  assert.equal(await page.textContent("#image-err"), "");
  assert.equal(await page.isVisible("#preview"), true);
  assert.equal(await requestsOf("upload"), uploads, "nothing uploaded before submit");
  await page.click("#submit");
  await page.waitForFunction(() => document.activeElement?.id === "result-h", null, { timeout: 20_000 });
  assert.match(await page.textContent("#timeline li[data-step=uploading]"), /Uploading image\s+\d+\.\d s/);
  assert.equal(await requestsOf("upload"), uploads + 1);
  assert.deepEqual(problems, []);
  await assertNoKey(requests);
  await close();
});

test("an oversize file is refused before upload", async () => {
  const { page, problems, close } = await openPage();
  const before = await requestsOf("upload");
  const big = Buffer.alloc(11 * 1024 * 1024);
  Buffer.from(PNG_1X1).copy(big);
  await page.setInputFiles("#file", { name: "huge.png", mimeType: "image/png", buffer: big });
  await page.waitForFunction(() => /huge\.png was refused: .*10 MB/.test(document.getElementById("image-err").textContent));
  assert.equal(await requestsOf("upload"), before);
  await page.setInputFiles("#file", pngFile);
  await page.waitForFunction(() => /frame\.png/.test(document.getElementById("drop").textContent));
  assert.deepEqual(problems, []);
  await close();
});

test("layout: form beside the status on a desktop; stacked on a phone with touch wording, no sideways scroll", async () => {
  const desk = await openPage();
  const [form, run] = await desk.page.$$eval("#form, #run", (els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  assert.ok(run.left >= form.right, "status column beside the form");
  await desk.close();
  for (const colorScheme of ["light", "dark"]) {
    const { page, problems, close } = await openPage({ viewport: { width: 390, height: 844 }, colorScheme, touch: true });
    const m = await page.evaluate(() => {
      const button = document.getElementById("submit");
      const lineHeight = parseFloat(getComputedStyle(button).lineHeight);
      const pad = parseFloat(getComputedStyle(button).paddingTop) + parseFloat(getComputedStyle(button).paddingBottom) + 2;
      const box = (id) => document.getElementById(id).getBoundingClientRect();
      const drop = document.getElementById("drop");
      return { dropOverflow: drop.scrollWidth > drop.clientWidth, scroll: document.documentElement.scrollWidth, width: innerWidth, buttonLines: Math.round((button.offsetHeight - pad) / lineHeight), formLeft: box("form").left, runLeft: box("run").left, runTop: box("run").top, formBottom: box("form").bottom };
    });
    assert.ok(m.scroll <= m.width, `no horizontal scroll (${m.scroll} > ${m.width})`);
    assert.equal(m.dropOverflow, false, "the drop zone's text wraps inside it");
    assert.equal(m.buttonLines, 1, "the primary button does not wrap");
    assert.equal(m.formLeft, m.runLeft);
    assert.ok(m.runTop >= m.formBottom, "stacked");
    assert.equal(await page.isVisible("text=Tap to choose"), true);
    assert.equal(await page.isVisible("text=Drop a JPEG"), false);
    await checkAxe(page, "phone");
    await page.screenshot({ path: `${OUT}phone-${colorScheme}.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await close();
  }
});

test("with KIE_API_KEY set, `npm run demo`'s server talks to Kie.ai: the page says so and never holds the key", async () => {
  const { spawn } = await import("node:child_process");
  const key = `sk-real-${Math.random().toString(36).slice(2)}`;
  const child = spawn(process.execPath, [new URL("../../scripts/demo-server.mjs", import.meta.url).pathname], {
    env: { ...process.env, KIE_API_KEY: key, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let out = "";
    const url = await new Promise((resolve, reject) => {
      child.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/demo: (http:\/\/127\.0\.0\.1:\d+\/)/);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`demo-server exited ${code}: ${out}`)));
    });
    assert.match(out, /upstream is Kie\.ai's real API/);
    const page = await fetch(url);
    const html = await page.text();
    assert.match(html, /<meta name="kie-upstream" content="kie" data-label="Kie\.ai \(api\.kie\.ai\)">/);
    assert.ok(!html.includes(key) && !JSON.stringify([...page.headers]).includes(key));
    // Without the session cookie the proxy refuses before anything goes upstream (no network here).
    const anonymous = await fetch(`${url}kie/api/v1/chat/credit`);
    assert.equal(anonymous.status, 401);
    assert.ok(!(await anonymous.text()).includes(key));
  } finally {
    child.kill();
  }
});

test("the demo server survives a malformed URL and refuses a foreign Host (DNS rebinding)", async () => {
  const { request } = await import("node:http");
  const raw = (path, host) => new Promise((resolve, reject) => {
    const u = new URL(demo.url);
    const req = request({ host: u.hostname, port: u.port, path, headers: host ? { host } : {} }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on("error", reject);
    req.end();
  });
  assert.equal(await raw("/%"), 400);
  assert.equal(await raw("/", "attacker.example:80"), 421);
  assert.equal(await raw("/kie/api/v1/chat/credit", "attacker.example:80"), 421);
  assert.equal((await fetch(demo.url)).status, 200, "still serving");
});
