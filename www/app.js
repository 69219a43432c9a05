// The demo page: plain ES modules over the browser build. Every check comes from the wasm SDK;
// every request goes to the proxy at /kie, which holds the key (scripts/demo-server.mjs).
import { KlingClient, KieError, validate, buildCreateTaskBody, checkImage } from "./pkg/browser.js";

const $ = (id) => document.getElementById(id);
const client = new KlingClient({ baseUrl: "/kie" });
const CREDITS = { 5: 25, 10: 50 }; // contract §5: per video by duration
const PENDING_IMAGE = "https://upload.pending.invalid/image"; // stands in for a chosen file while validating

// The SDK is the one source of the limits: ask it what an over-long text breaks.
const limitOf = (field) => validate({ model: "kling/v2-1-standard", input: { prompt: "a", image_url: PENDING_IMAGE, [field]: "x".repeat(20_000) } }).issues.find((i) => i.code === "too_long")?.limit;
const LIMITS = { prompt: limitOf("prompt"), negative: limitOf("negative_prompt") };

// Where each field's problems are shown, and with which control.
const FIELDS = {
  "input.prompt": { control: "prompt", box: "prompt-err" },
  "input.image_url": { control: "image-url", box: "image-err" },
  "input.duration": { control: "duration", box: "duration-err" },
  "input.cfg_scale": { control: "cfg", box: "cfg-err" },
  "input.negative_prompt": { control: "negative", box: "negative-err" },
};

const state = { file: null, refused: null, touched: new Set(), showAll: false, controller: null, running: false, recent: [], credits: null };

// Touch wording on touch screens ("Tap to choose" instead of "Drop"), decided once at load.
document.documentElement.classList.toggle("touch", matchMedia("(pointer: coarse)").matches);

// ---- the upstream the proxy talks to (the server fills in the meta tag) ----
const upstream = document.querySelector("meta[name=kie-upstream]");
$("upstream").textContent = upstream?.content === "kie"
  ? `Upstream: ${upstream.dataset.label} · your key stays on the demo server`
  : upstream?.content === "emulator" ? "Upstream: local emulator · no key, nothing leaves this machine" : "Upstream: unknown";

// ---- the request as the form describes it ----
const duration = () => document.querySelector("input[name=duration]:checked").value;

function currentInput() {
  const input = { prompt: $("prompt").value, duration: duration(), cfg_scale: Number($("cfg").value) };
  const url = state.file ? PENDING_IMAGE : $("image-url").value.trim();
  if (url) input.image_url = url;
  if ($("negative").value !== "") input.negative_prompt = $("negative").value;
  return input;
}

/** Plain words for a form; the SDK's wording stays in the small print and in the console. */
function plain(issue) {
  const { path, code, limit } = issue;
  if (path === "input.prompt") {
    if (code === "too_long") return `Keep the description to ${limit.toLocaleString("en")} characters or fewer.`;
    if (code === "missing" || code === "empty") return "Describe the motion you want to see.";
  }
  if (path === "input.image_url") {
    if (code === "missing" || code === "empty") return "Choose an image, or paste its web address.";
    if (code === "invalid_url") return "Use a full web address that starts with https://";
    if (code === "invalid_image") return issue.message;
  }
  if (path === "input.negative_prompt" && code === "too_long") return `Keep this to ${limit.toLocaleString("en")} characters or fewer.`;
  if (path === "input.cfg_scale") return "Choose a value from 0 to 1.";
  if (path === "input.duration") return "Choose 5 or 10 seconds.";
  return issue.message;
}

function currentIssues() {
  const issues = validate({ model: "kling/v2-1-standard", input: currentInput() }).issues;
  if (state.refused) issues.push(state.refused);
  return issues;
}

function showIssues(issues) {
  const visible = issues.filter((i) => state.showAll || state.touched.has(i.path));
  const boxes = {};
  for (const issue of visible) (boxes[FIELDS[issue.path]?.box ?? "other-err"] ??= []).push(issue);
  for (const box of [...Object.values(FIELDS).map((f) => f.box), "other-err"]) {
    const list = boxes[box] ?? [];
    const key = JSON.stringify(list.map((i) => [i.code, plain(i)]));
    if ($(box).dataset.key === key) continue; // unchanged: leave the DOM (and screen readers) alone
    $(box).dataset.key = key;
    $(box).replaceChildren(...list.flatMap((i) => {
      const api = document.createElement("span");
      api.className = "api";
      api.setAttribute("aria-hidden", "true");
      api.textContent = `${i.path}: ${i.code}`;
      return [`${plain(i)} `, api];
    }));
  }
  for (const [path, { control }] of Object.entries(FIELDS)) {
    const bad = visible.some((i) => i.path === path);
    const els = control === "duration" ? document.querySelectorAll("input[name=duration]") : [$(control)];
    const mark = (el) => (bad ? el.setAttribute("aria-invalid", "true") : el.removeAttribute("aria-invalid"));
    els.forEach(mark);
    if (path === "input.image_url") mark($("drop"));
  }
}

function counter(el, out, limit) {
  const n = el.value.length; // UTF-16 units: exactly what the SDK counts
  out.textContent = `${n.toLocaleString("en")} / ${limit.toLocaleString("en")} characters`;
  out.classList.toggle("over", n > limit);
}

function showCost() {
  const have = state.credits === null ? "" : ` · you have ${state.credits.toLocaleString("en")}`;
  $("cost").textContent = `Costs ${CREDITS[duration()]} credits${have}`;
}

function refresh() {
  counter($("prompt"), $("prompt-count"), LIMITS.prompt);
  counter($("negative"), $("negative-count"), LIMITS.negative);
  $("cfg-out").textContent = Number($("cfg").value).toFixed(1);
  showCost();
  const issues = currentIssues();
  showIssues(issues);
  try {
    const body = buildCreateTaskBody(currentInput());
    if (state.file) body.input.image_url = `(uploaded first: ${state.file.name})`;
    $("body-json").textContent = JSON.stringify(body, null, 2);
  } catch {
    $("body-json").textContent = "(complete the form to see the request)";
  }
  return issues;
}

const touch = (path) => () => { state.touched.add(path); refresh(); };
for (const [path, { control }] of Object.entries(FIELDS)) {
  if (control === "duration") continue;
  $(control).addEventListener("input", () => { if ($(control).value !== $(control).defaultValue) state.touched.add(path); refresh(); });
  $(control).addEventListener("blur", touch(path));
}
for (const r of document.querySelectorAll("input[name=duration]")) r.addEventListener("change", touch("input.duration"));
$("image-url").addEventListener("input", () => { if ($("image-url").value) clearFile(); refresh(); });

// ---- image: drop, pick, preview; checked by the SDK before anything is uploaded ----
function clearFile() {
  state.file = null;
  state.refused = null;
  if ($("preview").src) URL.revokeObjectURL($("preview").src);
  $("preview").hidden = true;
  $("preview").removeAttribute("src");
  setDropText(null);
}

function setDropText(text) {
  const fine = $("drop-text").querySelector(".pointer-fine");
  const coarse = $("drop-text").querySelector(".pointer-coarse");
  fine.textContent = text ?? "Drop a JPEG, PNG or WebP image here, or choose a file";
  coarse.textContent = text ?? "Tap to choose a JPEG, PNG or WebP image";
}

let choosing = 0; // the newest choice wins when checks finish out of order

async function chooseFile(file) {
  if (!file) return;
  const mine = ++choosing;
  $("image-url").value = "";
  state.touched.add("input.image_url");
  try {
    await checkImage(file);
    if (mine !== choosing) return;
    state.file = file;
    state.refused = null;
    if ($("preview").src) URL.revokeObjectURL($("preview").src);
    $("preview").src = URL.createObjectURL(file);
    $("preview").hidden = false;
    setDropText(`${file.name} (${Math.max(1, Math.round(file.size / 1024))} KB) is ready. Choose or drop another image to replace it.`);
  } catch (e) {
    if (mine !== choosing) return;
    clearFile();
    const why = e instanceof KieError ? e.issues?.[0]?.message ?? e.message : String(e);
    state.refused = { path: "input.image_url", code: "invalid_image", message: `${file.name} was refused: ${why}.`.replace(/\.\.$/, ".") };
    setDropText(`${file.name} was refused (the reason is below). Choose or drop another image.`);
  }
  refresh();
}

$("drop").addEventListener("click", () => $("file").click());
$("file").addEventListener("change", () => {
  chooseFile($("file").files[0]);
  $("file").value = ""; // choosing the same file again is a new choice
});
// A file dropped beside the zone must not replace the page.
for (const type of ["dragover", "drop"]) document.addEventListener(type, (e) => e.preventDefault());
$("drop").addEventListener("dragover", (e) => { e.preventDefault(); $("drop").classList.add("over"); });
$("drop").addEventListener("dragleave", () => $("drop").classList.remove("over"));
$("drop").addEventListener("drop", (e) => { e.preventDefault(); $("drop").classList.remove("over"); chooseFile(e.dataTransfer?.files[0]); });

// ---- the run: timeline, status, result ----
const STEPS = ["uploading", "waiting", "queuing", "generating", "end"];
const STATUS = { uploading: "Uploading the image…", waiting: "Submitted. Waiting for a worker…", queuing: "In the queue…", generating: "Generating the video…" };
const run = { started: 0, step: null, stepStarted: 0, ticker: 0 };
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const li = (step) => $("timeline").querySelector(`[data-step=${step}]`);

function enterStep(step) {
  if (step === run.step) return;
  const now = performance.now();
  if (run.step) {
    li(run.step).removeAttribute("aria-current");
    li(run.step).classList.add("reached");
    li(run.step).querySelector("time").textContent = seconds(now - run.stepStarted);
  }
  // Steps the task went through between two polls were reached too (not so for a failure:
  // finish() says where it stopped).
  if (step !== "end") for (const s of STEPS.slice(STEPS.indexOf(run.step) + 1, STEPS.indexOf(step))) if (s !== "uploading") li(s).classList.add("reached");
  run.step = step;
  run.stepStarted = now;
  if (step !== "end") {
    li(step).setAttribute("aria-current", "step");
    $("status").textContent = STATUS[step];
  }
}

function tick() {
  if (run.step && run.step !== "end") li(run.step).querySelector("time").textContent = seconds(performance.now() - run.stepStarted);
}

function finish(kind, label) {
  const stopped = run.step;
  if (kind === "success") {
    enterStep("generating");
    enterStep("end");
  } else {
    // The step the run stopped in is failed or cancelled, not reached; later ones stay untouched.
    clearInterval(run.ticker);
    tick();
    li(stopped).removeAttribute("aria-current");
    li(stopped).classList.add(kind);
    run.step = "end";
  }
  const end = li("end");
  end.querySelector(".step").textContent = label;
  end.querySelector("time").textContent = seconds(performance.now() - run.started);
  end.classList.add(kind === "success" ? "reached" : kind);
}

function remember(taskId, taskState) {
  const found = state.recent.find((r) => r.taskId === taskId);
  if (found) found.state = taskState;
  else state.recent.unshift({ taskId, state: taskState });
  state.recent = state.recent.slice(0, 8);
  $("recent").replaceChildren(...state.recent.map((r) => {
    const item = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = r.taskId;
    const s = document.createElement("span");
    s.textContent = r.state;
    s.className = `state-${r.state}`;
    item.append(code, s);
    return item;
  }));
}

/** What went wrong, for the person at the form; the SDK's kind and message in small print. */
function explain(e) {
  if (!(e instanceof KieError)) return { text: "Something unexpected went wrong. Try again.", api: String(e) };
  const api = `${e.kind}${e.code ? ` (code ${e.code})` : ""}: ${e.message}`;
  const text = {
    task_failed: `The model could not make this video${e.failMsg ? `: ${e.failMsg}` : ""}. Try another image or prompt.`,
    insufficient_credits: "There are not enough credits left for this video.",
    rate_limited: "Too many videos at once. Try again in a minute.",
    daily_limit: "Today's limit for this page is used up. Try again tomorrow.",
    unauthorized: "This page's session has expired. Reload the page and try again.",
    network: "The server could not be reached. Check your connection and try again.",
    timeout: "This took too long, so the page stopped waiting. The video may still appear in your Kie.ai account.",
    validation: "Some of the details above need fixing.",
  }[e.kind] ?? "The request did not go through. Try again in a moment.";
  return { text, api };
}

async function updateCredits() {
  try {
    state.credits = await client.getCredits();
  } catch {
    state.credits = null; // the balance is a nicety: the form works without it
  }
  showCost();
  $("credits").textContent = state.credits === null ? "" : `Credits left: ${state.credits.toLocaleString("en")}`;
}

function setRunning(running) {
  state.running = running;
  $("submit").disabled = running;
  $("cancel").hidden = !running;
  clearInterval(run.ticker);
  if (running) run.ticker = setInterval(tick, 200);
}

function reveal(el) {
  el.hidden = false;
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: "center", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
}

$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (state.running) return;
  state.showAll = true;
  const issues = refresh();
  if (issues.length) {
    const first = FIELDS[issues[0].path]?.control;
    (first === "duration" ? document.querySelector("input[name=duration]:checked") : first === "image-url" && !$("image-url").value ? $("drop") : $(first ?? "prompt")).focus();
    return;
  }
  const input = { ...currentInput(), image_url: state.file ?? currentInput().image_url };
  state.controller = new AbortController();
  for (const item of $("timeline").children) {
    item.className = "";
    item.removeAttribute("aria-current");
    item.querySelector("time").textContent = "";
    item.hidden = item.dataset.step === "uploading" && !state.file;
  }
  li("end").querySelector(".step").textContent = "Done";
  $("timeline").hidden = false;
  $("result").hidden = true;
  $("failure").hidden = true;
  $("task").hidden = true;
  run.started = performance.now();
  run.step = null;
  enterStep(state.file ? "uploading" : "waiting");
  if (!state.file) $("status").textContent = "Sending the request…";
  setRunning(true);
  $("status").focus();
  let taskId = null;
  try {
    const onProgress = (task) => {
      if (!taskId) {
        taskId = task.taskId;
        $("task-id").textContent = taskId;
        $("task").hidden = false;
      }
      if (task.state === "waiting" || task.state === "queuing" || task.state === "generating") enterStep(task.state);
      remember(task.taskId, task.state);
    };
    const out = await client.generate(input, { signal: state.controller.signal, onProgress });
    setRunning(false);
    finish("success", "Done");
    if (taskId) remember(taskId, "success");
    $("status").textContent = `Done in ${seconds(performance.now() - run.started)}. Your video is ready.`;
    $("video").src = out.videoUrl;
    $("download").href = out.videoUrl;
    reveal($("result"));
    $("result-h").focus({ preventScroll: true });
  } catch (e) {
    setRunning(false);
    if (e instanceof KieError && e.kind === "aborted") {
      finish("cancelled", "Cancelled");
      if (taskId) remember(taskId, "cancelled");
      $("status").textContent = "Cancelled. No more requests are sent; the task may still finish on the server.";
      $("status").focus();
    } else {
      console.info("kie-kling:", e); // the full error, for developers
      finish("failed", "Failed");
      if (taskId) remember(taskId, e?.kind === "task_failed" ? "fail" : "error");
      const { text, api } = explain(e);
      $("status").textContent = `Failed after ${seconds(performance.now() - run.started)}.`;
      $("failure-text").textContent = text;
      $("failure-api").textContent = api;
      reveal($("failure"));
    }
  } finally {
    updateCredits();
  }
});

$("cancel").addEventListener("click", () => state.controller?.abort());

refresh();
updateCredits();
document.documentElement.dataset.ready = "true";
