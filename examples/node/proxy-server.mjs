// kie-kling/proxy on a plain Node 20 http server: the key stays in this process; browsers use
// `new KlingClient({ baseUrl: "http://localhost:8788", headers: { authorization: "Bearer <token>" } })`.
//   KIE_API_KEY=... APP_TOKEN=... PUBLIC_URL=https://your.host node examples/node/proxy-server.mjs
// One process only: ownership, limits and finished tasks live in its memory (see memoryStore).
import { createServer } from "node:http";
import { createKieProxy, toNodeListener } from "kie-kling/proxy";

if (!process.env.APP_TOKEN) throw new Error("set APP_TOKEN: the token your pages send (Authorization: Bearer ...)");

const proxy = createKieProxy({
  apiKey: process.env.KIE_API_KEY,
  publicUrl: process.env.PUBLIC_URL,
  hmacKey: process.env.KIE_WEBHOOK_HMAC_KEY || undefined,
  allowedOrigins: (process.env.ALLOWED_ORIGINS ?? "").split(",").filter(Boolean),
  // Your session check goes here; this example accepts one shared app token.
  authorize: (request) => (request.headers.get("authorization") === `Bearer ${process.env.APP_TOKEN}` ? "app-user" : null),
  limits: { createsPerMinute: 10, creditsPerDay: 500 },
  ...(process.env.KIE_BASE_URL ? { baseUrl: process.env.KIE_BASE_URL, uploadBaseUrl: `${process.env.KIE_BASE_URL}/upload` } : {}),
});

const server = createServer(toNodeListener(proxy));
server.listen(Number(process.env.PORT ?? 8788), "127.0.0.1", () => {
  console.log(`kie-kling proxy: http://127.0.0.1:${server.address().port}`);
});
