// The boundary rule, checked on wasm-bindgen's glue at build time: no JS exception may unwind
// through wasm frames. Every function the wasm imports must be one of
//   - wrapped in wasm-bindgen's `handleError` (declared `catch` in Rust: the exception returns
//     to Rust as an Err),
//   - a function of js/runtime.js marked `@total` (it catches everything itself; the boundary
//     tests call each one with hostile values), or
//   - a wasm-bindgen, js-sys or web-sys import listed below with the reason it cannot throw.
// A new import that is none of these fails the build with its name.
// Usage: node scripts/check-boundary.mjs WASM GLUE.js RUNTIME.js   (wasm-bindgen's output)
import { readFileSync } from "node:fs";
import { totalFunctions } from "./total-functions.mjs";

const CANNOT_THROW = {
  __wbg___wbindgen_boolean_get: "typeof test",
  __wbg___wbindgen_is_falsy: "! operator",
  __wbg___wbindgen_is_function: "typeof test",
  __wbg___wbindgen_is_null: "=== test",
  __wbg___wbindgen_is_object: "typeof test",
  __wbg___wbindgen_is_string: "typeof test",
  __wbg___wbindgen_is_undefined: "=== test",
  __wbg___wbindgen_number_get: "typeof test",
  __wbg___wbindgen_string_get: "typeof test, then a copy (callers measure first: jsview stringOf)",
  __wbg___wbindgen_throw: "reached only by a method called on a freed client, which guardClient stops in JS",
  __wbg_get_unchecked: "only on arrays the TOTAL helpers or the wasm built",
  __wbg_length: "only on arrays the TOTAL helpers or the wasm built",
  __wbg_push: "only on arrays the wasm built",
  __wbg_new: "new Array/Object/Uint8Array of values the wasm made",
  __wbg_instanceof_AbortSignal: "wasm-bindgen wraps instanceof in try/catch",
  __wbg_instanceof_ArrayBuffer: "wasm-bindgen wraps instanceof in try/catch",
  __wbg_instanceof_Error: "wasm-bindgen wraps instanceof in try/catch",
  __wbg_instanceof_Response: "wasm-bindgen wraps instanceof in try/catch",
  __wbg_parse: "Date.parse of a string",
  __wbg_prototypesetcall: "copies a Uint8Array the wasm made",
  __wbg_random: "Math.random",
  __wbindgen_object_clone_ref: "an array write in the glue's heap of JS values (build.sh: -reference-types)",
  __wbindgen_object_drop_ref: "an array write in the glue's heap of JS values (build.sh: -reference-types)",
  __wbg_reject: "Promise.reject of a KieError the wasm made",
  __wbg_set_body: "a property of a fresh RequestInit",
  __wbg_set_headers: "a property of a fresh RequestInit",
  __wbg_set_method: "a property of a fresh RequestInit",
  __wbg_set_redirect: "a property of a fresh RequestInit",
  __wbg_set_signal: "a property of a fresh RequestInit",
  __wbg_signal: "the getter of our own Deadline",
  __wbg_static_accessor_GLOBAL: "typeof test",
  __wbg_static_accessor_GLOBAL_THIS: "typeof test",
  __wbg_static_accessor_SELF: "typeof test",
  __wbg_static_accessor_WINDOW: "typeof test",
  __wbindgen_generic: "a cast intrinsic",
  __wbindgen_init_externref_table: "start-up",
};

const [wasmPath, gluePath, runtimePath] = process.argv.slice(2);
const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath))).map((i) => [i.module, i.name]);
const glue = readFileSync(gluePath, "utf8");
const TOTAL = totalFunctions(runtimePath);
const problems = [];

// Functions of runtime.js the wasm imports directly (no glue wrapper).
for (const [module, name] of imports) {
  if (module.startsWith("./snippets/") && !TOTAL.includes(name)) {
    problems.push(`${name}: imported from runtime.js without catch and not marked @total`);
  }
}

// The glue's wrappers: the keys of the import object.
const snippetNames = (glue.match(/^import \{([^}]*)\} from '\.\/snippets\//m)?.[1] ?? "")
  .split(",").map((s) => s.trim()).filter(Boolean);
const entry = /^ {8}([\w$]+): function\(([^)]*)\) \{\n([\s\S]*?)\n {8}\},?$/gm;
let count = 0;
for (const [, key, , body] of glue.matchAll(entry)) {
  count++;
  if (/^\s*return handleError\(/.test(body) || /\{ return handleError\(/.test(body)) continue;
  const called = snippetNames.filter((n) => new RegExp(`(^|[^.\\w$])${n}\\(`).test(body) || body.includes(`new ${n}(`));
  if (called.length) {
    for (const n of called) if (!TOTAL.includes(n)) problems.push(`${key}: calls runtime.js ${n} without catch, and ${n} is not marked @total`);
    continue;
  }
  const base = key.replace(/_[0-9a-f]{16}$/, "").replace(/_0+\d+$/, "");
  const known = Object.keys(CANNOT_THROW).some((k) => base === k || base.startsWith(`${k}_`));
  if (!known) problems.push(`${key}: may throw into wasm; declare it catch in Rust or explain here why it cannot throw`);
}
// Wrappers declared with catch start with `function() { return handleError(`: count them too.
count += (glue.match(/^ {8}[\w$]+: function\(\) \{ return handleError\(/gm) ?? []).length;
if (count < 20) problems.push(`found only ${count} imports: the glue's shape changed, update this check`);
if (problems.length) {
  console.error("check-boundary: the boundary rule is broken (CONTRIBUTING.md, The boundary rule):\n  " + problems.join("\n  "));
  process.exit(1);
}
console.error(`check-boundary: ${count} glue imports and the direct runtime.js imports obey the boundary rule`);
