//! What validation reports: one `Issue` per problem, with a stable code.

/// Stable issue codes (a public API: never rename one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueCode {
    Missing,
    InvalidType,
    Empty,
    TooLong,
    NotOneOf,
    OutOfRange,
    NotOnStep,
    NotFinite,
    InvalidUrl,
    NeedsUpload,
    InvalidImage,
    UnknownField,
    /// Reading the value threw (a getter, a revoked Proxy); nothing is sent.
    Unreadable,
}

impl IssueCode {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::Missing => "missing",
            IssueCode::InvalidType => "invalid_type",
            IssueCode::Empty => "empty",
            IssueCode::TooLong => "too_long",
            IssueCode::NotOneOf => "not_one_of",
            IssueCode::OutOfRange => "out_of_range",
            IssueCode::NotOnStep => "not_on_step",
            IssueCode::NotFinite => "not_finite",
            IssueCode::InvalidUrl => "invalid_url",
            IssueCode::NeedsUpload => "needs_upload",
            IssueCode::InvalidImage => "invalid_image",
            IssueCode::UnknownField => "unknown_field",
            IssueCode::Unreadable => "unreadable",
        }
    }
}

/// One problem with a request: where, what, a sentence for humans, and the limit broken.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    /// Dotted path, e.g. `input.prompt`.
    pub path: String,
    pub code: IssueCode,
    pub message: String,
    /// The limit that was broken (characters, bounds), when there is one.
    pub limit: Option<f64>,
}

impl Issue {
    pub(crate) fn new(path: &str, code: IssueCode, message: String) -> Self {
        Issue {
            path: path.to_owned(),
            code,
            message,
            limit: None,
        }
    }
    pub fn with_limit(mut self, limit: f64) -> Self {
        self.limit = Some(limit);
        self
    }
}
