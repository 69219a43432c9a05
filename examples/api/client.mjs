// KlingClient: every method, against KIE_BASE_URL (the emulator in the tests).
import { KlingClient } from "kie-kling";

const baseUrl = process.env.KIE_BASE_URL;
const client = new KlingClient({ apiKey: process.env.KIE_API_KEY ?? "example-key", baseUrl, uploadBaseUrl: `${baseUrl}/upload` });
const png = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));

// uploadImage: bytes, a Blob/File, an http(s) URL or a data: URL -> a URL for image_url.
const { url } = await client.uploadImage(png, { fileName: "first-frame.png" });
// createTask + getTask + waitForTask:
const { taskId } = await client.createTask({ prompt: "a steam train leaves the station", image_url: url });
console.log((await client.getTask(taskId)).state);
const done = await client.waitForTask(taskId, { onProgress: (t) => console.log("state", t.state) });
// generate = create + wait (a local image is uploaded first):
const { videoUrl } = await client.generate({ prompt: "the same, at night", image_url: new Blob([png]), duration: "5" });
// getCredits, getDownloadUrl:
console.log(await client.getCredits(), await client.getDownloadUrl(videoUrl));
// confirmCallback: the authoritative Task for the task a callback names.
const confirmed = await client.confirmCallback({ code: 200, data: { taskId, state: "success" } });
console.log(confirmed.state, done.videoUrls.length);
if (confirmed.state !== "success") process.exit(1);
