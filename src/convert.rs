//! Core values as JS values, at the boundary: a `Failure` becomes the thrown `KieError` (every
//! string scrubbed of the key), a `Task` the typed Task object, an `Issue` list the `issues` array.

use crate::contract::MODEL_ID;
use crate::error::{redact_echo, ApiKey, ErrorKind};
use crate::jsview::{object, opt, set};
use crate::model::CreateTaskBody;
use crate::op::{self, Output};
use crate::validate::Issue;
use crate::view::View;
use crate::wire::Task;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

/// A failure in the shell: the core's, holding JS values (the cause, a task's `param`).
pub type Failure = op::Failure<JsValue>;

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(kind: &str, message: &str, fields: &Object) -> JsValue;
}

pub fn issues_to_js(issues: &[Issue]) -> Array {
    issues
        .iter()
        .map(|issue| {
            let o = object();
            set(&o, "path", issue.path.as_str());
            set(&o, "code", issue.code.as_str());
            set(&o, "message", issue.message.as_str());
            if let Some(limit) = issue.limit {
                set(&o, "limit", limit);
            }
            JsValue::from(o)
        })
        .collect()
}

/// The thrown JS value. Every string passes through `redact_echo` with the client's key.
pub fn failure_to_js(f: Failure, key: Option<&ApiKey>) -> JsValue {
    let clean = |s: &str| match key {
        Some(k) => redact_echo(s, k.expose()),
        None => s.to_owned(),
    };
    let fields = object();
    set(&fields, "code", opt(f.code.map(|c| c as f64)));
    set(&fields, "msg", opt(f.msg.as_deref().map(clean)));
    set(&fields, "status", opt(f.status));
    set(&fields, "retryable", f.retryable());
    set(&fields, "maybeCreated", f.maybe_created);
    set(&fields, "taskId", opt(f.task_id));
    // Every validation error has `issues` (empty when Kie's answer named no field).
    if !f.issues.is_empty() || f.kind == ErrorKind::Validation {
        set(&fields, "issues", issues_to_js(&f.issues));
    }
    if let Some(reason) = f.reason {
        set(&fields, "reason", reason);
    }
    if let Some(cause) = f.cause {
        set(&fields, "cause", cause);
    }
    if let Some(task_and_raw) = f.task {
        let (task, raw) = *task_and_raw;
        if f.kind == ErrorKind::TaskFailed {
            set(&fields, "failCode", opt(task.fail_code.as_deref()));
            set(&fields, "failMsg", opt(task.fail_msg.as_deref().map(clean)));
        }
        // Built from a response already scrubbed of the key (see `client::exchange`).
        set(&fields, "task", task_to_js(&task, raw));
    }
    make_error(f.kind.as_str(), &clean(&f.message), &fields)
}

/// The typed Task object handed to JS.
pub fn task_to_js(task: &Task<JsValue>, raw: JsValue) -> JsValue {
    let o = object();
    set(&o, "taskId", task.task_id.as_str());
    set(&o, "model", task.model.as_str());
    set(&o, "state", task.state.as_str());
    let urls = Array::new();
    for u in &task.video_urls {
        urls.push(&JsValue::from_str(u));
    }
    set(&o, "videoUrls", urls);
    set(&o, "failCode", opt(task.fail_code.as_deref()));
    set(&o, "failMsg", opt(task.fail_msg.as_deref()));
    set(&o, "costTime", opt(task.cost_time));
    set(&o, "createTime", opt(task.create_time));
    set(&o, "updateTime", opt(task.update_time));
    set(&o, "completeTime", opt(task.complete_time));
    set(&o, "consumeCredits", opt(task.consume_credits));
    set(&o, "remainedCredits", opt(task.remained_credits));
    set(&o, "param", task.param.clone().unwrap_or(JsValue::NULL));
    set(&o, "raw", raw);
    o.into()
}

/// The createTask body as a JS object, from the caller's own strings (never copied into the
/// wasm) and the validated fields; `image_url` replaces the input's (an uploaded image).
pub fn create_body(input: &JsValue, checked: &CreateTaskBody, image_url: Option<&str>) -> Object {
    let body = object();
    set(&body, "model", MODEL_ID);
    if let Some(url) = &checked.call_back_url {
        set(&body, "callBackUrl", url.as_str());
    }
    let inner = object();
    set(&inner, "prompt", input.field("prompt").unwrap_or(JsValue::NULL));
    set(&inner, "image_url", image_url.unwrap_or(&checked.input.image_url));
    set(&inner, "duration", checked.input.duration.as_str());
    if let Some(neg) = input.field("negative_prompt") {
        set(&inner, "negative_prompt", neg);
    }
    set(&inner, "cfg_scale", checked.input.cfg_scale);
    set(&body, "input", inner);
    body
}

/// An operation's result as the JS value its method resolves with.
pub fn output_to_js(output: Output<JsValue>) -> JsValue {
    match output {
        Output::Created(id) => {
            let o = object();
            set(&o, "taskId", id);
            o.into()
        }
        Output::Task(task, raw) => task_to_js(&task, raw),
        Output::Generated(task, raw) => {
            let o = object();
            set(&o, "taskId", task.task_id.as_str());
            set(&o, "videoUrl", opt(task.video_urls.first().map(String::as_str)));
            set(&o, "task", task_to_js(&task, raw));
            o.into()
        }
        Output::Uploaded(data) => crate::upload::result_to_js(&data),
        Output::Credits(n) => n.into(),
        Output::DownloadUrl(url) => url.into(),
    }
}
