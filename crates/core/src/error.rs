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

    // -- string ------------------------------------------------------------------------------------------
    #[error("ERR offset is out of range")]
    OffsetOutOfRange,
    #[error("ERR The specified keys must contain string values")]
    LcsKeysNotStrings,
    #[error("ERR If you want both the length and indexes, please just use IDX.")]
    LcsLenWithIdx,
    #[error("ERR String too long for LCS")]
    LcsStringTooLong,
    #[error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")]
    LcsTableTooBig,
    #[error("ERR Insufficient memory, failed allocating transient memory for LCS")]
    LcsAllocFailed,

    // -- hash & set --------------------------------------------------------------------------------------
    #[error("ERR hash value is not an integer")]
    HashValueNotInteger,
    #[error("ERR hash value is not a float")]
    HashValueNotFloat,
    #[error("ERR value is NaN or Infinity")]
    NanOrInfinity,
    #[error("ERR NOVALUES option can only be used in HSCAN")]
    NoValuesOutsideHscan,
    #[error("ERR NOSCORES option can only be used in ZSCAN")]
    NoScoresOutsideZscan,
    #[error("ERR numkeys should be greater than 0")]
    NumkeysNotPositive,
    #[error("ERR Number of keys can't be greater than number of args")]
    NumkeysTooLarge,
    #[error("ERR LIMIT can't be negative")]
    LimitNegative,

    // -- sorted set ----------------------------------------------------------------------------------
    #[error("ERR XX and NX options at the same time are not compatible")]
    ZaddXxAndNx,
    #[error("ERR GT, LT, and/or NX options at the same time are not compatible")]
    ZaddGtLtNx,
    #[error("ERR INCR option supports a single increment-element pair")]
    ZaddIncrPairs,
    #[error("ERR resulting score is not a number (NaN)")]
    ScoreNan,
    #[error("ERR min or max is not a float")]
    ScoreRangeNotFloat,
    #[error("ERR min or max not valid string range item")]
    LexRangeInvalid,
    #[error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")]
    ZrangeLimitByRank,
    #[error("ERR syntax error, WITHSCORES not supported in combination with BYLEX")]
    ZrangeWithscoresByLex,
    #[error("ERR weight value is not a float")]
    WeightNotFloat,
    #[error("ERR count should be greater than 0")]
    CountNotPositive,

    // -- list --------------------------------------------------------------------------------------------
    #[error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")]
    RankZero,
    #[error("ERR COUNT can't be negative")]
    CountNegative,
    #[error("ERR MAXLEN can't be negative")]
    MaxlenNegative,

    // -- connection, pub/sub, transactions ---------------------------------------------------------------
    #[error("ERR unknown subcommand or wrong number of arguments for '{0}'. Try {1} HELP.")]
    SubcommandSyntax(String, String),
    #[error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")]
    AuthWithoutPassword,
    #[error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")]
    HelloNoAuth,
    #[error("ERR Protocol version is not an integer or out of range")]
    ProtocolVersionNotInteger,
    #[error("ERR Client names cannot contain spaces, newlines or special characters.")]
    InvalidClientName,
    #[error("ERR No such client")]
    NoSuchClient,
    #[error("ERR Invalid client ID")]
    InvalidClientId,
    #[error("ERR client-id should be greater than 0")]
    ClientIdNotPositive,
    #[error("ERR maxage is not an integer or out of range")]
    MaxAgeNotInteger,
    #[error("ERR maxage should be greater than 0")]
    MaxAgeNotPositive,
    #[error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")]
    UnblockReason,
    #[error("UNBLOCKED client unblocked via CLIENT UNBLOCK")]
    Unblocked,
    #[error("ERR CLIENT PAUSE mode must be WRITE or ALL")]
    PauseMode,
    #[error("ERR timeout is not an integer or out of range")]
    TimeoutNotInteger,
    #[error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")]
    SsubscribeDenyBlocking,
    #[error("ERR EXEC without MULTI")]
    ExecWithoutMulti,
    #[error("ERR DISCARD without MULTI")]
    DiscardWithoutMulti,

    // -- scripting ---------------------------------------------------------------------------------
    #[error("ERR Number of keys can't be negative")]
    NumkeysNegative,
    #[error("ERR Bad number of keys provided")]
    BadNumberOfKeys,
    #[error("ERR Function not found")]
    FunctionNotFound,
    #[error("ERR Library not found")]
    LibraryNotFound,
    #[error("ERR Can not execute a script with write flag using *_ro command.")]
    WriteScriptFromRo,
    #[error("NOTBUSY No scripts in execution right now.")]
    NotBusy,
    #[error("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")]
    Unkillable,
    #[error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")]
    ScriptFlushMode,
    #[error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")]
    FunctionFlushMode,
    #[error("ERR Use SCRIPT DEBUG YES/SYNC/NO")]
    ScriptDebugMode,
    #[error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")]
    RestorePolicy,
    #[error("ERR library name argument was not given")]
    LibraryNameMissing,
    #[error("ERR Function code is missing")]
    FunctionCodeMissing,

    // -- stream ----------------------------------------------------------------------------------------
    #[error("ERR Invalid stream ID specified as stream command argument")]
    StreamIdInvalid,
    #[error("ERR The ID specified in XADD is equal or smaller than the target stream top item")]
    XaddIdTooSmall,
    #[error("ERR The ID specified in XADD must be greater than 0-0")]
    XaddIdZero,
    #[error("ERR The stream has exhausted the last possible ID, unable to add more items")]
    StreamExhausted,
    #[error("ERR Elements are too large to be stored")]
    StreamElementsTooLarge,
    #[error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")]
    TrimMaxlenAndMinid,
    #[error("ERR The MAXLEN argument must be >= 0.")]
    TrimMaxlenNegative,
    #[error("ERR The LIMIT argument must be >= 0.")]
    TrimLimitNegative,
    #[error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")]
    TrimLimitWithoutStrategy,
    #[error("ERR syntax error, XTRIM must be called with a trimming strategy")]
    XtrimWithoutStrategy,
    #[error("ERR syntax error, LIMIT cannot be used without the special ~ option")]
    TrimLimitWithoutApprox,
    #[error("ERR invalid start ID for the interval")]
    IntervalStartInvalid,
    #[error("ERR invalid end ID for the interval")]
    IntervalEndInvalid,
    #[error("ERR Unbalanced '{0}' list of streams: for each stream key an ID or '{1}' must be specified.")]
    XreadUnbalanced(&'static str, char),
    #[error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")]
    XreadGroupOption,
    #[error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")]
    XreadNoackOption,
    #[error("ERR Missing GROUP option for XREADGROUP")]
    XreadgroupWithoutGroup,
    #[error("ERR The {0} ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The {0} ID would just return an empty result set.")]
    XreadgroupMeaninglessId(char),
    #[error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")]
    XreadGreaterThanId,
    #[error("ERR the stream last element ID is 0-0")]
    StreamLastIdZero,
    #[error("ERR value for ENTRIESREAD must be positive or -1")]
    EntriesReadInvalid,
    #[error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")]
    XgroupKeyMissing,
    #[error("BUSYGROUP Consumer Group name already exists")]
    BusyGroup,
    #[error("ERR entries_added must be positive")]
    EntriesAddedNegative,
    #[error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")]
    XsetidBelowGivenMaxDeleted,
    #[error("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")]
    XsetidBelowMaxDeleted,
    #[error("ERR The ID specified in XSETID is smaller than the target stream top item")]
    XsetidBelowTopItem,
    #[error("ERR The entries_added specified in XSETID is smaller than the target stream length")]
    XsetidEntriesAddedBelowLength,
    #[error("ERR Invalid min-idle-time argument for {0}")]
    MinIdleTimeInvalid(&'static str),
    #[error("ERR Invalid {0} option argument for XCLAIM")]
    XclaimOptionInvalid(&'static str),
    #[error("ERR COUNT must be > 0")]
    XautoclaimCountInvalid,

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
