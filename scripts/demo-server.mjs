// The demo server: the page and the browser build, with kie-kling/proxy (the code users deploy)
// mounted at /kie in front of the upstream. The page holds no key; the proxy does.
//   default: upstream = a local kie-emulator this server starts (no key, nothing leaves the machine)
//   KIE_API_KEY set: upstream = Kie.ai's real API, with that key kept in this process
// Callers are demo sessions: an unguessable HttpOnly cookie set with the page. Bound to 127.0.0.1.
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { createKieProxy, toNodeListener } from "../pkg/proxy.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".svg": "image/svg+xml" };
const SESSION_COOKIE = "kie_demo_session";
const MAX_SESSIONS = 1000;
const MOUNT = "/kie";

/** Starts the local emulator on a free port; resolves to { base, close }. */
export async function startEmulatorProcess(args = []) {
  const child = spawn(join(root, "target/release/kie-emulator"), ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  // However this process ends, the emulator goes with it.
  process.once("exit", () => child.kill());
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("error", (e) => reject(new Error(`the emulator did not start: ${e.message} (build it: cargo build --release -p kie-emulator)`)));
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
  return { base: line.replace("kie-emulator listening on ", "").trim(), close: () => child.kill() };
}

/**
 * Serves `site` and the proxy on 127.0.0.1:`port`.
 * `upstream`: { kind: "emulator" | "kie", apiKey, baseUrl?, uploadBaseUrl?, hmacKey? }.
 */
export async function startDemo({ port = 0, site = join(root, "target/demo-site"), upstream, limits }) {
  const sessions = new Set();
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  // Only this server's own names: a DNS-rebinding page (some other Host) gets nothing.
  const hosts = new Set([new URL(origin).host, `localhost:${server.address().port}`]);
  const proxy = createKieProxy({
    apiKey: upstream.apiKey,
    ...(upstream.baseUrl ? { baseUrl: upstream.baseUrl, uploadBaseUrl: upstream.uploadBaseUrl } : {}),
    // Kie can post callbacks only to a public address; the emulator reaches 127.0.0.1.
    ...(upstream.kind === "emulator" ? { publicUrl: origin + MOUNT } : {}),
    hmacKey: upstream.hmacKey,
    mount: MOUNT,
    allowedOrigins: [origin, origin.replace("127.0.0.1", "localhost")],
    // Every demo session is the same caller: sessions are free to get, so the limits must hold
    // for the whole demo (one person on 127.0.0.1), not per session.
    authorize: (request) => (sessions.has(cookieOf(request.headers.get("cookie"), SESSION_COOKIE)) ? "demo" : null),
    limits: limits ?? (upstream.kind === "kie" ? { createsPerMinute: 4, creditsPerDay: 300 } : { createsPerMinute: 60 }),
  });
  const proxyListener = toNodeListener(proxy, { origin });
  const upstreamLabel = upstream.kind === "kie" ? `Kie.ai (${new URL(upstream.baseUrl ?? "https://api.kie.ai").host})` : "local emulator";
  const mediaSrc = upstream.kind === "kie" ? "https:" : new URL(upstream.baseUrl).origin;
  const csp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; media-src ${mediaSrc} blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

  server.on("request", (req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) send(res, 400, "text/plain", "bad request");
      else res.destroy();
    });
  });

  async function serve(req, res) {
    if (!hosts.has(req.headers.host)) return send(res, 421, "text/plain", "misdirected request");
    const path = new URL(req.url, origin).pathname;
    if (path === MOUNT || path.startsWith(`${MOUNT}/`)) return proxyListener(req, res);
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed");
    const file = path === "/" ? "index.html" : normalize(decodeURIComponent(path)).replace(/^\/+/, "");
    if (file.startsWith("..") || file.includes("\0")) return send(res, 404, "text/plain", "not found");
    let body;
    try {
      body = await readFile(join(site, file));
    } catch {
      return send(res, 404, "text/plain", "not found");
    }
    const headers = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
    if (file === "index.html") {
      body = Buffer.from(String(body).replace('content="upstream"', `content="${upstream.kind}" data-label="${upstreamLabel}"`));
      Object.assign(headers, { "content-security-policy": csp, "cache-control": "no-store" });
      if (!sessions.has(cookieOf(req.headers.cookie, SESSION_COOKIE))) {
        const id = randomBytes(24).toString("hex");
        if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.values().next().value);
        sessions.add(id);
        headers["set-cookie"] = `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`;
      }
    }
    send(res, 200, TYPES[extname(file)] ?? "application/octet-stream", body, headers);
  }
  return { url: `${origin}/`, origin, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

function cookieOf(header, name) {
  for (const part of (header ?? "").split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === name) return v;
  }
  return undefined;
}

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, { "content-type": type, ...headers });
  res.end(body);
}

// `node scripts/demo-server.mjs`: the main job (scripts/demo.sh builds first).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const key = process.env.KIE_API_KEY?.trim();
  let emulator;
  let upstream;
  if (key) {
    upstream = { kind: "kie", apiKey: key, hmacKey: process.env.KIE_WEBHOOK_HMAC_KEY || undefined };
  } else {
    const hmacKey = randomBytes(16).toString("hex");
    emulator = await startEmulatorProcess(["--webhook-hmac-key", hmacKey]);
    upstream = { kind: "emulator", apiKey: "emulator-demo", baseUrl: emulator.base, uploadBaseUrl: `${emulator.base}/upload`, hmacKey };
  }
  const stop = (code = 0) => { emulator?.close(); process.exit(code); };
  process.on("SIGINT", () => stop());
  process.on("SIGTERM", () => stop());
  try {
    const demo = await startDemo({ port: Number(process.env.PORT ?? 8787), upstream });
    console.log(`demo: upstream is ${key ? "Kie.ai's real API (your key stays in this process)" : "the local emulator"}`);
    console.log(`demo: ${demo.url}`);
  } catch (e) {
    console.error(`demo: could not start (${e.code === "EADDRINUSE" ? `port ${process.env.PORT ?? 8787} is taken; try PORT=0` : e.message})`);
    stop(1);
  }
}
