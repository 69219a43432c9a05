//! The operations' decisions, as the specification: each test scripts what the network and the
//! caller do, on a fake clock, and reads back every step the machine took.

use super::*;
use serde_json::{json, Value};

const BASE: &str = "https://api.test";

fn settings() -> Settings {
    Settings {
        base_url: BASE.into(),
        upload_base_url: "https://upload.test".into(),
        request_timeout_ms: 60_000.0,
        max_retries: 2,
    }
}

/// What the world answers to the next step.
enum Next {
    /// To a Send: this input.
    Answer(Input<Value>),
    /// To a Send: this input, this many ms later (a stream that stayed open).
    Later(f64, Input<Value>),
    /// The caller aborts while the request is in flight.
    Abort(Value),
    /// The caller aborts during the next sleep.
    AbortInSleep(Value),
    /// The caller aborts before the driver hands the next request over.
    AbortBeforeSend,
}

fn reply(status: u16, body: Value) -> Next {
    Next::Answer(Input::Reply {
        status,
        text: Some(body.to_string()),
        retry_after: None,
        push: false,
    })
}
fn ok(data: Value) -> Next {
    reply(200, json!({"code": 200, "msg": "success", "data": data}))
}
fn api(code: i64, msg: &str) -> Next {
    reply(200, json!({"code": code, "msg": msg, "data": null}))
}
fn api_after(code: i64, retry_after: &str) -> Next {
    Next::Answer(Input::Reply {
        status: 200,
        text: Some(json!({"code": code, "msg": "busy"}).to_string()),
        retry_after: Some(retry_after.into()),
        push: false,
    })
}
fn network() -> Next {
    Next::Answer(Input::Failed(SendError::Network {
        detail: "ECONNREFUSED".into(),
        cause: Some(json!("the host's error")),
    }))
}
fn timed_out() -> Next {
    Next::Answer(Input::Failed(SendError::TimedOut))
}
fn task(state: &str) -> Next {
    let mut t = json!({"taskId": "t1", "model": "kling/v2-1-standard", "state": state});
    if state == "success" {
        t["resultJson"] = json!("{\"resultUrls\":[\"https://cdn.test/v.mp4\"]}");
    }
    if state == "fail" {
        t["failCode"] = json!("500");
        t["failMsg"] = json!("Generation Failed");
    }
    ok(t)
}
fn record_null() -> Next {
    api(422, "recordInfo is null")
}

struct Run {
    /// Every step: `GET /path (timeout)`, `sleep N`, `progress STATE`, then the outcome.
    trace: Vec<String>,
    result: Result<Output<Value>, Failure<Value>>,
    created: Option<String>,
    requests: Vec<Request>,
}

/// Drives `plan` against `script` on a fake clock that only sleeps and timeouts advance;
/// the jitter is fixed at 0.5.
fn run(plan: Plan, script: Vec<Next>) -> Run {
    let mut m = Machine::new(settings(), plan);
    let mut script = script.into_iter();
    let (mut now, mut trace, mut requests) = (1_000.0, Vec::new(), Vec::new());
    let mut input = Input::Start;
    loop {
        match m.step(input, now, 0.5) {
            Step::Send(req) => {
                trace.push(format!(
                    "{} {} ({})",
                    req.method,
                    req.url.strip_prefix(BASE).unwrap_or(&req.url),
                    req.timeout_ms
                ));
                requests.push(req.clone());
                input = match script.next().expect("the machine sent more requests than scripted") {
                    Next::Answer(i) => {
                        if i == Input::Failed(SendError::TimedOut) {
                            now += req.timeout_ms;
                        }
                        i
                    }
                    Next::Later(ms, i) => {
                        now += ms;
                        i
                    }
                    Next::Abort(reason) => Input::Aborted {
                        reason: Some(reason),
                        in_flight: true,
                    },
                    Next::AbortBeforeSend => Input::Aborted {
                        reason: None,
                        in_flight: false,
                    },
                    Next::AbortInSleep(_) => panic!("the machine sent where the script expected a sleep"),
                };
            }
            Step::Sleep(ms) => {
                trace.push(format!("sleep {ms}"));
                input = match script.as_slice().first() {
                    Some(Next::AbortInSleep(_)) => match script.next() {
                        Some(Next::AbortInSleep(reason)) => Input::Aborted {
                            reason: Some(reason),
                            in_flight: false,
                        },
                        _ => unreachable!(),
                    },
                    _ => {
                        now += ms;
                        Input::Woke
                    }
                };
            }
            Step::Progress => {
                trace.push(format!(
                    "progress {}",
                    m.last_task().expect("the task reported").0.state.as_str()
                ));
                input = Input::Reported;
            }
            Step::Done(result) => {
                trace.push(match &result {
                    Ok(Output::Task(t, _)) => format!("ok task {}", t.state.as_str()),
                    Ok(Output::Generated(t, _)) => format!("ok generated {}", t.state.as_str()),
                    Ok(Output::Created(id)) => format!("ok created {id}"),
                    Ok(o) => format!("ok {o:?}"),
                    Err(f) => format!("err {}", f.kind.as_str()),
                });
                assert!(script.next().is_none(), "the script has unused answers");
                return Run {
                    trace,
                    created: m.created_task().map(str::to_owned),
                    result,
                    requests,
                };
            }
        }
    }
}

fn err(r: &Run) -> &Failure<Value> {
    r.result.as_ref().err().expect("a failure")
}

fn wait(task_id: &str, recently_created: bool) -> Plan {
    Plan::Wait {
        task_id: task_id.into(),
        wait: WaitSettings {
            recently_created,
            ..WaitSettings::default()
        },
    }
}

const CREATE: &str = "POST /api/v1/jobs/createTask (60000)";
const GET: &str = "GET /api/v1/jobs/recordInfo?taskId=t1 (60000)";

#[test]
fn create_retries_only_where_nothing_was_created() {
    // (first answer, sends made, maybeCreated, retryable, kind)
    let table: [(fn() -> Next, usize, bool, bool, &str); 11] = [
        (|| api(429, "rate limited"), 3, false, true, "rate_limited"),
        (|| api(455, "maintenance"), 3, false, true, "maintenance"),
        (network, 1, true, false, "network"),
        (timed_out, 1, true, false, "timeout"),
        (|| api(500, "server error"), 1, true, false, "server"),
        (|| reply(502, json!("<html>bad gateway")), 1, true, false, "server"),
        (
            || reply(200, json!("not an envelope")),
            1,
            true,
            false,
            "invalid_response",
        ),
        (|| api(401, "unauthorized"), 1, false, false, "unauthorized"),
        (
            || api(402, "insufficient credits"),
            1,
            false,
            false,
            "insufficient_credits",
        ),
        (|| api(433, "daily limit"), 1, false, false, "daily_limit"),
        (|| api(422, "prompt is required"), 1, false, false, "validation"),
    ];
    for (first, sends, maybe_created, retryable, kind) in table {
        let r = run(Plan::Create, (0..sends).map(|_| first()).collect());
        let f = err(&r);
        assert_eq!(f.kind.as_str(), kind);
        assert_eq!(r.requests.len(), sends, "{kind}: sends");
        assert_eq!(f.maybe_created, maybe_created, "{kind}: maybeCreated");
        assert_eq!(f.retryable(), retryable, "{kind}: retryable");
        assert_eq!(
            f.message.contains("may have been created"),
            maybe_created,
            "{kind}: {}",
            f.message
        );
    }
}

#[test]
fn create_succeeds_after_rate_limit_and_remembers_the_task() {
    let r = run(
        Plan::Create,
        vec![api(429, "rate limited"), ok(json!({"taskId": "t1"}))],
    );
    // No Retry-After is documented for Kie's 429: at least 2 s, plus half the 500 ms step.
    assert_eq!(r.trace, [CREATE, "sleep 2250", CREATE, "ok created t1"]);
    assert_eq!(r.created.as_deref(), Some("t1"));
    // A success without a taskId: the task may exist, so it is never re-sent and says so.
    let r = run(Plan::Create, vec![ok(json!({}))]);
    assert_eq!(
        (err(&r).kind, err(&r).maybe_created),
        (ErrorKind::InvalidResponse, true)
    );
    assert_eq!(r.created, None);
}

#[test]
fn reads_retry_transient_failures_with_backoff() {
    let r = run(
        Plan::Get { task_id: "t1".into() },
        vec![network(), api(500, "server error"), task("generating")],
    );
    // Full jitter (0.5) of 500 ms, then of 1000 ms.
    assert_eq!(r.trace, [GET, "sleep 250", GET, "sleep 500", GET, "ok task generating"]);
    let r = run(
        Plan::Get { task_id: "t1".into() },
        vec![network(), network(), network()],
    );
    let f = err(&r);
    assert_eq!(
        (f.kind, f.retryable(), f.maybe_created),
        (ErrorKind::Network, true, false)
    );
    assert_eq!(f.task_id.as_deref(), Some("t1"));
    // The host only, never the path or the query; the host's error is the cause.
    assert_eq!(f.message, "network error: could not reach api.test (ECONNREFUSED)");
    assert_eq!(f.cause, Some(json!("the host's error")));
    let r = run(Plan::Get { task_id: "t1".into() }, vec![api(401, "bad key")]);
    assert_eq!(r.trace, [GET, "err unauthorized"]);
}

#[test]
fn retry_after_is_honoured_up_to_a_minute() {
    let r = run(Plan::Credits, vec![api_after(429, "3"), ok(json!(120))]);
    assert_eq!(
        r.trace,
        [
            "GET /api/v1/chat/credit (60000)",
            "sleep 3000",
            "GET /api/v1/chat/credit (60000)",
            "ok Credits(120.0)"
        ]
    );
    let r = run(Plan::Credits, vec![api_after(429, "61")]);
    let f = err(&r);
    assert_eq!((f.kind, f.retry_after_ms), (ErrorKind::RateLimited, Some(61_000.0)));
}

#[test]
fn max_retries_bounds_the_sends() {
    for max_retries in [0, 1, 5] {
        let mut m: Machine<Value> = Machine::new(
            Settings {
                max_retries,
                ..settings()
            },
            Plan::Credits,
        );
        let mut sends = 0;
        let mut input = Input::Start;
        loop {
            match m.step(input, 0.0, 0.0) {
                Step::Send(_) => {
                    sends += 1;
                    input = Input::Failed(SendError::TimedOut);
                }
                Step::Sleep(ms) => {
                    assert!(ms >= policy::RETRY_FLOOR_MS);
                    input = Input::Woke;
                }
                Step::Done(r) => {
                    assert_eq!(r.unwrap_err().message, "the request timed out after 60000 ms");
                    break;
                }
                Step::Progress => unreachable!(),
            }
        }
        assert_eq!(sends, max_retries + 1);
    }
}

#[test]
fn wait_reports_each_state_once_and_ends_on_success() {
    let r = run(
        wait("t1", false),
        vec![
            task("waiting"),
            task("queuing"),
            task("generating"),
            task("generating"),
            task("success"),
        ],
    );
    assert_eq!(
        r.trace,
        [
            GET,
            "progress waiting",
            "sleep 2375",
            GET,
            "progress queuing",
            "sleep 2375",
            GET,
            "progress generating",
            "sleep 2375",
            GET,
            "sleep 2375",
            GET,
            "progress success",
            "ok task success",
        ]
    );
}

#[test]
fn wait_ends_with_task_failed_and_the_record() {
    let r = run(wait("t1", false), vec![task("generating"), task("fail")]);
    let f = err(&r);
    assert_eq!(f.kind, ErrorKind::TaskFailed);
    assert_eq!(f.message, "the task failed with failCode 500: Generation Failed");
    let (t, _) = &**f.task.as_ref().expect("the failed task");
    assert_eq!(
        (t.fail_code.as_deref(), f.task_id.as_deref()),
        (Some("500"), Some("t1"))
    );
}

#[test]
fn poll_gaps_grow_with_the_wait_and_a_fixed_interval_wins() {
    let mut script: Vec<Next> = (0..40).map(|_| task("generating")).collect();
    script.push(task("success"));
    let r = run(wait("t1", false), script);
    let gaps: Vec<f64> = r
        .trace
        .iter()
        .filter_map(|s| s.strip_prefix("sleep "))
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(gaps[0], 2375.0);
    assert!(gaps.windows(2).all(|w| w[1] >= w[0]), "{gaps:?}");
    assert!(*gaps.last().unwrap() <= policy::POLL_MAX_MS);
    let plan = Plan::Wait {
        task_id: "t1".into(),
        wait: WaitSettings {
            poll_interval_ms: Some(700.0),
            ..WaitSettings::default()
        },
    };
    let r = run(plan, vec![task("generating"), task("success")]);
    assert_eq!(r.trace[2], "sleep 700");
}

#[test]
fn wait_timeout_bounds_requests_sleeps_and_the_whole_wait() {
    let plan = |timeout| Plan::Wait {
        task_id: "t1".into(),
        wait: WaitSettings {
            timeout_ms: Some(timeout),
            ..WaitSettings::default()
        },
    };
    // The last sleep is cut to what is left; then the wait ends with the last Task seen.
    let r = run(plan(4_000.0), vec![task("generating"), task("generating")]);
    assert_eq!(
        r.trace,
        [
            "GET /api/v1/jobs/recordInfo?taskId=t1 (4000)",
            "progress generating",
            "sleep 2375",
            "GET /api/v1/jobs/recordInfo?taskId=t1 (1625)",
            "sleep 1625",
            "err timeout",
        ]
    );
    let f = err(&r);
    assert_eq!(f.message, "the task did not finish within 4000 ms");
    assert_eq!(f.task.as_ref().map(|b| b.0.state), Some(TaskState::Generating));
    // A Retry-After longer than what is left of the wait is not slept: the failure comes back.
    let r = run(plan(4_000.0), vec![task("generating"), api_after(429, "3")]);
    assert_eq!(r.trace.last().unwrap(), "err rate_limited");
    assert_eq!((err(&r).task_id.as_deref(), r.requests.len()), (Some("t1"), 2));
    // A request cut short by the wait's end is the wait's timeout, not retried.
    let r = run(plan(3_000.0), vec![timed_out()]);
    assert_eq!(r.trace, ["GET /api/v1/jobs/recordInfo?taskId=t1 (3000)", "err timeout"]);
    assert_eq!(err(&r).message, "the task did not finish within 3000 ms");
}

#[test]
fn record_null_is_a_grace_only_for_tasks_this_client_created() {
    let r = run(wait("t1", true), vec![record_null(), record_null(), task("success")]);
    assert_eq!(
        r.trace,
        [
            GET,
            "sleep 2375",
            GET,
            "sleep 2375",
            GET,
            "progress success",
            "ok task success"
        ]
    );
    let r = run(wait("t1", false), vec![record_null()]);
    assert_eq!(r.trace, [GET, "err not_found"]);
    assert_eq!(
        err(&r).message,
        "no task \"t1\" is visible to this key (Kie answered: recordInfo is null)"
    );
    // The grace ends after NOT_YET_VISIBLE_GRACE_MS.
    let script: Vec<Next> = (0..20).map(|_| record_null()).collect();
    let plan = Plan::Wait {
        task_id: "t1".into(),
        wait: WaitSettings {
            recently_created: true,
            poll_interval_ms: Some(5_000.0),
            ..WaitSettings::default()
        },
    };
    let r = run(plan, script.into_iter().take(7).collect());
    assert_eq!(r.requests.len(), 7, "polls at 0, 5, ... 30 s");
    assert_eq!(err(&r).kind, ErrorKind::NotFound);
}

#[test]
fn abort_at_each_step() {
    let reason = || json!({"name": "AbortError"});
    // Before a create is handed over: nothing was sent, nothing created.
    let r = run(Plan::Create, vec![Next::AbortBeforeSend]);
    let f = err(&r);
    assert_eq!((f.kind, f.maybe_created), (ErrorKind::Aborted, false));
    // In flight: the create may have reached Kie.
    let r = run(Plan::Create, vec![Next::Abort(reason())]);
    let f = err(&r);
    assert_eq!(
        (f.kind, f.maybe_created, f.retryable()),
        (ErrorKind::Aborted, true, false)
    );
    assert_eq!(f.cause, Some(reason()));
    // In a retry backoff: the 429 created nothing.
    let r = run(
        Plan::Create,
        vec![api(429, "rate limited"), Next::AbortInSleep(reason())],
    );
    assert_eq!(r.trace, [CREATE, "sleep 2250", "err aborted"]);
    assert!(!err(&r).maybe_created);
    // A signal from AbortSignal.timeout() is a timeout.
    let r = run(Plan::Create, vec![Next::Abort(json!({"name": "TimeoutError"}))]);
    assert_eq!(err(&r).kind, ErrorKind::Timeout);
    // A wait stops polling; the task runs on, and the error says so with the last Task.
    let r = run(
        wait("t1", false),
        vec![task("generating"), Next::AbortInSleep(reason())],
    );
    assert_eq!(r.trace, [GET, "progress generating", "sleep 2375", "err aborted"]);
    let f = err(&r);
    assert!(f.message.contains("the task keeps running on Kie"), "{}", f.message);
    assert_eq!(f.task_id.as_deref(), Some("t1"));
    assert!(f.task.is_some());
    // In a poll's request: the same (a read creates nothing).
    let r = run(wait("t1", false), vec![task("generating"), Next::Abort(reason())]);
    assert_eq!(r.trace, [GET, "progress generating", "sleep 2375", GET, "err aborted"]);
    let f = err(&r);
    assert!(
        !f.maybe_created && f.message.contains("the wait stopped"),
        "{}",
        f.message
    );
}

#[test]
fn generate_uploads_then_creates_with_the_uploaded_url_then_waits() {
    let plan = Plan::Generate {
        upload: Some(Upload::Stream),
        wait: WaitSettings::default(),
    };
    let r = run(
        plan,
        vec![
            ok(json!({"downloadUrl": "https://files.test/a.png"})),
            ok(json!({"taskId": "t1"})),
            record_null(),
            task("success"),
        ],
    );
    assert_eq!(
        r.trace,
        [
            "POST https://upload.test/api/file-stream-upload (60000)",
            CREATE,
            GET,
            "sleep 2375",
            GET,
            "progress success",
            "ok generated success",
        ]
    );
    assert_eq!(
        r.requests[1].payload,
        Payload::Create {
            image_url: Some("https://files.test/a.png".into())
        }
    );
    assert_eq!(r.created.as_deref(), Some("t1"));
    // A failed upload never creates; a create that may have gone through is never re-sent.
    let plan = || Plan::Generate {
        upload: Some(Upload::Base64),
        wait: WaitSettings::default(),
    };
    let r = run(plan(), vec![api(413, "too large")]);
    assert_eq!(r.requests.len(), 1);
    let r = run(
        plan(),
        vec![ok(json!({"downloadUrl": "https://files.test/a.png"})), network()],
    );
    assert_eq!((r.requests.len(), err(&r).maybe_created), (2, true));
    // Uploads, like creates, retry only a 429 / 455.
    let r = run(Plan::Upload(Upload::Url), vec![network()]);
    assert_eq!((r.requests.len(), err(&r).maybe_created), (1, false));
}

#[test]
fn requests_are_shaped_as_the_api_expects() {
    let r = run(
        Plan::Get {
            task_id: "a b/é".into(),
        },
        vec![api(401, "no")],
    );
    assert_eq!(
        r.requests[0].url,
        "https://api.test/api/v1/jobs/recordInfo?taskId=a%20b%2F%C3%A9"
    );
    let r = run(
        Plan::DownloadUrl {
            url: "https://f.test/\"x\"".into(),
        },
        vec![ok(json!("https://dl.test/1"))],
    );
    assert_eq!(
        r.requests[0].payload,
        Payload::Json("{\"url\":\"https://f.test/\\\"x\\\"\"}".into())
    );
    assert_eq!(r.trace.last().unwrap(), "ok DownloadUrl(\"https://dl.test/1\")");
    assert_eq!(host_of("https://user:pw@h.test:8443/p?q#f"), "h.test:8443");
}

#[test]
fn oversized_and_unreadable_answers_are_invalid_responses() {
    let big = Next::Answer(Input::Reply {
        status: 200,
        text: None,
        retry_after: None,
        push: false,
    });
    let r = run(Plan::Create, vec![big]);
    let f = err(&r);
    assert_eq!((f.kind, f.maybe_created), (ErrorKind::InvalidResponse, true));
    let r = run(Plan::Credits, vec![ok(json!("lots"))]);
    assert_eq!(err(&r).message, "data: the credit balance is not a number");
    let r = run(Plan::Get { task_id: "t1".into() }, vec![ok(json!(null))]);
    assert_eq!(err(&r).message, "data: expected the task record object");
}

// ---- push: a wait through a proxy that offers status streams (contract::push) ----

const LISTEN: &str = "GET /api/v1/jobs/recordInfo/events?taskId=t1 (600000)";
/// A poll offers streams, the wait listens, the stream ends without news, one poll finds the end.
const LISTEN_THEN_ONE_POLL: [&str; 6] = [
    GET,
    "progress generating",
    LISTEN,
    GET,
    "progress success",
    "ok task success",
];

/// This answer, from a server that offers status streams.
fn offering(next: Next) -> Next {
    match next {
        Next::Answer(Input::Reply {
            status,
            text,
            retry_after,
            ..
        }) => Next::Answer(Input::Reply {
            status,
            text,
            retry_after,
            push: true,
        }),
        other => other,
    }
}
/// A stream's `task` event (the recordInfo envelope), `ms` after it opened.
fn event(ms: f64, state: &str) -> Next {
    match task(state) {
        Next::Answer(i) => Next::Later(ms, i),
        other => other,
    }
}
/// A stream's answer `ms` after it opened: its status and text (the `task` event's data).
fn stream_answer(ms: f64, status: u16, text: &str) -> Next {
    Next::Later(
        ms,
        Input::Reply {
            status,
            text: Some(text.into()),
            retry_after: None,
            push: true,
        },
    )
}
/// A stream that ended without news after `ms`.
fn ended(ms: f64) -> Next {
    stream_answer(ms, 200, "")
}
/// How many status streams a run opened.
fn listens(r: &Run) -> usize {
    r.trace.iter().filter(|t| t.contains("/events")).count()
}

#[test]
fn generate_through_a_proxy_listens_instead_of_polling() {
    let r = run(
        Plan::Generate {
            upload: None,
            wait: WaitSettings::default(),
        },
        vec![offering(ok(json!({"taskId": "t1"}))), event(90_000.0, "success")],
    );
    assert_eq!(r.trace, [CREATE, LISTEN, "progress success", "ok generated success"]);
    assert_eq!(
        r.requests.iter().filter(|q| q.url.contains("recordInfo?")).count(),
        0,
        "no poll"
    );
}

#[test]
fn a_wait_polls_once_then_listens_and_reports_each_state_once() {
    let r = run(
        wait("t1", false),
        vec![offering(task("queuing")), event(40_000.0, "fail")],
    );
    assert_eq!(
        r.trace,
        [GET, "progress queuing", LISTEN, "progress fail", "err task_failed"]
    );
    assert_eq!(err(&r).message, "the task failed with failCode 500: Generation Failed");
}

#[test]
fn a_stream_that_ends_or_breaks_is_resumed_after_one_poll() {
    let broke = Next::Later(
        60_000.0,
        Input::Failed(SendError::Network {
            detail: "reset".into(),
            cause: None,
        }),
    );
    let r = run(
        wait("t1", false),
        vec![
            offering(task("queuing")),
            ended(300_000.0),   // the proxy's stream cap
            task("generating"), // the poll that follows it
            broke,
            task("generating"),
            event(10_000.0, "success"),
        ],
    );
    assert_eq!(
        r.trace,
        [
            GET,
            "progress queuing",
            LISTEN,
            GET,
            "progress generating",
            LISTEN,
            GET,
            // The default 15 min wait has 540 s left after 360 s.
            "GET /api/v1/jobs/recordInfo/events?taskId=t1 (540000)",
            "progress success",
            "ok task success"
        ]
    );
}

#[test]
fn a_quiet_stream_still_gets_a_safety_poll() {
    // The stream's request times out at SAFETY_POLL_MS: a lost callback is caught by the poll.
    let r = run(
        wait("t1", false),
        vec![offering(task("generating")), timed_out(), task("success")],
    );
    assert_eq!(r.trace, LISTEN_THEN_ONE_POLL);
}

#[test]
fn refused_or_failing_streams_fall_back_to_polling() {
    // No stream route (404): poll at once, then on the adaptive schedule, and never listen again.
    let r = run(
        wait("t1", false),
        vec![
            offering(task("generating")),
            offering(reply(404, json!({"code": 404, "msg": "not found"}))),
            offering(task("generating")),
            offering(task("success")),
        ],
    );
    assert_eq!(
        r.trace,
        [
            GET,
            "progress generating",
            LISTEN,
            GET,
            "sleep 2375",
            GET,
            "progress success",
            "ok task success"
        ]
    );
    // Streams that end as soon as they open, MAX_STREAM_BREAKS times: polling from then on.
    let mut script = vec![offering(task("generating"))];
    for _ in 0..MAX_STREAM_BREAKS {
        script.push(ended(5.0));
        script.push(offering(task("generating")));
    }
    script.push(offering(task("success")));
    let r = run(wait("t1", false), script);
    assert_eq!(listens(&r) as u32, MAX_STREAM_BREAKS);
    assert_eq!(
        r.trace[r.trace.len() - 4..],
        ["sleep 2375", GET, "progress success", "ok task success"]
    );
    // An unreadable event is a broken stream, not a failed wait.
    let garbled = stream_answer(1_000.0, 200, "{not json");
    let r = run(
        wait("t1", false),
        vec![offering(task("generating")), garbled, offering(task("success"))],
    );
    assert_eq!(r.trace, LISTEN_THEN_ONE_POLL);
}

#[test]
fn a_listening_wait_keeps_its_timeout_and_its_abort() {
    let bounded = Plan::Wait {
        task_id: "t1".into(),
        wait: WaitSettings {
            timeout_ms: Some(100_000.0),
            ..WaitSettings::default()
        },
    };
    // The stream is only given what is left of the wait, and its end is the wait's end.
    let r = run(bounded, vec![offering(task("generating")), timed_out()]);
    assert_eq!(
        r.trace,
        [
            GET,
            "progress generating",
            "GET /api/v1/jobs/recordInfo/events?taskId=t1 (100000)",
            "err timeout"
        ]
    );
    assert_eq!(err(&r).message, "the task did not finish within 100000 ms");
    assert_eq!(err(&r).task.as_ref().map(|t| t.0.state), Some(TaskState::Generating));
    // An abort while listening: the wait's message, the task id, the last task seen.
    let r = run(
        wait("t1", false),
        vec![offering(task("queuing")), Next::Abort(json!("user left"))],
    );
    let f = err(&r);
    assert_eq!(f.kind, ErrorKind::Aborted);
    assert!(!f.maybe_created);
    assert!(f.message.contains("keeps running on Kie"), "{}", f.message);
    assert_eq!(f.task_id.as_deref(), Some("t1"));
    assert_eq!(f.cause, Some(json!("user left")));
}

#[test]
fn a_wait_that_follows_the_states_polls_on_its_schedule_while_listening() {
    // Kie's callback reports only the end: with onProgress, each stream stays open until the
    // next poll of the adaptive schedule, so the states in between are still seen.
    let following = Plan::Wait {
        task_id: "t1".into(),
        wait: WaitSettings {
            progress: true,
            ..WaitSettings::default()
        },
    };
    let r = run(
        following,
        vec![
            offering(task("queuing")),
            timed_out(),
            task("generating"),
            event(1_000.0, "success"),
        ],
    );
    assert_eq!(
        r.trace,
        [
            GET,
            "progress queuing",
            "GET /api/v1/jobs/recordInfo/events?taskId=t1 (2375)",
            GET,
            "progress generating",
            "GET /api/v1/jobs/recordInfo/events?taskId=t1 (2375)",
            "progress success",
            "ok task success"
        ]
    );
}

#[test]
fn streams_that_answer_badly_cannot_keep_the_wait_busy() {
    // A refusal that took a minute (a gateway's 504): push is off all the same.
    let slow_refusal = stream_answer(60_000.0, 504, "gateway timeout");
    let r = run(
        wait("t1", false),
        vec![
            offering(task("generating")),
            slow_refusal,
            offering(task("generating")),
            offering(task("success")),
        ],
    );
    assert_eq!(
        r.trace,
        // A minute into the wait, the adaptive schedule's gap is longer.
        [
            GET,
            "progress generating",
            LISTEN,
            GET,
            "sleep 5130",
            GET,
            "progress success",
            "ok task success"
        ]
    );
    // A stream that answers at once with a task that has not ended: each is a break, so after
    // MAX_STREAM_BREAKS of them the wait polls on its schedule.
    let mut script = vec![offering(task("generating"))];
    for _ in 0..MAX_STREAM_BREAKS {
        script.push(event(5.0, "generating"));
        script.push(offering(task("generating")));
    }
    script.push(offering(task("success")));
    let r = run(wait("t1", false), script);
    assert_eq!(listens(&r) as u32, MAX_STREAM_BREAKS);
    assert_eq!(
        r.trace[r.trace.len() - 4..],
        ["sleep 2375", GET, "progress success", "ok task success"]
    );
}

#[test]
fn a_stream_that_lived_clears_the_count_of_breaks() {
    // Two quick breaks, one stream that ran 5 minutes (the proxy's cap), two more quick breaks:
    // never MAX_STREAM_BREAKS in a row, so the wait is still listening at the end.
    let mut script = vec![offering(task("generating"))];
    for ms in [5.0, 5.0, 300_000.0, 5.0, 5.0] {
        script.push(ended(ms));
        script.push(offering(task("generating")));
    }
    script.push(event(1_000.0, "success"));
    let r = run(wait("t1", false), script);
    assert_eq!(listens(&r), 6);
    assert_eq!(r.trace[r.trace.len() - 2..], ["progress success", "ok task success"]);
}
