//! `Failure`: an error as a core value, built by the operation machines and the validators, and
//! turned into a thrown `KieError` once, at the JS boundary. `V` is the host's value type (a
//! decoded Task's `param`, the cause the host reported).

use crate::error::ErrorKind;
use crate::model::itoa;
use crate::validate::{Issue, IssueCode};
use crate::view::View;
use crate::wire::{ApiFailure, Task};

#[derive(Clone, Debug, PartialEq)]
pub struct Failure<V> {
    pub kind: ErrorKind,
    pub message: String,
    /// Kie's envelope `code`, its `msg`, the HTTP status and a parsed `Retry-After`.
    pub code: Option<i64>,
    pub msg: Option<String>,
    pub status: Option<u16>,
    pub retry_after_ms: Option<f64>,
    pub task_id: Option<String>,
    pub maybe_created: bool,
    /// Every problem found (validation); always at least one for `Validation` from the core.
    pub issues: Vec<Issue>,
    /// The last Task seen (a wait that timed out or stopped, a failed task) and its raw record.
    pub task: Option<Box<(Task<V>, V)>>,
    /// For `invalid_webhook`: why.
    pub reason: Option<&'static str>,
    /// What caused it: the abort reason, the host's network error.
    pub cause: Option<V>,
}

impl<V> Failure<V> {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
            code: None,
            msg: None,
            status: None,
            retry_after_ms: None,
            task_id: None,
            maybe_created: false,
            issues: Vec::new(),
            task: None,
            reason: None,
            cause: None,
        }
    }

    /// A validation failure listing `issues` in its message.
    pub fn invalid(issues: Vec<Issue>) -> Self {
        let mut message = String::from("invalid request: ");
        for (i, issue) in issues.iter().enumerate() {
            if i > 0 {
                message.push_str("; ");
            }
            if !issue.path.is_empty() {
                message.push_str(&issue.path);
                message.push_str(": ");
            }
            message.push_str(&issue.message);
        }
        let mut f = Failure::new(ErrorKind::Validation, message);
        f.issues = issues;
        f
    }

    /// A validation failure with one issue at `path`, whose message is `path: message`.
    pub fn issue(path: &str, code: IssueCode, message: &str, limit: Option<f64>) -> Self {
        let mut m = String::from(path);
        m.push_str(": ");
        m.push_str(message);
        let mut f = Failure::new(ErrorKind::Validation, m);
        f.issues.push(Issue {
            path: path.to_owned(),
            code,
            message: message.to_owned(),
            limit,
        });
        f
    }

    pub fn from_api(api: ApiFailure) -> Self {
        let mut message = String::from("Kie answered ");
        match api.code {
            Some(code) => {
                message.push_str("code ");
                message.push_str(&itoa(code.unsigned_abs()));
            }
            None => {
                message.push_str("HTTP ");
                message.push_str(&itoa(u64::from(api.status)));
            }
        }
        if !api.msg.is_empty() {
            message.push_str(": ");
            message.push_str(&api.msg);
        }
        let mut f = Failure::new(api.kind, message);
        f.code = api.code;
        f.msg = Some(api.msg).filter(|m| !m.is_empty());
        f.status = Some(api.status);
        f
    }

    /// Whether the caller may simply try again later (`KieError.retryable`).
    pub fn retryable(&self) -> bool {
        self.kind.is_transient() && !self.maybe_created
    }
}

impl<V: View> Failure<V> {
    /// The caller's signal fired: kind "timeout" when its reason is a TimeoutError
    /// (`AbortSignal.timeout(ms)`), else "aborted"; the reason is kept as `cause`.
    pub fn aborted(reason: Option<V>) -> Self {
        let timed_out = reason
            .as_ref()
            .and_then(|r| r.field("name"))
            .and_then(|n| n.string())
            .is_some_and(|n| n == "TimeoutError");
        let mut f = if timed_out {
            Failure::new(ErrorKind::Timeout, "the signal's timeout elapsed")
        } else {
            Failure::new(ErrorKind::Aborted, "the operation was aborted")
        };
        f.cause = reason;
        f
    }
}
