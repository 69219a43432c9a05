#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (wasm32, size profile) -> wasm-bindgen --target web
# -> wasm-opt -Oz -> one minified ESM entry per runtime (node, browser, workerd) bundling the
# glue, with the .wasm beside it. Prints the shipped sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --target wasm32-unknown-unknown -p kie-kling
raw=target/wasm-bindgen
rm -rf "$raw" pkg && mkdir -p "$raw" pkg
wasm-bindgen --target web --out-dir "$raw" --out-name kie_kling target/wasm32-unknown-unknown/release/kie_kling.wasm
npx --no-install wasm-opt -Oz --strip-producers --strip-target-features "$raw/kie_kling_bg.wasm" -o pkg/kie_kling_bg.wasm

snippet=$(cd "$raw" && ls snippets/*/js/runtime.js)
exports="validate, buildCreateTaskBody, KlingClient"
gen="$raw/entries" && mkdir -p "$gen"
cat > "$gen/node.js" <<JS
import { initSync, $exports } from "../kie_kling.js";
import { readFileSync } from "node:fs";
initSync({ module: readFileSync(new URL("./kie_kling_bg.wasm", import.meta.url)) });
export { $exports };
export { KieError } from "../$snippet";
JS
cat > "$gen/browser.js" <<JS
import init, { $exports } from "../kie_kling.js";
await init({ module_or_path: new URL("./kie_kling_bg.wasm", import.meta.url) });
export { $exports };
export { KieError } from "../$snippet";
JS
cat > "$gen/workerd.js" <<JS
import { initSync, $exports } from "../kie_kling.js";
import wasmModule from "./kie_kling_bg.wasm";
initSync({ module: wasmModule });
export { $exports };
export { KieError } from "../$snippet";
JS
for entry in node browser workerd; do
  npx --no-install esbuild "$gen/$entry.js" --bundle --minify --format=esm --platform=neutral \
    --external:node:fs --external:./kie_kling_bg.wasm --log-level=warning --log-override:duplicate-object-key=silent --outfile="pkg/$entry.js"
done

cp "$raw/kie_kling.d.ts" pkg/kie_kling.d.ts
cat > pkg/index.d.ts <<'TS'
export { validate, buildCreateTaskBody, KlingClient } from "./kie_kling.js";
export type {
  Duration, CreateTaskInput, CreateTaskRequest, CreateTaskBody, IssueCode, Issue, ValidationResult,
  BuildOptions, TaskState, Task, KieErrorKind, KlingClientOptions, RequestOptions, CreateOptions,
  WaitOptions, GenerateOptions, GenerateResult,
} from "./kie_kling.js";
import type { Issue, KieErrorKind, Task } from "./kie_kling.js";

/** Every failure the SDK throws or rejects with. Never carries the API key. */
export declare class KieError extends Error {
  /** "KieError", or "AbortError" when kind is "aborted". */
  name: "KieError" | "AbortError";
  /** Stable machine-readable kind. */
  kind: KieErrorKind;
  /** Kie's envelope `code`, when the API answered with one. */
  code: number | null;
  /** Kie's envelope `msg` / `message`. */
  msg: string | null;
  /** HTTP status, when there was a response. */
  status: number | null;
  /** True when sending the same call again later may succeed. */
  retryable: boolean;
  /** True when a createTask failed in a way that may still have created the task. */
  maybeCreated: boolean;
  taskId: string | null;
  /** For kind "validation": every problem found. */
  issues?: Issue[];
  /** For "task_failed" and "timeout": the last Task seen. */
  task?: Task;
  failCode?: string | null;
  failMsg?: string | null;
}
TS

size() { printf '%-26s %8d B raw %7d B gzip\n' "$1" "$(wc -c < "$1")" "$(gzip -9n < "$1" | wc -c)"; }
echo "package sizes:"
size pkg/kie_kling_bg.wasm
for entry in node browser workerd; do size "pkg/$entry.js"; done
total=$(( $(gzip -9n < pkg/kie_kling_bg.wasm | wc -c) + $(gzip -9n < pkg/browser.js | wc -c) ))
echo "wasm + browser glue: $total B gzip"
