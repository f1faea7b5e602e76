//! Incremental decoding of client commands: RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline
//! (`GET k\r\n`), with Valkey's limits and its exact protocol error messages.
//!
//! The decoder keeps the arguments of a half-received multibulk between calls, so a large command that
//! arrives in many reads is parsed once, not re-scanned from its start each time.

use super::split_args::split_args;
use crate::num::parse_i64;

/// A request longer than this without a newline is refused (Valkey's PROTO_INLINE_MAX_SIZE).
pub const INLINE_MAX_SIZE: usize = 64 * 1024;

/// The error text after `-ERR `: the connection is closed once it has been sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("Protocol error: too big inline request")]
    TooBigInline,
    #[error("Protocol error: too big mbulk count string")]
    TooBigMultibulkCount,
    #[error("Protocol error: invalid multibulk length")]
    InvalidMultibulkLength,
    #[error("Protocol error: unauthenticated multibulk length")]
    UnauthenticatedMultibulkLength,
    #[error("Protocol error: unauthenticated bulk length")]
    UnauthenticatedBulkLength,
    #[error("Protocol error: too big bulk count string")]
    TooBigBulkCount,
    #[error("Protocol error: expected '$', got '{0}'")]
    ExpectedDollar(char),
    #[error("Protocol error: invalid bulk length")]
    InvalidBulkLength,
    #[error("Protocol error: unbalanced quotes in request")]
    UnbalancedQuotes,
}

/// Bytes consumed, and the command's arguments once it is complete.
pub type Decoded = Result<(usize, Option<Vec<Vec<u8>>>), ProtocolError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// `proto-max-bulk-len`
    pub max_bulk_len: i64,
    /// Before AUTH, when a password is required: at most 10 arguments of at most 16 KiB.
    pub auth_required: bool,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits { max_bulk_len: 512 * 1024 * 1024, auth_required: false }
    }
}

#[derive(Debug, Default)]
pub struct CommandDecoder {
    /// Arguments still expected in the current multibulk (0: between commands).
    pending_args: usize,
    /// Length of the bulk being read, once its `$n` line has been seen.
    bulk_len: Option<usize>,
    argv: Vec<Vec<u8>>,
}

impl CommandDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes of the arguments of a half-received multibulk already taken out of the input (they count
    /// toward the query buffer limit, as in Valkey).
    pub fn pending_bytes(&self) -> usize {
        self.argv.iter().map(Vec::len).sum()
    }

    /// True while a multibulk has started but not finished.
    pub fn in_progress(&self) -> bool {
        self.pending_args > 0
    }

    /// Reads from `buf` (unconsumed input). Returns how many bytes were consumed and, when a command is
    /// complete, its arguments. `(0, None)` means more input is needed. An empty command (a blank inline
    /// line, `*0`, `*-1`) consumes its bytes and yields nothing, as in Valkey.
    pub fn decode(&mut self, buf: &[u8], limits: DecodeLimits) -> Decoded {
        if self.pending_args == 0 {
            match buf.first() {
                None => Ok((0, None)),
                Some(b'*') => self.start_multibulk(buf, limits),
                Some(_) => decode_inline(buf),
            }
        } else {
            self.continue_multibulk(buf, 0, limits)
        }
    }

    fn start_multibulk(&mut self, buf: &[u8], limits: DecodeLimits) -> Decoded {
        let Some(cr) = find_line(buf) else {
            if buf.len() > INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigMultibulkCount);
            }
            return Ok((0, None));
        };
        let n =
            parse_i64(&buf[1..cr]).filter(|&n| n <= i32::MAX as i64).ok_or(ProtocolError::InvalidMultibulkLength)?;
        if n > 10 && limits.auth_required {
            return Err(ProtocolError::UnauthenticatedMultibulkLength);
        }
        let pos = cr + 2;
        if n <= 0 {
            return Ok((pos, None));
        }
        self.pending_args = n as usize;
        self.argv = Vec::with_capacity((n as usize).min(1024));
        self.continue_multibulk(buf, pos, limits)
    }

    fn continue_multibulk(&mut self, buf: &[u8], mut pos: usize, limits: DecodeLimits) -> Decoded {
        while self.pending_args > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let rest = &buf[pos..];
                    let Some(cr) = find_line(rest) else {
                        if rest.len() > INLINE_MAX_SIZE {
                            return Err(ProtocolError::TooBigBulkCount);
                        }
                        break;
                    };
                    if rest[0] != b'$' {
                        return Err(ProtocolError::ExpectedDollar(rest[0] as char));
                    }
                    let n = parse_i64(&rest[1..cr])
                        .filter(|&n| n >= 0 && n <= limits.max_bulk_len)
                        .ok_or(ProtocolError::InvalidBulkLength)?;
                    if n > 16384 && limits.auth_required {
                        return Err(ProtocolError::UnauthenticatedBulkLength);
                    }
                    pos += cr + 2;
                    self.bulk_len = Some(n as usize);
                    n as usize
                }
            };
            // The bulk and its trailing CRLF (which, as in Valkey, is skipped without being checked).
            if buf.len() - pos < len + 2 {
                break;
            }
            self.argv.push(buf[pos..pos + len].to_vec());
            pos += len + 2;
            self.bulk_len = None;
            self.pending_args -= 1;
        }
        if self.pending_args == 0 {
            Ok((pos, Some(std::mem::take(&mut self.argv))))
        } else {
            Ok((pos, None))
        }
    }
}

/// The index of the `\r` of the first `\r\n`, if the buffer holds a whole line.
fn find_line(buf: &[u8]) -> Option<usize> {
    let cr = buf.iter().position(|&b| b == b'\r')?;
    (cr + 1 < buf.len()).then_some(cr)
}

fn decode_inline(buf: &[u8]) -> Decoded {
    let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > INLINE_MAX_SIZE {
            return Err(ProtocolError::TooBigInline);
        }
        return Ok((0, None));
    };
    let end = if nl > 0 && buf[nl - 1] == b'\r' { nl - 1 } else { nl };
    let argv = split_args(&buf[..end]).ok_or(ProtocolError::UnbalancedQuotes)?;
    Ok((nl + 1, (!argv.is_empty()).then_some(argv)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut d = CommandDecoder::new();
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            let (used, cmd) = d.decode(&input[pos..], DecodeLimits::default())?;
            pos += used;
            if let Some(cmd) = cmd {
                out.push(cmd);
            } else if used == 0 {
                return Ok(out);
            }
        }
    }

    fn argv(args: &[&str]) -> Vec<Vec<u8>> {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn decode_multibulk_and_inline_pipeline() {
        let cmds = decode_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nSET a \"b c\"\r\nPING\n\r\n*0\r\n").unwrap();
        assert_eq!(cmds, vec![argv(&["GET", "k"]), argv(&["SET", "a", "b c"]), argv(&["PING"])]);
    }

    #[test]
    fn decode_split_at_every_byte_gives_same_command() {
        let input = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\nab\r\ncdefgh\r\n";
        for split in 0..=input.len() {
            let mut d = CommandDecoder::new();
            let mut buf = input[..split].to_vec();
            let (used, cmd) = d.decode(&buf, DecodeLimits::default()).unwrap();
            assert!(cmd.is_none() || split == input.len());
            buf.drain(..used);
            buf.extend_from_slice(&input[split..]);
            let cmd = match cmd {
                Some(c) => Some(c),
                None => d.decode(&buf, DecodeLimits::default()).unwrap().1,
            };
            assert_eq!(cmd, Some(argv(&["SET", "key", "ab\r\ncdefgh"])), "split at {split}");
        }
    }

    #[test]
    fn decode_errors_match_valkey() {
        let e = |b: &[u8]| decode_all(b).unwrap_err().to_string();
        assert_eq!(e(b"*3000000000\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(e(b"*1\r\nfoo\r\n"), "Protocol error: expected '$', got 'f'");
        assert_eq!(e(b"*1\r\n$-1\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(e(b"*1\r\n$blabla\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(e(b"set \"abc\r\n"), "Protocol error: unbalanced quotes in request");
        assert_eq!(e(&vec![b'a'; 70_000]), "Protocol error: too big inline request");
        let mut big = b"*".to_vec();
        big.extend(vec![b'1'; 70_000]);
        assert_eq!(e(&big), "Protocol error: too big mbulk count string");
        let mut d = CommandDecoder::new();
        let limits = DecodeLimits { auth_required: true, ..DecodeLimits::default() };
        assert_eq!(d.decode(b"*11\r\n", limits).unwrap_err(), ProtocolError::UnauthenticatedMultibulkLength);
        let mut d = CommandDecoder::new();
        assert_eq!(d.decode(b"*1\r\n$16385\r\n", limits).unwrap_err(), ProtocolError::UnauthenticatedBulkLength);
    }

    #[test]
    fn decode_waits_for_incomplete_input() {
        let mut d = CommandDecoder::new();
        assert_eq!(d.decode(b"*1\r", DecodeLimits::default()).unwrap(), (0, None));
        assert_eq!(d.decode(b"GET k", DecodeLimits::default()).unwrap(), (0, None));
    }

    proptest::proptest! {
        #[test]
        fn decode_never_panics(input in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = decode_all(&input);
        }
    }
}
