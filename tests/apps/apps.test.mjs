// From `npm pack` to a user's app: each fixture installs the packed tarball by file path and is
// built with its own tool, then run against the emulator (browser apps in headless Chromium).
// Build times and output sizes go to target/apps/results.json (the bench table reads them).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync, mkdtempSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { Miniflare } from "miniflare";
import { startEmulator } from "../js/emulator.mjs";

const root = new URL("../../", import.meta.url).pathname;
const work = `${root}target/apps/`;
const results = {};
let emu, tarball, browser;

const sh = (cmd, args, cwd, env = {}) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
const timed = (fn) => { const t = performance.now(); fn(); return Math.round(performance.now() - t); };
function dirSize(dir) {
  let raw = 0, gz = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const p = `${dir}/${f}`;
    if (statSync(p).isFile()) { const b = readFileSync(p); raw += b.length; gz += gzipSync(b, { level: 9 }).length; }
  }
  return { raw, gzip: gz };
}

/** Copies a fixture (keeping its cached node_modules) and installs its tools plus our tarball. */
function prepare(name) {
  const dir = `${work}${name}`;
  mkdirSync(dir, { recursive: true });
  cpSync(`${root}tests/apps/${name}`, dir, { recursive: true, filter: (src) => !src.includes("node_modules") && !src.endsWith("apps.test.mjs") });
  sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--no-package-lock"], dir);
  sh("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error", "--no-package-lock", tarball], dir);
  const installed = JSON.parse(readFileSync(`${dir}/node_modules/kie-kling/package.json`, "utf8"));
  assert.equal(installed.version, JSON.parse(readFileSync(`${root}package.json`, "utf8")).version);
  assert.ok(!existsSync(`${dir}/node_modules/kie-kling/src`), "the tarball, not the repository");
  return dir;
}

/** Serves a built site on 127.0.0.1, recording each response's content type. */
async function serve(dir) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
  const served = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = `${dir}${path === "/" ? "/index.html" : path}`;
    if (path.includes("..") || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end(); return; }
    const type = types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream";
    served.push({ path, type });
    res.writeHead(200, { "content-type": type }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, served, close: () => new Promise((r) => server.close(r)) };
}

async function runInChromium(siteDir) {
  const site = await serve(siteDir);
  const page = await browser.newPage();
  try {
    await page.goto(`${site.url}/?api=${encodeURIComponent(emu.base)}`);
    await page.waitForSelector("#out[data-done]", { timeout: 30_000 });
    const text = await page.textContent("#out");
    assert.equal(await page.getAttribute("#out", "data-done"), "ok", text);
    assert.match(text, /issues: input\.duration/);
    assert.match(text, /video: http:\/\/127\.0\.0\.1:\d+\/results\/[0-9a-f]{32}\.mp4/);
    const wasm = site.served.filter((s) => s.path.endsWith(".wasm"));
    assert.equal(wasm.length, 1, "the .wasm was emitted as an asset and fetched");
    assert.equal(wasm[0].type, "application/wasm");
  } finally {
    await page.close();
    await site.close();
  }
}

before(async () => {
  mkdirSync(`${work}pack`, { recursive: true });
  const packed = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", `${work}pack`], root));
  tarball = `${work}pack/${packed[0].filename}`;
  emu = await startEmulator(["--timeline", "50,50,50", "--rate-limit", "0"]);
  browser = await chromium.launchPersistentContext(mkdtempSync(`${tmpdir()}/kie-apps-`), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
});
after(async () => {
  await browser?.close();
  await emu?.close();
  writeFileSync(`${work}results.json`, JSON.stringify(results, null, 2));
});

test("the tarball holds only what users need", () => {
  const [info] = JSON.parse(sh("npm", ["pack", "--dry-run", "--json"], root));
  const files = info.files.map((f) => f.path).sort();
  assert.deepEqual(files, ["CHANGELOG.md", "LICENSE", "README.md", "package.json", "pkg/browser.js", "pkg/index.d.ts",
    "pkg/kie_kling_bg.wasm", "pkg/kie_kling_proxy_bg.wasm", "pkg/node.cjs", "pkg/node.js", "pkg/proxy.d.ts", "pkg/proxy.js", "pkg/proxy.workerd.js", "pkg/workerd.js"]);
  results.tarball = { files: files.length, packed: info.size, unpacked: info.unpackedSize };
});

test("Vite: vite build, then the site runs in Chromium against the emulator", async () => {
  const dir = prepare("vite");
  const ms = timed(() => sh("npx", ["--no-install", "vite", "build", "--logLevel", "error"], dir));
  results.vite = { buildMs: ms, output: dirSize(`${dir}/dist`) };
  await runInChromium(`${dir}/dist`);
});

test("webpack 5: the site runs in Chromium against the emulator", async () => {
  const dir = prepare("webpack");
  const ms = timed(() => sh("npx", ["--no-install", "webpack", "--no-stats"], dir));
  cpSync(`${dir}/index.html`, `${dir}/dist/index.html`);
  results.webpack = { buildMs: ms, output: dirSize(`${dir}/dist`) };
  await runInChromium(`${dir}/dist`);
});

test("Node ESM: import by package name, create and wait", () => {
  const dir = prepare("node-esm");
  const out = JSON.parse(sh(process.execPath, ["index.mjs", emu.base], dir));
  assert.deepEqual({ ...out, videoUrl: undefined }, { ok: true, notFound: "not_found", videoUrl: undefined });
  assert.match(out.videoUrl, /\.mp4$/);
});

test("Next.js App Router: kie-kling/proxy as a route handler, KlingClient in a client component; next build, next start, generate in Chromium", async () => {
  const dir = prepare("nextjs");
  rmSync(`${dir}/.next`, { recursive: true, force: true });
  const env = { NEXT_TELEMETRY_DISABLED: "1" };
  const ms = timed(() => sh("npx", ["--no-install", "next", "build"], dir, env));
  results.nextjs = { buildMs: ms, output: dirSize(`${dir}/.next/static`) };
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
  const base = `http://127.0.0.1:${port}`;
  const { spawn } = await import("node:child_process");
  // Kie's side signs its callbacks here, so the whole flow runs: page -> route -> emulator ->
  // signed callback -> route -> store -> page.
  const HMAC = "whk-next-fixture-0123456789";
  const signing = await startEmulator(["--timeline", "50,50,50", "--rate-limit", "0", "--webhook-hmac-key", HMAC]);
  const server = spawn("npx", ["--no-install", "next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: dir, stdio: ["ignore", "pipe", "pipe"], detached: true,
    env: { ...process.env, ...env, KIE_API_KEY: "fixture-next-key", KIE_BASE_URL: signing.base, KIE_UPLOAD_BASE_URL: `${signing.base}/upload`, PUBLIC_URL: `${base}/api/kie`, KIE_WEBHOOK_HMAC_KEY: HMAC },
  });
  let log = "";
  server.stdout.on("data", (d) => { log += d; });
  server.stderr.on("data", (d) => { log += d; });
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      try { if ((await fetch(base)).ok) break; } catch { /* not up yet */ }
      if (Date.now() > until) throw new Error(`next start did not answer: ${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const anonymous = await fetch(`${base}/api/kie/api/v1/jobs/createTask`, { method: "POST", body: "{}" });
    assert.equal(anonymous.status, 401, "the route refuses callers without credentials");
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    try {
      await page.goto(base);
      await page.waitForSelector("#out[data-done]", { timeout: 60_000 });
      const text = await page.textContent("#out");
      assert.equal(await page.getAttribute("#out", "data-done"), "ok", `${text}\n${log}`);
      assert.match(text, /issues: input\.duration/);
      assert.match(text, /video: http:\/\/127\.0\.0\.1:\d+\/results\/[0-9a-f]{32}\.mp4/);
      assert.ok(requests.some((u) => u.endsWith(".wasm")), "the page fetched the wasm");
      assert.ok(!requests.some((u) => u.startsWith(signing.base) && u.includes("/api/v1/")), "the page never called Kie's API directly");
      assert.deepEqual(errors, []);
      // The signed callback reached the route, was confirmed with Kie, and the record is stored.
      const taskId = /task: ([0-9a-f]{32})/.exec(text)[1];
      let servedFrom = null;
      for (const until = Date.now() + 15_000; servedFrom !== "store" && Date.now() < until; ) {
        const r = await fetch(`${base}/api/kie/api/v1/jobs/recordInfo?taskId=${taskId}`, { headers: { authorization: "Bearer fixture-user-token" } });
        servedFrom = r.headers.get("x-served-from");
        if (servedFrom !== "store") await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(servedFrom, "store", `the callback was not stored: ${log}`);
    } finally {
      await page.close();
    }
  } finally {
    try { process.kill(-server.pid); } catch { /* gone */ }
    await signing.close();
  }
});

test("Deno 2 and Bun (from the npm registry): validate, generate against the emulator, verifyCallback", () => {
  const dir = prepare("runtimes");
  const want = { issues: ["invalid_type"], state: "success", verified: true, replay: "replayed" };
  for (const [runtime, args] of [["deno", ["run", "--allow-all", "smoke.mjs"]], ["bun", ["smoke.mjs"]]]) {
    const version = sh(`${dir}/node_modules/.bin/${runtime}`, ["--version"], dir).split("\n")[0];
    const ms = timed(() => {
      const out = sh(`${dir}/node_modules/.bin/${runtime}`, args, dir, { KIE_BASE_URL: emu.base, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" });
      assert.deepEqual(JSON.parse(out.trim().split("\n").pop()), want, `${runtime}: ${out}`);
    });
    results[runtime] = { version, runMs: ms };
  }
});

test("TypeScript: tsc --noEmit with moduleResolution bundler and node16", () => {
  const dir = prepare("typescript");
  for (const config of ["tsconfig.bundler.json", "tsconfig.node16.json"]) {
    const ms = timed(() => sh("npx", ["--no-install", "tsc", "-p", config], dir));
    results[`tsc ${config}`] = { buildMs: ms };
  }
});

test("Worker: wrangler deploy --dry-run bundles it; the bundle runs in workerd against the emulator", async () => {
  const dir = prepare("worker");
  // wrangler adds to --outdir without clearing it: old builds' .wasm files would be counted.
  rmSync(`${dir}/dist`, { recursive: true, force: true });
  const ms = timed(() => sh("npx", ["--no-install", "wrangler", "deploy", "--dry-run", "--outdir", "dist"], dir,
    { WRANGLER_SEND_METRICS: "false", CI: "true", WRANGLER_LOG: "error" }));
  results.wrangler = { buildMs: ms, output: dirSize(`${dir}/dist`) };
  const files = readdirSync(`${dir}/dist`);
  assert.ok(files.some((f) => f.endsWith(".wasm")), `wrangler kept the wasm as a module: ${files}`);
  const mf = new Miniflare({ scriptPath: `${dir}/dist/src.js`, modules: true, modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01", bindings: { KIE_API_KEY: "fixture-key", KIE_BASE_URL: emu.base } });
  try {
    const r = await mf.dispatchFetch("http://worker/");
    const body = await r.json();
    assert.equal(body.ok, true);
    assert.match(body.videoUrl, /\.mp4$/);
  } finally {
    await mf.dispose();
  }
});
