//! Hashes: field -> value.

use crate::bytestr::ByteStr;
use crate::dict::Dict;

#[derive(Default)]
pub struct Hash {
    pub fields: Dict<ByteStr, ByteStr>,
}

impl Hash {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl Clone for Hash {
    fn clone(&self) -> Self {
        let mut fields = Dict::new();
        for (k, v) in self.fields.iter() {
            fields.insert_new(k.clone(), v.clone());
        }
        Hash { fields }
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fields.fmt(f)
    }
}
