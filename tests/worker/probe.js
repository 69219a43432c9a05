// Runs the package's exports inside workerd: validation, body building, callbacks on WebCrypto,
// and a client round trip to the emulator.
import * as sdk from "kie-kling";
import { runHostile } from "../js/hostile-classes.mjs";

const { validate, buildCreateTaskBody, parseCallback, verifyCallback, checkImage, KlingClient, KieError, wasmMemoryBytes } = sdk;

export default {
  async fetch(request, env) {
    const out = {};
    if (new URL(request.url).pathname === "/hostile") {
      // The boundary in workerd: hostile calls of every class, then a valid round trip.
      const before = wasmMemoryBytes();
      try {
        out.ms = await runHostile(sdk, Number(new URL(request.url).searchParams.get("n")));
      } catch (e) {
        out.error = String(e);
      }
      const client = new KlingClient({ apiKey: env.KEY, baseUrl: env.EMULATOR });
      out.after = (await client.generate({ prompt: "a cat", image_url: "https://x.test/a.png" }, { pollIntervalMs: 20 })).task.state;
      out.memory = [before, wasmMemoryBytes()];
      return Response.json(out);
    }
    out.validate = validate({ input: { prompt: "猫".repeat(4000), image_url: "https://x.test/a.png", duration: 5 } }).issues.map((i) => i.code);
    out.body = buildCreateTaskBody({ prompt: "p", image_url: "https://x.test/a.png", cfg_scale: 0.1 + 0.2 });
    out.parsed = parseCallback('{"code":200,"data":{"taskId":"t1","state":"fail","failCode":500}}').failCode;
    try {
      await verifyCallback({ body: '{"data":{"taskId":"t1"}}', headers: { "x-webhook-timestamp": String(Math.floor(Date.now() / 1000)), "x-webhook-signature": "AAAA" }, hmacKey: "k" });
    } catch (e) {
      out.verify = `${e instanceof KieError} ${e.reason}`;
    }
    out.image = await checkImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    const client = new KlingClient({ apiKey: env.KEY, baseUrl: env.EMULATOR });
    const done = await client.generate({ prompt: "a cat", image_url: "https://x.test/a.png" }, { pollIntervalMs: 20 });
    out.generated = done.task.state;
    return Response.json(out);
  },
};
