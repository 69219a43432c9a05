"use client";
import { useEffect, useState } from "react";
import { KlingClient, KieError, validate } from "kie-kling";

// The wasm runs in the page: validate locally, then generate through the route handler's proxy.
export default function Generate() {
  const [out, setOut] = useState({ text: "running", done: "" });
  useEffect(() => {
    (async () => {
      const lines: string[] = [];
      const checked = validate({ input: { prompt: "a cat", image_url: "https://example.com/a.png", duration: "7" as "5" } });
      if (!checked.ok) lines.push(`issues: ${checked.issues.map((i) => i.path).join(", ")}`);
      const client = new KlingClient({ baseUrl: "/api/kie", headers: { authorization: "Bearer fixture-user-token" } });
      const { taskId, videoUrl } = await client.generate(
        { prompt: "a cat surfing", image_url: "https://example.com/cat.png" },
        { pollIntervalMs: 100 },
      );
      lines.push(`task: ${taskId}`, `video: ${videoUrl}`);
      setOut({ text: lines.join("\n"), done: "ok" });
    })().catch((e) => setOut({ text: e instanceof KieError ? `${e.kind}: ${e.message}` : String(e), done: "error" }));
  }, []);
  return <pre id="out" data-done={out.done || undefined}>{out.text}</pre>;
}
