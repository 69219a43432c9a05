// The functions of js/runtime.js marked `@total` in their doc comment: they catch everything
// and never throw, so the wasm may import them without `catch` (the boundary rule).
import { readFileSync } from "node:fs";

export function totalFunctions(runtimePath) {
  const text = readFileSync(runtimePath, "utf8");
  return [...text.matchAll(/@total \*\/\nexport (?:async )?function ([\w$]+)\(/g)].map((m) => m[1]);
}
