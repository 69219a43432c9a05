// Applies wasm-opt's --minify-imports-and-exports-and-modules mapping to wasm-bindgen's glue.
// The hashed import names (`__wbg_Error_208446807d0d1e30`), module paths and long closure export
// names appear in both the .wasm and the glue; one- and two-letter names save about 3 KB gzip.
// Usage: node scripts/minify-names.mjs MAPPING.json GLUE.js  (rewrites GLUE.js in place)
// Fails loudly when the glue does not have the shape this expects (wasm-bindgen is pinned).
import { readFileSync, writeFileSync } from "node:fs";

const [mapPath, gluePath] = process.argv.slice(2);
const { imports, exports } = JSON.parse(readFileSync(mapPath, "utf8"));
let glue = readFileSync(gluePath, "utf8");
const fail = (why) => { console.error(`minify-names: ${why}`); process.exit(1); };
const escape = (s) => s.replace(/[$]/g, "\\$");

// Imports: wasm-bindgen's own are keys of `import0`, renamed in place; those from our JS snippet
// are module namespaces (import1..N), which keep their names, so they are aliased.
const snippetAliases = [];
for (const [module, name, short] of imports) {
  if (module === "./kie_kling_bg.js") {
    const key = new RegExp(`^(\\s+)${escape(name)}: function`, "m");
    if (!key.test(glue)) fail(`import ${name} not found in the glue`);
    glue = glue.replace(key, `$1${JSON.stringify(short)}: function`);
  } else if (module.startsWith("./snippets/")) {
    snippetAliases.push(`${JSON.stringify(short)}: import1[${JSON.stringify(name)}]`);
  } else {
    fail(`import from an unexpected module ${module}`);
  }
}
const ret = /return \{\n\s+__proto__: null,\n\s+"\.\/kie_kling_bg\.js": import0,\n(\s+"\.\/snippets\/[^"]+": import\d+,\n)*\s+\};/;
if (!ret.test(glue)) fail("the import object's shape changed");
glue = glue.replace(ret, `return { a: Object.assign(import0, { ${snippetAliases.join(", ")} }) };`);

// Exports: the glue reads every one as `wasm.NAME`.
const renamed = new Map(exports);
glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
  if (!renamed.has(name)) fail(`wasm.${name} is not in the export mapping`);
  return `wasm.${renamed.get(name)}`;
});
// initSync's check for the pre-0.2.93 calling convention: our entries always pass `{ module }`.
const legacy = /if \(module !== undefined\) \{\n\s+if \(Object\.getPrototypeOf\(module\) === Object\.prototype\) \{\n\s+\(\{module\} = module\)\n\s+\} else \{\n\s+console\.warn\([^\n]*\)\n\s+\}\n\s+\}/;
if (!legacy.test(glue)) fail("initSync's parameter check changed");
glue = glue.replace(legacy, "({ module } = module);");

// TextEncoder.encodeInto is everywhere the package runs (Node >= 20, browsers, workerd); the
// FinalizationRegistry fallback is not (workerd has none), so its two copies become one.
const encodeIntoFallback = /if \(!\('encodeInto' in cachedTextEncoder\)\) \{\n[^]*?\n\}\n/;
if (!encodeIntoFallback.test(glue)) fail("the encodeInto fallback changed");
glue = glue.replace(encodeIntoFallback, "");
const registryFallback = /\(typeof FinalizationRegistry === 'undefined'\)\n\s+\? \{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\n\s+: new FinalizationRegistry\(/g;
if ((glue.match(registryFallback) ?? []).length !== 2) fail("the FinalizationRegistry fallbacks changed");
glue = glue.replace(registryFallback, "newRegistry(") +
  "\nfunction newRegistry(f) {\n  return typeof FinalizationRegistry === 'undefined' ? { register() {}, unregister() {} } : new FinalizationRegistry(f);\n}\n";
// passStringToWasm0's path for a missing `realloc`: every call passes one.
const noRealloc = /    if \(realloc === undefined\) \{\n[^]*?\n    \}\n\n/;
const calls = glue.match(/passStringToWasm0\([^)]*\)/g) ?? [];
if (!noRealloc.test(glue) || calls.length < 2 || calls.some((c) => c.split(",").length !== 3)) fail("passStringToWasm0 changed");
glue = glue.replace(noRealloc, "");
// The decoder's renewal after 2 GB decoded (a Safari limit): this SDK decodes messages and
// task records, kilobytes per task, so no page reaches it.
const safariRenewal = /const MAX_SAFARI_DECODE_BYTES = \d+;\nlet numBytesDecoded = 0;\nfunction decodeText\(bytes\) \{\n[^]*?\n\}\n/;
if (!safariRenewal.test(glue)) fail("decodeText changed");
glue = glue.replace(safariRenewal, "function decodeText(bytes) {\n    return cachedTextDecoder.decode(bytes);\n}\n");

writeFileSync(gluePath, glue);
console.error(`minify-names: ${imports.length} imports, ${exports.length} exports renamed`);
