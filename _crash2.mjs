import { test } from "node:test";
import { createServer } from "node:http";
import * as runtime from "./js/runtime.js";
import fc from "fast-check";
import { KlingClient, verifyCallback, parseCallback } from "kie-kling";
const MB = 1024 * 1024;
test("a", async () => {
  const text = "x".repeat(128 * MB);
  await verifyCallback({ body: text, headers: {}, hmacKey: "k" }).catch(() => {});
  try { parseCallback(new Uint8Array(128 * MB)); } catch {}
});
test("b", async () => {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(MB, 0x20);
    res.on("error", () => {});
    for (let i = 0; i < 64; i++) res.write(chunk);
    res.end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const c = new KlingClient({ apiKey: "k-big-response", baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 });
  await c.getTask("abc").catch((x) => x);
  server.closeAllConnections(); await new Promise((r) => server.close(r));
});
