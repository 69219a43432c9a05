// The size budget as a ratchet: what users download (wasm + browser entry, gzip -9) may not grow
// past today's figure plus a small margin without someone deciding so here. The 20 KB goal is
// tracked by `npm run bench`; this only stops regressions. Without rust-src the build uses the
// prebuilt std, about 8 KB larger (scripts/build.sh), so that case has its own budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";

const root = new URL("../../", import.meta.url).pathname;
// Ratcheted from 47 KB (session 3: the boundary fix, the proxy's SDK options and CommonJS fit
// in 46.5 KB), then to 46.0 KB (session 4: 45.95 KB with the User-Agent, the fast not_found and
// the new timeout names, paid for by Retry-After dates parsed by the host, a byte-level
// did-you-mean and byte scans instead of str's char searchers). The prebuilt-std figure follows
// by the same 0.6 KB. Session 5: 45.5 KB, with the operation machines and one driver (one async
// method body instead of eight). Session 6: 46,560 B (46,545 B with push in the SDK, paid for by
// --low-memory-unused, terser, glue trims and a merged Deadline import). Session 7 (issue 16,
// step by step): 44,720 B, the promise bridge of src/task.rs instead of wasm-bindgen-futures;
// 43,640 B, the driver as explicit states instead of async functions; 43,530 B, one Task.step
// that answers the next promise or the result (no separate finish); 42,730 B, JS values in the
// glue's heap instead of an externref table (build.sh). Session 8: 42,570 B (createTask and
// generate reading their arguments through one function, static property names lent out instead
// of cloned per read); prebuilt 51,480 B.
const BUDGET_GZIP = { rebuilt: 42_570, prebuilt: 51_480 };

test("wasm + browser glue stay within the size budget", () => {
  const gz = (f) => gzipSync(readFileSync(`${root}pkg/${f}`), { level: 9 }).length;
  const total = gz("kie_kling_bg.wasm") + gz("browser.js");
  const std = existsSync(`${root}target/std-build`) ? readFileSync(`${root}target/std-build`, "utf8").trim() : "prebuilt";
  const budget = BUDGET_GZIP[std] ?? BUDGET_GZIP.prebuilt;
  console.log(`size: wasm + browser glue ${(total / 1024).toFixed(1)} KB gzip (std ${std}), budget ${(budget / 1024).toFixed(1)} KB`);
  assert.ok(total <= budget, `${total} B gzip is over the ${budget} B budget`);
});

test("the browser build carries none of kie-kling/proxy: it is a separate wasm and entry", () => {
  const exportsOf = (f) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(f))).map((e) => e.name);
  const browserWasm = exportsOf(`${root}target/wasm-bindgen/kie_kling_bg.wasm`); // before names are minified
  const proxyWasm = exportsOf(`${root}target/wasm-bindgen-proxy/kie_kling_proxy_bg.wasm`);
  assert.ok(proxyWasm.some((n) => n.startsWith("proxycore_")), "the proxy wasm has ProxyCore");
  assert.ok(!browserWasm.some((n) => n.startsWith("proxycore_")), "the browser wasm does not");
  for (const f of ["browser.js", "node.js", "workerd.js"]) {
    const text = readFileSync(`${root}pkg/${f}`, "utf8");
    assert.ok(!/ProxyCore|createKieProxy|kie_kling_proxy/.test(text), `${f} mentions the proxy`);
  }
});
