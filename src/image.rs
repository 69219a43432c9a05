//! What an input image is, judged by its bytes (magic numbers), never by its name: the API takes
//! jpeg, png and webp up to 10 MB (contract §0). Used by the upload helper and the emulator.

use crate::contract::IMAGE_MAX_BYTES;

/// The MIME type of an accepted image format, from the first bytes.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Why an image cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageProblem {
    Empty,
    TooLarge,
    NotAnImage,
    NotBase64,
}

impl ImageProblem {
    pub fn message(self) -> &'static str {
        match self {
            ImageProblem::Empty => "the image is empty",
            ImageProblem::TooLarge => "the image is larger than 10 MB (10485760 bytes)",
            ImageProblem::NotAnImage => {
                "the file is not a jpeg, png or webp image (judged by its content, not its name)"
            }
            ImageProblem::NotBase64 => "the data is not valid base64",
        }
    }
}

/// Checks size and format; returns the MIME type.
pub fn check_image(bytes: &[u8]) -> Result<&'static str, ImageProblem> {
    if bytes.is_empty() {
        return Err(ImageProblem::Empty);
    }
    if bytes.len() as u64 > IMAGE_MAX_BYTES {
        return Err(ImageProblem::TooLarge);
    }
    sniff_image(bytes).ok_or(ImageProblem::NotAnImage)
}

/// The base64 payload of a `data:` URL or a bare base64 string, and the MIME type the data URL
/// claims (informational: the bytes decide).
pub fn base64_payload(s: &str) -> (&str, Option<&str>) {
    let s = s.trim();
    match s.strip_prefix("data:").or_else(|| s.strip_prefix("DATA:")) {
        // Byte positions of ASCII delimiters are char boundaries (no char searcher in the wasm).
        Some(rest) => match rest.bytes().position(|b| b == b',') {
            Some(comma) => {
                let meta = &rest[..comma];
                let mime = &meta[..meta.bytes().position(|b| b == b';').unwrap_or(meta.len())];
                (&rest[comma + 1..], Some(mime).filter(|m| !m.is_empty()))
            }
            None => ("", None),
        },
        None => (s, None),
    }
}

fn b64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Checks base64 text the way the upload API will decode it, without decoding all of it:
/// the alphabet, the padding, the decoded size (<= 10 MB) and the format from the first bytes.
pub fn check_base64_image(payload: &str) -> Result<(&'static str, u64), ImageProblem> {
    let mut scan = Base64Scan::default();
    scan.feed(payload.as_bytes());
    scan.finish()
}

/// `check_base64_image` over text that arrives in pieces (the wasm reads a long string from JS
/// a slice at a time, so it never holds a 14 MB copy).
#[derive(Default)]
pub struct Base64Scan {
    /// Alphabet characters seen (whitespace skipped).
    data: u64,
    /// `=` seen after the data.
    pad: u64,
    invalid: bool,
    head: Vec<u8>,
}

impl Base64Scan {
    pub fn feed(&mut self, chunk: &[u8]) {
        for &c in chunk {
            if c.is_ascii_whitespace() {
                continue;
            }
            match (c, b64_value(c)) {
                (b'=', _) => self.pad += 1,
                (_, Some(_)) if self.pad == 0 => {
                    if self.head.len() < 16 {
                        self.head.push(c);
                    }
                    self.data += 1;
                }
                _ => self.invalid = true,
            }
        }
    }

    pub fn finish(self) -> Result<(&'static str, u64), ImageProblem> {
        if self.data == 0 && !self.invalid {
            return Err(ImageProblem::Empty);
        }
        if self.invalid || self.pad > 2 || self.data % 4 == 1 {
            return Err(ImageProblem::NotBase64);
        }
        let size = (self.data * 3) / 4;
        if size > IMAGE_MAX_BYTES {
            return Err(ImageProblem::TooLarge);
        }
        let mut head = Vec::with_capacity(12);
        for chunk in self.head.chunks(4) {
            let v: Vec<u8> = chunk.iter().filter_map(|&c| b64_value(c)).collect();
            let n = v.iter().fold(0u32, |a, &d| (a << 6) | u32::from(d)) << (6 * (4 - v.len()));
            let out = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            head.extend_from_slice(&out[..v.len().saturating_sub(1)]);
        }
        sniff_image(&head).map(|m| (m, size)).ok_or(ImageProblem::NotAnImage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"GIF89a......"), None);
        assert_eq!(sniff_image(b"hello, I am text"), None);
        assert_eq!(sniff_image(b"RIFF\x10\0\0\0WAVE"), None);
        assert_eq!(sniff_image(b"\x89PN"), None);
    }

    #[test]
    fn size_edges() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.resize(IMAGE_MAX_BYTES as usize, 0);
        assert_eq!(check_image(&png), Ok("image/png"));
        png.push(0);
        assert_eq!(check_image(&png), Err(ImageProblem::TooLarge));
        assert_eq!(check_image(&[]), Err(ImageProblem::Empty));
    }

    #[test]
    fn base64_checks() {
        // "iVBORw0KGgo" is the PNG signature in base64.
        assert_eq!(check_base64_image("iVBORw0KGgoAAAANSUhEUg=="), Ok(("image/png", 16)));
        let (payload, mime) = base64_payload("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==");
        assert_eq!((payload, mime), ("iVBORw0KGgoAAAANSUhEUg==", Some("image/png")));
        assert_eq!(
            check_base64_image("R0lGODlhAQABAAAAACw="),
            Err(ImageProblem::NotAnImage)
        ); // GIF
        assert_eq!(check_base64_image("aGVsbG8gd29ybGQ="), Err(ImageProblem::NotAnImage)); // text
        assert_eq!(check_base64_image("%%%"), Err(ImageProblem::NotBase64));
        assert_eq!(check_base64_image(""), Err(ImageProblem::Empty));
        let big = "A".repeat(14_000_000);
        assert_eq!(check_base64_image(&big), Err(ImageProblem::TooLarge));
        assert_eq!(check_base64_image("/9j/4AAQSkZJRg=="), Ok(("image/jpeg", 10)));
        assert_eq!(
            check_base64_image("iVBO=Rw0KGgo"),
            Err(ImageProblem::NotBase64),
            "data after padding"
        );
        // In pieces, split anywhere, the answer is the same.
        let text = "iVBORw0KGgoAAAANSUhEUg==";
        for at in 0..text.len() {
            let mut scan = Base64Scan::default();
            scan.feed(text[..at].as_bytes());
            scan.feed(text[at..].as_bytes());
            assert_eq!(scan.finish(), Ok(("image/png", 16)));
        }
    }
}
