//! Request types with the API's JSON field names verbatim (`image_url`, `cfg_scale`,
//! `callBackUrl`). A `CreateTaskBody` only exists after validation, so holding one means the API
//! will accept its shape. Its JSON is serde's natively; the wasm writes the same object in JS
//! (`convert::create_body`, from the caller's own strings), so the wasm carries no JSON writer.

use crate::contract::MODEL_ID;
use serde::{Deserialize, Serialize};

/// `input.duration`: the API takes the strings "5" and "10", never numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Duration {
    #[serde(rename = "5")]
    Five,
    #[serde(rename = "10")]
    Ten,
}

impl Duration {
    pub fn as_str(self) -> &'static str {
        match self {
            Duration::Five => "5",
            Duration::Ten => "10",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "5" => Some(Duration::Five),
            "10" => Some(Duration::Ten),
            _ => None,
        }
    }
    /// Credits the task costs (contract §0).
    pub fn credits(self) -> u32 {
        match self {
            Duration::Five => crate::contract::CREDITS_5S,
            Duration::Ten => crate::contract::CREDITS_10S,
        }
    }
}

/// The validated `input` object of a createTask body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateTaskInput {
    pub prompt: String,
    pub image_url: String,
    pub duration: Duration,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub negative_prompt: Option<String>,
    /// Always a clean multiple of 0.1 (tenths / 10).
    pub cfg_scale: f64,
}

/// The validated createTask body: `{ model, callBackUrl?, input }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateTaskBody {
    pub model: String,
    #[serde(rename = "callBackUrl", skip_serializing_if = "Option::is_none", default)]
    pub call_back_url: Option<String>,
    pub input: CreateTaskInput,
}

impl CreateTaskBody {
    pub fn new(input: CreateTaskInput, call_back_url: Option<String>) -> Self {
        CreateTaskBody {
            model: MODEL_ID.to_owned(),
            call_back_url,
            input,
        }
    }
}

/// Appends `s` as a JSON string literal.
pub fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[b >> 4] as char);
                out.push(HEX[b & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A decimal integer (optional `-`, at most 18 digits), without core's generic parser.
pub fn parse_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = digits.bytes().fold(0i64, |a, b| a * 10 + i64::from(b - b'0'));
    Some(if neg { -n } else { n })
}

/// Decimal text of an unsigned integer, without `core::fmt` (which costs kilobytes in the wasm).
pub fn itoa(mut n: u64) -> String {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf[i..].iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> CreateTaskBody {
        CreateTaskBody::new(
            CreateTaskInput {
                prompt: "a \"cat\"\n\u{1}猫 😀".into(),
                image_url: "https://x.test/a.png".into(),
                duration: Duration::Ten,
                negative_prompt: Some("blur".into()),
                cfg_scale: 0.3,
            },
            Some("https://cb.test/hook".into()),
        )
    }

    #[test]
    fn field_names_are_verbatim_and_duration_a_string() {
        let text = serde_json::to_string(&body()).unwrap();
        assert!(
            text.contains("\"callBackUrl\"") && text.contains("\"image_url\"") && text.contains("\"cfg_scale\":0.3")
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["input"]["duration"], "10");
    }

    #[test]
    fn itoa_works() {
        assert_eq!(itoa(0), "0");
        assert_eq!(itoa(5000), "5000");
        assert_eq!(itoa(u64::MAX), "18446744073709551615");
    }
}
