//! `-u valkey://[[user:]password@][host[:port]][/db]`, read the way valkey-cli reads it (also
//! `redis://`; the TLS schemes are refused until ferrokey-cli speaks TLS).

/// What a URI may set; fields it does not mention are left as they were.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnInfo {
    pub host: String,
    /// Kept wide so an out-of-range port can be reported as such.
    pub port: i64,
    pub user: Option<Vec<u8>>,
    pub auth: Option<Vec<u8>>,
    pub dbnum: i64,
}

/// Applies `uri` to `info`. The error is the line to print before exiting with status 1.
pub fn apply_uri(uri: &str, info: &mut ConnInfo) -> Result<(), String> {
    let lower = uri.to_ascii_lowercase();
    let rest = if lower.starts_with("valkeys://") || lower.starts_with("rediss://") {
        let scheme = &uri[..uri.find(':').unwrap_or(0)];
        return Err(format!("{scheme}:// is not supported: ferrokey-cli has no TLS support yet"));
    } else if lower.starts_with("valkey://") || lower.starts_with("redis://") {
        &uri[uri.find("://").map_or(0, |i| i + 3)..]
    } else {
        return Err("Invalid URI scheme".to_owned());
    };
    if rest.is_empty() {
        return Ok(());
    }

    // Credentials end at the first '@'; a ':' before it separates the user name.
    let mut rest = rest;
    if let Some(at) = rest.find('@') {
        let userinfo = &rest[..at];
        let password = match userinfo.find(':') {
            Some(colon) => {
                info.user = Some(percent_decode(&userinfo[..colon])?);
                &userinfo[colon + 1..]
            }
            None => userinfo,
        };
        info.auth = Some(percent_decode(password)?);
        rest = &rest[at + 1..];
    }
    if rest.is_empty() {
        return Ok(());
    }

    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], Some(&rest[slash + 1..])),
        None => (rest, None),
    };
    if !authority.is_empty() {
        if let Some(bracketed) = authority.strip_prefix('[') {
            // An IPv6 literal: `[::1]:6380`.
            match bracketed.find(']') {
                Some(close) => {
                    if let Some(port) = bracketed[close + 1..].strip_prefix(':') {
                        info.port = atoi(port);
                    }
                    info.host = bracketed[..close].to_owned();
                }
                None => info.host = bracketed.to_owned(),
            }
        } else {
            match authority.find(':') {
                Some(colon) => {
                    info.port = atoi(&authority[colon + 1..]);
                    info.host = authority[..colon].to_owned();
                }
                None => info.host = authority.to_owned(),
            }
        }
    }
    if let Some(db) = path.filter(|p| !p.is_empty()) {
        info.dbnum = atoi(db);
    }
    Ok(())
}

fn percent_decode(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        if i + 1 >= bytes.len() {
            return Err("Incomplete URI encoding".to_owned());
        }
        let hex = |b: u8| match b.to_ascii_lowercase() {
            d @ b'0'..=b'9' => Some(d - b'0'),
            h @ b'a'..=b'f' => Some(h - b'a' + 10),
            _ => None,
        };
        match (hex(bytes[i + 1]), bytes.get(i + 2).copied().and_then(hex)) {
            (Some(h), Some(l)) => out.push(h << 4 | l),
            _ => return Err("Illegal character in URI encoding".to_owned()),
        }
        i += 3;
    }
    Ok(out)
}

/// C's `atoi`: leading spaces, an optional sign, then as many digits as there are (0 when none).
pub fn atoi(text: &str) -> i64 {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if negative {
        -n
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(uri: &str) -> Result<ConnInfo, String> {
        let mut info = ConnInfo { host: "127.0.0.1".into(), port: 6379, ..ConnInfo::default() };
        apply_uri(uri, &mut info).map(|()| info)
    }

    #[test]
    fn uri_full_form_sets_everything() {
        let info = parse("redis://alice:p%40ss@example.com:6380/3").unwrap();
        assert_eq!(info.user.as_deref(), Some(&b"alice"[..]));
        assert_eq!(info.auth.as_deref(), Some(&b"p@ss"[..]));
        assert_eq!((info.host.as_str(), info.port, info.dbnum), ("example.com", 6380, 3));
    }

    #[test]
    fn uri_partial_forms_keep_defaults() {
        let info = parse("valkey://").unwrap();
        assert_eq!((info.host.as_str(), info.port, info.dbnum), ("127.0.0.1", 6379, 0));
        let info = parse("VALKEY://secret@host").unwrap();
        assert_eq!((info.user, info.auth.as_deref(), info.host.as_str()), (None, Some(&b"secret"[..]), "host"));
        let info = parse("redis:///2").unwrap();
        assert_eq!((info.host.as_str(), info.dbnum), ("127.0.0.1", 2));
        let info = parse("redis://[::1]:7000").unwrap();
        assert_eq!((info.host.as_str(), info.port), ("::1", 7000));
    }

    #[test]
    fn uri_bad_scheme_or_encoding_is_refused() {
        assert_eq!(parse("http://x").unwrap_err(), "Invalid URI scheme");
        assert_eq!(parse("rediss://x").unwrap_err(), "rediss:// is not supported: ferrokey-cli has no TLS support yet");
        assert_eq!(parse("redis://a%zz@h").unwrap_err(), "Illegal character in URI encoding");
        assert_eq!(parse("redis://a%@h").unwrap_err(), "Incomplete URI encoding");
    }

    #[test]
    fn atoi_reads_a_prefix_like_c() {
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi("  -7"), -7);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi(""), 0);
    }
}
