import RunwayML from "@runwayml/sdk";
const client = new RunwayML({ apiKey: globalThis.API_KEY });
export async function run(input) {
  const task = await client.imageToVideo.create({ model: "gen4_turbo", promptImage: input.image_url, promptText: input.prompt, ratio: "1280:720" }).waitForTaskOutput();
  return task.output?.[0];
}
