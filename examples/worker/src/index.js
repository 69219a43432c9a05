// A Cloudflare Worker that keeps your Kie.ai key off the browser: kie-kling/proxy, configured
// for Workers (KV for ownership and finished tasks, the Rate Limiting binding for creates).
// Browsers use the same SDK without a key:
//   new KlingClient({ baseUrl: WORKER_URL, headers: { authorization: `Bearer ${appToken}` } })
// Deploy steps: README.md beside this file.
import { createKieProxy, durablePacer, durableHub } from "kie-kling/proxy";

// Kie's 20 creates per 10 s are per key, so every isolate of this Worker shares one budget: the
// KiePacer Durable Object keeps it (wrangler.toml binds it as KIE_PACER).
export { KiePacer } from "kie-kling/proxy";
// A task's status stream must hear the callback whichever isolate receives it: one KieTaskHub
// Durable Object per task relays it (WebSocket Hibernation: no duration billed while waiting).
export { KieTaskHub } from "kie-kling/proxy";

let proxy = null;

/**
 * Who is calling. This example accepts app tokens from the APP_TOKENS secret
 * ("token1:user1,token2:user2"); use your own session check in a real app. The returned id is
 * what limits and task ownership are keyed on: never a header the caller controls.
 */
function authorizeWith(env) {
  const tokens = new Map(
    (env.APP_TOKENS ?? "").split(",").map((pair) => pair.trim().split(":")).filter(([t, u]) => t && u),
  );
  return async (request) => {
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "");
    return tokens.get(token) ?? null;
    // Cloudflare Turnstile instead (a widget on your page sends its token with each request):
    // const form = new FormData();
    // form.append("secret", env.TURNSTILE_SECRET);
    // form.append("response", request.headers.get("cf-turnstile-response") ?? "");
    // const check = await (await fetch("https://challenges.cloudflare.com/turnstile/v0/siteverify", { method: "POST", body: form })).json();
    // return check.success ? `turnstile:${request.headers.get("cf-connecting-ip")}` : null;
  };
}

export default {
  async fetch(request, env) {
    proxy ??= createKieProxy({
      apiKey: env.KIE_API_KEY,
      hmacKey: env.KIE_WEBHOOK_HMAC_KEY || undefined,
      publicUrl: env.PUBLIC_URL,
      allowedOrigins: (env.ALLOWED_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean),
      authorize: authorizeWith(env),
      store: env.TASKS,
      rateLimiter: env.CREATE_LIMITER,
      pacer: env.KIE_PACER ? durablePacer(env.KIE_PACER) : undefined,
      hub: env.KIE_TASK_HUB ? durableHub(env.KIE_TASK_HUB) : undefined,
      limits: { createsPerMinute: 10, creditsPerDay: Number.isFinite(Number(env.CREDITS_PER_DAY)) ? Number(env.CREDITS_PER_DAY) : 500 },
      // Only for tests against the local emulator; leave unset in production.
      ...(env.KIE_BASE_URL ? { baseUrl: env.KIE_BASE_URL } : {}),
      ...(env.KIE_UPLOAD_BASE_URL ? { uploadBaseUrl: env.KIE_UPLOAD_BASE_URL } : {}),
    });
    return proxy(request);
  },
};
