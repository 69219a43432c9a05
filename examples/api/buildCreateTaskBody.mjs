// buildCreateTaskBody(input, options): the exact JSON createTask sends.
import { buildCreateTaskBody } from "kie-kling";

const body = buildCreateTaskBody({ prompt: "a cat", image_url: "https://example.com/cat.png", cfg_scale: 0.1 + 0.2 }, { callBackUrl: "https://example.com/hook" });
console.log(JSON.stringify(body));
if (body.input.cfg_scale !== 0.3 || body.input.duration !== "5") process.exit(1);
