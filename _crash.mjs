import { createServer } from "node:http";
import { KlingClient, verifyCallback } from "kie-kling";
const MB = 1024 * 1024;
const text = "x".repeat(128 * MB);
await verifyCallback({ body: text, headers: {}, hmacKey: "k" }).catch(() => {});
await verifyCallback({ body: new TextEncoder().encode("y".repeat(8)), headers: {}, hmacKey: "k" }).catch(() => {});
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  const chunk = Buffer.alloc(MB, 0x20);
  res.on("error", () => {});
  for (let i = 0; i < 64; i++) res.write(chunk);
  res.end();
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const c = new KlingClient({ apiKey: "k-big-response", baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 });
const e = await c.getTask("abc").catch((x) => x);
console.log(e.kind);
server.closeAllConnections(); server.close();
