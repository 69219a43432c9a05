// The floor with zod validation instead of hand checks.
import { z } from "zod";
const BASE = globalThis.API_URL ?? "https://api.kie.ai";
export const schema = z.object({
  prompt: z.string().trim().min(1).max(5000),
  image_url: z.string().url().regex(/^https?:/i),
  duration: z.enum(["5", "10"]).optional(),
  negative_prompt: z.string().max(500).optional(),
  cfg_scale: z.number().min(0).max(1).refine((c) => Math.abs(c * 10 - Math.round(c * 10)) < 1e-9, "step 0.1").optional(),
}).strict();
export function validate(input) {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues;
}
async function call(path, init) {
  const r = await fetch(BASE + path, { ...init, headers: { authorization: `Bearer ${globalThis.API_KEY}`, "content-type": "application/json" } });
  const body = await r.json();
  if (body.code !== 200) throw new Error(`Kie ${body.code}: ${body.msg ?? body.message}`);
  return body.data;
}
export async function run(input) {
  const parsed = schema.parse(input);
  const { taskId } = await call("/api/v1/jobs/createTask", { method: "POST", body: JSON.stringify({ model: "kling/v2-1-standard", input: { duration: "5", cfg_scale: 0.5, ...parsed } }) });
  for (let delay = 2000; ; delay = Math.min(delay * 1.5, 30000)) {
    await new Promise((r) => setTimeout(r, delay));
    const t = await call(`/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`);
    if (t.state === "success") return JSON.parse(t.resultJson).resultUrls[0];
    if (t.state === "fail") throw new Error(`task failed: ${t.failCode} ${t.failMsg}`);
  }
}
