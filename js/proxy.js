// kie-kling/proxy: the server half that keeps the Kie key off the browser. A standard fetch
// handler, `(request) => Promise<Response>`, for Cloudflare Workers, Next.js route handlers and
// Node (`toNodeListener` adapts it to http.createServer). Every decision (routes, origins, who
// the caller is, ownership, limits, upload names, scrubbing) is made by the Rust core
// (src/proxy.rs, through ProxyCore); this shell only reads Requests and writes Responses.
//
// The entries (scripts/build.sh) call `proxyFactory` with the proxy wasm's exports.

/** A store for one process: ownership, finished tasks and credit counters. Use a Workers KV
 *  namespace (or any object with the same get/put) to share them across isolates and restarts. */
export function memoryStore() {
  const entries = new Map();
  return {
    async get(key) {
      const e = entries.get(key);
      if (!e) return null;
      if (e.expires < Date.now()) {
        entries.delete(key);
        return null;
      }
      return e.value;
    },
    async put(key, value, options) {
      const ttl = Number(options?.expirationTtl) || 0;
      entries.set(key, { value: String(value), expires: ttl > 0 ? Date.now() + ttl * 1000 : Infinity });
      if (entries.size > 100_000) entries.delete(entries.keys().next().value); // oldest first
    },
  };
}

/** Open status streams per task, in this process: `subscribe(taskId, onTask)` returns the
 *  unsubscribe function; `publish(taskId, text)` hands the final task to every subscriber once.
 *  One process only: across Cloudflare isolates a callback reaches only its own isolate's streams. */
export function memoryHub() {
  const waiting = new Map();
  return {
    subscribe(taskId, onTask) {
      let set = waiting.get(taskId);
      if (!set) waiting.set(taskId, (set = new Set()));
      set.add(onTask);
      return () => {
        set.delete(onTask);
        if (set.size === 0 && waiting.get(taskId) === set) waiting.delete(taskId);
      };
    },
    publish(taskId, text) {
      const set = waiting.get(taskId);
      waiting.delete(taskId);
      for (const onTask of set ?? []) onTask(text);
    },
  };
}

/** The Durable Object behind `durableHub`: one per task (by name), holding the proxy isolates'
 *  WebSockets through the Hibernation API, so a wait costs it no duration while nothing happens;
 *  `publish` wakes it, it sends the task to every socket and closes them. */
export class KieTaskHub {
  constructor(state) {
    this.state = state;
  }
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/listen" && request.headers.get("upgrade") === "websocket") {
      const [client, server] = Object.values(new WebSocketPair());
      this.state.acceptWebSocket(server);
      return new Response(null, { status: 101, webSocket: client });
    }
    if (path === "/publish" && request.method === "POST") {
      const text = await request.text();
      for (const socket of this.state.getWebSockets()) {
        try {
          socket.send(text);
          socket.close(1000, "task final");
        } catch {}
      }
      return new Response(null, { status: 204 });
    }
    return new Response(null, { status: 404 });
  }
  webSocketMessage() {}
  webSocketClose(socket) {
    try { socket.close(1000, "bye"); } catch {}
  }
}

/** A hub that reaches every isolate of a Cloudflare deployment: streams subscribe through the
 *  task's `KieTaskHub` Durable Object, and any isolate's callback publishes through it. */
export function durableHub(namespace) {
  const stub = (taskId) => namespace.get(namespace.idFromName(`task:${taskId}`));
  return {
    async subscribe(taskId, onTask) {
      const res = await stub(taskId).fetch("https://kie-hub/listen", { headers: { upgrade: "websocket" } });
      const socket = res.webSocket;
      if (!socket) throw new Error("the KieTaskHub did not accept a WebSocket");
      socket.accept();
      socket.addEventListener("message", (e) => onTask(typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data)));
      // A dropped socket ends the stream (no event): the client then reconnects or polls.
      socket.addEventListener("close", () => onTask(undefined));
      return () => {
        try { socket.close(1000, "done"); } catch {}
      };
    },
    async publish(taskId, text) {
      await stub(taskId).fetch("https://kie-hub/publish", { method: "POST", body: text });
    },
  };
}

/** How long a status stream stays open without news; the client then polls once and reopens. */
const STREAM_MAX_MS = 5 * 60_000;
const EVENTS_PATH = "/api/v1/jobs/recordInfo/events";
const HEARTBEAT_MS = 15_000;

/** A pacer's interface: `reserve()` resolves with `{ slot }` (a time in ms to send at) or
 *  `{ retryAfterMs }` (queue full); `release(slot)` gives back a slot that was not used. */
export function pacerFactory({ PacerCore }) {
  /** Kie's create budget in this process (every proxy made with it shares it). */
  function memoryPacer(options) {
    const core = new PacerCore(options ?? {}); // validates; throws a KieError
    return {
      async reserve() {
        const slot = core.reserve(Date.now());
        return slot < 0 ? { retryAfterMs: -slot } : { slot };
      },
      async release(slot) {
        core.release(slot);
      },
    };
  }

  /** The Durable Object that keeps the budget for a whole Cloudflare deployment: bind it (see
   *  examples/worker/wrangler.toml) and pass `durablePacer(env.KIE_PACER)`. One instance, by
   *  name, serializes every isolate's reservations. */
  class KiePacer {
    constructor(state, env) {
      this.pacer = memoryPacer(env?.KIE_PACER_OPTIONS ? JSON.parse(env.KIE_PACER_OPTIONS) : undefined);
    }
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/reserve") return Response.json(await this.pacer.reserve());
      if (url.pathname === "/release") {
        await this.pacer.release(Number(url.searchParams.get("slot")));
        return new Response(null, { status: 204 });
      }
      return new Response(null, { status: 404 });
    }
  }

  /** A pacer backed by the `KiePacer` Durable Object namespace `namespace`. */
  function durablePacer(namespace, name = "kie-key") {
    const stub = () => namespace.get(namespace.idFromName(name));
    return {
      async reserve() {
        return (await stub().fetch("https://kie-pacer/reserve")).json();
      },
      async release(slot) {
        await stub().fetch(`https://kie-pacer/release?slot=${encodeURIComponent(slot)}`);
      },
    };
  }

  return { memoryPacer, KiePacer, durablePacer };
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleepUnlessAborted(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (ok) => {
      clearTimeout(timer);
      signal?.removeEventListener?.("abort", onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal?.addEventListener?.("abort", onAbort);
  });
}

export function proxyFactory({ ProxyCore, KlingClient, KieError, validate, checkImage, verifyCallback, parseCallback, memoryPacer }) {
  return function createKieProxy(options) {
    const core = new ProxyCore(options); // validates every option; throws a KieError
    const settings = core.settings();
    const { authorize, rateLimiter } = options;
    const store = options.store ?? memoryStore();
    const hub = options.hub ?? memoryHub();
    if (typeof hub.subscribe !== "function" || typeof hub.publish !== "function") {
      const message = "hub: must be memoryHub(), durableHub(namespace) or an object with subscribe and publish";
      throw new KieError("validation", message, { issues: [{ path: "hub", code: "invalid_type", message }] });
    }
    // Kie's 20 creates per 10 s are per key: every caller of this proxy shares them.
    const pacer = options.pacer === false ? null : options.pacer ?? memoryPacer();
    if (pacer && (typeof pacer.reserve !== "function" || typeof pacer.release !== "function")) {
      const message = "pacer: must be memoryPacer(), durablePacer(namespace), an object with reserve and release, or false";
      throw new KieError("validation", message, { issues: [{ path: "pacer", code: "invalid_type", message }] });
    }
    if (settings.allowAnonymous && !authorize) {
      console.warn("kie-kling/proxy: allowAnonymous is on: anyone who can reach this URL can spend your Kie credits");
    }
    const client = new KlingClient({
      apiKey: settings.apiKey, baseUrl: settings.baseUrl, uploadBaseUrl: settings.uploadBaseUrl,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });

    const scrubbed = (text) => core.scrub(text);
    const envelope = (code, msg, data, headers) => {
      const status = code === 200 ? 200 : code >= 400 && code <= 599 ? code : 502;
      return new Response(scrubbed(JSON.stringify({ code, msg, data: data ?? null })), {
        status, headers: { "content-type": "application/json", ...headers },
      });
    };
    const fromError = (e, cors) => {
      if (!(e instanceof KieError)) return envelope(500, "the proxy failed", null, cors);
      const status = core.statusForKind(e.kind);
      const data = e.issues ? { issues: e.issues } : null;
      // Kie's own answers (and our validation) are relayed; transport failures are not described
      // to callers (they would name upstream hosts and addresses).
      const relayed = e.code != null || e.kind === "validation";
      const msg = relayed ? e.msg ?? e.message : `the upstream request failed (${e.kind})`;
      const retry = e.kind === "rate_limited" ? { "retry-after": "10" } : {};
      return envelope(status, msg, data, { ...cors, ...retry });
    };

    /** The body, or null when it is larger than `max` bytes (declared or streamed). */
    async function readCapped(request, max) {
      if (Number(request.headers.get("content-length")) > max) return null;
      if (!request.body) return new Uint8Array(0);
      const reader = request.body.getReader();
      const chunks = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > max) {
          // Too large. Read (and drop) a bounded amount more, so a client that is still sending
          // gets the 413 instead of a reset connection; beyond that, stop reading altogether.
          for (let drained = 0; drained < max + 4 * 1024 * 1024; ) {
            const next = await reader.read();
            if (next.done) break;
            drained += next.value.byteLength;
          }
          reader.cancel().catch(() => {});
          return null;
        }
        chunks.push(value);
      }
      const all = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.byteLength;
      }
      return all;
    }
    const jsonOf = (bytes) => {
      try {
        return JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return undefined;
      }
    };

    /** `createsPerMinute` for creates, and the same budget again for uploads. */
    async function limitCreate(caller, cors, what = "creates") {
      if (settings.createsPerMinute == null) return null;
      let waitMs = 0;
      if (rateLimiter) {
        const { success } = await rateLimiter.limit({ key: `${what}:${caller}` });
        if (!success) waitMs = 60_000;
      } else {
        waitMs = core.admitCreate(`${what}:${caller}`, Date.now());
      }
      if (waitMs <= 0) return null;
      return envelope(429, `too many ${what} for this caller; try again later`, null, {
        ...cors, "retry-after": String(Math.ceil(waitMs / 1000)),
      });
    }

    async function create(request, bodyLimit, caller, cors) {
      const bytes = await readCapped(request, bodyLimit);
      if (bytes === null) return envelope(413, "request body too large", null, cors);
      const body = jsonOf(bytes);
      if (body?.callBackUrl !== undefined) {
        return envelope(422, "callBackUrl is set by the proxy (its own callback route); leave it out", null, cors);
      }
      const checked = validate(body);
      if (!checked.ok) return envelope(422, "invalid request", { issues: checked.issues }, cors);
      const limited = await limitCreate(caller, cors);
      if (limited) return limited;
      const cost = core.costOf(body.input.duration);
      // Reserve, create, refund if nothing was created: one caller's creates in this process go
      // one at a time through this, so parallel requests cannot all pass the same check.
      return withCallerLock(caller, async () => {
        let creditsKey = null;
        if (settings.creditsPerDay != null) {
          creditsKey = core.creditsKey(caller, Date.now());
          const spent = Number(await store.get(creditsKey)) || 0;
          if (!core.withinDailyCredits(spent, cost)) {
            return envelope(433, "this caller's daily credit limit is reached", null, cors);
          }
          await store.put(creditsKey, String(spent + cost), { expirationTtl: 2 * 86_400 });
        }
        const refund = async () => {
          if (!creditsKey) return;
          const spent = Number(await store.get(creditsKey)) || 0;
          await store.put(creditsKey, String(Math.max(0, spent - cost)), { expirationTtl: 2 * 86_400 });
        };
        // Wait for a slot under Kie's limit, in arrival order; a caller that leaves meanwhile
        // is never sent (its slot is given back).
        let pace = null;
        try {
          pace = pacer ? await pacer.reserve() : { slot: Date.now() };
        } catch {
          await refund();
          return envelope(503, "the proxy's rate-limit pacer is unavailable; nothing was sent", null, { ...cors, "retry-after": "10" });
        }
        if (pace.retryAfterMs != null) {
          await refund();
          return envelope(429, "the proxy's queue for Kie's rate limit is full; try again later", null, {
            ...cors, "retry-after": String(Math.ceil(pace.retryAfterMs / 1000)),
          });
        }
        if (!(await sleepUnlessAborted(pace.slot - Date.now(), request.signal))) {
          try {
            await pacer?.release(pace.slot);
          } finally {
            await refund();
          }
          return envelope(499, "the caller left before its turn; nothing was sent", null, cors);
        }
        let taskId = null;
        try {
          ({ taskId } = await client.createTask(body.input, settings.callBackUrl ? { callBackUrl: settings.callBackUrl } : {}));
          await store.put(core.ownerKey(taskId), caller, { expirationTtl: settings.ownerTtlSeconds });
          return envelope(200, "success", { taskId }, cors);
        } catch (e) {
          const nothingCreated = taskId === null && e instanceof KieError && !e.maybeCreated;
          if (nothingCreated) await refund();
          return fromError(e, cors);
        }
      });
    }

    const locks = new Map();
    /** Runs `fn` after every earlier call for `caller` in this process has finished. */
    function withCallerLock(caller, fn) {
      const before = locks.get(caller) ?? Promise.resolve();
      const run = before.then(fn, fn);
      const tail = run.catch(() => {});
      locks.set(caller, tail);
      tail.then(() => { if (locks.get(caller) === tail) locks.delete(caller); });
      return run;
    }

    async function read(url, caller, cors) {
      const taskId = url.searchParams.get("taskId") ?? "";
      const owner = taskId ? await store.get(core.ownerKey(taskId)) : null;
      if (!core.mayRead(owner ?? undefined, caller)) return envelope(404, "task not found", null, cors);
      const stored = await store.get(core.taskKey(taskId));
      if (stored) return envelope(200, "success", JSON.parse(stored), { ...cors, "x-served-from": "store" });
      try {
        const task = await client.getTask(taskId);
        return envelope(200, "success", task.raw, cors);
      } catch (e) {
        return fromError(e, cors);
      }
    }

    const taskEvent = (recordText) => scrubbed(`event: task\ndata: ${JSON.stringify({ code: 200, msg: "success", data: JSON.parse(recordText) })}\n\n`);

    /** A task's status stream (Server-Sent Events), owned like a read: the final record the
     *  moment the callback route confirms it (or at once when it already has), then the end. */
    async function events(url, caller, cors, request) {
      const taskId = url.searchParams.get("taskId") ?? "";
      const owner = taskId ? await store.get(core.ownerKey(taskId)) : null;
      if (!core.mayRead(owner ?? undefined, caller)) return envelope(404, "task not found", null, cors);
      const encoder = new TextEncoder();
      let done = false;
      const timers = [];
      let unsubscribe = () => {};
      const cleanup = () => {
        unsubscribe();
        timers.forEach(clearTimeout);
        request.signal?.removeEventListener?.("abort", onAbort);
      };
      let onAbort = () => {};
      const stream = new ReadableStream({
        async start(controller) {
          const send = (text) => {
            try { controller.enqueue(encoder.encode(text)); } catch { finish(); }
          };
          const finish = (last) => {
            if (done) return;
            done = true;
            if (last) send(last);
            cleanup();
            try { controller.close(); } catch {}
          };
          onAbort = () => finish();
          request.signal?.addEventListener?.("abort", onAbort);
          send("retry: 3000\n: waiting for the task's callback\n\n");
          // Subscribe before reading the store: a confirmation in between is not lost.
          try {
            const stop = await hub.subscribe(taskId, (text) => finish(text));
            if (done) stop();
            else unsubscribe = stop;
          } catch {
            // No hub reachable: end at once, so the client polls (and, after a few such ends,
            // polls only) instead of hearing nothing for minutes.
            finish();
          }
          if (done) return;
          timers.push(setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS), setTimeout(() => finish(), STREAM_MAX_MS));
          try {
            const stored = await store.get(core.taskKey(taskId));
            if (stored) finish(taskEvent(stored));
          } catch {
            finish();
          }
        },
        cancel() {
          done = true;
          cleanup();
        },
      });
      return new Response(stream, {
        status: 200,
        headers: { ...cors, "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" },
      });
    }

    async function upload(request, bodyLimit, route, caller, cors) {
      const bytes = await readCapped(request, bodyLimit);
      if (bytes === null) return envelope(413, "upload too large", null, cors);
      const limited = await limitCreate(caller, cors, "uploads");
      if (limited) return limited;
      const random = crypto.getRandomValues(new Uint8Array(16));
      try {
        let source, mime;
        if (route === "upload-stream") {
          const form = await new Response(bytes, { headers: { "content-type": request.headers.get("content-type") ?? "" } })
            .formData().catch(() => null);
          source = form?.get("file");
          if (!source || typeof source === "string") return envelope(422, "the form has no file field", null, cors);
          mime = await checkImage(source);
        } else if (route === "upload-base64") {
          source = jsonOf(bytes)?.base64Data;
          if (typeof source !== "string") return envelope(422, "base64Data must be a string", null, cors);
          const head = source.slice(0, 512).replace(/^\s*data:[^,]*,/i, "").replace(/\s+/g, "").slice(0, 24);
          try {
            mime = await checkImage(Uint8Array.from(atob(head), (c) => c.charCodeAt(0)));
          } catch {
            return envelope(422, "base64Data is not a jpeg, png or webp image", null, cors);
          }
        } else {
          source = jsonOf(bytes)?.fileUrl;
          if (typeof source !== "string" || !/^https?:\/\//i.test(source)) return envelope(422, "fileUrl must be an http(s) URL", null, cors);
          mime = "image/jpeg";
        }
        // The proxy names the file: a caller's fileName never addresses an existing file.
        const [uploadPath, fileName] = core.uploadName(caller, mime, random);
        const up = await client.uploadImage(source, { uploadPath, fileName });
        return envelope(200, "success", {
          fileName: up.fileName ?? fileName, filePath: `${uploadPath}/${fileName}`, downloadUrl: up.url,
          fileSize: up.fileSize, mimeType: up.mimeType ?? mime, uploadedAt: new Date(up.expiresAt - 86_400_000).toISOString(),
        }, cors);
      } catch (e) {
        return fromError(e, cors);
      }
    }

    async function callback(request, bodyLimit) {
      const bytes = await readCapped(request, bodyLimit);
      if (bytes === null) return envelope(413, "callback body too large", null, {});
      let taskId;
      try {
        const task = settings.hmacKey
          ? await verifyCallback({ body: bytes, headers: request.headers, hmacKey: settings.hmacKey })
          : parseCallback(bytes);
        taskId = task.taskId;
      } catch (e) {
        return envelope(401, `callback refused: ${e?.reason ?? "malformed"}`, null, {});
      }
      // Only tasks this proxy created are confirmed: a forged id costs no upstream read.
      if (!(await store.get(core.ownerKey(taskId)))) return envelope(404, "unknown task", null, {});
      // A task already confirmed final needs no second read (redeliveries, floods).
      if (await store.get(core.taskKey(taskId))) return envelope(200, "success", null, {});
      // Unsigned deliveries (no hmacKey) each cost a confirming read: those reads are capped.
      // Signed ones were verified above (forgeries and replays never get here).
      const waitMs = settings.hmacKey ? 0 : core.admitCallback(Date.now());
      if (waitMs > 0) return envelope(429, "too many callbacks", null, { "retry-after": String(Math.ceil(waitMs / 1000)) });
      try {
        // The body is not trusted (the signature covers only taskId and time): read the task.
        const task = await client.getTask(taskId);
        if (task.state === "success" || task.state === "fail") {
          const record = scrubbed(JSON.stringify(task.raw));
          await store.put(core.taskKey(taskId), record, { expirationTtl: settings.taskTtlSeconds });
          await Promise.resolve(hub.publish(taskId, taskEvent(record))).catch(() => {});
        }
        return envelope(200, "success", null, {});
      } catch (e) {
        return fromError(e, {});
      }
    }

    async function serve(request) {
      const url = new URL(request.url);
      const route = core.route(request.method, url.pathname);
      const origin = request.headers.get("origin");
      const verdict = core.origin(origin ?? undefined);
      if (verdict === "refused") return envelope(403, "this origin may not use the proxy", null, {});
      let cors = verdict === "allowed"
        ? { "access-control-allow-origin": origin, vary: "Origin", "access-control-expose-headers": "retry-after, x-served-from, x-kie-events" }
        : {};
      if (route === "preflight") {
        return new Response(null, {
          status: 204,
          headers: { ...cors, "access-control-allow-methods": "GET, POST, OPTIONS", "access-control-allow-headers": "authorization, content-type", "access-control-max-age": "600" },
        });
      }
      if (route === "not-found") return envelope(404, "not found", null, cors);
      if (route === "method-not-allowed") return envelope(405, "method not allowed", null, cors);
      const bodyLimit = core.bodyLimit(request.method, url.pathname);
      if (route === "callback") return callback(request, bodyLimit);
      let authorized = null;
      if (authorize) {
        try {
          authorized = await authorize(request);
        } catch {
          return envelope(500, "authorize failed", null, cors);
        }
      }
      if (authorized != null && typeof authorized !== "string") {
        return envelope(500, "authorize must return a caller id string or null", null, cors);
      }
      const caller = core.caller(authorized);
      if (caller === undefined) return envelope(401, "unauthorized: send your app's credentials to this proxy", null, cors);
      // Push discovery (contract.rs `push`): a caller's SDK listens to a task's stream instead of
      // polling, offered only where Kie's callbacks reach this proxy.
      if (settings.callBackUrl) cors = { ...cors, "x-kie-events": EVENTS_PATH };
      try {
        switch (route) {
          case "create": return await create(request, bodyLimit, caller, cors);
          case "read": return await read(url, caller, cors);
          case "events": return await events(url, caller, cors, request);
          case "credits": return envelope(200, "success", await client.getCredits(), cors);
          case "download": {
            const bytes = await readCapped(request, bodyLimit);
            if (bytes === null) return envelope(413, "request body too large", null, cors);
            return envelope(200, "success", await client.getDownloadUrl(jsonOf(bytes)?.url), cors);
          }
          default: return await upload(request, bodyLimit, route, caller, cors);
        }
      } catch (e) {
        return fromError(e, cors);
      }
    }

    return async function kieProxy(request) {
      try {
        return await serve(request);
      } catch {
        return new Response(JSON.stringify({ code: 500, msg: "the proxy failed", data: null }), { status: 500, headers: { "content-type": "application/json" } });
      }
    };
  };
}

/** Adapts a fetch handler to Node's `http.createServer((req, res) => ...)`. */
export function toNodeListener(handler, { origin = "http://localhost" } = {}) {
  return async (req, res) => {
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
      }
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      // The caller hanging up aborts the Request (a create waiting for its turn is then dropped).
      const left = new AbortController();
      res.on("close", () => { if (!res.writableFinished) left.abort(); });
      const request = new Request(new URL(req.url, origin), {
        method: req.method, headers, body: hasBody ? req : undefined, duplex: "half", signal: left.signal,
      });
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      // Written as it comes: a status stream's events reach the client when they happen.
      if (response.body) {
        for await (const chunk of response.body) {
          if (res.destroyed) break;
          res.write(chunk);
        }
      }
      res.end();
    } catch {
      // Once a response is under way, an error can only cut it short.
      if (res.headersSent) return res.destroy();
      res.writeHead(500, { "content-type": "application/json" });
      res.end('{"code":500,"msg":"the proxy failed","data":null}');
    }
  };
}
