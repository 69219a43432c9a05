// The demo page: plain ES modules over the built package. All checks come from the wasm SDK.
import { KlingClient, KieError, validate, buildCreateTaskBody, checkImage } from "./pkg/browser.js";

const $ = (id) => document.getElementById(id);
const LIMITS = { prompt: 5000, negative: 500 };
const KEY_STORE = "kie-kling-demo-key";
const PENDING_IMAGE = "https://upload.pending.invalid/image"; // stands in for a chosen file while validating

const state = { file: null, fileIssue: null, controller: null, running: false, recent: [] };

// ---- mode and client ----
function mode() {
  return document.querySelector("input[name=mode]:checked").value;
}

function makeClient() {
  if (mode() === "emulator") {
    // The emulator accepts any key and serves this page: same origin, nothing leaves the machine.
    return new KlingClient({ apiKey: "emulator-demo", baseUrl: location.origin, uploadBaseUrl: `${location.origin}/upload`, dangerouslyAllowBrowser: true });
  }
  const key = $("api-key").value.trim();
  if (!key) throw new KieError("validation", "Enter your Kie.ai API key, or switch to the emulator.", { issues: [] });
  return new KlingClient({ apiKey: key, dangerouslyAllowBrowser: true });
}

for (const radio of document.querySelectorAll("input[name=mode]")) {
  radio.addEventListener("change", () => {
    $("key-panel").hidden = mode() !== "key";
    refresh();
  });
}
const remembered = localStorage.getItem(KEY_STORE);
if (remembered) {
  $("api-key").value = remembered;
  $("remember-key").checked = true;
}
function storeKey() {
  if ($("remember-key").checked && $("api-key").value) localStorage.setItem(KEY_STORE, $("api-key").value);
  else localStorage.removeItem(KEY_STORE);
}
$("remember-key").addEventListener("change", storeKey);
$("api-key").addEventListener("input", () => { storeKey(); refresh(); });

// ---- the request as the form describes it ----
function currentInput() {
  const input = {
    prompt: $("prompt").value,
    image_url: state.file ? PENDING_IMAGE : $("image-url").value.trim(),
    duration: document.querySelector("input[name=duration]:checked").value,
    cfg_scale: Number($("cfg").value),
  };
  if ($("negative").value !== "") input.negative_prompt = $("negative").value;
  if (input.image_url === "") delete input.image_url;
  return input;
}

function currentRequest() {
  const request = { model: "kling/v2-1-standard", input: currentInput() };
  const cb = $("callback").value.trim();
  if (cb) request.callBackUrl = cb;
  return request;
}

const FIELD_ERRORS = { "input.prompt": "prompt-err", "input.image_url": "image_url-err", "input.duration": "duration-err",
  "input.cfg_scale": "cfg_scale-err", "input.negative_prompt": "negative_prompt-err", callBackUrl: "callBackUrl-err" };
const FIELD_INPUTS = { "input.prompt": "prompt", "input.image_url": "image-url", "input.negative_prompt": "negative", callBackUrl: "callback", "input.cfg_scale": "cfg" };

function showIssues(issues) {
  const byBox = {};
  for (const issue of issues) {
    const box = FIELD_ERRORS[issue.path] ?? "other-err";
    (byBox[box] ??= []).push(issue.message);
  }
  for (const box of [...Object.values(FIELD_ERRORS), "other-err"]) {
    const text = (byBox[box] ?? []).join(" ");
    if ($(box).textContent !== text) $(box).textContent = text;
  }
  for (const [path, id] of Object.entries(FIELD_INPUTS)) {
    const bad = issues.some((i) => i.path === path);
    $(id).setAttribute("aria-invalid", String(bad));
  }
  $("drop").setAttribute("aria-invalid", String(issues.some((i) => i.path === "input.image_url")));
}

function counter(el, out, limit) {
  const n = el.value.length; // UTF-16 units: exactly what the SDK counts
  out.textContent = `${n} / ${limit}`;
  out.classList.toggle("over", n > limit);
}

function refresh() {
  counter($("prompt"), $("prompt-count"), LIMITS.prompt);
  counter($("negative"), $("negative-count"), LIMITS.negative);
  $("cfg-out").textContent = Number($("cfg").value).toFixed(1);
  const request = currentRequest();
  const { issues } = validate(request);
  if (state.fileIssue) issues.push(state.fileIssue);
  if (mode() === "key" && !$("api-key").value.trim()) issues.push({ path: "apiKey", code: "missing", message: "Enter your Kie.ai API key, or switch to the emulator." });
  showIssues(issues);
  try {
    const body = buildCreateTaskBody(request.input, request.callBackUrl ? { callBackUrl: request.callBackUrl } : undefined);
    if (state.file) body.input.image_url = `(uploaded first: ${state.file.name})`;
    $("body-json").textContent = JSON.stringify(body, null, 2);
  } catch {
    $("body-json").textContent = "(fix the issues above to see the body)";
  }
  $("submit").disabled = issues.length > 0 || state.running;
}

for (const id of ["prompt", "negative", "callback", "cfg"]) $(id).addEventListener("input", refresh);
for (const r of document.querySelectorAll("input[name=duration]")) r.addEventListener("change", refresh);
$("image-url").addEventListener("input", () => {
  if ($("image-url").value) clearFile();
  refresh();
});

// ---- image: drop, pick, preview, checked by the SDK before anything is uploaded ----
function clearFile() {
  state.file = null;
  state.fileIssue = null;
  $("preview").hidden = true;
  $("preview").removeAttribute("src");
}

async function chooseFile(file) {
  if (!file) return;
  $("image-url").value = "";
  state.file = file;
  state.fileIssue = null;
  try {
    await checkImage(file);
    $("preview").src = URL.createObjectURL(file);
    $("preview").alt = `Preview of ${file.name}`;
    $("preview").hidden = false;
    $("drop-help").textContent = `${file.name} (${(file.size / 1024).toFixed(0)} KB) — drop or press Enter to replace`;
  } catch (e) {
    state.fileIssue = { path: "input.image_url", code: "invalid_image", message: `${file.name}: ${e.issues?.[0]?.message ?? e.message}` };
    $("preview").hidden = true;
  }
  refresh();
}

$("drop").addEventListener("click", () => $("file").click());
$("drop").addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("file").click(); } });
$("file").addEventListener("change", () => chooseFile($("file").files[0]));
$("drop").addEventListener("dragover", (e) => { e.preventDefault(); $("drop").classList.add("over"); });
$("drop").addEventListener("dragleave", () => $("drop").classList.remove("over"));
$("drop").addEventListener("drop", (e) => { e.preventDefault(); $("drop").classList.remove("over"); chooseFile(e.dataTransfer.files[0]); });

// ---- run ----
const STATES = ["uploading", "waiting", "queuing", "generating", "done"];
let started = 0;
let ticker = 0;

function mark(stateName, failed = false) {
  const idx = STATES.indexOf(stateName);
  for (const li of $("timeline").children) {
    const i = STATES.indexOf(li.dataset.state);
    li.classList.toggle("reached", i <= idx);
    li.classList.toggle("current", i === idx && !failed);
    li.classList.toggle("failed", i === idx && failed);
    if (i === idx) {
      li.hidden = false;
      li.querySelector("time").textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    }
  }
}

function remember(taskId, taskState) {
  const found = state.recent.find((r) => r.taskId === taskId);
  if (found) found.state = taskState;
  else state.recent.unshift({ taskId, state: taskState });
  state.recent = state.recent.slice(0, 8);
  $("recent").replaceChildren(...state.recent.map((r) => {
    const li = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = r.taskId;
    const s = document.createElement("span");
    s.textContent = r.state;
    s.className = `state-${r.state}`;
    li.append(code, s);
    return li;
  }));
}

function setRunning(running) {
  state.running = running;
  $("cancel").disabled = !running;
  clearInterval(ticker);
  if (running) ticker = setInterval(() => { $("status").textContent = `Working… ${((performance.now() - started) / 1000).toFixed(0)} s`; }, 1000);
  refresh();
}

$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if ($("submit").disabled) return;
  let client;
  try {
    client = makeClient();
  } catch (e) {
    $("other-err").textContent = e.message;
    return;
  }
  const request = currentRequest();
  const input = { ...request.input, image_url: state.file ?? request.input.image_url };
  state.controller = new AbortController();
  started = performance.now();
  $("run").hidden = false;
  $("result").hidden = true;
  $("run-err").textContent = "";
  $("task-id").textContent = "…";
  for (const li of $("timeline").children) { li.className = ""; li.querySelector("time").textContent = ""; li.hidden = li.dataset.state === "uploading"; }
  if (state.file) mark("uploading");
  setRunning(true);
  let taskId = null;
  try {
    const onProgress = (task) => {
      if (!taskId) {
        taskId = task.taskId;
        $("task-id").textContent = taskId;
      }
      mark(task.state === "success" || task.state === "fail" ? "done" : task.state, task.state === "fail");
      remember(task.taskId, task.state);
    };
    const out = await client.generate(input, { callBackUrl: request.callBackUrl, signal: state.controller.signal, onProgress });
    mark("done");
    $("status").textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
    $("video").src = out.videoUrl;
    $("download").href = out.videoUrl;
    $("result").hidden = false;
  } catch (e) {
    const kind = e instanceof KieError ? e.kind : "error";
    if (taskId && kind !== "aborted") remember(taskId, kind === "task_failed" ? "fail" : kind);
    if (kind === "aborted") {
      $("status").textContent = "Cancelled: no more requests are sent. (The task itself may still run on the server.)";
      if (taskId) remember(taskId, "cancelled");
    } else {
      if (kind === "task_failed") mark("done", true);
      $("status").textContent = "";
      $("run-err").textContent = `${kind}: ${e.message}`;
    }
  } finally {
    setRunning(false);
  }
});

$("cancel").addEventListener("click", () => state.controller?.abort());

refresh();
document.documentElement.dataset.ready = "true";
