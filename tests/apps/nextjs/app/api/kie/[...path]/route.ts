// The whole server half: kie-kling/proxy as a catch-all route. The browser's KlingClient uses
// baseUrl "/api/kie"; Kie's callbacks come to PUBLIC_URL/api/kie-callback (PUBLIC_URL ends in /api/kie).
import { createKieProxy } from "kie-kling/proxy";

export const dynamic = "force-dynamic";

let proxy: ((request: Request) => Promise<Response>) | null = null;

function handle(request: Request): Promise<Response> {
  proxy ??= createKieProxy({
    apiKey: process.env.KIE_API_KEY ?? "",
    baseUrl: process.env.KIE_BASE_URL,
    uploadBaseUrl: process.env.KIE_UPLOAD_BASE_URL,
    publicUrl: process.env.PUBLIC_URL,
    hmacKey: process.env.KIE_WEBHOOK_HMAC_KEY || undefined,
    mount: "/api/kie",
    // A real app reads its session here; the fixture accepts one demo token.
    authorize: (r) => (r.headers.get("authorization") === "Bearer fixture-user-token" ? "fixture-user" : null),
  });
  return proxy(request);
}

export { handle as GET, handle as POST, handle as OPTIONS };
