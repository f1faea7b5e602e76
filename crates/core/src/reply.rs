//! The protocol-neutral reply a command handler returns.
//!
//! Handlers never write bytes: they return a [`Reply`] and the encoder decides, per client, how it goes on
//! the wire (RESP2 or RESP3). The same type is what the reply parser produces, so tests and the CLI can
//! compare and print what a server sent.

use std::borrow::Cow;

/// A reply to one command, in RESP3 terms; RESP2 clients get the downgraded form (see `resp::encode`).
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+OK`: a simple string, never binary.
    Status(Cow<'static, str>),
    /// `-ERR ...`: the whole line after `-`, code included.
    Error(Cow<'static, str>),
    /// `:n`
    Int(i64),
    /// `$n` binary-safe bulk string.
    Bulk(Vec<u8>),
    /// A missing value: RESP2 `$-1`, RESP3 `_`.
    Null,
    /// A missing aggregate: RESP2 `*-1`, RESP3 `_`.
    NullArray,
    /// `*n`
    Array(Vec<Reply>),
    /// `%n`: RESP2 gets a flat array of 2n elements.
    Map(Vec<(Reply, Reply)>),
    /// `~n`: RESP2 gets an array.
    Set(Vec<Reply>),
    /// `,d`: RESP2 gets a bulk string.
    Double(f64),
    /// `#t`/`#f`: RESP2 gets `:1`/`:0`.
    Bool(bool),
    /// `(n`: RESP2 gets a bulk string.
    BigNumber(String),
    /// `=n\r\nfmt:text`: RESP2 gets a bulk string of the text.
    Verbatim(&'static str, Vec<u8>),
    /// `>n`: out-of-band data (pub/sub messages, invalidations); RESP2 gets an array.
    Push(Vec<Reply>),
}

impl Reply {
    pub const OK: Reply = Reply::Status(Cow::Borrowed("OK"));
    pub const QUEUED: Reply = Reply::Status(Cow::Borrowed("QUEUED"));
    pub const EMPTY_ARRAY: Reply = Reply::Array(Vec::new());

    pub fn status(s: &'static str) -> Reply {
        Reply::Status(Cow::Borrowed(s))
    }

    pub fn bulk(b: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(b.into())
    }

    /// A bulk string or `Null` when absent.
    pub fn opt_bulk(b: Option<impl Into<Vec<u8>>>) -> Reply {
        b.map_or(Reply::Null, |b| Reply::Bulk(b.into()))
    }

    pub fn bulks<I, B>(items: I) -> Reply
    where
        I: IntoIterator<Item = B>,
        B: Into<Vec<u8>>,
    {
        Reply::Array(items.into_iter().map(|b| Reply::Bulk(b.into())).collect())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The error line (`ERR ...`) when this is an error reply.
    pub fn error_text(&self) -> Option<&str> {
        match self {
            Reply::Error(e) => Some(e),
            _ => None,
        }
    }
}
