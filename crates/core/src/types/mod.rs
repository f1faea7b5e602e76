//! The value types a key can hold, each in its own module with its compact and large encodings.

pub mod hash;
pub mod list;
pub mod set;
pub mod skiplist;
pub mod stream;
pub mod zset;

use crate::bytestr::ByteStr;
pub use hash::Hash;
pub use list::List;
pub use set::Set;
pub use stream::Stream;
pub use zset::ZSet;

/// What a key holds. Collections are boxed so a string key stays three words.
#[derive(Debug, Clone)]
pub enum Value {
    Str(ByteStr),
    List(Box<List>),
    Hash(Box<Hash>),
    Set(Box<Set>),
    ZSet(Box<ZSet>),
    Stream(Box<Stream>),
}

impl Value {
    /// The name `TYPE` replies with.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// The name `OBJECT ENCODING` replies with.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => string_encoding(s),
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(s) => s.encoding(),
        }
    }

    /// Approximate bytes this value uses (MEMORY USAGE), its heap allocations included.
    pub fn memory_usage(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_size(),
            Value::List(l) => l.memory_usage(),
            Value::Hash(h) => h.memory_usage(),
            Value::Set(s) => s.memory_usage(),
            Value::ZSet(z) => z.memory_usage(),
            Value::Stream(s) => s.memory_usage(),
        }
    }

    pub fn str(bytes: impl Into<ByteStr>) -> Value {
        Value::Str(bytes.into())
    }
}

/// Valkey stores a string as `int` when it is a canonical 64-bit integer of at most 20 chars, `embstr`
/// when at most 44 bytes, `raw` otherwise.
pub fn string_encoding(s: &[u8]) -> &'static str {
    if s.len() <= 20 && crate::num::parse_i64(s).is_some() {
        "int"
    } else if s.len() <= 44 {
        "embstr"
    } else {
        "raw"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn value_is_three_words() {
        assert_eq!(std::mem::size_of::<super::Value>(), 24);
    }
}
