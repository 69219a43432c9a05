// parseCallback(body): the typed Task in what Kie POSTs to your callBackUrl.
import { parseCallback } from "kie-kling";

const task = parseCallback('{"code":501,"msg":"Playground task failed.","data":{"taskId":"t1","state":"fail","failCode":500,"failMsg":"Internal server error"}}');
console.log(task.state, task.failCode, task.failMsg);
if (task.failCode !== "500") process.exit(1);
