//! Parsing a server's replies (RESP2 and RESP3) into [`Reply`]: what a client, the CLI or a test reads.
//!
//! [`parse_reply`] is stateless and incremental in the caller's sense: hand it the unconsumed input and
//! it says either "not yet" (`Ok(None)`) or how many bytes one whole reply took. It first *scans* the
//! input, skipping bulk payloads by their declared length without copying them, and builds the reply
//! only once the scan found its end. A reader that retries as bytes arrive keeps a [`ReplyScanner`]
//! instead, which resumes where it stopped, so a reply of a million elements received in a thousand
//! reads is scanned once, not a thousand times.
//!
//! RESP3 attributes (`|`) are read and dropped, as the protocol allows a client to: the reply they
//! decorate is returned alone.

use std::borrow::Cow;

use crate::reply::Reply;

/// Aggregates nested deeper than this are refused, so hostile input cannot exhaust the stack.
pub const MAX_REPLY_DEPTH: usize = 256;

/// Why the input is not a valid reply; the connection it came from cannot be trusted after this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyParseError {
    /// Worded as hiredis words it, which is what valkey-cli prints.
    #[error("Protocol error, got {} as reply type byte", describe_type_byte(*.0))]
    UnknownType(u8),
    #[error("Bad integer value")]
    BadInteger,
    #[error("Bad length")]
    BadLength,
    #[error("Bad double value")]
    BadDouble,
    #[error("Bad bool value")]
    BadBool,
    #[error("Bad big number value")]
    BadBigNumber,
    #[error("Bad nil value")]
    BadNil,
    #[error("Bad verbatim string")]
    BadVerbatim,
    /// A bulk payload not followed by CRLF.
    #[error("Missing CRLF after bulk payload")]
    MissingCrlf,
    /// Streamed strings and aggregates (`$?`, `*?`): no server we speak to sends them.
    #[error("Streamed replies are not supported")]
    Streamed,
    #[error("Reply nested deeper than {MAX_REPLY_DEPTH} levels")]
    TooDeep,
}

fn describe_type_byte(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        format!("\"{}\"", b as char)
    } else {
        format!("\"\\x{b:02x}\"")
    }
}

/// Parses one reply from the start of `buf`. `Ok(None)`: the reply is not complete yet (nothing is
/// consumed); `Ok(Some((reply, n)))`: the reply took the first `n` bytes.
pub fn parse_reply(buf: &[u8]) -> Result<Option<(Reply, usize)>, ReplyParseError> {
    let Some(end) = ReplyScanner::new().scan(buf)? else {
        return Ok(None);
    };
    // The scan validated every header and length up to `end`, so building cannot run short.
    let mut pos = 0;
    let reply = build(buf, &mut pos)?;
    debug_assert_eq!(pos, end);
    Ok(Some((reply, end)))
}

/// One header line: its type byte, its text (without CRLF) and where the next element starts.
struct Line<'a> {
    kind: u8,
    text: &'a [u8],
    next: usize,
}

fn read_line(buf: &[u8], pos: usize) -> Option<Line<'_>> {
    let kind = *buf.get(pos)?;
    let rest = &buf[pos + 1..];
    let cr = rest.windows(2).position(|w| w == b"\r\n")?;
    Some(Line { kind, text: &rest[..cr], next: pos + 1 + cr + 2 })
}

fn int_of(text: &[u8]) -> Result<i64, ReplyParseError> {
    // Servers send canonical integers, but accept a leading '+' and '-0' as hiredis does.
    let s = std::str::from_utf8(text).map_err(|_| ReplyParseError::BadInteger)?;
    s.parse::<i64>().map_err(|_| ReplyParseError::BadInteger)
}

/// A declared length: -1 means null, anything below is malformed.
fn len_of(text: &[u8]) -> Result<Option<usize>, ReplyParseError> {
    if text == b"?" {
        return Err(ReplyParseError::Streamed);
    }
    match int_of(text).map_err(|_| ReplyParseError::BadLength)? {
        -1 => Ok(None),
        n if n < 0 => Err(ReplyParseError::BadLength),
        n => usize::try_from(n).map(Some).map_err(|_| ReplyParseError::BadLength),
    }
}

/// Finds where one reply ends, resumably: fed the same growing input again, it goes on from where it
/// stopped instead of starting over, so a big reply received in many reads is scanned once in all.
///
/// ```
/// use ferrokey_core::resp::ReplyScanner;
/// let mut scanner = ReplyScanner::new();
/// assert_eq!(scanner.scan(b"*2\r\n:1\r\n"), Ok(None));
/// assert_eq!(scanner.scan(b"*2\r\n:1\r\n:2\r\n"), Ok(Some(12)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReplyScanner {
    /// Where the next element header starts.
    pos: usize,
    /// The open aggregates, innermost last.
    open: Vec<OpenAggregate>,
}

#[derive(Debug, Clone, Copy)]
struct OpenAggregate {
    /// Elements still to come (maps and attributes count keys and values).
    remaining: usize,
    /// An attribute is not an element of its parent: the reply after it is.
    attribute: bool,
}

impl ReplyScanner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Scans `buf`, which must start with the bytes given to earlier calls since the last reset (more
    /// may have been appended). `Ok(Some(n))`: the reply is the first `n` bytes, and the scanner is
    /// ready for the next one at offset 0 of the remaining input.
    pub fn scan(&mut self, buf: &[u8]) -> Result<Option<usize>, ReplyParseError> {
        loop {
            let Some(&kind) = buf.get(self.pos) else {
                return Ok(None);
            };
            if !is_type_byte(kind) {
                return Err(ReplyParseError::UnknownType(kind));
            }
            let Some(line) = read_line(buf, self.pos) else {
                return Ok(None);
            };
            let end = match line.kind {
                b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => {
                    simple_value(&line)?;
                    line.next
                }
                b'$' | b'=' | b'!' => match len_of(line.text)? {
                    None if line.kind == b'$' => line.next,
                    None => return Err(ReplyParseError::BadLength),
                    Some(len) => {
                        let end = line
                            .next
                            .checked_add(len)
                            .and_then(|e| e.checked_add(2))
                            .ok_or(ReplyParseError::BadLength)?;
                        if buf.len() < end {
                            return Ok(None); // the header is read again next time: one line, cheap
                        }
                        if &buf[end - 2..end] != b"\r\n" {
                            return Err(ReplyParseError::MissingCrlf);
                        }
                        if line.kind == b'=' && (len < 4 || buf[line.next + 3] != b':') {
                            return Err(ReplyParseError::BadVerbatim);
                        }
                        end
                    }
                },
                _ => {
                    let count = match len_of(line.text)? {
                        Some(count) => count,
                        None if line.kind == b'*' => 0, // `*-1`: a whole (null) element
                        None => return Err(ReplyParseError::BadLength),
                    };
                    let attribute = line.kind == b'|';
                    let remaining = if matches!(line.kind, b'%' | b'|') {
                        count.checked_mul(2).ok_or(ReplyParseError::BadLength)?
                    } else {
                        count
                    };
                    if remaining > 0 || attribute {
                        if self.open.len() >= MAX_REPLY_DEPTH {
                            return Err(ReplyParseError::TooDeep);
                        }
                        self.pos = line.next;
                        self.open.push(OpenAggregate { remaining, attribute });
                        if remaining > 0 {
                            continue;
                        }
                    }
                    line.next
                }
            };
            self.pos = end;
            if self.element_done() {
                *self = ReplyScanner::new();
                return Ok(Some(end));
            }
        }
    }

    /// Counts a finished element against the aggregates it closes. True when the whole reply is done.
    fn element_done(&mut self) -> bool {
        loop {
            let Some(top) = self.open.last_mut() else {
                return true;
            };
            if top.remaining > 0 {
                top.remaining -= 1;
                if top.remaining > 0 {
                    return false;
                }
            }
            let closed = self.open.pop().expect("an open aggregate");
            if closed.attribute {
                return false; // the attributed reply is still to come
            }
        }
    }
}

fn is_type_byte(kind: u8) -> bool {
    matches!(
        kind,
        b'+' | b'-' | b':' | b'$' | b'*' | b'%' | b'~' | b'>' | b'|' | b'_' | b',' | b'#' | b'(' | b'=' | b'!'
    )
}

/// Validates and converts a one-line reply (`+ - : _ , # (`).
fn simple_value(line: &Line<'_>) -> Result<Reply, ReplyParseError> {
    let text = line.text;
    Ok(match line.kind {
        b'+' => Reply::Status(Cow::Owned(String::from_utf8_lossy(text).into_owned())),
        b'-' => Reply::Error(Cow::Owned(String::from_utf8_lossy(text).into_owned())),
        b':' => Reply::Int(int_of(text)?),
        b'_' if text.is_empty() => Reply::Null,
        b'_' => return Err(ReplyParseError::BadNil),
        b',' => Reply::Double(parse_double(text)?),
        b'#' => match text {
            b"t" => Reply::Bool(true),
            b"f" => Reply::Bool(false),
            _ => return Err(ReplyParseError::BadBool),
        },
        b'(' => {
            let digits = text.strip_prefix(b"-").unwrap_or(text);
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return Err(ReplyParseError::BadBigNumber);
            }
            Reply::BigNumber(String::from_utf8_lossy(text).into_owned())
        }
        other => return Err(ReplyParseError::UnknownType(other)),
    })
}

fn parse_double(text: &[u8]) -> Result<f64, ReplyParseError> {
    // `inf`, `-inf` and `nan` are the RESP3 spellings; Rust's parser also takes exponents (`1e+21`).
    let s = std::str::from_utf8(text).map_err(|_| ReplyParseError::BadDouble)?;
    if s.is_empty() || s.starts_with(|c: char| c.is_whitespace()) {
        return Err(ReplyParseError::BadDouble);
    }
    s.parse::<f64>().map_err(|_| ReplyParseError::BadDouble)
}

/// The verbatim format as the `&'static str` [`Reply::Verbatim`] holds. RESP3 defines `txt` and `mkd`;
/// an unknown one is kept as `txt` rather than failing a reply whose text is still readable.
fn verbatim_format(format: &[u8]) -> &'static str {
    match format {
        b"mkd" => "mkd",
        _ => "txt",
    }
}

/// Builds the reply at `*pos` (already validated by [`scan`]) and moves `*pos` past it.
fn build(buf: &[u8], pos: &mut usize) -> Result<Reply, ReplyParseError> {
    let line = read_line(buf, *pos).ok_or(ReplyParseError::BadLength)?;
    *pos = line.next;
    match line.kind {
        b'$' | b'=' | b'!' => {
            let Some(len) = len_of(line.text)? else {
                return Ok(Reply::Null);
            };
            let payload = &buf[line.next..line.next + len];
            *pos = line.next + len + 2;
            Ok(match line.kind {
                b'$' => Reply::Bulk(payload.to_vec()),
                b'=' => Reply::Verbatim(verbatim_format(&payload[..3]), payload[4..].to_vec()),
                _ => Reply::Error(Cow::Owned(String::from_utf8_lossy(payload).into_owned())),
            })
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let Some(count) = len_of(line.text)? else {
                return Ok(Reply::NullArray);
            };
            if matches!(line.kind, b'%' | b'|') {
                let mut pairs = Vec::with_capacity(count.min(1024));
                for _ in 0..count {
                    let key = build(buf, pos)?;
                    pairs.push((key, build(buf, pos)?));
                }
                // `|`: drop the attribute, keep the reply it decorates.
                return if line.kind == b'%' { Ok(Reply::Map(pairs)) } else { build(buf, pos) };
            }
            let mut items = Vec::with_capacity(count.min(1024));
            for _ in 0..count {
                items.push(build(buf, pos)?);
            }
            Ok(match line.kind {
                b'*' => Reply::Array(items),
                b'~' => Reply::Set(items),
                _ => Reply::Push(items),
            })
        }
        _ => simple_value(&line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Reply {
        let (reply, used) = parse_reply(input).expect("valid").expect("complete");
        assert_eq!(used, input.len(), "consumed the whole input");
        reply
    }

    fn status(s: &str) -> Reply {
        Reply::Status(Cow::Owned(s.to_owned()))
    }

    #[test]
    fn parse_reply_resp2_types_parse() {
        assert_eq!(parse_all(b"+OK\r\n"), status("OK"));
        assert_eq!(parse_all(b"-ERR no such key\r\n"), Reply::Error("ERR no such key".into()));
        assert_eq!(parse_all(b":-42\r\n"), Reply::Int(-42));
        assert_eq!(parse_all(b"$3\r\nfoo\r\n"), Reply::bulk("foo"));
        assert_eq!(parse_all(b"$0\r\n\r\n"), Reply::bulk(""));
        assert_eq!(parse_all(b"$4\r\na\r\nb\r\n"), Reply::bulk("a\r\nb"));
        assert_eq!(parse_all(b"$-1\r\n"), Reply::Null);
        assert_eq!(parse_all(b"*-1\r\n"), Reply::NullArray);
        assert_eq!(parse_all(b"*0\r\n"), Reply::Array(vec![]));
        assert_eq!(
            parse_all(b"*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n"),
            Reply::Array(vec![Reply::Int(1), Reply::Array(vec![Reply::bulk("a"), Reply::Null]), status("x")])
        );
    }

    #[test]
    fn parse_reply_resp3_types_parse() {
        assert_eq!(parse_all(b"_\r\n"), Reply::Null);
        assert_eq!(parse_all(b",1.5\r\n"), Reply::Double(1.5));
        assert_eq!(parse_all(b",-inf\r\n"), Reply::Double(f64::NEG_INFINITY));
        assert_eq!(parse_all(b",1e+21\r\n"), Reply::Double(1e21));
        assert!(matches!(parse_all(b",nan\r\n"), Reply::Double(d) if d.is_nan()));
        assert_eq!(parse_all(b"#t\r\n"), Reply::Bool(true));
        assert_eq!(parse_all(b"#f\r\n"), Reply::Bool(false));
        assert_eq!(
            parse_all(b"(-3492890328409238509324850943850943825024385\r\n"),
            Reply::BigNumber("-3492890328409238509324850943850943825024385".into())
        );
        assert_eq!(parse_all(b"=8\r\ntxt:a\r\nb\r\n"), Reply::Verbatim("txt", b"a\r\nb".to_vec()));
        assert_eq!(parse_all(b"=6\r\nmkd:hi\r\n"), Reply::Verbatim("mkd", b"hi".to_vec()));
        assert_eq!(parse_all(b"!8\r\nERR a\r\nb\r\n"), Reply::Error("ERR a\r\nb".into()));
        assert_eq!(parse_all(b"%1\r\n$1\r\nk\r\n:1\r\n"), Reply::Map(vec![(Reply::bulk("k"), Reply::Int(1))]));
        assert_eq!(parse_all(b"~2\r\n:1\r\n:2\r\n"), Reply::Set(vec![Reply::Int(1), Reply::Int(2)]));
        assert_eq!(
            parse_all(b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"),
            Reply::Push(vec![Reply::bulk("message"), Reply::bulk("ch"), Reply::bulk("hi")])
        );
        assert_eq!(parse_all(b"%0\r\n"), Reply::Map(vec![]));
    }

    #[test]
    fn parse_reply_attribute_is_dropped_with_its_reply() {
        let input = b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n";
        assert_eq!(parse_all(input), Reply::Array(vec![Reply::Int(2)]));
        // Split after the attribute: nothing is consumed until the decorated reply is whole.
        assert_eq!(parse_reply(&input[..input.len() - 3]), Ok(None));
    }

    #[test]
    fn parse_reply_split_input_waits_at_every_cut() {
        let inputs: [&[u8]; 5] = [
            b"$5\r\nhello\r\n",
            b"*2\r\n%1\r\n+a\r\n#t\r\n~1\r\n,2.5\r\n",
            b"=6\r\ntxt:hi\r\n",
            b">2\r\n$1\r\nx\r\n(12\r\n",
            b"-ERR x\r\n",
        ];
        for input in inputs {
            let whole = parse_all(input);
            for cut in 0..input.len() {
                assert_eq!(parse_reply(&input[..cut]), Ok(None), "{:?} cut at {cut}", String::from_utf8_lossy(input));
            }
            assert_eq!(parse_reply(input).unwrap().unwrap().0, whole);
        }
    }

    #[test]
    fn reply_scanner_resumes_where_it_stopped() {
        let input: &[u8] = b"*3\r\n%1\r\n+k\r\n*2\r\n:1\r\n$3\r\nabc\r\n|1\r\n+a\r\n:0\r\n_\r\n~0\r\n+next\r\n";
        let end = input.len() - b"+next\r\n".len();
        let mut scanner = ReplyScanner::new();
        for cut in 0..end {
            assert_eq!(scanner.scan(&input[..cut]), Ok(None), "cut at {cut}");
        }
        assert_eq!(scanner.scan(input), Ok(Some(end)));
        // Reset after a whole reply: the next one is scanned from the start of what remains.
        assert_eq!(scanner.scan(&input[end..]), Ok(Some(7)));
        assert_eq!(ReplyScanner::new().scan(b"|0\r\n*-1\r\n"), Ok(Some(9)));
    }

    #[test]
    fn parse_reply_pipelined_input_consumes_one_reply() {
        let input = b"+OK\r\n:1\r\n";
        assert_eq!(parse_reply(input), Ok(Some((status("OK"), 5))));
        assert_eq!(parse_reply(&input[5..]), Ok(Some((Reply::Int(1), 4))));
    }

    #[test]
    fn parse_reply_malformed_input_errors() {
        use ReplyParseError::*;
        assert_eq!(parse_reply(b"@x\r\n"), Err(UnknownType(b'@')));
        assert_eq!(UnknownType(b'|').to_string(), "Protocol error, got \"|\" as reply type byte");
        assert_eq!(parse_reply(b":12a\r\n"), Err(BadInteger));
        assert_eq!(parse_reply(b"$-2\r\n"), Err(BadLength));
        assert_eq!(parse_reply(b"$x\r\n"), Err(BadLength));
        assert_eq!(parse_reply(b"*-2\r\n"), Err(BadLength));
        assert_eq!(parse_reply(b"%-1\r\n"), Err(BadLength));
        assert_eq!(parse_reply(b"$3\r\nfooXY"), Err(MissingCrlf));
        assert_eq!(parse_reply(b",abc\r\n"), Err(BadDouble));
        assert_eq!(parse_reply(b"#x\r\n"), Err(BadBool));
        assert_eq!(parse_reply(b"(1.5\r\n"), Err(BadBigNumber));
        assert_eq!(parse_reply(b"_x\r\n"), Err(BadNil));
        assert_eq!(parse_reply(b"=3\r\ntxt\r\n"), Err(BadVerbatim));
        assert_eq!(parse_reply(b"$?\r\n"), Err(Streamed));
        // An error deep inside an aggregate surfaces even before the aggregate is complete.
        assert_eq!(parse_reply(b"*3\r\n:1\r\n:x\r\n"), Err(BadInteger));
    }

    #[test]
    fn parse_reply_deep_nesting_is_refused() {
        let mut input = b"*1\r\n".repeat(MAX_REPLY_DEPTH + 2);
        input.extend_from_slice(b":1\r\n");
        assert_eq!(parse_reply(&input), Err(ReplyParseError::TooDeep));
        let mut ok = b"*1\r\n".repeat(MAX_REPLY_DEPTH);
        ok.extend_from_slice(b":1\r\n");
        assert!(parse_reply(&ok).unwrap().is_some());
    }

    #[test]
    fn parse_reply_round_trips_the_encoder() {
        use super::super::{encode, Protocol};
        let reply = Reply::Array(vec![
            Reply::Map(vec![(Reply::bulk("k"), Reply::Set(vec![Reply::Int(1)]))]),
            Reply::Double(0.1),
            Reply::Bool(false),
            Reply::Verbatim("txt", b"v".to_vec()),
            Reply::Null,
            Reply::Push(vec![Reply::BigNumber("1".into())]),
            Reply::Error("ERR e".into()),
        ]);
        let mut wire = Vec::new();
        encode(&reply, Protocol::Resp3, &mut wire);
        assert_eq!(parse_all(&wire), reply);
    }
}
