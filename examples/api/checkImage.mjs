// checkImage(bytes): is this a jpeg/png/webp of at most 10 MB? Nothing is sent.
import { checkImage, KieError } from "kie-kling";

const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
console.log(await checkImage(png));
const gif = new TextEncoder().encode("GIF89a......");
const err = await checkImage(gif).catch((e) => e);
console.log(err instanceof KieError && err.issues[0].code);
if (!(err instanceof KieError)) process.exit(1);
