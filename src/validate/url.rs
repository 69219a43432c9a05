//! The URL rule: an absolute http(s) URL with a host, judged on bytes (no URL parser in the wasm).

/// Checks that `url` is an absolute http(s) URL with a host; says why not.
pub fn check_http_url(url: &str) -> Result<(), &'static str> {
    if url.is_empty() {
        return Err("it is empty");
    }
    // Byte scan for the usual all-ASCII URL; chars only when there is something else.
    let bad = if url.is_ascii() {
        url.bytes().any(|b| b <= b' ' || b == 0x7f)
    } else {
        url.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    if bad {
        return Err("it contains whitespace or control characters");
    }
    // A plain byte search: str's substring searcher costs more to set up than this whole scan.
    let Some(at) = url.as_bytes().windows(3).position(|w| w == b"://") else {
        return Err("it has no scheme (expected http:// or https://)");
    };
    let (scheme, rest) = (&url[..at], &url[at + 3..]);
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err("only http and https are accepted");
    }
    // Byte positions of ASCII delimiters are char boundaries; size-optimised std's char
    // searchers decode UTF-8 one char at a time.
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = match authority.bytes().rposition(|b| b == b'@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.bytes().position(|b| b == b']').map(|at| (&v6[..at], &v6[at + 1..])) {
            Some((h, port)) if !h.is_empty() && (port.is_empty() || valid_port(port)) => h,
            _ => return Err("its IPv6 host is malformed"),
        }
    } else {
        let (h, port) = match host_port.bytes().rposition(|b| b == b':') {
            Some(colon) => (&host_port[..colon], Some(&host_port[colon + 1..])),
            None => (host_port, None),
        };
        if let Some(p) = port {
            if !valid_port_digits(p) {
                return Err("its port is not a number from 1 to 65535");
            }
        }
        // Non-ASCII is allowed for internationalised names; ASCII must be a host-name character.
        if !h
            .bytes()
            .all(|b| !b.is_ascii() || b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        {
            return Err("its host has characters a host name cannot have");
        }
        h
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    Ok(())
}

/// A port after a `]`: `:` and its digits.
fn valid_port(p: &str) -> bool {
    p.strip_prefix(':').is_some_and(valid_port_digits)
}

fn valid_port_digits(digits: &str) -> bool {
    !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()) && {
        let n: u32 = digits.bytes().fold(0, |a, b| a * 10 + u32::from(b - b'0'));
        (1..=65535).contains(&n)
    }
}
