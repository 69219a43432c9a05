// The minimal webpack 5 config of any app: one entry, an output folder. Nothing for kie-kling:
// webpack emits the .wasm itself from `new URL("./kie_kling_bg.wasm", import.meta.url)`.
export default {
  mode: "production",
  entry: "./main.js",
  output: { path: new URL("./dist", import.meta.url).pathname, filename: "main.js", clean: true },
};
