//! Sets of byte strings.

use crate::bytestr::ByteStr;
use crate::dict::Dict;

#[derive(Default)]
pub struct Set {
    pub members: Dict<ByteStr, ()>,
}

impl Set {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

impl Clone for Set {
    fn clone(&self) -> Self {
        let mut members = Dict::new();
        for (k, _) in self.members.iter() {
            members.insert_new(k.clone(), ());
        }
        Set { members }
    }
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.members.iter().map(|(k, _)| k)).finish()
    }
}
