import Replicate from "replicate";
const replicate = new Replicate({ auth: globalThis.API_KEY });
export async function run(input) {
  return replicate.run("kwaivgi/kling-v2.1", { input: { prompt: input.prompt, start_image: input.image_url } });
}
