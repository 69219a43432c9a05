// A user's Worker: import by package name; wrangler bundles it.
import { validate, KlingClient } from "kie-kling";

export default {
  async fetch(request, env) {
    const input = { prompt: "a cat", image_url: "https://example.com/cat.png" };
    const client = new KlingClient({ apiKey: env.KIE_API_KEY, baseUrl: env.KIE_BASE_URL });
    const { videoUrl } = await client.generate(input, { pollIntervalMs: 50 });
    return Response.json({ ok: validate({ input }).ok, videoUrl });
  },
};
