//! The value types a key can hold, each in its own module with its compact and large encodings.

pub mod hash;
pub mod list;
pub mod set;
pub mod skiplist;
pub mod zset;

use crate::bytestr::ByteStr;
pub use hash::Hash;
pub use list::List;
pub use set::Set;
pub use zset::ZSet;

/// What a key holds. Collections are boxed so a string key stays three words.
#[derive(Debug, Clone)]
pub enum Value {
    Str(ByteStr),
    List(Box<List>),
    Hash(Box<Hash>),
    Set(Box<Set>),
    ZSet(Box<ZSet>),
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
        }
    }

    pub fn str(bytes: impl Into<ByteStr>) -> Value {
        Value::Str(bytes.into())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn value_is_three_words() {
        assert_eq!(std::mem::size_of::<super::Value>(), 24);
    }
}
