// The two Node types proxy.d.ts names (toNodeListener), for this test project without @types/node.
declare module "node:http" {
  export type IncomingMessage = { readonly method?: string };
  export type ServerResponse = { end(): void };
}
