// The defect classes of the boundary (CONTRIBUTING.md, "The boundary rule"), shared by the Node, Chromium
// and workerd runs: each call must answer with a value or a KieError, and the wasm must keep
// working afterwards. Plain ESM with no Node APIs, so a page and a Worker can import it too.
export const hostileClasses = (sdk) => {
  const { KlingClient, KieError, validate, parseCallback, buildCreateTaskBody, verifyCallback } = sdk;
  const throwingGetter = () => ({ get prompt() { throw new Error("getter"); }, image_url: "https://example.com/a.png" });
  const revoked = () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; };
  const expectKie = (e, name) => { if (!(e instanceof KieError)) throw new Error(`${name}: not a KieError: ${String(e)}`); };
  const sync = {
    "validate(throwing getter)": () => { if (validate({ input: throwingGetter() }).ok) throw new Error("accepted"); },
    "validate(revoked Proxy)": () => { if (validate(revoked()).ok) throw new Error("accepted"); },
    "parseCallback(undefined)": () => { try { parseCallback(undefined); } catch (e) { return expectKie(e, "parseCallback"); } throw new Error("no throw"); },
    "buildCreateTaskBody(revoked Proxy)": () => { try { buildCreateTaskBody(revoked()); } catch (e) { return expectKie(e, "build"); } throw new Error("no throw"); },
  };
  const freed = new KlingClient({ apiKey: "k-freed", baseUrl: "http://127.0.0.1:9", dangerouslyAllowBrowser: true });
  freed.free();
  const live = new KlingClient({ apiKey: "k-live", baseUrl: "http://127.0.0.1:9", dangerouslyAllowBrowser: true });
  const asyncCalls = {
    "createTask(throwing getter)": () => live.createTask(throwingGetter()),
    "createTask(revoked Proxy)": () => live.createTask(revoked()),
    "getTask(Symbol())": () => live.getTask(Symbol("id")),
    "getTask on a freed client": () => freed.getTask("x"),
    "verifyCallback(undefined body)": () => verifyCallback({ body: undefined, headers: {}, hmacKey: "k" }),
  };
  return { sync, asyncCalls, expectKie };
};

/** Runs `n` calls of every class (async ones in batches of 1,000) and returns the timings. */
export async function runHostile(sdk, n) {
  const { sync, asyncCalls, expectKie } = hostileClasses(sdk);
  const ms = {};
  for (const [name, call] of Object.entries(sync)) {
    const t0 = Date.now();
    for (let i = 0; i < n; i++) call();
    ms[name] = Date.now() - t0;
  }
  for (const [name, call] of Object.entries(asyncCalls)) {
    const t0 = Date.now();
    for (let done = 0; done < n; done += 1000) {
      const batch = [];
      for (let i = 0; i < Math.min(1000, n - done); i++) {
        const p = call();
        if (typeof p?.then !== "function") throw new Error(`${name}: not a promise`);
        batch.push(p.then(() => { throw new Error(`${name} resolved`); }, (e) => expectKie(e, name)));
      }
      await Promise.all(batch);
    }
    ms[name] = Date.now() - t0;
  }
  return ms;
}
