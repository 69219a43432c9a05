// A user's app: import by package name, validate, then create and wait against the emulator
// whose URL the test passes as ?api=.
import { validate, KlingClient } from "kie-kling";

const out = document.getElementById("out");
const api = new URLSearchParams(location.search).get("api");
const request = { input: { prompt: "a cat", image_url: "https://example.com/cat.png", duration: 5 } };
const check = validate(request);
out.textContent = `issues: ${check.issues.map((i) => i.path).join(",")}`;
const client = new KlingClient({ apiKey: "fixture-key", baseUrl: api, dangerouslyAllowBrowser: true }); // the emulator: not a real key
client
  .generate({ ...request.input, duration: "5" }, { pollIntervalMs: 50 })
  .then((r) => { out.textContent += `\nvideo: ${r.videoUrl}`; out.dataset.done = "ok"; })
  .catch((e) => { out.textContent += `\nerror: ${e.kind} ${e.message}`; out.dataset.done = "error"; });
