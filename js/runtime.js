// The few JS pieces the wasm shell needs and Rust cannot express cheaply: the KieError class
// (a real Error subclass, so `instanceof` and stacks work), timers that an AbortSignal cuts
// short, a per-request deadline, and readers of the caller's values.
//
// The boundary rule (CONTRIBUTING.md, "The boundary rule"): no JS exception may unwind through wasm frames.
// Every function here that the wasm imports is either declared `catch` on the Rust side (its
// exception comes back as a `Result`) or marked `@total` in its doc comment: it catches
// everything itself and says so in its return value. `scripts/check-boundary.mjs` fails the
// build when an import is neither, and tests/js/boundary.test.mjs calls every `@total` function
// with hostile values.

/** Every failure the SDK throws. `kind` is a stable string; see the README for the list. */
export class KieError extends Error {
  constructor(kind, message, fields) {
    super(message);
    this.name = kind === "aborted" ? "AbortError" : "KieError";
    this.kind = kind;
    Object.assign(this, fields);
  }
  toJSON() {
    return { name: this.name, message: this.message, ...this };
  }
}

/** The thrown error, from the wasm's strings and fields. @total */
export function makeError(kind, message, fields) {
  try {
    return new KieError(kind, message, fields);
  } catch {
    return new KieError(kind, message, {});
  }
}

/** Stands in for a value whose read threw (a getter, a revoked or trapping Proxy): the wasm
 *  reports it at its path instead of letting the exception through. */
const UNREADABLE = Object.freeze({ unreadable: true });

/** A value's JSON kind as a small number, in one call: 0 undefined (and bigint, symbol), 1 null,
 *  2 boolean, 3 number, 4 string, 5 array, 6 object or function, 7 unreadable.
 *  @total */
export function kindOf(v) {
  if (v === null) return 1;
  if (v === UNREADABLE) return 7;
  switch (typeof v) {
    case "boolean": return 2;
    case "number": return 3;
    case "string": return 4;
    case "object":
      try {
        return Array.isArray(v) ? 5 : 6;
      } catch {
        return 7; // a revoked Proxy
      }
    case "function": return 6;
    default: return 0;
  }
}

// Readers for the wasm's view of JS objects: one boundary crossing per question instead of
// several (the validator asks a few dozen of them per call).

/** `v[key]`, undefined when `v` is not an object or the value is null or undefined, UNREADABLE
 *  when reading it throws.
 *  @total */
export function fieldOf(v, key) {
  const x = propOf(v, key);
  return x === null ? undefined : x;
}

/** `v[key]` (null kept), undefined for non-objects, UNREADABLE when reading throws. @total */
export function propOf(v, key) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return undefined;
  try {
    return v[key];
  } catch {
    return UNREADABLE;
  }
}

/** Own keys of a non-array object with a defined value that `known` lacks; null when none or
 *  when they cannot be listed (the object itself is then reported as unreadable by kindOf).
 *  @total */
export function unknownKeys(v, known) {
  try {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return null;
    let out = null;
    for (const k of Object.keys(v)) {
      if (!known.includes(k) && v[k] !== undefined) (out ??= []).push(k);
    }
    return out;
  } catch {
    return null;
  }
}

/** Up to `max` own enumerable keys of a plain object; an empty array when there are none or
 *  they cannot be listed.
 *  @total */
export function ownKeys(v, max) {
  try {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return [];
    return Object.keys(v).slice(0, max);
  } catch {
    return [];
  }
}

/** Up to `max` elements of an array, read once each (a throwing element reads as UNREADABLE). @total */
export function itemsOf(v, max) {
  const out = [];
  try {
    if (!Array.isArray(v)) return out;
    const n = Math.min(v.length >>> 0, max);
    for (let i = 0; i < n; i++) {
      try {
        out.push(v[i]);
      } catch {
        out.push(UNREADABLE);
      }
    }
  } catch {
    // a revoked Proxy: no elements
  }
  return out;
}

/** The string, or undefined for a non-string or one longer than `max` UTF-16 units (measured
 *  here, so an oversized string is never copied into wasm memory).
 *  @total */
export function stringOf(v, max) {
  return typeof v === "string" && v.length <= max ? v : undefined;
}

/** -1 for a non-string, else its UTF-16 length * 2, plus 1 when it is blank to `trim`. @total */
export function textStats(v) {
  return typeof v === "string" ? v.length * 2 + (v.trim() === "" ? 1 : 0) : -1;
}

/** `s.slice(start, end)` for a string; "" otherwise. @total */
export function textSlice(s, start, end) {
  return typeof s === "string" ? s.slice(start, end) : "";
}

/** `o[key] = value` on a fresh plain object the wasm just made: that cannot throw. @total */
export function setProp(o, key, value) {
  o[key] = value;
}

/**
 * A stable copy of a caller's request object: the `known` fields and every other own key, each
 * read exactly once (a throwing read becomes UNREADABLE), into a fresh null-prototype object.
 * Validation and the body written from it then see the same values however the original's
 * getters or Proxy traps behave. `nestedKey`'s object is copied the same way with `nestedKnown`.
 * Non-objects are returned as they are; an object that cannot be inspected becomes UNREADABLE.
 *  @total */
export function snapshot(v, known, nestedKey, nestedKnown) {
  if (v === null || typeof v !== "object") return v;
  try {
    if (Array.isArray(v)) return v;
    const out = Object.create(null);
    const read = (k) => {
      try {
        return v[k];
      } catch {
        return UNREADABLE;
      }
    };
    for (const k of known) {
      const x = read(k);
      if (x !== undefined) out[k] = x;
    }
    let extra = 0;
    for (const k of Object.keys(v)) {
      if (known.includes(k)) continue;
      const x = read(k);
      if (x !== undefined) out[k] = x;
      if (++extra >= 64) break; // enough to report; the request is refused anyway
    }
    if (nestedKey && nestedKnown) out[nestedKey] = snapshot(out[nestedKey], nestedKnown);
    return out;
  } catch {
    return UNREADABLE;
  }
}

/** Resolves after `ms`, or rejects with "aborted" as soon as `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject("aborted");
    const onAbort = () => {
      clearTimeout(timer);
      reject("aborted");
    };
    const timer = setTimeout(() => {
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** One request's abort controller: follows the caller's signal and fires after `ms`. */
export class Deadline {
  constructor(userSignal, ms) {
    this.controller = new AbortController();
    this.userSignal = userSignal || null;
    this.expired = false;
    this.onAbort = () => this.controller.abort();
    if (this.userSignal) {
      if (this.userSignal.aborted) this.controller.abort();
      else this.userSignal.addEventListener("abort", this.onAbort, { once: true });
    }
    if (ms > 0 && Number.isFinite(ms)) {
      this.timer = setTimeout(() => {
        this.expired = true;
        this.controller.abort();
      }, ms);
    }
  }
  get signal() {
    return this.controller.signal;
  }
  /** Stops the timer and the listener, and says how the request ended: 2 the caller aborted,
   *  1 this deadline fired, 0 neither. */
  clear() {
    clearTimeout(this.timer);
    if (this.userSignal) this.userSignal.removeEventListener("abort", this.onAbort);
    return this.userSignal?.aborted ? 2 : this.expired ? 1 : 0;
  }
}

/** `options.signal` checked to be a real AbortSignal: undefined when absent, the signal, or
 *  null when it is something else (a look-alike whose `aborted` throws, a plain object).
 *  @total */
export function signalOf(options) {
  const s = propOf(options, "signal");
  if (s === undefined || s === null) return undefined;
  try {
    if (typeof AbortSignal === "function" && s instanceof AbortSignal) {
      void s.aborted; // throws for an object that only borrows AbortSignal's prototype
      return s;
    }
  } catch {
    // not a real signal
  }
  return null;
}

/** Whether `signal` has aborted; true when asking throws (a signal that lies is not trusted). @total */
export function isAborted(signal) {
  try {
    return !!signal.aborted;
  } catch {
    return true;
  }
}

/** The reason a signal aborted with (undefined when it cannot be read). @total */
export function abortReason(signal) {
  try {
    return signal.reason;
  } catch {
    return undefined;
  }
}

/** `options[key]` when it is a function; undefined when absent; null when it is something else. @total */
export function functionOf(options, key) {
  const f = propOf(options, key);
  if (f === undefined || f === null) return undefined;
  return typeof f === "function" ? f : null;
}


/** True in a page (a key there is visible to every visitor); false in Node, Workers, Deno. @total */
export function inBrowserPage() {
  return typeof window !== "undefined" && typeof document !== "undefined";
}

/** True where a request may carry our own User-Agent: not in browsers (pages or their workers),
 *  which send theirs and refuse or preflight a replacement. Node 20 has no navigator. @total */
export function sendsUserAgent() {
  try {
    return !/^Mozilla\//.test(navigator.userAgent);
  } catch {
    return true;
  }
}

const LOG_LEVELS = ["debug", "info", "warn", "error", "off"];

/** The fetch a client uses, from its options (a snapshot): `fetch`, or with a `logLevel` a fetch
 *  that logs each exchange once to `logger` (default console) at "debug", or "warn" when it got
 *  no 2xx answer: method, path, status, attempt (`init.attempt`, which the SDK sets) and duration,
 *  never the key, a header, the query or a body. `[option, message]` for a bad option. @total */
export function clientFetch(opts) {
  try {
    const { fetch, logger, logLevel } = opts;
    if (fetch != null && typeof fetch !== "function") return ["fetch", "must be a function"];
    if (logger != null && typeof logger !== "object") return ["logger", "must be an object like console"];
    const from = LOG_LEVELS.indexOf(logLevel ?? "off");
    if (from < 0) return ["logLevel", "must be one of debug, info, warn, error, off"];
    if (from > 3) return fetch ?? undefined;
    // The global fetch is called unbound: Workers refuse one bound to another `this`.
    const send = fetch ?? ((url, init) => globalThis.fetch(url, init));
    return async (url, init) => {
      const started = Date.now();
      let status = null;
      try {
        return await send(url, init).then((res) => ((status = res?.status), res));
      } finally {
        try {
          const level = status >= 200 && status < 300 ? 0 : 2;
          const entry = { method: init.method, path: new URL(url).pathname, status, attempt: init.attempt, durationMs: Date.now() - started };
          if (level >= from) (logger ?? console)[LOG_LEVELS[level]](`kie-kling: ${entry.method} ${entry.path} ${status ?? "failed"}`, entry);
        } catch {}
      }
    };
  } catch {
    return ["options", "unreadable"];
  }
}

/** @total */
export function now() {
  return Date.now();
}

/** What a thrown value says, with its cause's message when it has one (Node's "fetch failed"
 *  hides the reason there). @total */
export function describeError(err) {
  try {
    const cause = err.cause?.message;
    // Bounded: a caller's fetch may reject with any message.
    return String(cause && cause !== err.message ? `${err.message}: ${cause}` : err.message ?? err).slice(0, 300);
  } catch {
    return "";
  }
}

/** HMAC-SHA256 check on the host's WebCrypto: `crypto.subtle.verify` compares in constant time.
 *  `signature` is the strictly decoded bytes (the wasm refuses non-canonical base64). */
export async function hmacVerify(key, message, signature) {
  const bytes = signature.slice(); // a view of wasm memory: copy before the first await
  const enc = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", cryptoKey, bytes, enc.encode(message));
}

/** A header from a `Headers`, a `Request`/`Response`-like object or a plain object, any case;
 *  null when absent or unreadable. At most `max` + 1 characters come back, so an oversized
 *  value is seen as too long without being copied whole.
 *  @total */
export function readHeader(headers, name, max) {
  try {
    if (!headers || typeof headers !== "object") return null;
    let v = null;
    if (typeof headers.get === "function") {
      v = headers.get(name);
    } else {
      const wanted = name.toLowerCase();
      for (const k of Object.keys(headers)) {
        if (k.toLowerCase() === wanted) {
          const x = headers[k];
          v = Array.isArray(x) ? x[0] : x;
          break;
        }
      }
    }
    return typeof v === "string" ? v.slice(0, max + 1) : null;
  } catch {
    return null;
  }
}

/** UTF-8 length of `s`, or more than `max` when it is longer than that (not counted further). */
function utf8LengthUpTo(s, max) {
  return s.length > max ? max + 1 : s.length * 3 <= max ? s.length : new TextEncoder().encode(s).length;
}

/**
 * A callback body parsed here, measured before anything reaches wasm memory: `{ value }`, or
 * `{ fail: "too_large" | "malformed" }`. Text and bytes are parsed; an object is copied through
 * JSON (so no getter or Proxy runs again later; cycles and BigInts are malformed).
 *  @total */
export function callbackJson(body, max) {
  try {
    let text;
    if (typeof body === "string") text = body;
    else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
      if (body.byteLength > max) return { fail: "too_large" };
      text = new TextDecoder().decode(body);
    } else if (body !== null && typeof body === "object") {
      text = JSON.stringify(body);
      if (typeof text !== "string") return { fail: "malformed" };
    } else return { fail: "malformed" };
    if (utf8LengthUpTo(text, max) > max) return { fail: "too_large" };
    return { value: JSON.parse(text) };
  } catch {
    return { fail: "malformed" };
  }
}

/** A `Retry-After` value for the core's delta-seconds parser: an HTTP date (IMF-fixdate, the
 *  only form senders may use) becomes the seconds until it, read by the host's date parser;
 *  anything else passes unchanged for the core to judge (hosts' date parsers accept junk). */
function retryAfterSeconds(value) {
  if (value === null || !/^\s*[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\s*$/.test(value)) return value;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : String(Math.max(0, Math.ceil((at - Date.now()) / 1000)));
}

/**
 * A fetch Response read with a cap: `{ status, retryAfter, text, push }`, `text` null when the
 * body is larger than `max` bytes (by Content-Length before reading, else counted while it
 * streams: reading stops and the rest is cancelled past `max`, so neither JS nor wasm ever holds
 * more); `push` true when the server offers status streams (the `x-kie-events` header,
 * contract.rs `push`). A status stream (Server-Sent Events) is read up to its first `task`
 * event, whose data is the text ("" when the stream ends without one).
 * Rejects when `res` is not a usable Response.
 */
export async function readReply(res, max) {
  const status = res.status;
  if (typeof status !== "number") throw new TypeError("fetch did not resolve with a Response");
  const reply = { status, retryAfter: retryAfterSeconds(res.headers.get("retry-after")), text: null, push: res.headers.get("x-kie-events") != null || null };
  if (/^text\/event-stream/.test(res.headers.get("content-type"))) reply.text = await readTaskEvent(res.body.getReader(), max);
  else if (Number(res.headers.get("content-length")) > max) res.body?.cancel().catch(() => {});
  else reply.text = await bodyText(res, max);
  return reply;
}

/** The body as text, or null past `max` bytes. */
async function bodyText(res, max) {
  const reader = res.body?.getReader?.();
  if (!reader) {
    const text = await res.text();
    return utf8LengthUpTo(text, max) > max ? null : text;
  }
  const chunks = [];
  let size = 0;
  for (let chunk; !(chunk = await reader.read()).done; chunks.push(chunk.value)) {
    if ((size += chunk.value.byteLength) > max) {
      reader.cancel().catch(() => {});
      return null;
    }
  }
  const bytes = new Uint8Array(size);
  size = 0;
  for (const c of chunks) bytes.set(c, (size += c.byteLength) - c.byteLength);
  return new TextDecoder().decode(bytes);
}

/** The data of a stream's first `task` event (one `data:` line, as kie-kling/proxy sends it; LF
 *  or CRLF; `[^\r\n]`, not `.`, which stops at U+2028 in a JSON string), "" when the stream ends
 *  without one, null past `max` characters; the rest is cancelled. */
async function readTaskEvent(reader, max) {
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (let chunk, event; !(chunk = await reader.read()).done; ) {
      if ((text += decoder.decode(chunk.value, { stream: true })).length > max) return null;
      if ((event = /^event: ?task\r?\ndata: ?([^\r\n]*)\r?\n/m.exec(text))) return event[1];
    }
    return "";
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Blob, File, ArrayBuffer or a typed array: bytes to upload. @total */
export function isBinary(source) {
  try {
    return (typeof Blob !== "undefined" && source instanceof Blob) || source instanceof ArrayBuffer || ArrayBuffer.isView(source);
  } catch {
    return false;
  }
}

/** The size in bytes of a binary source, or -1 when it cannot be read. @total */
export function binarySize(source) {
  try {
    const n = source instanceof Blob ? source.size : source.byteLength;
    return typeof n === "number" ? n : -1;
  } catch {
    return -1;
  }
}

/** The first `n` bytes, without reading a whole Blob. */
export async function headBytes(source, n) {
  if (source instanceof Blob) return new Uint8Array(await source.slice(0, n).arrayBuffer());
  if (source instanceof ArrayBuffer) return new Uint8Array(source, 0, Math.min(n, source.byteLength));
  return new Uint8Array(source.buffer, source.byteOffset, Math.min(n, source.byteLength));
}

/** The multipart body of the stream upload. */
export function uploadForm(source, mimeType, uploadPath, fileName) {
  const blob = source instanceof Blob ? source : new Blob([source], { type: mimeType });
  const form = new FormData();
  form.append("file", blob, fileName || (typeof File !== "undefined" && source instanceof File ? source.name : "image"));
  form.append("uploadPath", uploadPath);
  if (fileName) form.append("fileName", fileName);
  return form;
}

/** Runs a task of the wasm to its end (src/task.rs): awaits each promise it hands back and
 *  steps it with how that settled, until it answers with its result (never a promise) or throws
 *  its error. An async function never throws, it rejects. @total */
export async function drive(task) {
  try {
    // The work starts after the caller's code, as a promise's does: an abort in the same tick
    // stops a request before it is sent, and no caller code runs inside the method call.
    await undefined;
    for (let ok = true, value, next; ; ) {
      next = task.step(ok, value);
      if (!(next instanceof Promise)) return next;
      try {
        value = await next;
        ok = true;
      } catch (e) {
        value = e;
        ok = false;
      }
    }
  } finally {
    try {
      task.free();
    } catch {
      // a task left borrowed by a trap: keep the error that ended it
    }
  }
}

/**
 * Guards every method of the exported client class before it reaches wasm: a call on a freed
 * client, or with `this` not a client (a detached method), rejects (async methods) or throws
 * (the getter) a KieError instead of handing wasm a null pointer.
 */
export function guardClient(Client) {
  const proto = Client.prototype;
  const message = "this KlingClient was freed, or a method was called without it as `this`";
  const fail = () => new KieError("validation", message, { issues: [{ path: "this", code: "invalid_type", message }] });
  const live = (c) => c instanceof Client && !!c.__wbg_ptr;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (name === "constructor" || name === "free" || name === "__destroy_into_raw") continue;
    if (typeof d.value === "function") {
      const method = d.value;
      Object.defineProperty(proto, name, {
        ...d,
        value: {
          [name](...args) {
            if (!live(this)) return Promise.reject(fail());
            // The caller's frames, captured now: a rejection comes from a later microtask.
            const site = new Error();
            return method.apply(this, args).catch((e) => {
              try {
                if (e instanceof KieError) e.stack = `${e.name}: ${e.message}${site.stack.slice(site.stack.indexOf("\n"))}`;
              } catch {
                // a host whose stacks are not strings: keep the error's own
              }
              throw e;
            });
          },
        }[name],
      });
    } else if (typeof d.get === "function") {
      const get = d.get;
      Object.defineProperty(proto, name, {
        ...d,
        get() {
          if (!live(this)) throw fail();
          return get.call(this);
        },
      });
    }
  }
  const free = proto.free;
  proto.free = function () {
    if (live(this)) free.call(this);
  };
  if (typeof Symbol.dispose === "symbol") proto[Symbol.dispose] = proto.free;
}
