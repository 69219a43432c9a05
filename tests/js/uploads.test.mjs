// Images in, results out: uploads, generate from a local file, credits, download links.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KlingClient } from "kie-kling";
import { startEmulator, validInput, PNG_1X1 } from "./emulator.mjs";

let emu;
before(async () => { emu = await startEmulator(["--timeline", "50,50,50"]); });
after(() => emu.close());

const client = (key, opts = {}) => new KlingClient({ apiKey: key, baseUrl: emu.base, uploadBaseUrl: emu.uploadBase, ...opts });
const rejects = async (p) => { try { await p; } catch (e) { return e; } assert.fail("expected a rejection"); };
const bytesOf = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
const b64 = (bytes) => btoa(String.fromCharCode(...bytes));

test("each upload kind ends at a URL that createTask accepts and that serves the same bytes", async () => {
  const key = emu.key();
  const c = client(key);
  const sources = {
    blob: new Blob([PNG_1X1], { type: "image/png" }),
    file: new File([PNG_1X1], "photo.png"),
    arrayBuffer: PNG_1X1.slice().buffer,
    uint8Array: PNG_1X1,
    dataUrl: `data:image/png;base64,${b64(PNG_1X1)}`,
    base64: b64(PNG_1X1),
  };
  let firstUrl;
  for (const [kind, source] of Object.entries(sources)) {
    const up = await c.uploadImage(source, { uploadPath: `tests/${kind}` });
    assert.match(up.url, /^http:\/\/127\.0\.0\.1:\d+\/files\/tests\//, kind);
    assert.equal(up.mimeType, "image/png", kind);
    assert.equal(up.fileSize, PNG_1X1.length, kind);
    assert.ok(up.expiresAt > Date.now() + 23 * 3600_000, kind);
    assert.deepEqual(await bytesOf(up.url), PNG_1X1, `${kind}: byte-identical`);
    firstUrl ??= up.url;
  }
  const viaUrl = await c.uploadImage(firstUrl, { uploadPath: "tests/url", fileName: "copy.png" });
  assert.equal(viaUrl.fileName, "copy.png");
  assert.deepEqual(await bytesOf(viaUrl.url), PNG_1X1);
  const { taskId } = await c.createTask({ ...validInput(), image_url: viaUrl.url });
  assert.equal((await c.getTask(taskId)).param.input.image_url, viaUrl.url);
  const counters = await emu.counters(key);
  assert.equal(counters.requests.upload, 7);
});

test("a GIF or text renamed .png, and an 11 MB image, are refused before upload", async () => {
  const key = emu.key();
  const c = client(key);
  const gif = new File([new TextEncoder().encode("GIF89a\x01\x00\x01\x00")], "cat.png", { type: "image/png" });
  const text = new File(["just text, not an image"], "cat.png", { type: "image/png" });
  const big = new Uint8Array(11 * 1024 * 1024);
  big.set(PNG_1X1.subarray(0, 16));
  for (const [label, source, limit] of [["gif", gif], ["text", text], ["11MB", big, 10485760], ["gif base64", `data:image/png;base64,${btoa("GIF89a....")}`], ["not base64", "data:image/png;base64,%%%"]]) {
    const err = await rejects(c.uploadImage(source));
    assert.equal(err.kind, "validation", label);
    assert.equal(err.issues[0].path, "input.image_url", label);
    assert.equal(err.issues[0].code, "invalid_image", label);
    if (limit) assert.equal(err.issues[0].limit, limit);
  }
  const bad = await rejects(c.uploadImage(PNG_1X1, { uploadPath: "/abs/" }));
  assert.equal(bad.issues[0].path, "uploadPath");
  assert.equal((await emu.counters(key)).requests.upload ?? 0, 0, "nothing was sent");
});

test("generate goes from a local image file to a finished video in one call", async () => {
  const key = emu.key();
  const c = client(key);
  const out = await c.generate({ ...validInput(), image_url: new File([PNG_1X1], "frame.png") }, { pollIntervalMs: 30 });
  assert.match(out.videoUrl, /\.mp4$/);
  const used = out.task.param.input.image_url;
  assert.match(used, /\/files\/kie-kling\/images\//);
  assert.deepEqual(await bytesOf(used), PNG_1X1);
  // Other fields are validated before any upload.
  const err = await rejects(c.generate({ prompt: "", image_url: new Blob([PNG_1X1]) }));
  assert.equal(err.kind, "validation");
  assert.equal((await emu.counters(key)).requests.upload, 1);
});

test("uploads are retried only where nothing arrived (429), never after a 500", async () => {
  const key = emu.key();
  await emu.fault({ fault: "rate_limit", route: "upload", key, retryAfter: 0 });
  await client(key).uploadImage(PNG_1X1);
  assert.equal((await emu.counters(key)).requests.upload, 2);
  const key2 = emu.key();
  await emu.fault({ fault: "server_error", route: "upload", key: key2 });
  const err = await rejects(client(key2).uploadImage(PNG_1X1));
  assert.equal(err.kind, "server");
  assert.equal((await emu.counters(key2)).requests.upload, 1);
});

test("credits fall as tasks run; download links work for Kie files only", async () => {
  const key = emu.key();
  const c = client(key);
  const before = await c.getCredits();
  await c.generate(validInput(), { pollIntervalMs: 30 });
  await c.generate({ ...validInput(), duration: "10" }, { pollIntervalMs: 30 });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(before - (await c.getCredits()), 75);
  const { videoUrl } = await c.generate(validInput(), { pollIntervalMs: 30 });
  const link = await c.getDownloadUrl(videoUrl);
  assert.match(link, /\/dl\//);
  assert.equal((await fetch(link)).headers.get("content-type"), "video/mp4");
  const err = await rejects(c.getDownloadUrl("https://elsewhere.example/x.mp4"));
  assert.equal(err.kind, "validation");
  assert.equal(err.code, 422);
  await emu.setCredits(key, 10);
  assert.equal((await rejects(c.createTask(validInput()))).kind, "insufficient_credits");
});
