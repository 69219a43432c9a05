// The installed package in another runtime (Deno 2, Bun): validate, generate against the
// emulator (KIE_BASE_URL), verifyCallback on the runtime's WebCrypto. Prints one JSON line.
import { KlingClient, KieError, validate, verifyCallback } from "kie-kling";

const base = globalThis.process?.env?.KIE_BASE_URL ?? globalThis.Deno?.env.get("KIE_BASE_URL");
const out = { issues: validate({ input: { prompt: "p", image_url: "https://e.com/a.png", duration: 5 } }).issues.map((i) => i.code) };
const client = new KlingClient({ apiKey: "runtime-smoke", baseUrl: base });
out.state = (await client.generate({ prompt: "a cat", image_url: "https://e.com/a.png" }, { pollIntervalMs: 20 })).task.state;
const taskId = "t".repeat(32);
const ts = String(Math.floor(Date.now() / 1000));
const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("hmac-smoke"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
const signature = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${taskId}.${ts}`)))));
const body = JSON.stringify({ code: 200, data: { taskId, state: "success", resultJson: "{\"resultUrls\":[\"https://e.com/v.mp4\"]}" } });
out.verified = (await verifyCallback({ body, headers: { "x-webhook-timestamp": ts, "x-webhook-signature": signature }, hmacKey: "hmac-smoke" })).taskId === taskId;
out.replay = await verifyCallback({ body, headers: { "x-webhook-timestamp": ts, "x-webhook-signature": signature }, hmacKey: "hmac-smoke" })
  .catch((e) => e instanceof KieError && e.reason);
console.log(JSON.stringify(out));
