// A Node user's script: import by package name, create and wait against the emulator (argv[2]).
import { validate, KlingClient, KieError } from "kie-kling";

const [api] = process.argv.slice(2);
const { ok } = validate({ input: { prompt: "a cat", image_url: "https://example.com/cat.png" } });
const client = new KlingClient({ apiKey: "fixture-key", baseUrl: api });
const { videoUrl } = await client.generate({ prompt: "a cat", image_url: "https://example.com/cat.png" }, { pollIntervalMs: 50 });
const err = await client.getTask("nope").catch((e) => e);
console.log(JSON.stringify({ ok, videoUrl, notFound: err instanceof KieError && err.kind }));
