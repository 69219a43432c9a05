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
}

impl ImageProblem {
    pub fn message(self) -> &'static str {
        match self {
            ImageProblem::Empty => "the image is empty",
            ImageProblem::TooLarge => "the image is larger than 10 MB (10485760 bytes)",
            ImageProblem::NotAnImage => "the file is not a jpeg, png or webp image (judged by its content, not its name)",
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
}
