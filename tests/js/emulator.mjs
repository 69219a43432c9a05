// Starts the real kie-emulator binary on 127.0.0.1 (a free port) for a test file, and wraps its
// /__emulator control surface. Build it first: cargo build --release -p kie-emulator.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";

const root = fileURLToPath(new URL("../../", import.meta.url));

export async function startEmulator(args = []) {
  const bin = `${root}target/release/kie-emulator`;
  if (!existsSync(bin)) throw new Error(`build the emulator first: cargo build --release -p kie-emulator (${bin})`);
  // stderr through a pipe of our own: an emulator orphaned by a crashed test process must not
  // hold the test runner's stderr open (the runner would wait for it until its timeout).
  const child = spawn(bin, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.pipe(process.stderr);
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once("line", (l) => resolve(l));
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  const base = line.replace("kie-emulator listening on ", "").trim();
  const json = async (path, init) => (await fetch(base + path, init)).json();
  let n = 0;
  return {
    base,
    uploadBase: `${base}/upload`,
    /** A fresh key per test keeps counters and faults apart. */
    key: (name = "k") => `${name}-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 8)}`,
    fault: (rule) => json("/__emulator/faults", { method: "POST", body: JSON.stringify(rule) }),
    counters: (key) => json(`/__emulator/counters?key=${encodeURIComponent(key)}`),
    setCredits: (key, credits) => json("/__emulator/credits", { method: "POST", body: JSON.stringify({ key, credits }) }),
    close: () => new Promise((resolve) => { child.once("exit", resolve); child.kill(); }),
  };
}

export const validInput = () => ({ prompt: "a cat surfing a wave", image_url: "https://example.com/cat.png" });

/** A real 1x1 PNG. */
export const PNG_1X1 = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));

/** An HTTP receiver on 127.0.0.1 that records every POST (headers and raw body). */
export async function startReceiver() {
  const { createServer } = await import("node:http");
  const deliveries = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.end("ok");
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  return {
    url,
    deliveries,
    async waitFor(n, ms = 5000) {
      const until = Date.now() + ms;
      while (deliveries.length < n && Date.now() < until) await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
      return deliveries;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}
