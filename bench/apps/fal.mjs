import { fal } from "@fal-ai/client";
fal.config({ credentials: globalThis.API_KEY });
export async function run(input) {
  const r = await fal.subscribe("fal-ai/kling-video/v2.1/standard/image-to-video", { input: { prompt: input.prompt, image_url: input.image_url } });
  return r.data.video.url;
}
