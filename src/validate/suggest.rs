//! Did-you-mean for unknown names (fields and options): the known name a typo most likely meant.

/// The known name `key` most likely meant: same letters ignoring case and `_`/`-`, or within
/// two edits.
pub fn did_you_mean<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| -> Vec<char> {
        // Field names are ASCII; ASCII case folding avoids Unicode tables in the wasm.
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let k = norm(key);
    if let Some(hit) = known.iter().find(|c| norm(c) == k) {
        return Some(hit);
    }
    known
        .iter()
        .map(|c| (edit_distance(&k, &norm(c)), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
