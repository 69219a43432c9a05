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
