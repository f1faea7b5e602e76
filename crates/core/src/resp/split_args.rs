//! Splitting an inline command line into arguments, with the quoting rules of Valkey's sdssplitargs
//! (also used by config files and the CLI).

/// Splits `line` into arguments; `None` when quotes are unbalanced or a closing quote is not followed by
/// a space.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        let mut cur = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            if in_double {
                let c = *line.get(i)?;
                if c == b'\\' && i + 3 < line.len() && line[i + 1] == b'x' && is_hex(line[i + 2]) && is_hex(line[i + 3])
                {
                    cur.push(hex(line[i + 2]) * 16 + hex(line[i + 3]));
                    i += 3;
                } else if c == b'\\' && i + 1 < line.len() {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    // The closing quote must be followed by a space or the end.
                    if i + 1 < line.len() && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else if in_single {
                let c = *line.get(i)?;
                if c == b'\\' && i + 1 < line.len() && line[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if i + 1 < line.len() && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else {
                match line.get(i) {
                    None => break,
                    Some(&c) if is_space(c) => break,
                    Some(b'"') => in_double = true,
                    Some(b'\'') => in_single = true,
                    Some(&c) => cur.push(c),
                }
            }
            i += 1;
        }
        args.push(cur);
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c | 0)
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

fn hex(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| v.into_iter().map(|a| String::from_utf8(a).unwrap()).collect())
    }

    #[test]
    fn split_args_handles_quotes_and_escapes() {
        assert_eq!(split("set  k  v"), Some(vec!["set".into(), "k".into(), "v".into()]));
        assert_eq!(split(r#"set "a b" 'c d'"#), Some(vec!["set".into(), "a b".into(), "c d".into()]));
        assert_eq!(split(r#""\x41\n""#), Some(vec!["A\n".into()]));
        assert_eq!(split(r"'it\'s'"), Some(vec!["it's".into()]));
        assert_eq!(split(r#""" x"#), Some(vec!["".into(), "x".into()]));
        assert_eq!(split("   "), Some(vec![]));
    }

    #[test]
    fn split_args_rejects_unbalanced_quotes() {
        assert_eq!(split(r#"set "abc"#), None);
        assert_eq!(split(r#""a"b"#), None);
        assert_eq!(split("'abc"), None);
    }
}
