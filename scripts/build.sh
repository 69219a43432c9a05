#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (wasm32, size profile) -> wasm-bindgen --target web
# -> wasm-opt -Oz -> one minified ESM entry per runtime (node, browser, workerd) bundling the
# glue, with the .wasm beside it. Prints the shipped sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

# The shipped wasm rebuilds std with `optimize_for_size` and `panic=immediate-abort`: a panic
# was already a bare trap (panic=abort has nowhere to print in wasm), so this only drops the
# panic message formatting and core::fmt it drags in: -8 KB gzip. The flags are unstable, hence
# RUSTC_BOOTSTRAP for this one command and a separate target dir (tests build std normally).
# Without rust-src (or with KIE_PREBUILT_STD=1) the prebuilt std is used.
# `-reference-types` (std rebuilt the same way): JS values live in the glue's heap array, not in
# a wasm externref table, so no table shim wraps each import and export that passes one:
# -0.8 KB gzip (wasm -1.0, glue +0.2).
wasm=target/wasm32-unknown-unknown/release/kie_kling.wasm
# Source paths (kept for panic locations in std and js-sys) are remapped to short names: fewer
# bytes, and no build machine's directories in the shipped file.
remap="--remap-path-prefix=$(rustc --print sysroot)/lib/rustlib/src/rust/library=std --remap-path-prefix=$PWD=kie-kling"
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*; do remap="$remap --remap-path-prefix=$registry=crates"; done
if [ -z "${KIE_PREBUILT_STD:-}" ] && [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ] &&
   RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none -Ctarget-feature=-reference-types $remap" CARGO_TARGET_DIR=target/size \
     cargo build --release --target wasm32-unknown-unknown -p kie-kling \
       -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size; then
  wasm=target/size/wasm32-unknown-unknown/release/kie_kling.wasm
  echo rebuilt > target/std-build
else
  echo prebuilt > target/std-build
  echo "build: std not rebuilt for size (no rust-src or the unstable build failed); using the prebuilt std" >&2
  cargo build --release --target wasm32-unknown-unknown -p kie-kling
fi
raw=target/wasm-bindgen
rm -rf "$raw" pkg && mkdir -p "$raw" pkg
wasm-bindgen --target web --out-dir "$raw" --out-name kie_kling "$wasm"
# Two runs: --converge repeats every pass it is given, and the name minifier must run once.
# --flatten --rereloop rebuilds the control flow of the async state machines: -0.26 KB gzip.
# --low-memory-unused: the stack sits below the data at 1 MB and grows down, so the lowest KB is
# never touched and constant offsets fold into loads (-0.27 KB gzip). (-iit saved 0.09 KB more
# but let a load run before its check: the boundary fuzzer hit "memory access out of bounds".)
npx --no-install wasm-opt -Oz --converge --gufa --flatten --rereloop -Oz --low-memory-unused "$raw/kie_kling_bg.wasm" -o "$raw/optimized.wasm"
npx --no-install wasm-opt -Oz --low-memory-unused --minify-imports-and-exports-and-modules --strip-producers --strip-target-features \
  "$raw/optimized.wasm" -o pkg/kie_kling_bg.wasm > "$raw/names.json"
node scripts/check-boundary.mjs "$raw/kie_kling_bg.wasm" "$raw/kie_kling.js" js/runtime.js
node scripts/minify-names.mjs "$raw/names.json" "$raw/kie_kling.js"

snippet=$(cd "$raw" && ls snippets/*/js/runtime.js)
exports="validate, buildCreateTaskBody, checkImage, parseCallback, verifyCallback, KlingClient"
gen="$raw/entries" && mkdir -p "$gen"
cat > "$gen/node.js" <<JS
import { initSync, $exports } from "../kie_kling.js";
// process.getBuiltinModule (Node >= 20.16) skips the ESM loader: about 1.3 ms of cold start.
const { readFileSync } = process.getBuiltinModule?.("node:fs") ?? (await import("node:fs"));
const wasmExports = initSync({ module: readFileSync(new URL("./kie_kling_bg.wasm", import.meta.url)) });
export { $exports };
export { KieError } from "../$snippet";
import { guardClient } from "../$snippet";
guardClient(KlingClient);
/** Bytes of wasm linear memory in use (diagnostics: the tests and the bench watch it). */
const wasmMemory = Object.values(wasmExports).find((v) => v instanceof WebAssembly.Memory);
export const wasmMemoryBytes = () => wasmMemory.buffer.byteLength;
JS
cat > "$gen/browser.js" <<JS
import { initSync, $exports } from "../kie_kling.js";
// Our own loader instead of wasm-bindgen's init(): only compilation is asynchronous, from the
// bytes (any MIME type a server sends works), and instantiation of the compiled module is
// synchronous. The loader's other cases are not bundled (-0.4 KB gzip).
const wasmResponse = await fetch(new URL("./kie_kling_bg.wasm", import.meta.url));
const wasmExports = initSync({ module: await WebAssembly.compile(await wasmResponse.arrayBuffer()) });
export { $exports };
export { KieError } from "../$snippet";
import { guardClient } from "../$snippet";
guardClient(KlingClient);
/** Bytes of wasm linear memory in use (diagnostics: the tests and the bench watch it). */
const wasmMemory = Object.values(wasmExports).find((v) => v instanceof WebAssembly.Memory);
export const wasmMemoryBytes = () => wasmMemory.buffer.byteLength;
JS
cat > "$gen/workerd.js" <<JS
import { initSync, $exports } from "../kie_kling.js";
import wasmModule from "./kie_kling_bg.wasm";
const wasmExports = initSync({ module: wasmModule });
export { $exports };
export { KieError } from "../$snippet";
import { guardClient } from "../$snippet";
guardClient(KlingClient);
/** Bytes of wasm linear memory in use (diagnostics: the tests and the bench watch it). */
const wasmMemory = Object.values(wasmExports).find((v) => v instanceof WebAssembly.Memory);
export const wasmMemoryBytes = () => wasmMemory.buffer.byteLength;
JS
# CommonJS for require() (Node 20 cannot require an ES module): no top-level await, the wasm
# read beside the file through __dirname. A second instance of the package if an app mixes
# require and import (README, "Runtimes").
cat > "$gen/node-cjs.js" <<JS
import { initSync, $exports } from "../kie_kling.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
const wasmExports = initSync({ module: readFileSync(join(__dirname, "kie_kling_bg.wasm")) });
export { $exports };
export { KieError } from "../$snippet";
import { guardClient } from "../$snippet";
guardClient(KlingClient);
/** Bytes of wasm linear memory in use (diagnostics: the tests and the bench watch it). */
const wasmMemory = Object.values(wasmExports).find((v) => v instanceof WebAssembly.Memory);
export const wasmMemoryBytes = () => wasmMemory.buffer.byteLength;
JS
# esbuild bundles; terser then compresses the bundle further (-0.1 KB gzip over esbuild alone).
for entry in node browser workerd; do
  npx --no-install esbuild "$gen/$entry.js" --bundle --minify --format=esm --platform=neutral \
    --external:node:fs --external:./kie_kling_bg.wasm --log-level=warning --log-override:duplicate-object-key=silent --outfile="$gen/$entry.bundle.js"
  npx --no-install terser "$gen/$entry.bundle.js" --module -c passes=2 -m -o "pkg/$entry.js"
done
npx --no-install esbuild "$gen/node-cjs.js" --bundle --minify --format=cjs --platform=node \
  --log-level=warning --log-override:duplicate-object-key=silent --outfile=pkg/node.cjs

# kie-kling/proxy: the same crate with the `proxy` feature, as its own wasm, so the browser's wasm
# never carries the server half. Server-side size matters less: prebuilt std, no name minifying.
CARGO_TARGET_DIR=target/proxy cargo build --release --target wasm32-unknown-unknown -p kie-kling --features proxy
praw=target/wasm-bindgen-proxy
rm -rf "$praw" && mkdir -p "$praw/entries"
wasm-bindgen --target web --out-dir "$praw" --out-name kie_kling_proxy target/proxy/wasm32-unknown-unknown/release/kie_kling.wasm
node scripts/check-boundary.mjs "$praw/kie_kling_proxy_bg.wasm" "$praw/kie_kling_proxy.js" js/runtime.js
npx --no-install wasm-opt -Oz --strip-producers --strip-target-features "$praw/kie_kling_proxy_bg.wasm" -o pkg/kie_kling_proxy_bg.wasm
psnippet=$(cd "$praw" && ls snippets/*/js/runtime.js)
pexports="ProxyCore, PacerCore, KlingClient, validate, checkImage, verifyCallback, parseCallback"
for runtime in node workerd; do
  if [ "$runtime" = node ]; then
    load='const { readFileSync } = process.getBuiltinModule?.("node:fs") ?? (await import("node:fs"));
initSync({ module: readFileSync(new URL("./kie_kling_proxy_bg.wasm", import.meta.url)) });'
  else
    load='import wasmModule from "./kie_kling_proxy_bg.wasm";
initSync({ module: wasmModule });'
  fi
  cat > "$praw/entries/proxy-$runtime.js" <<JS
import { initSync, $pexports } from "../kie_kling_proxy.js";
import { KieError } from "../$psnippet";
import { proxyFactory, pacerFactory, memoryStore, toNodeListener, memoryHub, durableHub, KieTaskHub } from "../../../js/proxy.js";
$load
export const { memoryPacer, KiePacer, durablePacer } = pacerFactory({ PacerCore });
export const createKieProxy = proxyFactory({ $pexports, KieError, memoryPacer });
export { KieError, memoryStore, toNodeListener, memoryHub, durableHub, KieTaskHub };
JS
  out=pkg/proxy.js; [ "$runtime" = workerd ] && out=pkg/proxy.workerd.js
  npx --no-install esbuild "$praw/entries/proxy-$runtime.js" --bundle --minify --format=esm --platform=neutral \
    --external:node:fs --external:./kie_kling_proxy_bg.wasm --log-level=warning --log-override:duplicate-object-key=silent --outfile="$out"
done
cp js/proxy.d.ts pkg/proxy.d.ts

# The one shipped declaration file, written for humans (wasm-bindgen's own .d.ts marks optional
# parameters as required and names them in snake_case, so it is not shipped).
cp js/index.d.ts pkg/index.d.ts

# The demo site (www/ + the browser build), served by `kie-emulator --serve`.
site=target/demo-site
rm -rf "$site" && mkdir -p "$site/pkg"
cp www/* "$site/"
cp pkg/browser.js pkg/kie_kling_bg.wasm "$site/pkg/"

size() { printf '%-26s %8d B raw %7d B gzip\n' "$1" "$(wc -c < "$1")" "$(gzip -9n < "$1" | wc -c)"; }
echo "package sizes:"
size pkg/kie_kling_bg.wasm
for entry in node browser workerd; do size "pkg/$entry.js"; done
size pkg/kie_kling_proxy_bg.wasm
size pkg/proxy.js
total=$(( $(gzip -9n < pkg/kie_kling_bg.wasm | wc -c) + $(gzip -9n < pkg/browser.js | wc -c) ))
echo "wasm + browser glue: $total B gzip"
