//! Reading Kie's answers: the `{code, msg|message, data}` envelope (errors arrive as HTTP 200
//! with the error in `code`, contract §1), and the recordInfo task record, tolerant of what the
//! live API really sends (`failCode` as string, number or null; nulls; extra fields).

use crate::error::{kind_for_api_code, kind_for_http_status, ErrorKind};
use crate::model::itoa;
use crate::view::{Kind, View};

/// A failed answer, classified.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiFailure {
    pub kind: ErrorKind,
    /// The envelope `code`, when there was one.
    pub code: Option<i64>,
    /// The envelope `msg` / `message`, or a short description of a non-JSON body.
    pub msg: String,
    pub status: u16,
}

/// Classifies an HTTP answer. `body` is the parsed JSON, or `None` when the text was not JSON.
/// Returns the envelope's `data` (possibly null) on success.
pub fn read_envelope<V: View>(status: u16, body: Option<&V>, text: &str) -> Result<Option<V>, ApiFailure> {
    // The client does not follow redirects (the key must reach only the configured host); a
    // browser reports a redirect it did not follow as an opaque response with status 0.
    if status == 0 || (300..400).contains(&status) {
        let mut msg = String::from("HTTP ");
        msg.push_str(&itoa(u64::from(status)));
        msg.push_str(": the server answered with a redirect, which the SDK does not follow (the API key is sent only to baseUrl and uploadBaseUrl); point them at the final address");
        return Err(ApiFailure {
            kind: ErrorKind::Http,
            code: None,
            msg,
            status,
        });
    }
    let Some(body) = body.filter(|b| b.kind() == Kind::Object) else {
        let kind = if (200..300).contains(&status) {
            ErrorKind::InvalidResponse
        } else {
            kind_for_http_status(status, text)
        };
        let msg = if (200..300).contains(&status) {
            "the response was not the JSON envelope Kie sends".to_owned()
        } else {
            let mut m = String::from("HTTP ");
            m.push_str(&itoa(u64::from(status)));
            m.push_str(" without a JSON body");
            let snippet: String = text.trim().chars().take(80).collect();
            if !snippet.is_empty() && !snippet.starts_with('<') {
                m.push_str(": ");
                m.push_str(&snippet);
            }
            m
        };
        return Err(ApiFailure {
            kind,
            code: None,
            msg,
            status,
        });
    };
    let msg = message_of(body);
    let code = body.field("code").and_then(|c| int_of(&c));
    match code {
        Some(200) if (200..300).contains(&status) => Ok(body.field("data")),
        Some(code) => Err(ApiFailure {
            kind: kind_for_api_code(code, &msg),
            code: Some(code),
            msg,
            status,
        }),
        None if !(200..300).contains(&status) => Err(ApiFailure {
            kind: kind_for_http_status(status, ""),
            code: None,
            msg,
            status,
        }),
        // The upload API marks success with `success: true` as well as `code`.
        None if body.field("success").map(|s| s.kind()) == Some(Kind::Bool) => Ok(body.field("data")),
        None => Err(ApiFailure {
            kind: ErrorKind::InvalidResponse,
            code: None,
            msg: "the response has no `code` field".into(),
            status,
        }),
    }
}

/// `msg`, else `message` (the docs show both, contract §1), else empty.
fn message_of<V: View>(body: &V) -> String {
    body.field("msg")
        .or_else(|| body.field("message"))
        .and_then(|m| m.string())
        .unwrap_or_default()
}

/// An integer from a number or a numeric string.
fn int_of<V: View>(v: &V) -> Option<i64> {
    match v.kind() {
        Kind::Number => v
            .number()
            .filter(|n| n.fract() == 0.0 && n.abs() < 1e15)
            .map(|n| n as i64),
        Kind::String => v.string().and_then(|s| crate::model::parse_int(s.trim())),
        _ => None,
    }
}

/// The task states, in the order a task moves through them (contract §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskState {
    Waiting,
    Queuing,
    Generating,
    Success,
    Fail,
}

impl TaskState {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(TaskState::Waiting),
            "queuing" => Some(TaskState::Queuing),
            "generating" => Some(TaskState::Generating),
            "success" => Some(TaskState::Success),
            "fail" => Some(TaskState::Fail),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Waiting => "waiting",
            TaskState::Queuing => "queuing",
            TaskState::Generating => "generating",
            TaskState::Success => "success",
            TaskState::Fail => "fail",
        }
    }
    pub fn is_terminal(self) -> bool {
        matches!(self, TaskState::Success | TaskState::Fail)
    }
}

/// `param.input` double-encoded as a JSON string (seen in Kie's callback examples, contract §9)
/// is decoded too, so `param` has one shape. `param` is a value this crate just parsed.
fn decode_nested_input<V: View>(param: V) -> V {
    match param
        .field("input")
        .filter(|i| i.kind() == Kind::String)
        .and_then(|i| i.string())
    {
        Some(text) => match V::parse_json(&text).filter(|i| i.kind() == Kind::Object) {
            Some(input) => param.with_field("input", input),
            None => param,
        },
        None => param,
    }
}

/// A decoded task record. `V` is the host's value type, for the decoded `param`.
#[derive(Clone, Debug, PartialEq)]
pub struct Task<V> {
    pub task_id: String,
    pub model: String,
    pub state: TaskState,
    /// `param` decoded from its JSON string (the createTask body as accepted).
    pub param: Option<V>,
    /// `resultJson.resultUrls`, decoded.
    pub video_urls: Vec<String>,
    /// Normalised to a string; `None` when absent, null or empty.
    pub fail_code: Option<String>,
    pub fail_msg: Option<String>,
    /// Milliseconds (recordInfo); informational only, callbacks may use seconds (contract §2).
    pub cost_time: Option<f64>,
    /// Unix milliseconds.
    pub create_time: Option<f64>,
    pub update_time: Option<f64>,
    pub complete_time: Option<f64>,
    pub consume_credits: Option<f64>,
    pub remained_credits: Option<f64>,
}

/// Why a record could not be read: the field and what was wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeError {
    pub path: &'static str,
    pub message: &'static str,
}

/// Decodes the `data` of a recordInfo answer or a callback body.
pub fn decode_task<V: View>(data: &V) -> Result<Task<V>, DecodeError> {
    if data.kind() != Kind::Object {
        return Err(DecodeError {
            path: "data",
            message: "expected the task record object",
        });
    }
    let task_id = data
        .field("taskId")
        .or_else(|| data.field("task_id"))
        .and_then(|v| v.string())
        .filter(|s| !s.is_empty())
        .ok_or(DecodeError {
            path: "data.taskId",
            message: "missing or not a string",
        })?;
    let state_text = data.field("state").and_then(|v| v.string()).ok_or(DecodeError {
        path: "data.state",
        message: "missing or not a string",
    })?;
    let state = TaskState::parse(&state_text).ok_or(DecodeError {
        path: "data.state",
        message: "not one of waiting, queuing, generating, success, fail",
    })?;
    let param = match data.field("param") {
        Some(p) if p.kind() == Kind::String => {
            let text = p.string().unwrap_or_default();
            if text.trim().is_empty() {
                None
            } else {
                Some(decode_nested_input(V::parse_json(&text).ok_or(DecodeError {
                    path: "data.param",
                    message: "not valid JSON",
                })?))
            }
        }
        // An object is part of `raw` (the record as received): taken as it is, never changed.
        Some(p) if p.kind() == Kind::Object => Some(p),
        _ => None,
    };
    let video_urls = match data.field("resultJson") {
        Some(r) if r.kind() == Kind::String => {
            let text = r.string().unwrap_or_default();
            if text.trim().is_empty() {
                Vec::new()
            } else {
                let parsed = V::parse_json(&text).ok_or(DecodeError {
                    path: "data.resultJson",
                    message: "not valid JSON",
                })?;
                result_urls(&parsed)?
            }
        }
        Some(r) if r.kind() == Kind::Object => result_urls(&r)?,
        _ => Vec::new(),
    };
    if state == TaskState::Success && video_urls.is_empty() {
        return Err(DecodeError {
            path: "data.resultJson.resultUrls",
            message: "a successful task has no result URL",
        });
    }
    Ok(Task {
        task_id,
        model: data.field("model").and_then(|m| m.string()).unwrap_or_default(),
        state,
        param,
        video_urls,
        fail_code: data.field("failCode").and_then(|c| loose_string(&c)),
        fail_msg: data.field("failMsg").and_then(|c| loose_string(&c)),
        cost_time: number(data, "costTime"),
        create_time: number(data, "createTime"),
        update_time: number(data, "updateTime"),
        complete_time: number(data, "completeTime"),
        consume_credits: number(data, "consumeCredits").or_else(|| number(data, "creditsConsumed")),
        remained_credits: number(data, "remainedCredits"),
    })
}

fn result_urls<V: View>(result: &V) -> Result<Vec<String>, DecodeError> {
    let Some(urls) = result.field("resultUrls") else {
        return Ok(Vec::new());
    };
    if urls.kind() != Kind::Array {
        return Err(DecodeError {
            path: "data.resultJson.resultUrls",
            message: "not an array",
        });
    }
    urls.items()
        .iter()
        .map(|u| {
            u.string().ok_or(DecodeError {
                path: "data.resultJson.resultUrls",
                message: "holds a non-string",
            })
        })
        .collect()
}

/// A string from a string or a number; `None` for null or empty.
fn loose_string<V: View>(v: &V) -> Option<String> {
    match v.kind() {
        Kind::String => v.string().filter(|s| !s.is_empty()),
        Kind::Number => v.number().map(|n| {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                signed_itoa(n as i64)
            } else {
                "NaN".into()
            }
        }),
        _ => None,
    }
}

fn signed_itoa(n: i64) -> String {
    if n < 0 {
        let mut s = String::from("-");
        s.push_str(&itoa(n.unsigned_abs()));
        s
    } else {
        itoa(n as u64)
    }
}

/// A number from a number or a numeric string (times sometimes arrive quoted).
fn number<V: View>(data: &V, key: &'static str) -> Option<f64> {
    let v = data.field(key)?;
    match v.kind() {
        Kind::Number => v.number(),
        // Parsed by the host's JSON parser: no float parser in the wasm.
        Kind::String => v
            .string()
            .and_then(|s| V::parse_json(s.trim()))
            .and_then(|n| n.number()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn env(status: u16, body: Value) -> Result<Option<Value>, ApiFailure> {
        read_envelope(status, Some(&body), &body.to_string())
    }

    #[test]
    fn redirects_are_errors_not_followed() {
        for status in [0, 301, 302, 307, 308] {
            let e = read_envelope::<Value>(status, None, "").unwrap_err();
            assert_eq!((e.kind, e.status), (ErrorKind::Http, status));
            assert!(e.msg.contains("does not follow"), "{}", e.msg);
        }
        // Even a redirect that carries a JSON envelope is not read as an answer.
        let e = env(307, json!({"code":200,"msg":"success","data":{"taskId":"t1"}})).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Http);
    }

    #[test]
    fn envelope_success_and_errors_in_http_200() {
        assert_eq!(
            env(200, json!({"code":200,"msg":"success","data":{"taskId":"t1"}})).unwrap(),
            Some(json!({"taskId":"t1"}))
        );
        let e = env(200, json!({"code":401,"msg":"You do not have access permissions"})).unwrap_err();
        assert_eq!((e.kind, e.code, e.status), (ErrorKind::Unauthorized, Some(401), 200));
        let e = env(200, json!({"code":422,"message":"recordInfo is null","data":null})).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(e.msg, "recordInfo is null");
        let e = env(200, json!({"code":"429","msg":"Rate limit exceeded"})).unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(
            env(200, json!({"code":200,"msg":"success","data":100})).unwrap(),
            Some(json!(100))
        );
    }

    #[test]
    fn non_json_bodies() {
        let e = read_envelope::<Value>(403, None, "error code: 1010").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Blocked);
        assert!(e.msg.contains("error code: 1010"));
        let e = read_envelope::<Value>(502, None, "<html><body>Bad Gateway</body></html>").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Server);
        assert!(!e.msg.contains('<'));
        let e = read_envelope::<Value>(200, None, "{\"code\":200,\"da").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidResponse);
        let e = env(429, json!({"error":"slow down"})).unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
        let e = env(200, json!({"hello":1})).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidResponse);
    }

    #[test]
    fn upload_envelope() {
        let data = env(
            200,
            json!({"success":true,"code":200,"msg":"File uploaded successfully","data":{"downloadUrl":"u"}}),
        )
        .unwrap();
        assert_eq!(data, Some(json!({"downloadUrl":"u"})));
        let e = env(
            200,
            json!({"success":false,"code":400,"msg":"Missing required parameter: uploadPath"}),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
    }

    #[test]
    fn param_with_a_double_encoded_input_is_decoded_once_more() {
        let body = json!({"model":"kling/v2-1-standard","input":"{\"prompt\":\"p\",\"duration\":\"5\"}"});
        let data = json!({"taskId":"t1","model":"kling/v2-1-standard","state":"waiting","param": body.to_string()});
        let t = decode_task(&data).unwrap();
        assert_eq!(t.param.unwrap()["input"], json!({"prompt":"p","duration":"5"}));
        // An input that is a string but not a JSON object stays as it came.
        let data = json!({"taskId":"t1","model":"m","state":"waiting","param":"{\"input\":\"not json\"}"});
        assert_eq!(decode_task(&data).unwrap().param.unwrap()["input"], "not json");
    }

    #[test]
    fn decodes_documented_success_record() {
        let data = json!({"taskId":"task_12345678","model":"kling/v2-1-standard","state":"success",
            "param":"{\"model\":\"kling/v2-1-standard\",\"input\":{\"prompt\":\"p\"}}",
            "resultJson":"{\"resultUrls\":[\"https://example.com/x.mp4\"]}","failCode":"","failMsg":"","costTime":15000,
            "completeTime":1698765432000u64,"createTime":1698765400000u64,"updateTime":1698765432000u64, "extra": [1]});
        let t = decode_task(&data).unwrap();
        assert_eq!(t.state, TaskState::Success);
        assert_eq!(t.video_urls, ["https://example.com/x.mp4"]);
        assert_eq!(t.fail_code, None);
        assert_eq!(t.param.unwrap()["input"]["prompt"], "p");
        assert_eq!(t.create_time, Some(1698765400000.0));
        assert_eq!(t.cost_time, Some(15000.0));
    }

    #[test]
    fn decodes_failure_shapes() {
        for (code, expected) in [
            (json!("501"), Some("501")),
            (json!(500), Some("500")),
            (Value::Null, None),
            (json!(""), None),
        ] {
            let data = json!({"taskId":"t","state":"fail","failCode":code,"failMsg":"Generation Failed","resultJson":null,"completeTime":null});
            let t = decode_task(&data).unwrap();
            assert_eq!(t.fail_code.as_deref(), expected);
            assert_eq!(t.fail_msg.as_deref(), Some("Generation Failed"));
            assert!(t.video_urls.is_empty());
        }
    }

    #[test]
    fn decodes_pending_records_with_nulls() {
        let data = json!({"taskId":"e989621f54392584b05867f87b160672","state":"waiting","param":"","resultJson":null,
            "failCode":null,"failMsg":null,"costTime":null,"completeTime":null,"createTime":"1698765400000"});
        let t = decode_task(&data).unwrap();
        assert_eq!(t.state, TaskState::Waiting);
        assert_eq!(t.create_time, Some(1698765400000.0));
        assert!(t.param.is_none());
    }

    #[test]
    fn bad_records_name_the_field() {
        assert_eq!(
            decode_task(&json!({"state":"success"})).unwrap_err().path,
            "data.taskId"
        );
        assert_eq!(
            decode_task(&json!({"taskId":"t","state":"done"})).unwrap_err().path,
            "data.state"
        );
        assert_eq!(
            decode_task(&json!({"taskId":"t","state":"success","resultJson":"{bad"}))
                .unwrap_err()
                .path,
            "data.resultJson"
        );
        assert_eq!(
            decode_task(&json!({"taskId":"t","state":"success","resultJson":"{}"}))
                .unwrap_err()
                .path,
            "data.resultJson.resultUrls"
        );
        assert_eq!(decode_task(&json!(null)).unwrap_err().path, "data");
    }
}
