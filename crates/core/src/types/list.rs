//! Lists: a deque of byte strings.

use crate::bytestr::ByteStr;
use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub struct List {
    pub items: VecDeque<ByteStr>,
}

impl List {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
