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
  const child = spawn(bin, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
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
