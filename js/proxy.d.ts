// kie-kling/proxy: the server half that keeps your Kie key off the browser.
import type { KieError } from "./index.js";

/** A key-value store: a Workers KV namespace fits as it is. The default keeps everything in
 *  memory (one process or isolate only). */
export interface ProxyStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

/** A rate limiter: the Cloudflare Rate Limiting binding fits as it is. */
export interface ProxyRateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export interface KieProxyOptions {
  /** Your Kie.ai key. It never leaves the server: every response is scrubbed of it. */
  apiKey: string;
  /** This proxy's public URL: Kie posts task callbacks to `${publicUrl}/api/kie-callback`. */
  publicUrl?: string;
  /**
   * Who is calling: return a stable caller id (a user id from your session, a token's subject),
   * or null to refuse with 401. Limits and task ownership are keyed on this id.
   * Required unless `allowAnonymous: true`.
   */
  authorize?: (request: Request) => string | null | Promise<string | null>;
  /** Your account's webhook HMAC key: callbacks are then verified before anything else. */
  hmacKey?: string;
  /** Upstream API. Default https://api.kie.ai. */
  baseUrl?: string;
  /** Upstream file upload API. Default https://kieai.redpandaai.co. */
  uploadBaseUrl?: string;
  /** The fetch used upstream. Default: the runtime's. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Browser origins allowed to call (exact "https://app.example"); others get 403. Requests
   *  without an Origin (server to server) are judged by `authorize` alone. */
  allowedOrigins?: string[];
  limits?: {
    /** Creates per caller per minute; above it 429 with Retry-After. */
    createsPerMinute?: number;
    /** Credits per caller per UTC day (25 per 5 s task, 50 per 10 s); above it Kie's code 433. */
    creditsPerDay?: number;
  };
  /** Where ownership, finished tasks and credit counters live. Default: in memory. */
  store?: ProxyStore;
  /** A deployment-wide limiter for `createsPerMinute` (default: in memory, per process). */
  rateLimiter?: ProxyRateLimiter;
  /** Let anyone who reaches the URL use your key (logs a warning). Off by default. */
  allowAnonymous?: boolean;
  /** The path the proxy is served under, e.g. "/api/kie" in a Next.js catch-all route. */
  mount?: string;
  /**
   * Keeps every caller's creates under Kie's limit for the key (20 per 10 s): a burst waits its
   * turn in arrival order instead of drawing 429s from Kie. Default `memoryPacer()` (this process
   * only); `durablePacer(env.KIE_PACER)` for a whole Cloudflare deployment; `false` when something
   * else already paces this key.
   */
  pacer?: KiePacerLike | false;
  /**
   * Where task status streams hear of confirmed callbacks. Default `memoryHub()` (this process:
   * a callback reaches only the streams of the process that received it); on Cloudflare,
   * `durableHub(env.KIE_TASK_HUB)` with the exported `KieTaskHub` Durable Object reaches every isolate.
   */
  hub?: KieHubLike;
}

/** What a hub does: hold a task's listeners, and hand them its final Task once. */
export interface KieHubLike {
  /** Calls `onTask(eventText)` once when the task is published; resolves with the unsubscribe. */
  subscribe(taskId: string, onTask: (eventText: string) => void): (() => void) | Promise<() => void>;
  publish(taskId: string, eventText: string): void | Promise<void>;
}

/** The hub for one process. */
export declare function memoryHub(): KieHubLike;

/**
 * The hub for a Cloudflare deployment: one `KieTaskHub` Durable Object per task relays the
 * callback to every isolate's streams over hibernatable WebSockets (no duration billed while a
 * task is waiting).
 * @example
 * export { KieTaskHub } from "kie-kling/proxy";
 * createKieProxy({ apiKey: env.KIE_API_KEY, authorize, hub: durableHub(env.KIE_TASK_HUB) });
 */
export declare function durableHub(namespace: unknown): KieHubLike;

/** The Durable Object class behind `durableHub`. */
export declare class KieTaskHub {
  constructor(state: unknown);
  fetch(request: Request): Promise<Response>;
}

/** What a pacer does: reserve a send time, or give one back. */
export interface KiePacerLike {
  /** `{ slot }`: send at this time (Unix ms); `{ retryAfterMs }`: the queue is full. */
  reserve(): Promise<{ slot: number; retryAfterMs?: undefined } | { retryAfterMs: number; slot?: undefined }>;
  /** Gives back a slot whose create was abandoned before it was sent. */
  release(slot: number): Promise<void>;
}

export interface PacerOptions {
  /** Creates per window. Default 20 (Kie's limit per key). */
  perWindow?: number;
  /** The window, in milliseconds. Default 10500 (Kie's 10 s and a 500 ms margin). */
  windowMs?: number;
  /** Creates that may wait for a slot; more get 429 with Retry-After. Default 200. */
  maxQueue?: number;
  /** The longest a create waits for its slot, in milliseconds; longer gets 429. Default 30000. */
  maxWaitMs?: number;
}

/**
 * The pacer for one process (Node, one Next.js server). Proxies given the same one share it.
 * @example
 * createKieProxy({ apiKey, authorize, pacer: memoryPacer({ maxWaitMs: 10_000 }) });
 */
export declare function memoryPacer(options?: PacerOptions): KiePacerLike;

/**
 * The pacer for a Cloudflare deployment: every isolate reserves through one `KiePacer` Durable
 * Object. Bind the class (examples/worker/wrangler.toml) and export it from your Worker.
 * @example
 * export { KiePacer } from "kie-kling/proxy";
 * createKieProxy({ apiKey: env.KIE_API_KEY, authorize, pacer: durablePacer(env.KIE_PACER) });
 */
export declare function durablePacer(namespace: unknown, name?: string): KiePacerLike;

/** The Durable Object class behind `durablePacer` (its options: the `KIE_PACER_OPTIONS` var, JSON). */
export declare class KiePacer {
  constructor(state: unknown, env: { KIE_PACER_OPTIONS?: string });
  fetch(request: Request): Promise<Response>;
}

/**
 * Besides the Kie paths, the handler serves each task's status stream (Server-Sent Events) at
 * `GET /api/v1/jobs/recordInfo/events?taskId=…`, owned like a read: a `task` event whose data is
 * the recordInfo envelope of the final Task, sent the moment the callback route confirms it (at
 * once when it already has), then the stream ends; a heartbeat comment every 15 s; closed after
 * 5 minutes without news (reconnect). With the default `hub` the streams live in this process;
 * `durableHub` reaches every isolate of a Cloudflare deployment.
 *
 * A fetch handler for Workers, Next.js route handlers and Node. Speaks the Kie paths the SDK
 * uses, so `new KlingClient({ baseUrl: proxyUrl })` works through it unchanged.
 * @throws {KieError} kind "validation" for bad options, or when neither `authorize` nor
 * `allowAnonymous: true` is given.
 * @example
 * export default { fetch: createKieProxy({ apiKey: env.KIE_API_KEY, authorize: (r) => userOf(r) }) };
 */
export declare function createKieProxy(options: KieProxyOptions): (request: Request) => Promise<Response>;

/** The default store, exported to share one between proxies in a process. */
export declare function memoryStore(): ProxyStore;

/**
 * Adapts a fetch handler to Node's http server.
 * @example
 * http.createServer(toNodeListener(createKieProxy({ ... }))).listen(8787);
 */
export declare function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options?: { origin?: string },
): (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void;

export { KieError };
