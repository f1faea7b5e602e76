//! Printing replies as valkey-cli does: the human form a terminal gets (`(integer) 1`, `1) "a"`), the raw
//! form pipes get (`--raw`), CSV (`--csv`) and JSON (`--json`, `--quoted-json`).
//!
//! Everything is bytes: a bulk string may hold anything, and raw output passes it through untouched.

use ferrokey_core::num::format_double;
use ferrokey_core::Reply;

/// How replies are printed (`--raw`, `--no-raw`, `--csv`, `--json`, `--quoted-json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Human,
    Raw,
    Csv,
    Json,
    QuotedJson,
}

/// The separators of raw output: between the elements of an aggregate (`-d`) and after each reply (`-D`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delimiters {
    pub element: Vec<u8>,
    pub reply: Vec<u8>,
}

impl Default for Delimiters {
    fn default() -> Self {
        Delimiters { element: b"\n".to_vec(), reply: b"\n".to_vec() }
    }
}

/// One reply as printed in `mode`, its trailing newline or delimiter included. `verbatim` is for the
/// commands whose text is meant to be read as is (INFO, CLIENT LIST, ...): raw, with nothing appended.
pub fn format_reply(reply: &Reply, mode: OutputMode, verbatim: bool, delims: &Delimiters) -> Vec<u8> {
    let mut out = Vec::new();
    if verbatim {
        raw(reply, &delims.element, &mut out);
        return out;
    }
    match mode {
        OutputMode::Human => human(reply, b"", &mut out),
        OutputMode::Raw => {
            raw(reply, &delims.element, &mut out);
            out.extend_from_slice(&delims.reply);
        }
        OutputMode::Csv => {
            csv(reply, &mut out);
            out.push(b'\n');
        }
        OutputMode::Json | OutputMode::QuotedJson => {
            json(reply, mode == OutputMode::QuotedJson, &mut out);
            out.push(b'\n');
        }
    }
    out
}

/// A RESP3 `invalidate` push as a terminal shows it: `-> invalidate: 'a', 'b'`.
pub fn format_invalidate(keys: &[Reply]) -> Vec<u8> {
    let mut out = b"-> invalidate: ".to_vec();
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        out.push(b'\'');
        out.extend_from_slice(text_of(key));
        out.push(b'\'');
    }
    out.push(b'\n');
    out
}

/// True for `> invalidate [keys]` pushes, which terminals show in their own short form.
pub fn invalidate_keys(reply: &Reply) -> Option<&[Reply]> {
    match reply {
        Reply::Push(items) if items.len() == 2 => match (&items[0], &items[1]) {
            (Reply::Bulk(kind), Reply::Array(keys)) if kind.starts_with(b"invalidate") => Some(keys),
            _ => None,
        },
        _ => None,
    }
}

/// The text of a string-like reply (empty for others).
fn text_of(reply: &Reply) -> &[u8] {
    match reply {
        Reply::Bulk(b) | Reply::Verbatim(_, b) => b,
        Reply::Status(s) | Reply::Error(s) => s.as_bytes(),
        _ => b"",
    }
}

/// Appends `bytes` quoted and escaped as sdscatrepr does: `"a\n\x00"`.
pub fn quote(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

/// Whether [`human`] spreads `reply` over several lines (then a map puts it below its key).
fn is_multiline(reply: &Reply) -> bool {
    match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => match items.len() {
            0 => false,
            1 => is_multiline(&items[0]),
            _ => true,
        },
        Reply::Map(pairs) => match pairs.len() {
            0 => false,
            1 => is_multiline(&pairs[0].1),
            _ => true,
        },
        _ => false,
    }
}

/// The terminal form. `prefix` is the indentation of the lines after the first in a nested aggregate.
fn human(reply: &Reply, prefix: &[u8], out: &mut Vec<u8>) {
    match reply {
        Reply::Error(e) => {
            out.extend_from_slice(b"(error) ");
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        Reply::Status(s) => {
            out.extend_from_slice(s.as_bytes());
            out.push(b'\n');
        }
        Reply::Int(n) => out.extend_from_slice(format!("(integer) {n}\n").as_bytes()),
        Reply::Double(d) => out.extend_from_slice(format!("(double) {}\n", format_double(*d)).as_bytes()),
        Reply::BigNumber(n) => out.extend_from_slice(format!("(big number) {n}\n").as_bytes()),
        Reply::Bulk(b) => {
            quote(b, out);
            out.push(b'\n');
        }
        Reply::Verbatim(_, text) => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Reply::Null | Reply::NullArray => out.extend_from_slice(b"(nil)\n"),
        Reply::Bool(b) => out.extend_from_slice(if *b { b"(true)\n" } else { b"(false)\n" }),
        Reply::Array(items) if items.is_empty() => out.extend_from_slice(b"(empty array)\n"),
        Reply::Set(items) if items.is_empty() => out.extend_from_slice(b"(empty set)\n"),
        Reply::Push(items) if items.is_empty() => out.extend_from_slice(b"(empty push)\n"),
        Reply::Map(pairs) if pairs.is_empty() => out.extend_from_slice(b"(empty hash)\n"),
        // Pushes number their elements like arrays: valkey-cli keeps `)` for scripts' sake.
        Reply::Array(items) | Reply::Push(items) => human_items(items, b')', prefix, out),
        Reply::Set(items) => human_items(items, b'~', prefix, out),
        Reply::Map(pairs) => {
            let child_prefix = child_prefix(prefix, pairs.len());
            let width = digits(pairs.len());
            for (i, (key, value)) in pairs.iter().enumerate() {
                index_label(if i == 0 { b"" } else { prefix }, i + 1, width, b'#', out);
                human(key, &child_prefix, out);
                out.pop(); // the key's newline: the value follows on the same line
                out.extend_from_slice(b" => ");
                if is_multiline(value) {
                    out.push(b'\n');
                    out.extend_from_slice(&child_prefix);
                }
                human(value, &child_prefix, out);
            }
        }
    }
}

fn human_items(items: &[Reply], separator: u8, prefix: &[u8], out: &mut Vec<u8>) {
    let child_prefix = child_prefix(prefix, items.len());
    let width = digits(items.len());
    for (i, item) in items.iter().enumerate() {
        // The first element goes on the line the parent already labelled.
        index_label(if i == 0 { b"" } else { prefix }, i + 1, width, separator, out);
        human(item, &child_prefix, out);
    }
}

/// Nested lines line up under the first element: the parent's prefix, the index width and 2 spaces.
fn child_prefix(prefix: &[u8], count: usize) -> Vec<u8> {
    let mut p = prefix.to_vec();
    p.resize(prefix.len() + digits(count) + 2, b' ');
    p
}

fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

fn index_label(prefix: &[u8], index: usize, width: usize, separator: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(prefix);
    out.extend_from_slice(format!("{index:>width$}").as_bytes());
    out.push(separator);
    out.push(b' ');
}

/// The `--raw` form: strings as they are, aggregates one element per line, nils as nothing.
fn raw(reply: &Reply, element_delim: &[u8], out: &mut Vec<u8>) {
    match reply {
        Reply::Null | Reply::NullArray => {}
        Reply::Error(e) => {
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        Reply::Status(s) => out.extend_from_slice(s.as_bytes()),
        Reply::Bulk(b) | Reply::Verbatim(_, b) => out.extend_from_slice(b),
        Reply::Bool(b) => out.extend_from_slice(if *b { b"(true)" } else { b"(false)" }),
        Reply::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Reply::Double(d) => out.extend_from_slice(format_double(*d).as_bytes()),
        Reply::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(element_delim);
                }
                raw(item, element_delim, out);
            }
        }
        Reply::Map(pairs) => {
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(element_delim);
                }
                raw(key, element_delim, out);
                out.push(b' ');
                raw(value, element_delim, out);
            }
        }
    }
}

/// The `--csv` form: one line, strings quoted, aggregates flattened with commas.
fn csv(reply: &Reply, out: &mut Vec<u8>) {
    match reply {
        Reply::Error(e) => {
            out.extend_from_slice(b"ERROR,");
            quote(e.as_bytes(), out);
        }
        Reply::Status(s) => quote(s.as_bytes(), out),
        Reply::Bulk(b) | Reply::Verbatim(_, b) => quote(b, out),
        Reply::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Reply::Double(d) => out.extend_from_slice(format_double(*d).as_bytes()),
        Reply::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Reply::Null | Reply::NullArray => out.extend_from_slice(b"NULL"),
        Reply::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                csv(item, out);
            }
        }
        Reply::Map(pairs) => {
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                csv(key, out);
                out.push(b',');
                csv(value, out);
            }
        }
    }
}

/// The `--json` / `--quoted-json` form. Map keys that are not strings become quoted strings.
fn json(reply: &Reply, quoted: bool, out: &mut Vec<u8>) {
    match reply {
        Reply::Error(e) => {
            out.extend_from_slice(b"error:");
            json_string(e.as_bytes(), quoted, out);
        }
        Reply::Status(s) => json_string(s.as_bytes(), quoted, out),
        Reply::Bulk(b) | Reply::Verbatim(_, b) => json_string(b, quoted, out),
        Reply::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Reply::Double(d) => out.extend_from_slice(format_double(*d).as_bytes()),
        Reply::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Reply::Null | Reply::NullArray => out.extend_from_slice(b"null"),
        Reply::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json(item, quoted, out);
            }
            out.push(b']');
        }
        Reply::Map(pairs) => {
            out.push(b'{');
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match key {
                    Reply::Error(_) | Reply::Status(_) | Reply::Bulk(_) | Reply::Verbatim(..) => json(key, quoted, out),
                    _ => {
                        let mut text = Vec::new();
                        json(key, quoted, &mut text);
                        if text.first() == Some(&b'"') {
                            out.extend_from_slice(&text);
                        } else {
                            out.push(b'"');
                            out.extend_from_slice(&text);
                            out.push(b'"');
                        }
                    }
                }
                out.push(b':');
                json(value, quoted, out);
            }
            out.push(b'}');
        }
    }
}

fn json_string(bytes: &[u8], quoted: bool, out: &mut Vec<u8>) {
    if quoted {
        // ASCII-safe: the escaped form of `quote`, its backslashes doubled for JSON.
        let mut repr = Vec::new();
        quote(bytes, &mut repr);
        for b in repr {
            if b == b'\\' {
                out.extend_from_slice(b"\\\\");
            } else {
                out.push(b);
            }
        }
        return;
    }
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn human_text(r: &Reply) -> String {
        String::from_utf8(format_reply(r, OutputMode::Human, false, &Delimiters::default())).unwrap()
    }

    fn raw_text(r: &Reply) -> String {
        String::from_utf8(format_reply(r, OutputMode::Raw, false, &Delimiters::default())).unwrap()
    }

    fn status(s: &str) -> Reply {
        Reply::Status(Cow::Owned(s.to_owned()))
    }

    fn err(s: &str) -> Reply {
        Reply::Error(Cow::Owned(s.to_owned()))
    }

    #[test]
    fn human_scalars_match_valkey_cli() {
        assert_eq!(human_text(&status("PONG")), "PONG\n");
        assert_eq!(human_text(&Reply::Int(-1)), "(integer) -1\n");
        assert_eq!(human_text(&Reply::bulk("bar")), "\"bar\"\n");
        assert_eq!(
            human_text(&Reply::bulk(&b"a\"b\\c\n\r\t\x07\x08\x00\xe9~"[..])),
            "\"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x00\\xe9~\"\n"
        );
        assert_eq!(human_text(&Reply::Null), "(nil)\n");
        assert_eq!(human_text(&Reply::NullArray), "(nil)\n");
        assert_eq!(human_text(&err("ERR unknown command")), "(error) ERR unknown command\n");
        assert_eq!(human_text(&Reply::Double(1.5)), "(double) 1.5\n");
        assert_eq!(human_text(&Reply::Double(f64::INFINITY)), "(double) inf\n");
        assert_eq!(human_text(&Reply::Bool(true)), "(true)\n");
        assert_eq!(human_text(&Reply::Bool(false)), "(false)\n");
        assert_eq!(human_text(&Reply::BigNumber("12345678901234567890".into())), "(big number) 12345678901234567890\n");
        assert_eq!(human_text(&Reply::Verbatim("txt", b"line1\nline2".to_vec())), "line1\nline2\n");
    }

    #[test]
    fn human_empty_aggregates_are_named() {
        assert_eq!(human_text(&Reply::Array(vec![])), "(empty array)\n");
        assert_eq!(human_text(&Reply::Set(vec![])), "(empty set)\n");
        assert_eq!(human_text(&Reply::Map(vec![])), "(empty hash)\n");
        assert_eq!(human_text(&Reply::Push(vec![])), "(empty push)\n");
    }

    #[test]
    fn human_nested_arrays_indent_under_their_index() {
        let r = Reply::Array(vec![
            Reply::Array(vec![Reply::bulk("x"), Reply::bulk("y")]),
            Reply::Int(2),
            Reply::Array(vec![]),
            Reply::Array(vec![Reply::Array(vec![Reply::bulk("deep"), Reply::Null])]),
        ]);
        assert_eq!(
            human_text(&r),
            "1) 1) \"x\"\n   2) \"y\"\n2) (integer) 2\n3) (empty array)\n4) 1) 1) \"deep\"\n      2) (nil)\n"
        );
    }

    #[test]
    fn human_index_width_grows_with_count() {
        let r = Reply::Array((0..10).map(Reply::Int).collect());
        let text = human_text(&r);
        assert!(text.starts_with(" 1) (integer) 0\n 2) (integer) 1\n"), "{text}");
        assert!(text.ends_with("10) (integer) 9\n"), "{text}");
        let nested = Reply::Array(vec![Reply::Array((0..10).map(Reply::Int).collect()), Reply::Int(1)]);
        assert!(human_text(&nested).starts_with("1)  1) (integer) 0\n    2) (integer) 1\n"));
    }

    #[test]
    fn human_maps_and_sets_use_their_own_separators() {
        let map = Reply::Map(vec![
            (Reply::bulk("server"), Reply::bulk("valkey")),
            (Reply::bulk("proto"), Reply::Int(3)),
            (Reply::bulk("modules"), Reply::Array(vec![])),
        ]);
        assert_eq!(
            human_text(&map),
            "1# \"server\" => \"valkey\"\n2# \"proto\" => (integer) 3\n3# \"modules\" => (empty array)\n"
        );
        let set = Reply::Set(vec![Reply::Int(0), Reply::Int(1)]);
        assert_eq!(human_text(&set), "1~ (integer) 0\n2~ (integer) 1\n");
        // A value spread over several lines starts below its key, aligned with the nested prefix.
        let multi = Reply::Map(vec![(Reply::bulk("k"), Reply::Array(vec![Reply::bulk("a"), Reply::bulk("b")]))]);
        assert_eq!(human_text(&multi), "1# \"k\" => \n   1) \"a\"\n   2) \"b\"\n");
        let single = Reply::Map(vec![(Reply::bulk("k"), Reply::Array(vec![Reply::bulk("a")]))]);
        assert_eq!(human_text(&single), "1# \"k\" => 1) \"a\"\n");
    }

    #[test]
    fn human_push_numbers_like_an_array() {
        let push = Reply::Push(vec![Reply::bulk("message"), Reply::bulk("ch"), Reply::bulk("hi")]);
        assert_eq!(human_text(&push), "1) \"message\"\n2) \"ch\"\n3) \"hi\"\n");
    }

    #[test]
    fn raw_prints_values_bare_one_per_line() {
        assert_eq!(raw_text(&status("PONG")), "PONG\n");
        assert_eq!(raw_text(&Reply::bulk("a b")), "a b\n");
        assert_eq!(raw_text(&Reply::Int(7)), "7\n");
        assert_eq!(raw_text(&Reply::Null), "\n");
        assert_eq!(raw_text(&Reply::Array(vec![])), "\n");
        // Errors keep their own newline before the reply delimiter, as valkey-cli prints them.
        assert_eq!(raw_text(&err("ERR x")), "ERR x\n\n");
        assert_eq!(raw_text(&Reply::Bool(true)), "(true)\n");
        assert_eq!(raw_text(&Reply::Double(2.5)), "2.5\n");
        assert_eq!(
            raw_text(&Reply::Array(vec![Reply::bulk("a"), Reply::Array(vec![Reply::Int(1), Reply::Null])])),
            "a\n1\n\n"
        );
        assert_eq!(
            raw_text(&Reply::Map(vec![
                (Reply::bulk("server"), Reply::bulk("valkey")),
                (Reply::bulk("proto"), Reply::Int(3))
            ])),
            "server valkey\nproto 3\n"
        );
    }

    #[test]
    fn raw_delimiters_are_configurable() {
        let delims = Delimiters { element: b",".to_vec(), reply: b";".to_vec() };
        let r = Reply::Array(vec![Reply::bulk("a"), Reply::bulk("b")]);
        assert_eq!(format_reply(&r, OutputMode::Raw, false, &delims), b"a,b;");
    }

    #[test]
    fn verbatim_commands_print_raw_without_delimiter() {
        let info = Reply::bulk("# Server\r\nredis_version:7.2.4\r\n");
        assert_eq!(
            format_reply(&info, OutputMode::Human, true, &Delimiters::default()),
            b"# Server\r\nredis_version:7.2.4\r\n"
        );
    }

    #[test]
    fn csv_and_json_flatten_and_quote() {
        let r = Reply::Array(vec![Reply::bulk("a\"b"), Reply::Int(1), Reply::Null, err("ERR x")]);
        let d = Delimiters::default();
        assert_eq!(format_reply(&r, OutputMode::Csv, false, &d), b"\"a\\\"b\",1,NULL,ERROR,\"ERR x\"\n");
        assert_eq!(format_reply(&r, OutputMode::Json, false, &d), b"[\"a\\\"b\",1,null,error:\"ERR x\"]\n");
        let map = Reply::Map(vec![(Reply::Int(1), Reply::bulk(&b"\x01\xc3\xa9"[..]))]);
        assert_eq!(format_reply(&map, OutputMode::Json, false, &d), b"{\"1\":\"\\u0001\xc3\xa9\"}\n");
        assert_eq!(format_reply(&map, OutputMode::QuotedJson, false, &d), b"{\"1\":\"\\\\x01\\\\xc3\\\\xa9\"}\n");
    }

    #[test]
    fn invalidate_push_has_its_short_form() {
        let push = Reply::Push(vec![Reply::bulk("invalidate"), Reply::Array(vec![Reply::bulk("a"), Reply::bulk("b")])]);
        let keys = invalidate_keys(&push).expect("an invalidate push");
        assert_eq!(format_invalidate(keys), b"-> invalidate: 'a', 'b'\n");
        assert!(invalidate_keys(&Reply::Push(vec![Reply::bulk("message")])).is_none());
    }
}
