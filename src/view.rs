//! A read-only view of a JSON-like value, so one set of rules reads both JS objects (in wasm,
//! through `Reflect`, with the host's `JSON.parse`) and `serde_json::Value` (natively: tests and
//! the emulator). Keeping serde out of the wasm saves about 20 KB gzip (see CONTRIBUTING.md, Size).

/// What a value is, in JSON terms. `Undefined` exists only on the JS side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Undefined,
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
    /// A JS value whose read threw (a throwing getter, a revoked Proxy): reported at its path.
    Unreadable,
}

impl Kind {
    /// The JSON word for it, used in "got a number" messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Undefined => "undefined",
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
            Kind::Unreadable => "an unreadable value",
        }
    }
}

/// Blank as JavaScript's `String.prototype.trim` judges it: Unicode White_Space except U+0085,
/// plus U+FEFF, so native and wasm validation agree on every input.
pub fn is_blank(s: &str) -> bool {
    s.chars()
        .all(|c| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

/// Read access to a JSON-like value.
pub trait View: Sized {
    fn kind(&self) -> Kind;
    /// The string, if this is a string.
    fn string(&self) -> Option<String>;
    /// The number, if this is a number.
    fn number(&self) -> Option<f64>;
    /// A property of an object; `None` when absent or `undefined`. Names are static so the JS
    /// side can cache them by address.
    fn get(&self, key: &'static str) -> Option<Self>;
    /// The own keys of an object, in order; empty for anything else.
    fn keys(&self) -> Vec<String>;
    /// The elements of an array; empty for anything else.
    fn items(&self) -> Vec<Self>;
    /// Parse JSON text; `None` when it is not valid JSON.
    fn parse_json(text: &str) -> Option<Self>;
    /// This object with `key` set to `value` (a value this crate made, e.g. by `parse_json`).
    fn with_field(self, key: &'static str, value: Self) -> Self;

    /// A string's length in UTF-16 units and whether it is blank (only whitespace as JS's
    /// `trim` sees it), without copying it where the host can answer directly.
    fn text_stats(&self) -> Option<(usize, bool)> {
        self.string().map(|s| (s.encode_utf16().count(), is_blank(&s)))
    }

    /// A present, non-null property.
    fn field(&self, key: &'static str) -> Option<Self> {
        self.get(key).filter(|v| v.kind() != Kind::Null)
    }

    /// The own keys with a value (not `undefined`) that are not in `known`, in order.
    fn unknown_keys(&self, known: &'static [&'static str]) -> Vec<String>;
}

#[cfg(not(target_arch = "wasm32"))]
impl View for serde_json::Value {
    fn kind(&self) -> Kind {
        match self {
            serde_json::Value::Null => Kind::Null,
            serde_json::Value::Bool(_) => Kind::Bool,
            serde_json::Value::Number(_) => Kind::Number,
            serde_json::Value::String(_) => Kind::String,
            serde_json::Value::Array(_) => Kind::Array,
            serde_json::Value::Object(_) => Kind::Object,
        }
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn get(&self, key: &'static str) -> Option<Self> {
        self.as_object().and_then(|o| o.get(key)).cloned()
    }
    fn unknown_keys(&self, known: &'static [&'static str]) -> Vec<String> {
        self.keys()
            .into_iter()
            .filter(|k| !known.contains(&k.as_str()))
            .collect()
    }
    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }
    fn items(&self) -> Vec<Self> {
        self.as_array().cloned().unwrap_or_default()
    }
    fn parse_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
    fn with_field(mut self, key: &'static str, value: Self) -> Self {
        if let Some(o) = self.as_object_mut() {
            o.insert(key.to_owned(), value);
        }
        self
    }
}
