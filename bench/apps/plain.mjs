// The floor: a hand-written Kie client with hand checks (what a careful user writes without an SDK).
const BASE = globalThis.API_URL ?? "https://api.kie.ai";
export function validate(input) {
  const issues = [];
  if (typeof input.prompt !== "string" || !input.prompt.trim()) issues.push("prompt is required");
  else if (input.prompt.length > 5000) issues.push("prompt is too long");
  if (typeof input.image_url !== "string" || !/^https?:\/\/[^\s/]+/i.test(input.image_url)) issues.push("image_url must be an http(s) URL");
  if (input.duration !== undefined && input.duration !== "5" && input.duration !== "10") issues.push('duration must be "5" or "10"');
  if (input.negative_prompt !== undefined && (typeof input.negative_prompt !== "string" || input.negative_prompt.length > 500)) issues.push("negative_prompt is invalid");
  if (input.cfg_scale !== undefined) {
    const c = input.cfg_scale;
    if (typeof c !== "number" || !Number.isFinite(c) || c < 0 || c > 1 || Math.abs(c * 10 - Math.round(c * 10)) > 1e-9) issues.push("cfg_scale must be 0..1 in steps of 0.1");
  }
  return issues;
}
async function call(path, init) {
  const r = await fetch(BASE + path, { ...init, headers: { authorization: `Bearer ${globalThis.API_KEY}`, "content-type": "application/json" } });
  const body = await r.json();
  if (body.code !== 200) throw new Error(`Kie ${body.code}: ${body.msg ?? body.message}`);
  return body.data;
}
export async function run(input) {
  const issues = validate(input);
  if (issues.length) throw new Error(issues.join("; "));
  const body = { model: "kling/v2-1-standard", input: { duration: "5", cfg_scale: 0.5, ...input } };
  const { taskId } = await call("/api/v1/jobs/createTask", { method: "POST", body: JSON.stringify(body) });
  for (let delay = 2000; ; delay = Math.min(delay * 1.5, 30000)) {
    await new Promise((r) => setTimeout(r, delay));
    const t = await call(`/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`);
    if (t.state === "success") return JSON.parse(t.resultJson).resultUrls[0];
    if (t.state === "fail") throw new Error(`task failed: ${t.failCode} ${t.failMsg}`);
  }
}
