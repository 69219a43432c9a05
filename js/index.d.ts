// kie-kling: the public types, written for humans. The one declaration file the package ships;
// `npm run docs` renders it with TypeDoc. Units: times in Unix milliseconds, durations in
// milliseconds (callbacks' seconds are converted), sizes in bytes, lengths in UTF-16 units.
/** Seconds of video. The API takes these strings, never numbers. */
export type Duration = "5" | "10";

/** The `input` of a createTask body, with the API's field names. */
export interface CreateTaskInput {
  /** At most 5000 characters (UTF-16 units, as `String.length` counts). Not blank. */
  prompt: string;
  /** An absolute http(s) URL of a jpeg/png/webp image (upload local files first). */
  image_url: string;
  /** Default "5". Always sent explicitly. */
  duration?: Duration;
  /** At most 500 characters. Sent only when given. */
  negative_prompt?: string;
  /** 0 to 1 in steps of 0.1. Default 0.5. Always sent explicitly. */
  cfg_scale?: number;
}

/** A whole createTask body, as `validate` takes it. */
export interface CreateTaskRequest {
  model?: "kling/v2-1-standard";
  callBackUrl?: string;
  input: CreateTaskInput;
}

/** The exact JSON body sent to createTask. */
export interface CreateTaskBody {
  model: "kling/v2-1-standard";
  callBackUrl?: string;
  input: Required<Omit<CreateTaskInput, "negative_prompt">> & { negative_prompt?: string };
}

export type IssueCode =
  | "missing" | "invalid_type" | "empty" | "too_long" | "not_one_of" | "out_of_range"
  | "not_on_step" | "not_finite" | "invalid_url" | "needs_upload" | "invalid_image" | "unknown_field"
  /** Reading the value threw (a throwing getter, a revoked Proxy): nothing is sent. */
  | "unreadable";

/** One problem with a request. */
export interface Issue {
  /** Dotted path, e.g. "input.prompt". */
  path: string;
  code: IssueCode;
  message: string;
  /** The limit broken, when there is one (characters, bounds). */
  limit?: number;
}

/** `validate`'s answer: narrows on `ok`. */
export type ValidationResult =
  | { ok: true; issues: [] }
  | { ok: false; issues: [Issue, ...Issue[]] };

export interface BuildOptions {
  callBackUrl?: string;
}

export type TaskState = "waiting" | "queuing" | "generating" | "success" | "fail";

/** Fields every task record has. Times are Unix milliseconds. */
export interface TaskBase {
  taskId: string;
  model: string;
  state: TaskState;
  /** Result video URLs (from resultJson.resultUrls). They expire (about 24 h): download soon. */
  videoUrls: string[];
  /** Normalised to a string; null when the task did not fail. */
  failCode: string | null;
  failMsg: string | null;
  /** Processing time in milliseconds (callbacks' seconds are converted). */
  costTime: number | null;
  /** Unix milliseconds. */
  createTime: number | null;
  /** Unix milliseconds (may equal createTime: use completeTime). */
  updateTime: number | null;
  /** Unix milliseconds. */
  completeTime: number | null;
  /** Credits this task consumed (`consumeCredits` or `creditsConsumed` on the wire; may be fractional). */
  consumeCredits: number | null;
  /** Credits left on the account after this task. */
  remainedCredits: number | null;
  /** The createTask body as Kie recorded it (a double-encoded `input` is decoded too). */
  param: CreateTaskBody | null;
  /** The record exactly as received (the key scrubbed). */
  raw: unknown;
}

/** Waiting, queuing or generating. */
export interface PendingTask extends TaskBase {
  state: "waiting" | "queuing" | "generating";
}

/** Finished with at least one video. */
export interface SucceededTask extends TaskBase {
  state: "success";
  videoUrls: [string, ...string[]];
}

/** Finished without a video: `failCode` / `failMsg` say why. */
export interface FailedTask extends TaskBase {
  state: "fail";
}

/** A task record, decoded: narrows on `state`. */
export type Task = PendingTask | SucceededTask | FailedTask;

export type KieErrorKind =
  | "validation" | "unauthorized" | "insufficient_credits" | "not_found" | "rate_limited"
  | "daily_limit" | "maintenance" | "server" | "generation_failed" | "feature_disabled"
  | "blocked" | "http" | "network" | "timeout" | "aborted" | "task_failed" | "invalid_response"
  | "invalid_webhook";

/** Why `verifyCallback` refused a delivery. */
export type WebhookRejection =
  | "too_large" | "malformed" | "missing_headers" | "stale_timestamp" | "future_timestamp"
  | "signature_mismatch" | "replayed";

export interface KlingClientOptions {
  /** Your Kie.ai key. Leave it out when `baseUrl` is your own backend that adds it. */
  apiKey?: string;
  /** Default https://api.kie.ai. Your kie-kling/proxy's URL when the key stays on your server
   *  (in a page, a path on its own site such as "/api/kie" works too). */
  baseUrl?: string;
  /** File upload API base URL. Default https://kieai.redpandaai.co, or `${baseUrl}/upload` when
   *  `baseUrl` is your own and there is no `apiKey` (the proxy's upload route). */
  uploadBaseUrl?: string;
  /** Headers sent with every request: your app's own credentials for your proxy (a session
   *  token), never the Kie key. */
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one. Its `init` also carries `attempt`: which try of
   *  this request it is, from 1 (retries are the SDK's, see `maxRetries`). */
  fetch?: (input: string, init?: RequestInit & { attempt?: number }) => Promise<Response>;
  /** Bound on each HTTP request, in milliseconds. Default 60000. A request that takes longer
   *  fails with kind "timeout" (and is retried like a network failure, except createTask). */
  requestTimeoutMs?: number;
  /** @deprecated The old name of `requestTimeoutMs`; works until 0.3. */
  timeoutMs?: number;
  /** Retries of a retryable failure (0 to 10). Default 2. See the README's retry table. */
  maxRetries?: number;
  /** Allow a key in a browser page, where every visitor can read it. */
  dangerouslyAllowBrowser?: boolean;
  /** Log each HTTP exchange: "debug" logs every one, "warn" only those without a 2xx answer.
   *  Default "off". A line is `(message, { method, path, status, attempt, durationMs })`: never
   *  the key, a header, the query or a body.
   *  @example new KlingClient({ apiKey, logLevel: "debug" }) // to console */
  logLevel?: "debug" | "info" | "warn" | "error" | "off";
  /** Where log lines go. Default `console`. */
  logger?: Pick<Console, "debug" | "info" | "warn" | "error">;
}

export interface RequestOptions {
  /** Cancels the call: in-flight requests and sleeps stop at once (kind "aborted", or
   *  "timeout" when the signal's reason is a TimeoutError, as with `AbortSignal.timeout(ms)`). */
  signal?: AbortSignal;
  /** This call's bound on each HTTP request, in milliseconds (overrides the client's). */
  requestTimeoutMs?: number;
  /** This call's retries of a retryable failure, 0 to 10 (overrides the client's). */
  maxRetries?: number;
}

export interface CreateOptions extends RequestOptions {
  callBackUrl?: string;
}

export interface WaitOptions extends RequestOptions {
  /** Bound on the whole wait, in milliseconds. Default 900000 (15 minutes); then kind "timeout"
   *  with the last `task` seen (the task itself runs on). */
  waitTimeoutMs?: number;
  /** @deprecated The old name of `waitTimeoutMs`; works until 0.3. */
  timeoutMs?: number;
  /** Called with the task on every state change (including the first state seen). */
  onProgress?: (task: Task) => void;
  /** A fixed gap between polls, in milliseconds, instead of the adaptive schedule (when the
   *  wait polls: not while it listens to a proxy's status stream). */
  pollIntervalMs?: number;
}

export interface GenerateOptions extends CreateOptions, WaitOptions, Omit<UploadOptions, "signal"> {}

/** What `uploadImage` (and `generate`'s `image_url`) accept. */
export type ImageSource = Blob | ArrayBuffer | Uint8Array | string;

/** `generate` also takes a local image, uploaded first. */
export type GenerateInput = Omit<CreateTaskInput, "image_url"> & { image_url: ImageSource };

export interface UploadOptions extends RequestOptions {
  /** Folder on Kie's file store, no leading or trailing "/". Default "kie-kling/images". */
  uploadPath?: string;
  /** File name to store; random when left out (the same name overwrites). */
  fileName?: string;
}

export interface UploadResult {
  /** The file's URL, for `image_url`. */
  url: string;
  fileName: string | null;
  /** Bytes. */
  fileSize: number | null;
  mimeType: string | null;
  /** Unix ms after which to assume the file is gone (about 24 h). */
  expiresAt: number;
}

export interface VerifyCallbackOptions {
  /** The raw request body (text preferred; bytes or a parsed object work too). */
  body: string | ArrayBuffer | Uint8Array | object;
  /** The request's headers: a Headers object or a plain object (any case). */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The account's webhook HMAC key (Kie settings). */
  hmacKey: string;
  /** Accepted clock difference either way, in seconds. Default 300. */
  toleranceSeconds?: number;
}

export interface GenerateResult {
  taskId: string;
  videoUrl: string;
  task: Task;
}

/**
 * Checks a whole createTask body against the contract, without any network: every issue at once,
 * each with its path, a stable code, a sentence and the limit broken.
 * @example
 * const result = validate({ input: { prompt: "a cat", image_url: "https://example.com/cat.png", cfg_scale: 2 } });
 * if (!result.ok) console.log(result.issues); // [{ path: "input.cfg_scale", code: "out_of_range", limit: 1, ... }]
 */
export declare function validate(request: CreateTaskRequest): ValidationResult;

/**
 * The exact JSON body createTask would send (defaults filled, cfg_scale as a clean decimal).
 * @throws {KieError} kind "validation", with `issues`, for invalid input.
 * @example
 * buildCreateTaskBody({ prompt: "a cat", image_url: "https://example.com/cat.png" });
 * // { model: "kling/v2-1-standard", input: { prompt: "a cat", image_url: "...", duration: "5", cfg_scale: 0.5 } }
 */
export declare function buildCreateTaskBody(input: CreateTaskInput, options?: BuildOptions): CreateTaskBody;

/**
 * Checks a local image the way the upload API will (jpeg, png or webp by content, at most
 * 10 MB), sending nothing. Resolves with its MIME type.
 * @throws {KieError} kind "validation", issue code "invalid_image" on input.image_url.
 * @example
 * const mime = await checkImage(fileInput.files[0]); // "image/png"
 */
export declare function checkImage(source: Blob | ArrayBuffer | Uint8Array): Promise<string>;

/**
 * The typed Task in a callback body (text, bytes or an object), tolerant like `getTask`;
 * `costTime` converted from the callback's seconds to milliseconds. Verifies nothing: see
 * `verifyCallback`, or `client.confirmCallback` when callbacks are unsigned.
 * @example
 * const task = parseCallback(await request.text());
 */
export declare function parseCallback(body: string | ArrayBuffer | Uint8Array | object): Task;

/**
 * Verifies a callback delivery with the account's webhook HMAC key: `X-Webhook-Signature` =
 * base64 HMAC-SHA256 of `taskId + "." + X-Webhook-Timestamp`, checked in constant time on
 * WebCrypto; refuses missing headers, timestamps outside `toleranceSeconds` either way, a
 * delivery already accepted once (replay, remembered per process), and bodies over 1 MB.
 * @throws {KieError} kind "invalid_webhook" with a `reason`.
 * @example
 * const task = await verifyCallback({ body: await request.text(), headers: request.headers, hmacKey: env.KIE_WEBHOOK_HMAC_KEY });
 */
export declare function verifyCallback(options: VerifyCallbackOptions): Promise<Task>;

/**
 * A client for the Kling V2.1 Standard API, or for your own backend that forwards to it
 * (`kie-kling/proxy`). Methods never throw synchronously: they return promises that reject
 * with a `KieError`.
 * @example
 * const client = new KlingClient({ apiKey: process.env.KIE_API_KEY });   // on a server
 * const inPage = new KlingClient({ baseUrl: "/api/kie" });                // in a page: no key
 */
export declare class KlingClient {
  /**
   * @throws {KieError} kind "validation" for bad options (unknown names get a did-you-mean), or
   * for a key in a browser page without `dangerouslyAllowBrowser` (point `baseUrl` at your
   * backend and leave the key out).
   */
  constructor(options: KlingClientOptions);
  /**
   * Validates (nothing is sent if invalid), then creates a task. Retries only a 429 or 455,
   * where Kie certainly created nothing; an ambiguous failure rejects with `maybeCreated: true`
   * and is never re-sent.
   * @example
   * const { taskId } = await client.createTask({ prompt: "a cat", image_url: "https://example.com/cat.png" });
   */
  createTask(input: CreateTaskInput, options?: CreateOptions): Promise<{ taskId: string }>;
  /**
   * Reads and decodes a task, retrying transient failures.
   * @example
   * const task = await client.getTask(taskId);
   * if (task.state === "success") console.log(task.videoUrls[0]);
   */
  getTask(taskId: string, options?: RequestOptions): Promise<Task>;
  /**
   * Polls until the task succeeds (resolves) or fails (rejects "task_failed"), `waitTimeoutMs`
   * passes (rejects "timeout" with the last `task`), or `signal` aborts. `onProgress` fires once
   * per state change. Kie answers "recordInfo is null" for a task it does not show yet: for a task
   * this client created (one of its last 256) that is waited out for up to 30 s; for any other
   * id it is `not_found` at once (a typo fails fast).
   *
   * Through a `kie-kling/proxy` that receives Kie's callbacks (it says so on its answers: no
   * setting), the wait listens to the task's status stream instead of polling: the result
   * arrives within a second of Kie's callback, after at most one poll (none for `generate`). A
   * stream that ends or drops is followed by one poll and reopened; a quiet one still gets a poll
   * every 10 minutes (a lost callback); streams that are refused or keep breaking turn the wait
   * back to polling. `signal` and `waitTimeoutMs` work the same either way. Kie's callback
   * reports only the end, so with `onProgress` the wait also polls on its usual schedule to see
   * the states in between (each poll reopens the stream: about twice the requests of polling,
   * and the end still within a second). A client listens to at most 4 streams at once (a
   * browser allows 6 connections per host over HTTP/1.1); its further waits poll.
   * @example
   * const task = await client.waitForTask(taskId, { onProgress: (t) => console.log(t.state) });
   */
  waitForTask(taskId: string, options?: WaitOptions): Promise<Task>;
  /**
   * createTask + waitForTask. A local image (File, Blob, bytes, data: URL) in `image_url` is
   * checked and uploaded first, after the other fields are validated.
   * @example
   * const { videoUrl } = await client.generate({ prompt: "a cat", image_url: file }, { signal: AbortSignal.timeout(600_000) });
   */
  generate(input: GenerateInput, options?: GenerateOptions): Promise<GenerateResult>;
  /**
   * Uploads an image (checked first: jpeg, png or webp by content, at most 10 MB) and returns
   * its URL for `image_url`. Kie keeps uploads for about 24 hours (`expiresAt`).
   * @example
   * const { url } = await client.uploadImage(file);
   */
  uploadImage(source: ImageSource, options?: UploadOptions): Promise<UploadResult>;
  /**
   * The account's remaining credits (25 per 5 s video, 50 per 10 s).
   * @example
   * const credits = await client.getCredits();
   */
  getCredits(options?: RequestOptions): Promise<number>;
  /**
   * A temporary (about 20 minutes) download link for a Kie-generated file URL.
   * @example
   * const link = await client.getDownloadUrl(task.videoUrls[0]);
   */
  getDownloadUrl(url: string, options?: RequestOptions): Promise<string>;
  /**
   * Reads the task a callback names from the API: the authoritative Task. Use it when callbacks
   * are unsigned, or to trust fields the signature does not cover (it signs only taskId and time).
   * @example
   * const task = await client.confirmCallback(await request.text());
   */
  confirmCallback(body: string | ArrayBuffer | Uint8Array | object, options?: RequestOptions): Promise<Task>;
  /** Where requests go (never includes the key). */
  readonly baseUrl: string;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}

/** Fields every KieError has. Narrow on `kind` for the ones a kind always carries. */
export interface KieErrorBase extends Error {
  /** "KieError", or "AbortError" when kind is "aborted". */
  name: "KieError" | "AbortError";
  /** Stable machine-readable kind. */
  kind: KieErrorKind;
  /** Kie's envelope `code`, when the API answered with one. */
  code: number | null;
  /** Kie's envelope `msg` / `message`. */
  msg: string | null;
  /** HTTP status, when there was a response. */
  status: number | null;
  /** True when sending the same call again later may succeed. */
  retryable: boolean;
  /** True when a createTask failed in a way that may still have created the task. */
  maybeCreated: boolean;
  taskId: string | null;
  issues?: Issue[];
  /** For "timeout" and "aborted" waits: the last Task seen. */
  task?: Task;
  failCode?: string | null;
  failMsg?: string | null;
  reason?: WebhookRejection;
}
/** Bad input: nothing was sent. `issues` lists every problem (empty when Kie's answer named none). */
export interface ValidationError extends KieErrorBase { kind: "validation"; issues: Issue[] }
/** The task ended in "fail": `failCode`/`failMsg` say why, `task` is the record. */
export interface TaskFailedError extends KieErrorBase {
  kind: "task_failed"; taskId: string; task: FailedTask; failCode: string | null; failMsg: string | null;
}
/** `verifyCallback` refused a delivery, for `reason`. */
export interface InvalidWebhookError extends KieErrorBase { kind: "invalid_webhook"; reason: WebhookRejection }
/** The caller's AbortSignal fired (`name` is "AbortError", as `fetch` does). */
export interface AbortedError extends KieErrorBase { kind: "aborted"; name: "AbortError" }
/** Every other kind. */
export interface OtherKieError extends KieErrorBase {
  kind: Exclude<KieErrorKind, "validation" | "task_failed" | "invalid_webhook" | "aborted">;
}
/**
 * Every failure the SDK throws or rejects with, discriminated by `kind`. Never carries the key.
 * @example
 * try { await client.generate(input); } catch (e) {
 *   if (e instanceof KieError && e.kind === "validation") console.log(e.issues.map((i) => i.path));
 * }
 */
export type KieError = ValidationError | TaskFailedError | InvalidWebhookError | AbortedError | OtherKieError;
export declare const KieError: {
  new (kind: KieErrorKind, message: string, fields?: Partial<KieErrorBase>): KieError;
  readonly prototype: KieError;
};
