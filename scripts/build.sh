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
wasm=target/wasm32-unknown-unknown/release/kie_kling.wasm
# Source paths (kept for panic locations in std and js-sys) are remapped to short names: fewer
# bytes, and no build machine's directories in the shipped file.
remap="--remap-path-prefix=$(rustc --print sysroot)/lib/rustlib/src/rust/library=std --remap-path-prefix=$PWD=kie-kling"
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*; do remap="$remap --remap-path-prefix=$registry=crates"; done
if [ -z "${KIE_PREBUILT_STD:-}" ] && [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ] &&
   RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none $remap" CARGO_TARGET_DIR=target/size \
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
npx --no-install wasm-opt -Oz --converge --gufa -Oz "$raw/kie_kling_bg.wasm" -o "$raw/optimized.wasm"
npx --no-install wasm-opt -Oz --minify-imports-and-exports-and-modules --strip-producers --strip-target-features \
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
for entry in node browser workerd; do
  npx --no-install esbuild "$gen/$entry.js" --bundle --minify --format=esm --platform=neutral \
    --external:node:fs --external:./kie_kling_bg.wasm --log-level=warning --log-override:duplicate-object-key=silent --outfile="pkg/$entry.js"
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
pexports="ProxyCore, KlingClient, validate, checkImage, verifyCallback, parseCallback"
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
import { proxyFactory, memoryStore, toNodeListener } from "../../../js/proxy.js";
$load
export const createKieProxy = proxyFactory({ $pexports, KieError });
export { KieError, memoryStore, toNodeListener };
JS
  out=pkg/proxy.js; [ "$runtime" = workerd ] && out=pkg/proxy.workerd.js
  npx --no-install esbuild "$praw/entries/proxy-$runtime.js" --bundle --minify --format=esm --platform=neutral \
    --external:node:fs --external:./kie_kling_proxy_bg.wasm --log-level=warning --log-override:duplicate-object-key=silent --outfile="$out"
done
cp js/proxy.d.ts pkg/proxy.d.ts

cp "$raw/kie_kling.d.ts" pkg/kie_kling.d.ts
# The public declarations are written here rather than re-exported from wasm-bindgen's output:
# it marks optional parameters as required and names parameters in snake_case.
cat > pkg/index.d.ts <<'TS'
import type {
  CreateTaskInput, CreateTaskRequest, CreateTaskBody, ValidationResult, BuildOptions, Task, Issue, KieErrorKind,
  KlingClientOptions, RequestOptions, CreateOptions, WaitOptions, GenerateOptions, GenerateResult,
  GenerateInput, ImageSource, UploadOptions, UploadResult, VerifyCallbackOptions, WebhookRejection, FailedTask,
} from "./kie_kling.js";
export type {
  Duration, CreateTaskInput, CreateTaskRequest, CreateTaskBody, IssueCode, Issue, ValidationResult,
  BuildOptions, TaskState, Task, TaskBase, PendingTask, SucceededTask, FailedTask, KieErrorKind,
  KlingClientOptions, RequestOptions, CreateOptions, WaitOptions, GenerateOptions, GenerateResult,
  GenerateInput, ImageSource, UploadOptions, UploadResult, VerifyCallbackOptions, WebhookRejection,
} from "./kie_kling.js";

/** Checks a whole createTask body against the contract, without any network; every issue at once. */
export declare function validate(request: CreateTaskRequest): ValidationResult;

/**
 * The exact JSON body createTask would send (defaults filled, cfg_scale as a clean decimal).
 * @throws {KieError} kind "validation", with `issues`, for invalid input.
 */
export declare function buildCreateTaskBody(input: CreateTaskInput, options?: BuildOptions): CreateTaskBody;

/**
 * Checks a local image the way the upload API will (jpeg/png/webp by content, at most 10 MB),
 * sending nothing. Resolves with its MIME type.
 * @throws {KieError} kind "validation", issue code "invalid_image" on input.image_url.
 */
export declare function checkImage(source: Blob | ArrayBuffer | Uint8Array): Promise<string>;

/** The typed Task in a callback body. Verifies nothing: see verifyCallback / confirmCallback. */
export declare function parseCallback(body: string | ArrayBuffer | Uint8Array | object): Task;

/**
 * Verifies a callback's signature (constant time, WebCrypto), timestamp window and replay.
 * @throws {KieError} kind "invalid_webhook" with a `reason`.
 */
export declare function verifyCallback(options: VerifyCallbackOptions): Promise<Task>;

/** A client for the Kling V2.1 Standard API, or for your own backend that forwards to it. */
export declare class KlingClient {
  /**
   * @throws {KieError} kind "validation" for bad options, or for a key in a browser page
   * without `dangerouslyAllowBrowser` (point `baseUrl` at your backend and leave the key out).
   */
  constructor(options: KlingClientOptions);
  /** Validates (nothing is sent if invalid), then creates a task. Never re-sent when the outcome is ambiguous. */
  createTask(input: CreateTaskInput, options?: CreateOptions): Promise<{ taskId: string }>;
  /** Reads and decodes a task, retrying transient failures. */
  getTask(taskId: string, options?: RequestOptions): Promise<Task>;
  /** Polls until success (resolves), fail (rejects "task_failed"), timeout or abort. */
  waitForTask(taskId: string, options?: WaitOptions): Promise<Task>;
  /** createTask + waitForTask; a local image (Blob, bytes, data: URL) in image_url is uploaded first. */
  generate(input: GenerateInput, options?: GenerateOptions): Promise<GenerateResult>;
  /** Uploads an image (checked first: jpeg/png/webp by content, at most 10 MB) and returns its URL. */
  uploadImage(source: ImageSource, options?: UploadOptions): Promise<UploadResult>;
  /** The account's remaining credits. */
  getCredits(options?: RequestOptions): Promise<number>;
  /** A temporary (about 20 min) download link for a Kie-generated file URL. */
  getDownloadUrl(url: string, options?: RequestOptions): Promise<string>;
  /** The authoritative Task for the task a callback names, read from the API. */
  confirmCallback(body: string | ArrayBuffer | Uint8Array | object, options?: RequestOptions): Promise<Task>;
  /** Where requests go (never includes the key). */
  readonly baseUrl: string;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}

/** Every failure the SDK throws or rejects with. Never carries the API key. */
/** Fields every KieError has. Narrow on `kind` for the ones a kind always carries. */
export interface KieErrorBase extends Error {
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
  issues?: Issue[];
  /** For "timeout" and "aborted" waits: the last Task seen. */
  task?: Task;
  failCode?: string | null;
  failMsg?: string | null;
  reason?: WebhookRejection;
}
/** Bad input: nothing was sent. `issues` lists every problem (empty when Kie's answer named none). */
export interface ValidationError extends KieErrorBase { kind: "validation"; issues: Issue[] }
/** The task ended in "fail": `failCode`/`failMsg` say why, `task` is the record. */
export interface TaskFailedError extends KieErrorBase {
  kind: "task_failed"; taskId: string; task: FailedTask; failCode: string | null; failMsg: string | null;
}
/** `verifyCallback` refused a delivery, for `reason`. */
export interface InvalidWebhookError extends KieErrorBase { kind: "invalid_webhook"; reason: WebhookRejection }
/** The caller's AbortSignal fired (`name` is "AbortError", as `fetch` does). */
export interface AbortedError extends KieErrorBase { kind: "aborted"; name: "AbortError" }
/** Every other kind. */
export interface OtherKieError extends KieErrorBase {
  kind: Exclude<KieErrorKind, "validation" | "task_failed" | "invalid_webhook" | "aborted">;
}
/**
 * Every failure the SDK throws or rejects with, discriminated by `kind`. Never carries the key.
 * @example
 * try { await client.generate(input); } catch (e) {
 *   if (e instanceof KieError && e.kind === "validation") console.log(e.issues.map((i) => i.path));
 * }
 */
export type KieError = ValidationError | TaskFailedError | InvalidWebhookError | AbortedError | OtherKieError;
export declare const KieError: {
  new (kind: KieErrorKind, message: string, fields?: Partial<KieErrorBase>): KieError;
  readonly prototype: KieError;
};
TS
# Only the type declarations of wasm-bindgen's file are public; drop members that need lib esnext.
sed -i '/\[Symbol.dispose\](): void;/d' pkg/kie_kling.d.ts

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
