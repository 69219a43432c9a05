// kie-kling/proxy's pacer types: the options are checked, every pacer kind fits `pacer`.
import { createKieProxy, memoryPacer, durablePacer, KiePacer, memoryHub, durableHub, KieTaskHub, type KiePacerLike } from "kie-kling/proxy";
const p: KiePacerLike = memoryPacer({ perWindow: 20, maxWaitMs: 1000 });
createKieProxy({ apiKey: "k", allowAnonymous: true, pacer: p });
createKieProxy({ apiKey: "k", allowAnonymous: true, pacer: false });
createKieProxy({ apiKey: "k", allowAnonymous: true, pacer: durablePacer({}) });
// @ts-expect-error options are typed
memoryPacer({ perWindw: 1 });
void KiePacer;
createKieProxy({ apiKey: "k", allowAnonymous: true, hub: memoryHub() });
createKieProxy({ apiKey: "k", allowAnonymous: true, hub: durableHub({}) });
// @ts-expect-error a hub has subscribe and publish
createKieProxy({ apiKey: "k", allowAnonymous: true, hub: {} });
void KieTaskHub;
