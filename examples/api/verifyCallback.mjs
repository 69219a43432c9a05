// verifyCallback({ body, headers, hmacKey }): Kie's webhook signature, timestamp window, replay.
import { verifyCallback } from "kie-kling";

const hmacKey = "my-webhook-hmac-key";
const body = '{"code":200,"msg":"ok","data":{"taskId":"t1","state":"success","resultJson":"{\\"resultUrls\\":[\\"https://x.example/v.mp4\\"]}"}}';
const timestamp = String(Math.floor(Date.now() / 1000));
// What Kie does on its side (shown here so the example runs on its own):
const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(hmacKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`t1.${timestamp}`)));
const headers = { "x-webhook-timestamp": timestamp, "x-webhook-signature": btoa(String.fromCharCode(...mac)) };

const task = await verifyCallback({ body, headers, hmacKey });
console.log(task.taskId, task.videoUrls);
const replay = await verifyCallback({ body, headers, hmacKey }).catch((e) => e.reason);
console.log(replay);
if (replay !== "replayed") process.exit(1);
