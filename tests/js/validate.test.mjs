// validate / buildCreateTaskBody through the built package, imported by name as a user would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { validate, buildCreateTaskBody, KieError } from "kie-kling";

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/requests.json", import.meta.url), "utf8"));

test("the shared request table gives the same issues as native cargo test", () => {
  assert.ok(fixtures.length >= 20);
  for (const c of fixtures) {
    const r = validate(c.body);
    assert.deepEqual(r.issues.map((i) => [i.path, i.code]), c.issues, c.name);
    assert.equal(r.ok, c.issues.length === 0, c.name);
  }
});

test("the vendor's own example validates clean and round-trips", () => {
  const vendor = JSON.parse(readFileSync(new URL("../fixtures/vendor-example.json", import.meta.url), "utf8"));
  assert.deepEqual(validate(vendor), { ok: true, issues: [] });
  assert.deepEqual(buildCreateTaskBody(vendor.input, { callBackUrl: vendor.callBackUrl }), vendor);
});

test("characters are UTF-16 units: CJK counts 1, an emoji 2, at the 5000 edge", () => {
  const base = { image_url: "https://x.test/a.png" };
  assert.equal(validate({ input: { ...base, prompt: "猫".repeat(4000) } }).ok, true);
  assert.equal(validate({ input: { ...base, prompt: "猫".repeat(5000) } }).ok, true);
  assert.equal(validate({ input: { ...base, prompt: "a".repeat(4998) + "😀" } }).ok, true);
  const over = validate({ input: { ...base, prompt: "a".repeat(4999) + "😀" } });
  assert.deepEqual(over.issues.map((i) => [i.path, i.code, i.limit]), [["input.prompt", "too_long", 5000]]);
  assert.match(over.issues[0].message, /5001/);
});

test("cfg_scale: JS float noise accepted and sent clean; off-grid and non-finite rejected", () => {
  const input = { prompt: "p", image_url: "https://x.test/a.png" };
  assert.equal(buildCreateTaskBody({ ...input, cfg_scale: 0.1 + 0.2 }).input.cfg_scale, 0.3);
  assert.equal(buildCreateTaskBody({ ...input, cfg_scale: 0.7000000000000001 }).input.cfg_scale, 0.7);
  for (const [v, code] of [[NaN, "not_finite"], [Infinity, "not_finite"], [1.1, "out_of_range"], [-0.1, "out_of_range"], [0.05, "not_on_step"]]) {
    const r = validate({ input: { ...input, cfg_scale: v } });
    assert.deepEqual(r.issues.map((i) => i.code), [code], String(v));
  }
});

test("defaults are sent explicitly, negative_prompt only when given, undefined means absent", () => {
  const body = buildCreateTaskBody({ prompt: "p", image_url: "https://x.test/a.png", negative_prompt: undefined });
  assert.deepEqual(body, { model: "kling/v2-1-standard", input: { prompt: "p", image_url: "https://x.test/a.png", duration: "5", cfg_scale: 0.5 } });
});

test("invalid input throws one KieError with every issue", () => {
  let err;
  try {
    buildCreateTaskBody({ prompt: "", duration: 5, imageUrl: "x" }, { callbackUrl: "https://cb.test" });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof KieError && err instanceof Error);
  assert.equal(err.name, "KieError");
  assert.equal(err.kind, "validation");
  assert.equal(err.retryable, false);
  const paths = err.issues.map((i) => i.path).sort();
  assert.deepEqual(paths, ["input.duration", "input.imageUrl", "input.image_url", "input.prompt", "options.callbackUrl"]);
  assert.match(err.issues.find((i) => i.path === "input.imageUrl").message, /did you mean "image_url"/);
  assert.match(err.issues.find((i) => i.path === "options.callbackUrl").message, /did you mean "callBackUrl"/);
  assert.match(err.issues.find((i) => i.path === "input.duration").message, /"5", "10"/);
  assert.match(err.message, /input\.prompt: /);
});

test("data: and blob: images point to the upload helper", () => {
  const r = validate({ input: { prompt: "p", image_url: "blob:https://app.test/1" } });
  assert.equal(r.issues[0].code, "needs_upload");
  assert.match(r.issues[0].message, /uploadImage/);
});

test("garbage never throws from validate", () => {
  for (const v of [null, undefined, 1, "x", [], () => 1, { input: null }, { input: { prompt: Symbol.for("x") } }, { input: { prompt: 1n } }]) {
    const r = validate(v);
    assert.equal(r.ok, false);
    assert.ok(r.issues.length > 0);
  }
});
