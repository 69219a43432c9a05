import { KlingClient, KieError, validate, type CreateTaskInput, type Task } from "kie-kling";

const input: CreateTaskInput = { prompt: "a cat", image_url: "https://example.com/cat.png", duration: "10" };
// @ts-expect-error duration is a string union
const wrong: CreateTaskInput = { prompt: "a cat", image_url: "https://example.com/cat.png", duration: 10 };
export async function run(): Promise<Task | string> {
  if (!validate({ input }).ok) return "invalid";
  try {
    return (await new KlingClient({ baseUrl: "https://proxy.example" }).generate(input)).task;
  } catch (e) {
    return e instanceof KieError ? e.kind : "unknown";
  }
}
export { wrong };
