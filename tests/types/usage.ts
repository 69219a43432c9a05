// Type test (tsc --noEmit): correct usage compiles; each @ts-expect-error line must fail to compile.
import { KlingClient, KieError, validate, buildCreateTaskBody, verifyCallback, parseCallback } from "kie-kling";
import type { CreateTaskInput, Task, Issue, KieErrorKind, TaskState, WebhookRejection, FailedTask } from "kie-kling";

const input: CreateTaskInput = {
  prompt: "a cat surfing",
  image_url: "https://example.com/cat.png",
  duration: "10",
  negative_prompt: "blur",
  cfg_scale: 0.5,
};

// @ts-expect-error duration is the string "5" | "10", not a number
const numericDuration: CreateTaskInput = { prompt: "p", image_url: "https://x", duration: 5 };
// @ts-expect-error only "5" and "10" exist
const badDuration: CreateTaskInput = { prompt: "p", image_url: "https://x", duration: "7" };
// @ts-expect-error misspelled field names are refused (the API's names are verbatim)
const camel: CreateTaskInput = { prompt: "p", imageUrl: "https://x" };
// @ts-expect-error image_url is required
const noImage: CreateTaskInput = { prompt: "p" };

const result = validate({ input, callBackUrl: "https://cb.example.com" });
const firstIssue: Issue | undefined = result.issues[0];
const ok: boolean = result.ok;
// @ts-expect-error callbackUrl is not callBackUrl
validate({ input, callbackUrl: "https://cb.example.com" });

const body = buildCreateTaskBody(input, { callBackUrl: "https://cb.example.com" });
const model: "kling/v2-1-standard" = body.model;
const duration: "5" | "10" = body.input.duration;

async function run(): Promise<string> {
  const client = new KlingClient({ apiKey: "key", maxRetries: 2, requestTimeoutMs: 30_000 });
  new KlingClient({ apiKey: "key", timeoutMs: 30_000 }); // the old name, deprecated
  // @ts-expect-error requestTimeoutMs is a number of milliseconds
  new KlingClient({ apiKey: "key", requestTimeoutMs: "30s" });
  // @ts-expect-error unknown client options are refused
  new KlingClient({ apiKey: "key", baseURL: "https://x" });
  new KlingClient({ apiKey: "key", logLevel: "debug", logger: console });
  // @ts-expect-error log levels are a closed union
  new KlingClient({ apiKey: "key", logLevel: "verbose" });
  await client.getCredits({ maxRetries: 0, requestTimeoutMs: 5_000 });
  // @ts-expect-error per-call maxRetries is a number
  await client.getTask("t", { maxRetries: "none" });
  const { taskId } = await client.createTask(input, { callBackUrl: "https://cb.example.com", signal: AbortSignal.timeout(1000) });
  const task: Task = await client.getTask(taskId);
  const state: TaskState = task.state;
  // @ts-expect-error states are a closed union
  const wrong: TaskState = "done";
  const done = await client.waitForTask(taskId, { waitTimeoutMs: 600_000, onProgress: (t) => console.log(t.state) });
  await client.waitForTask(taskId, { timeoutMs: 600_000 }); // the old name, deprecated
  const urls: string[] = done.videoUrls;
  try {
    const out = await client.generate(input, { onProgress: (t: Task) => void t });
    return out.videoUrl;
  } catch (e) {
    if (e instanceof KieError) {
      const kind: KieErrorKind = e.kind;
      const maybe: boolean = e.maybeCreated;
      // @ts-expect-error kinds are a closed union
      const k2: KieErrorKind = "oops";
      return `${kind} ${maybe} ${e.issues?.length} ${e.failCode} ${state} ${urls} ${k2} ${wrong}`;
    }
    throw e;
  }
}

async function images(client: KlingClient, file: File, req: Request): Promise<number> {
  const up = await client.uploadImage(file, { uploadPath: "images/2026", fileName: "frame.png" });
  const url: string = up.url;
  const expires: number = up.expiresAt;
  await client.generate({ prompt: "p", image_url: file });
  await client.generate({ prompt: "p", image_url: new Uint8Array(8) });
  // @ts-expect-error a number is not an image
  await client.generate({ prompt: "p", image_url: 42 });
  const credits: number = await client.getCredits();
  const link: string = await client.getDownloadUrl(url);
  const task: Task = await verifyCallback({ body: await req.text(), headers: req.headers, hmacKey: "k", toleranceSeconds: 300 });
  const parsed: Task = parseCallback("{}");
  const confirmed: Task = await client.confirmCallback(parsed);
  // @ts-expect-error hmacKey is required
  await verifyCallback({ body: "", headers: {} });
  return credits + expires + link.length + task.videoUrls.length + confirmed.videoUrls.length;
}

export { images, numericDuration, badDuration, camel, noImage, firstIssue, ok, model, duration, run };

// Narrowing (issue 18): each discriminant gives the fields its case always has.
async function narrowing(client: KlingClient, e: unknown): Promise<void> {
  const checked = validate({ input: { prompt: "p", image_url: "https://x" } });
  if (checked.ok) {
    const none: [] = checked.issues;
  } else {
    const first: Issue = checked.issues[0];
    // @ts-expect-error a failed validation has at least one issue
    const empty: [] = checked.issues;
  }
  const task = await client.getTask("t");
  if (task.state === "success") {
    const first: string = task.videoUrls[0];
    const atLeastOne: [string, ...string[]] = task.videoUrls;
  } else {
    // @ts-expect-error only a successful task is sure to have a video
    const atLeastOne: [string, ...string[]] = task.videoUrls;
  }
  if (e instanceof KieError) {
    if (e.kind === "validation") {
      const issues: Issue[] = e.issues;
    } else if (e.kind === "task_failed") {
      const code: string | null = e.failCode;
      const failed: FailedTask = e.task;
      const id: string = e.taskId;
    } else if (e.kind === "invalid_webhook") {
      const why: WebhookRejection = e.reason;
    } else if (e.kind === "aborted") {
      const name: "AbortError" = e.name;
    } else {
      // @ts-expect-error issues are only sure on validation errors
      const issues: Issue[] = e.issues;
    }
    const made = new KieError("validation", "built by hand", { issues: [] });
  }
}
