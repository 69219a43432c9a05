// The minimal app: create a task and wait for it, with kie-kling.
import { KlingClient } from "kie-kling";
const client = new KlingClient({ baseUrl: globalThis.API_URL ?? "https://api.kie.ai", apiKey: globalThis.API_KEY ?? "key" });
export async function run(input) {
  const { videoUrl } = await client.generate(input);
  return videoUrl;
}
