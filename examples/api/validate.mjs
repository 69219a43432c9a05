// validate(request): every issue of a createTask body at once, without any network.
import { validate } from "kie-kling";

const { ok, issues } = validate({ input: { prompt: "", image_url: "https://example.com/cat.png", duration: 5 } });
console.log(ok, issues.map((i) => `${i.path} ${i.code}`));
if (ok || issues.length !== 2) process.exit(1);
