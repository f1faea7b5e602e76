//! Every error a command can answer with, its wire text defined once and equal to Valkey's, byte for byte.
//! The text is what follows the `-` on the wire; its first word is the error code counted in errorstats.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    // -- generic -------------------------------------------------------------------------------------
    #[error("WRONGTYPE Operation against a key holding the wrong kind of value")]
    WrongType,
    #[error("ERR syntax error")]
    Syntax,
    #[error("ERR value is not an integer or out of range")]
    NotInteger,
    #[error("ERR value is out of range, must be positive")]
    NotPositive,
    #[error("ERR value is not a valid float")]
    NotFloat,
    #[error("ERR value is out of range")]
    OutOfRange,
    #[error("ERR index out of range")]
    IndexOutOfRange,
    #[error("ERR no such key")]
    NoSuchKey,
    #[error("ERR source and destination objects are the same")]
    SameObject,
    #[error("ERR DB index is out of range")]
    DbIndexOutOfRange,
    #[error("ERR increment or decrement would overflow")]
    IncrOverflow,
    #[error("ERR decrement would overflow")]
    DecrOverflow,
    #[error("ERR increment would produce NaN or Infinity")]
    IncrNanOrInfinity,
    #[error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")]
    StringTooLong,
    #[error("ERR invalid cursor")]
    InvalidCursor,
    #[error("ERR timeout is not a float or out of range")]
    TimeoutNotFloat,
    #[error("ERR timeout is negative")]
    TimeoutNegative,
    #[error("ERR timeout is out of range")]
    TimeoutOutOfRange,
    #[error("BUSYKEY Target key name already exists.")]
    BusyKey,
    #[error("ERR wrong number of arguments for '{0}' command")]
    WrongArity(String),
    #[error("ERR unknown command '{0}', with args beginning with: {1}")]
    UnknownCommand(String, String),
    #[error("ERR unknown subcommand '{0}'. Try {1} HELP.")]
    UnknownSubcommand(String, String),
    #[error("ERR invalid expire time in '{0}' command")]
    InvalidExpireTime(String),
    #[error("NOAUTH Authentication required.")]
    NoAuth,
    #[error("WRONGPASS invalid username-password pair or user is disabled.")]
    WrongPass,
    #[error("EXECABORT Transaction discarded because of previous errors.")]
    ExecAbort,
    #[error("OOM command not allowed when used memory > 'maxmemory'.")]
    Oom,
    #[error("NOSCRIPT No matching script.")]
    NoScript,
    #[error("NOPROTO unsupported protocol version")]
    NoProto,
    #[error("ERR Can't execute '{0}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")]
    PubSubContext(String),
    #[error("NOSUB '{0}' command executed not in subscribed mode")]
    NoSub(String),
    #[error("ERR {0} is not allowed in this context")]
    NotAllowedInContext(String),
    #[error("ERR Command not allowed inside a transaction")]
    NotAllowedInMulti,

    // -- any other error with its full text (code included), for messages built from input ----------
    #[error("{0}")]
    Other(Cow<'static, str>),

    /// Not an error on the wire: the command blocked the client (BLPOP on an empty list, ...). The engine
    /// parks the client and runs the command again when one of its keys is signalled ready.
    #[error("(blocked)")]
    Blocked,
}

impl CommandError {
    /// An `ERR ...` error whose text is assembled at run time.
    pub fn err(msg: impl std::fmt::Display) -> CommandError {
        CommandError::Other(Cow::Owned(format!("ERR {msg}")))
    }

    /// The error code counted in `INFO errorstats` (`ERR`, `WRONGTYPE`, ...).
    pub fn code(text: &str) -> &str {
        text.split(' ').next().unwrap_or("ERR")
    }
}

pub type CmdResult = Result<crate::reply::Reply, CommandError>;

impl From<CommandError> for crate::reply::Reply {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Other(text) => crate::reply::Reply::Error(text),
            e => crate::reply::Reply::Error(Cow::Owned(e.to_string())),
        }
    }
}
