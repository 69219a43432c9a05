/** kie-kling loads its wasm from disk on the server: let Node load the package as it is. */
export default { serverExternalPackages: ["kie-kling"] };
