// Where the shipped bytes are (gzip -9, the size test's measure): the wasm's code section, its
// data section (the messages and other constants), the whole wasm, and the browser glue.
// "Without data" is a floor no shortening of the messages can go below: the same wasm with its
// data section zeroed. Usage: node scripts/size-parts.mjs [pkg/kie_kling_bg.wasm pkg/browser.js]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const root = new URL("../", import.meta.url).pathname;
const [wasmPath = `${root}pkg/kie_kling_bg.wasm`, gluePath = `${root}pkg/browser.js`] = process.argv.slice(2);
const wasm = readFileSync(wasmPath);
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

const sections = [];
let at = 8; // after the magic number and the version
const uleb = () => {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    if (at >= wasm.length) throw new Error(`${wasmPath}: truncated wasm`);
    const byte = wasm[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
  }
};
while (at < wasm.length) {
  const id = wasm[at++];
  const size = uleb();
  if (at + size > wasm.length) throw new Error(`${wasmPath}: truncated wasm`);
  sections.push({ id, start: at, end: at + size });
  at += size;
}
const CODE = 10;
const DATA = 11;
const raw = (id) => sections.filter((s) => s.id === id).reduce((n, s) => n + s.end - s.start, 0);
const zeroed = Buffer.from(wasm);
for (const s of sections) if (s.id === DATA) zeroed.fill(0, s.start, s.end);

const whole = gz(wasm);
const glue = gz(readFileSync(gluePath));
const noData = gz(zeroed);
const rows = [
  ["wasm + browser glue (the size test)", whole + glue],
  ["  wasm", whole],
  ["    code section alone", gz(wasm.subarray(...bounds(CODE))), raw(CODE)],
  ["    data section alone", gz(wasm.subarray(...bounds(DATA))), raw(DATA)],
  ["  browser glue", glue],
  ["wasm with its data zeroed + glue (the floor for shorter messages)", noData + glue],
];
for (const [name, gzip, bytes] of rows) {
  console.log(`${String(gzip).padStart(7)} B gzip  ${name}${bytes ? ` (${bytes} B raw)` : ""}`);
}

function bounds(id) {
  const s = sections.find((x) => x.id === id);
  return s ? [s.start, s.end] : [0, 0];
}
