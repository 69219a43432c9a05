// A Cloudflare Worker that keeps your Kie.ai key off the browser. The browser uses the same SDK
// with no key: `new KlingClient({ baseUrl: WORKER_URL, uploadBaseUrl: `${WORKER_URL}/upload` })`.
//
// Routes (the Kie-compatible paths let the browser SDK talk to it unchanged):
//   POST /api/tasks            | POST /api/v1/jobs/createTask         validate, create with our callBackUrl
//   GET  /api/tasks/:id        | GET  /api/v1/jobs/recordInfo?taskId= KV first (filled by callbacks), else Kie
//   POST /api/uploads          | POST /upload/api/file-stream-upload  multipart image -> Kie upload
//   POST /api/kie-callback                                           verify, store the finished Task in KV
//
// Secrets: KIE_API_KEY, KIE_WEBHOOK_HMAC_KEY (optional; without it callbacks are confirmed with
// getTask). Vars: PUBLIC_URL (this Worker's URL, for callBackUrl), ALLOWED_ORIGINS (comma list),
// KIE_BASE_URL / KIE_UPLOAD_BASE_URL (defaults: Kie's hosts). KV: TASKS.
import { KlingClient, KieError, validate, verifyCallback } from "kie-kling";

/** Largest JSON body accepted, bytes. */
const MAX_JSON_BYTES = 64 * 1024;
/** Largest upload accepted, bytes (the image limit plus multipart overhead). */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024 + 64 * 1024;
/** Largest callback body, bytes. */
const MAX_CALLBACK_BYTES = 1024 * 1024;
/** Requests per client (CF-Connecting-IP) per window, per isolate. For a hard global limit use
 *  Cloudflare's Rate Limiting binding; this one stops a single runaway page cheaply. */
const RATE_LIMIT = { requests: 60, windowMs: 60_000 };
/** Finished tasks stay in KV this long (Kie keeps results about 14 days). */
const KV_TTL_SECONDS = 14 * 24 * 3600;

const windows = new Map();
let cached = null;

function clientFor(env) {
  const key = `${env.KIE_BASE_URL}|${env.KIE_UPLOAD_BASE_URL}`;
  if (cached?.key !== key) {
    const options = { apiKey: env.KIE_API_KEY };
    if (env.KIE_BASE_URL) options.baseUrl = env.KIE_BASE_URL;
    if (env.KIE_UPLOAD_BASE_URL) options.uploadBaseUrl = env.KIE_UPLOAD_BASE_URL;
    cached = { key, client: new KlingClient(options) };
  }
  return cached.client;
}

function allowedOrigins(env) {
  return (env.ALLOWED_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean);
}

function corsHeaders(origin) {
  return origin
    ? { "Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Allow-Headers": "content-type", "Access-Control-Allow-Methods": "GET, POST, OPTIONS", "Access-Control-Max-Age": "600" }
    : {};
}

/** Kie's envelope, with a matching HTTP status so plain fetch users see failures too. */
function envelope(code, msg, data = null, extra = {}, headers = {}) {
  const status = code === 200 ? 200 : code >= 400 && code < 600 ? code : 502;
  return new Response(JSON.stringify({ code, msg, data, ...extra }), { status, headers: { "content-type": "application/json", ...headers } });
}

const KIND_CODES = { validation: 422, not_found: 404, rate_limited: 429, insufficient_credits: 402, daily_limit: 433, maintenance: 455,
  task_failed: 501, generation_failed: 501, feature_disabled: 505, timeout: 504, aborted: 499, invalid_webhook: 401 };

/** Our answer for an SDK error: the kind and the (already key-free) message, scrubbed once more. */
function errorResponse(e, env) {
  if (!(e instanceof KieError)) return envelope(500, "internal error");
  let msg = `${e.kind}: ${e.message}`;
  for (const secret of [env.KIE_API_KEY, env.KIE_WEBHOOK_HMAC_KEY]) if (secret) msg = msg.replaceAll(secret, "[redacted]");
  // Failures of our own credentials are the operator's problem, not the browser's.
  if (e.kind === "unauthorized") return envelope(502, "upstream authentication failed (check the Worker's KIE_API_KEY)");
  const code = KIND_CODES[e.kind] ?? 502;
  return envelope(code, msg, null, e.issues ? { issues: e.issues } : {});
}

async function readLimited(request, limit) {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) return null;
  const reader = request.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}

function rateLimited(request) {
  const who = request.headers.get("cf-connecting-ip") ?? "local";
  const now = Date.now();
  let w = windows.get(who);
  if (!w || now - w.start >= RATE_LIMIT.windowMs) {
    if (windows.size > 10_000) windows.clear();
    w = { start: now, count: 0 };
    windows.set(who, w);
  }
  w.count += 1;
  return w.count > RATE_LIMIT.requests ? Math.ceil((w.start + RATE_LIMIT.windowMs - now) / 1000) : 0;
}

async function createTask(request, env) {
  const bytes = await readLimited(request, MAX_JSON_BYTES);
  if (!bytes) return envelope(413, `request body larger than ${MAX_JSON_BYTES} bytes`);
  let body;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return envelope(422, "request body is not JSON");
  }
  // Callbacks come to this Worker, whatever the page asked for.
  const request_ = { model: body?.model, input: body?.input };
  if (request_.model === undefined) delete request_.model;
  const { ok, issues } = validate(request_);
  if (!ok) return envelope(422, issues.map((i) => `${i.path}: ${i.message}`).join("; "), null, { issues });
  const options = env.PUBLIC_URL ? { callBackUrl: `${env.PUBLIC_URL.replace(/\/$/, "")}/api/kie-callback` } : {};
  const { taskId } = await clientFor(env).createTask(body.input, options);
  return envelope(200, "success", { taskId });
}

async function getTask(taskId, env) {
  if (!taskId || !/^[A-Za-z0-9_-]{1,128}$/.test(taskId)) return envelope(400, "taskId parameter is required");
  const stored = await env.TASKS.get(`task:${taskId}`, "json");
  if (stored) return envelope(200, "success", stored, {}, { "x-served-from": "kv" });
  const task = await clientFor(env).getTask(taskId);
  return envelope(200, "success", task.raw, {}, { "x-served-from": "kie" });
}

async function upload(request, env) {
  const bytes = await readLimited(request, MAX_UPLOAD_BYTES);
  if (!bytes) return envelope(413, "upload larger than 10 MB");
  let form;
  try {
    form = await new Response(bytes, { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData();
  } catch {
    return envelope(400, "expected a multipart form with a file field");
  }
  const file = form.get("file");
  if (!file || typeof file === "string") return envelope(400, "Missing required parameter: file");
  const options = {};
  const fileName = form.get("fileName");
  if (typeof fileName === "string" && fileName) options.fileName = fileName;
  const up = await clientFor(env).uploadImage(file, options);
  return new Response(JSON.stringify({ success: true, code: 200, msg: "File uploaded successfully",
    data: { downloadUrl: up.url, fileName: up.fileName, fileSize: up.fileSize, mimeType: up.mimeType, uploadedAt: new Date().toISOString() } }),
  { headers: { "content-type": "application/json" } });
}

async function callback(request, env) {
  const bytes = await readLimited(request, MAX_CALLBACK_BYTES);
  if (!bytes) return envelope(413, "callback body too large");
  const body = new TextDecoder().decode(bytes);
  let task;
  if (env.KIE_WEBHOOK_HMAC_KEY) {
    try {
      task = await verifyCallback({ body, headers: request.headers, hmacKey: env.KIE_WEBHOOK_HMAC_KEY });
    } catch (e) {
      // A replay of a delivery we already stored: acknowledge, do nothing.
      if (e instanceof KieError && e.reason === "replayed") return envelope(200, "duplicate ignored");
      return envelope(401, e instanceof KieError ? `rejected: ${e.reason ?? e.kind}` : "rejected");
    }
  } else {
    task = await clientFor(env).confirmCallback(body);
  }
  if (task.state === "success" || task.state === "fail") {
    await env.TASKS.put(`task:${task.taskId}`, JSON.stringify(task.raw), { expirationTtl: KV_TTL_SECONDS });
  }
  return envelope(200, "stored");
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const origin = request.headers.get("origin");
    const allowed = origin && allowedOrigins(env).includes(origin) ? origin : null;
    const cors = corsHeaders(allowed);
    if (origin && !allowed && url.pathname !== "/api/kie-callback") return envelope(403, "origin not allowed");
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
    const respond = (r) => {
      for (const [k, v] of Object.entries(cors)) r.headers.set(k, v);
      return r;
    };
    if (url.pathname !== "/api/kie-callback") {
      const retryAfter = rateLimited(request);
      if (retryAfter) return respond(envelope(429, "Rate limit exceeded", null, {}, { "retry-after": String(retryAfter) }));
    }
    try {
      const p = url.pathname;
      if (request.method === "POST" && (p === "/api/tasks" || p === "/api/v1/jobs/createTask")) return respond(await createTask(request, env));
      if (request.method === "GET" && p.startsWith("/api/tasks/")) return respond(await getTask(decodeURIComponent(p.slice(11)), env));
      if (request.method === "GET" && p === "/api/v1/jobs/recordInfo") return respond(await getTask(url.searchParams.get("taskId"), env));
      if (request.method === "POST" && (p === "/api/uploads" || p === "/upload/api/file-stream-upload")) return respond(await upload(request, env));
      if (request.method === "POST" && p === "/api/kie-callback") return await callback(request, env);
      return respond(envelope(404, "not found"));
    } catch (e) {
      return respond(errorResponse(e, env));
    }
  },
};
