// The few JS pieces the wasm shell needs and Rust cannot express cheaply: the KieError class
// (a real Error subclass, so `instanceof` and stacks work), timers that an AbortSignal cuts
// short, and a per-request deadline that tells our timeout apart from the caller's abort.

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

export function makeError(kind, message, fields) {
  return new KieError(kind, message, fields);
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
  get timedOut() {
    return this.expired;
  }
  get userAborted() {
    return !!(this.userSignal && this.userSignal.aborted);
  }
  clear() {
    clearTimeout(this.timer);
    if (this.userSignal) this.userSignal.removeEventListener("abort", this.onAbort);
  }
}

/** True in a page (a key there is visible to every visitor); false in Node, Workers, Deno. */
export function inBrowserPage() {
  return typeof window !== "undefined" && typeof document !== "undefined";
}

export function now() {
  return Date.now();
}

/** HMAC-SHA256 check on the host's WebCrypto: `crypto.subtle.verify` compares in constant time. */
export async function hmacVerify(key, message, signatureBase64) {
  let signature;
  try {
    signature = Uint8Array.from(atob(signatureBase64.trim()), (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  const enc = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", cryptoKey, signature, enc.encode(message));
}

/** A header from a `Headers`, a `Request`/`Response`-like object or a plain object, any case. */
export function readHeader(headers, name) {
  if (!headers) return null;
  if (typeof headers.get === "function") return headers.get(name);
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? String(v[0]) : v == null ? null : String(v);
  }
  return null;
}

/** A callback body as text: strings as given, bytes decoded as UTF-8, objects as JSON. */
export function bodyText(body) {
  if (typeof body === "string") return body;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new TextDecoder().decode(body);
  return JSON.stringify(body);
}

/** Blob, File, ArrayBuffer or a typed array: bytes to upload. */
export function isBinary(source) {
  return (typeof Blob !== "undefined" && source instanceof Blob) || source instanceof ArrayBuffer || ArrayBuffer.isView(source);
}

export function binarySize(source) {
  return source instanceof Blob ? source.size : source.byteLength;
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

/** A value's JSON kind as a small number, in one call: 0 undefined (and bigint, symbol), 1 null,
 *  2 boolean, 3 number, 4 string, 5 array, 6 object or function. */
export function kindOf(v) {
  if (v === null) return 1;
  switch (typeof v) {
    case "boolean": return 2;
    case "number": return 3;
    case "string": return 4;
    case "object": return Array.isArray(v) ? 5 : 6;
    case "function": return 6;
    default: return 0;
  }
}

// Readers for the wasm's view of JS objects: one boundary crossing per question instead of
// several (the validator asks a few dozen of them per call).

/** `v[key]`, or undefined when `v` is not an object, the value is null, or reading it throws. */
export function fieldOf(v, key) {
  if (v === null || typeof v !== "object") return undefined;
  try {
    const x = v[key];
    return x === null ? undefined : x;
  } catch {
    return undefined;
  }
}

/** Own keys of a non-array object with a defined value that `known` lacks; null when none. */
export function unknownKeys(v, known) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return null;
  let out = null;
  for (const k of Object.keys(v)) {
    if (!known.includes(k) && v[k] !== undefined) (out ??= []).push(k);
  }
  return out;
}

/** -1 for a non-string, else its UTF-16 length * 2, plus 1 when it is blank to `trim`. */
export function textStats(v) {
  return typeof v === "string" ? v.length * 2 + (v.trim() === "" ? 1 : 0) : -1;
}

/** `o[key] = value` on an object the wasm just made (cannot throw, so no try/catch wrapper). */
export function setProp(o, key, value) {
  o[key] = value;
}
