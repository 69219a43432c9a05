// Every example in examples/api/ (one per public function) runs against the emulator, so the
// documentation's examples cannot rot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { startEmulator } from "./emulator.mjs";

const dir = new URL("../../examples/api/", import.meta.url).pathname;
let emu;
before(async () => { emu = await startEmulator(["--timeline", "50,50,50"]); });
after(() => emu.close());

for (const file of readdirSync(dir).filter((f) => f.endsWith(".mjs")).sort()) {
  test(`examples/api/${file} runs`, () => {
    const out = execFileSync(process.execPath, [`${dir}${file}`], { env: { ...process.env, KIE_BASE_URL: emu.base }, encoding: "utf8", timeout: 60_000 });
    assert.ok(out.length > 0);
  });
}
