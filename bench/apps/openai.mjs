import OpenAI from "openai";
const client = new OpenAI({ apiKey: globalThis.API_KEY, dangerouslyAllowBrowser: true });
export async function run(input) {
  let video = await client.videos.create({ model: "sora-2", prompt: input.prompt });
  while (video.status === "queued" || video.status === "in_progress") {
    await new Promise((r) => setTimeout(r, 2000));
    video = await client.videos.retrieve(video.id);
  }
  return video.id;
}
