// From a request file to a finished video, against KIE_BASE_URL (a local emulator: `npm run
// emulator`) or the real API when KIE_API_KEY is yours and KIE_BASE_URL is unset.
//   node examples/node/generate.mjs [request.json]
import { readFileSync } from "node:fs";
import { KlingClient, KieError, validate } from "kie-kling";

const file = process.argv[2] ?? new URL("../../tests/fixtures/vendor-example.json", import.meta.url);
const request = JSON.parse(readFileSync(file, "utf8"));

const { ok, issues } = validate(request);
if (!ok) {
  for (const i of issues) console.error(`${i.path}: ${i.message}`);
  process.exit(1);
}

const client = new KlingClient({ apiKey: process.env.KIE_API_KEY ?? "demo-key", baseUrl: process.env.KIE_BASE_URL });
const { callBackUrl, input } = request;
try {
  const started = Date.now();
  const { taskId, videoUrl } = await client.generate(input, {
    callBackUrl,
    onProgress: (t) => console.log(`${((Date.now() - started) / 1000).toFixed(1)}s  ${t.taskId}  ${t.state}`),
  });
  console.log(`done: task ${taskId}\nvideo: ${videoUrl}`);
} catch (e) {
  if (e instanceof KieError) {
    console.error(`failed (${e.kind}): ${e.message}`);
    process.exit(2);
  }
  throw e;
}
