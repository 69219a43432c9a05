// Every code block of the README, run as written against the emulator: the Node block in Node,
// the proxy server in Node with the page block in Chromium, the Worker block in workerd
// (miniflare). A prelude supplies only what the README leaves to the reader (`userIdOf`, the
// caller's session lookup) and points Kie's hosts at the emulator; any other host is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { chromium } from "playwright-core";
import { KlingClient, KieError } from "kie-kling";
import { startEmulator, PNG_1X1 } from "../js/emulator.mjs";

const root = new URL("../../", import.meta.url).pathname;
// Inside the package directory, so `import "kie-kling"` resolves to this checkout by self-reference.
const dir = `${root}target/readme/`;
const KEY = "sk-README-SECRET-7e6d5c";
let emu;

const blocks = [...readFileSync(`${root}README.md`, "utf8").matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
const js = blocks.filter((b) => b.lang === "js");
const [nodeBlock, serverBlock, pageBlock, workerBlock] = js;

/** Kie's hosts -> the emulator; loopback passes; anything else is refused. Runs in Node and workerd. */
const redirectSource = (upstream) => `
const upstream = ${JSON.stringify(upstream)};
const hosts = { "api.kie.ai": "", "kieai.redpandaai.co": "/upload" };
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  if (url.host in hosts) return realFetch(new Request(upstream + hosts[url.host] + url.pathname + url.search, request));
  if (url.hostname !== "127.0.0.1") return Promise.reject(new TypeError("readme test: no network beyond 127.0.0.1 (" + url.host + ")"));
  return realFetch(request);
};`;
const USER_OF = `globalThis.userIdOf = (request) => /(?:^|; )readme_user=(\\w+)/.exec(request.headers.get("cookie") ?? "")?.[1] ?? request.headers.get("x-readme-user");`;

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

function runNode(file, env, { untilExit = true } = {}) {
  const child = spawn(process.execPath, ["--import", `${dir}prelude.mjs`, file], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d) => (out.stdout += d));
  child.stderr.on("data", (d) => (out.stderr += d));
  if (!untilExit) return { child, out };
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, ...out })));
}

before(async () => {
  emu = await startEmulator(["--timeline", "200,200,400"]);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}prelude.mjs`, `${redirectSource(emu.base)}\n${USER_OF}\n`);
});
after(async () => { await emu?.close(); });

test("the README's code blocks: four JavaScript blocks, and shell blocks that are the documented commands", () => {
  assert.equal(js.length, 4, "each js block needs a runner in this file");
  assert.match(nodeBlock.code, /new KlingClient\(\{ apiKey: process\.env\.KIE_API_KEY \}\)/);
  assert.match(serverBlock.code, /createKieProxy/);
  assert.match(pageBlock.code, /baseUrl: "\/api\/kie"/);
  assert.match(workerBlock.code, /export default/);
  const commands = blocks.filter((b) => b.lang === "sh").flatMap((b) => b.code.split("\n")).map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
  // npm install: tests/apps installs the packed tarball; demo and test: CI runs them from a clean clone.
  assert.deepEqual(commands.sort(), ["npm install kie-kling", "npm run demo", "npm test"].sort());
  assert.deepEqual(blocks.filter((b) => b.lang !== "js" && b.lang !== "sh"), []);
});

test("README, In Node: the block generates a video", async () => {
  writeFileSync(`${dir}node.mjs`, nodeBlock.code);
  const { code, stdout, stderr } = await runNode(`${dir}node.mjs`, { KIE_API_KEY: KEY });
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.match(stdout, /waiting|queuing|generating/);
  assert.match(stdout, /\/results\/[0-9a-f]{32}\.mp4\n$/);
});

test("README, browser app through your server: the page generates from a local file through the proxy", async () => {
  writeFileSync(`${dir}server.mjs`, serverBlock.code);
  writeFileSync(`${dir}app.js`, pageBlock.code);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { child, out } = runNode(`${dir}server.mjs`, { KIE_API_KEY: KEY, PORT: String(port), PUBLIC_URL: `${origin}/api/kie` }, { untilExit: false });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, // A page fulfilled by the test has no address, so Chromium counts it as public and would refuse
  // the (loopback) emulator video: that check is about the harness, not the README code.
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-features=LocalNetworkAccessChecks"] });
  try {
    for (let i = 0; (await fetch(`${origin}/api/kie/api/v1/chat/credit`).catch(() => null)) === null; i++) {
      assert.ok(i < 100, `the server block did not listen: ${out.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Anonymous callers are refused: authorize (userIdOf) answers null without the cookie.
    assert.equal((await fetch(`${origin}/api/kie/api/v1/chat/credit`)).status, 401);
    const context = await browser.newContext();
    await context.addCookies([{ name: "readme_user", value: "alice", url: origin }]);
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
    // The page and the package are served at the server's origin; /api/kie goes to the real server.
    const html = `<!doctype html><title>readme</title><script type="importmap">{"imports":{"kie-kling":"/pkg/browser.js"}}</script>
<form><textarea name="prompt">a steam train</textarea><input type="file" name="image"><output name="status"></output><button>Go</button></form>
<video></video><script type="module" src="/app.js"></script>`;
    await page.route(`${origin}/`, (r) => r.fulfill({ contentType: "text/html", body: html }));
    await page.route(`${origin}/app.js`, (r) => r.fulfill({ contentType: "text/javascript", path: `${dir}app.js` }));
    await page.route(`${origin}/pkg/**`, (r) => {
      const name = new URL(r.request().url()).pathname.slice(5);
      r.fulfill({ contentType: name.endsWith(".wasm") ? "application/wasm" : "text/javascript", path: `${root}pkg/${name}` });
    });
    const states = [];
    page.on("request", (r) => { if (r.headers().authorization) problems.push(`a page request carried authorization: ${r.url()}`); });
    await page.goto(`${origin}/`);
    await page.setInputFiles("input[name=image]", { name: "frame.png", mimeType: "image/png", buffer: Buffer.from(PNG_1X1) });
    await page.exposeFunction("seen", (s) => states.push(s));
    await page.evaluate(() => new MutationObserver(() => window.seen(document.querySelector("output").value)).observe(document.querySelector("output"), { childList: true, subtree: true, characterData: true }));
    await page.click("button");
    await page.waitForFunction(() => /\/results\/[0-9a-f]{32}\.mp4$/.test(document.querySelector("video").src), null, { timeout: 20_000 });
    assert.ok(states.length > 0, "onProgress wrote the state");
    assert.deepEqual(problems, []);
    assert.equal((await emu.counters(KEY)).requests?.upload, 1, "the local file was uploaded through the proxy");
  } finally {
    await browser.close();
    child.kill();
  }
});

test("README, Cloudflare Worker: the block serves generate in workerd, and refuses anonymous callers", async () => {
  const entry = `${dir}worker.js`;
  writeFileSync(entry, workerBlock.code);
  await build({
    entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", conditions: ["workerd", "worker"], external: ["*.wasm"],
    outfile: `${dir}worker.bundle.js`, logLevel: "error", banner: { js: USER_OF },
    plugins: [{ name: "this-package", setup(b) { b.onResolve({ filter: /^kie-kling\/proxy$/ }, () => ({ path: `${root}pkg/proxy.workerd.js` })); } }],
  });
  copyFileSync(`${root}pkg/kie_kling_proxy_bg.wasm`, `${dir}kie_kling_proxy_bg.wasm`);
  const port = await freePort();
  const workerUrl = `http://127.0.0.1:${port}`;
  const hosts = { "api.kie.ai": "", "kieai.redpandaai.co": "/upload" };
  const mf = new Miniflare({
    modulesRoot: dir, host: "127.0.0.1", port, compatibilityDate: "2025-01-01",
    modules: [{ type: "ESModule", path: `${dir}worker.bundle.js` }, { type: "CompiledWasm", path: `${dir}kie_kling_proxy_bg.wasm` }],
    kvNamespaces: ["TASKS"],
    bindings: { KIE_API_KEY: KEY, PUBLIC_URL: workerUrl },
    // The Worker's outbound requests: Kie's hosts go to the emulator, nothing else leaves.
    outboundService: async (request) => {
      const url = new URL(request.url);
      if (url.host in hosts) return fetch(new Request(emu.base + hosts[url.host] + url.pathname + url.search, request));
      if (url.hostname === "127.0.0.1") return fetch(request);
      return new Response("no network in tests", { status: 599 });
    },
  });
  try {
    await mf.ready;
    const client = new KlingClient({ baseUrl: workerUrl, headers: { "x-readme-user": "bob" } });
    const { videoUrl, task } = await client.generate({ prompt: "a steam train", image_url: PNG_1X1 });
    assert.match(videoUrl, /\/results\/[0-9a-f]{32}\.mp4$/);
    assert.equal(task.state, "success");
    const anonymous = new KlingClient({ baseUrl: workerUrl });
    await assert.rejects(anonymous.getCredits(), (e) => e instanceof KieError && e.kind === "unauthorized");
  } finally {
    await mf.dispose();
  }
});
