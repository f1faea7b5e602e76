//! What can go wrong reading an RDB file or a DUMP payload. Offsets count bytes from the start of
//! the file or payload, so a corrupt file can be inspected at the spot.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RdbError {
    /// The data ends before a complete file or value was read.
    #[error("RDB data truncated at byte {offset}: {wanted} more bytes needed")]
    Truncated { offset: usize, wanted: usize },

    /// The file does not start with `REDIS` and four version digits.
    #[error("not an RDB file: it does not start with REDIS and a version number")]
    BadSignature,

    /// A file version this reader does not know (it reads 1 to 11).
    #[error("RDB format version {0} is not supported (ferrokey reads versions 1 to 11)")]
    UnsupportedVersion(u32),

    /// The CRC64 at the end of the file does not match its contents.
    #[error("RDB checksum mismatch: the file says {stored:016x}, its contents hash to {computed:016x}")]
    BadChecksum { stored: u64, computed: u64 },

    /// A byte where a value type or opcode belongs that is neither.
    #[error("unknown RDB value type {type_id} at byte {offset}")]
    UnknownType { type_id: u8, offset: usize },

    /// Data that cannot be what the format says is there: a bad length or string encoding, a corrupt
    /// listpack, ziplist, intset or LZF block, duplicate members, a NaN score.
    #[error("bad RDB encoding at byte {offset}: {what}")]
    BadEncoding { offset: usize, what: String },

    /// A value of a type ferrokey does not have (module types), at the byte where its type byte is.
    #[error(
        "unsupported RDB value type {type_id} ({kind}) for key {key:?} at byte {offset}: ferrokey has no {kind} type"
    )]
    UnsupportedType { type_id: u8, kind: &'static str, key: String, offset: usize },

    /// Module auxiliary data: it can only be read by the module that wrote it.
    #[error("RDB file contains auxiliary data of module {module:?} at byte {offset}: ferrokey cannot load modules")]
    ModuleAux { module: String, offset: usize },

    /// The pre-release function format of Redis 7.0 release candidates.
    #[error("RDB file at byte {offset} uses the pre-release function format, which is not supported")]
    PreReleaseFunctions { offset: usize },

    /// A SELECTDB beyond the databases the server has (from [`super::Snapshot::into_dbs`]).
    #[error("RDB file uses database {index}, but the server has only {count} databases")]
    DbOutOfRange { index: u64, count: usize },

    /// The same key twice in one database (from [`super::Snapshot::into_dbs`]).
    #[error("RDB file has the key {key:?} twice in database {db}")]
    DuplicateKey { key: String, db: usize },

    /// A DUMP payload whose footer names an RDB version newer than this reader knows, or whose CRC64
    /// is wrong: RESTORE's "DUMP payload version or checksum are wrong".
    #[error("DUMP payload version or checksum are wrong")]
    BadPayloadFooter,

    /// A DUMP payload holding an empty collection, which RESTORE refuses.
    #[error("DUMP payload holds an empty collection")]
    EmptyValue,
}

impl RdbError {
    pub(crate) fn bad(offset: usize, what: impl Into<String>) -> RdbError {
        RdbError::BadEncoding { offset, what: what.into() }
    }
}
