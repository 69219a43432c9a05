//! Did-you-mean for unknown names (fields and options): the known name a typo most likely meant.

/// The known name `key` most likely meant: same letters ignoring case and `_`/`-`, or within
/// two edits.
pub fn did_you_mean<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| -> Vec<u8> {
        // Known names are ASCII: bytes and ASCII case folding keep UTF-8 decoding and Unicode
        // tables out of the wasm (a non-ASCII typo is simply further away).
        s.bytes()
            .filter(|b| *b != b'_' && *b != b'-')
            .map(|b| b.to_ascii_lowercase())
            .collect()
    };
    // Same letters (distance 0) win; among ties, the first known name.
    let k = norm(key);
    known
        .iter()
        .map(|c| (edit_distance(&k, &norm(c)), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Appends `; did you mean "<name>"?` to `message` when a known name is near `key`; whether it did.
pub fn push_suggestion(message: &mut String, key: &str, known: &[&str]) -> bool {
    let Some(name) = did_you_mean(key, known) else {
        return false;
    };
    message.push_str("; did you mean \"");
    message.push_str(name);
    message.push_str("\"?");
    true
}

/// Levenshtein distance, one row kept.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_is_levenshtein() {
        for (a, b, d) in [
            ("kitten", "sitting", 3),
            ("", "abc", 3),
            ("abc", "abc", 0),
            ("flaw", "lawn", 2),
            ("ab", "ba", 2),
        ] {
            assert_eq!(edit_distance(a.as_bytes(), b.as_bytes()), d, "{a} {b}");
            assert_eq!(edit_distance(b.as_bytes(), a.as_bytes()), d, "{b} {a}");
        }
        assert_eq!(did_you_mean("Image-URL", &["image_url", "prompt"]), Some("image_url"));
        assert_eq!(did_you_mean("zzzzzz", &["image_url", "prompt"]), None);
    }
}
