//! Sorted sets: member -> score, ordered by (score, member).

use crate::bytestr::ByteStr;

/// Placeholder order: a sorted vector; the skiplist replaces it for large sets.
#[derive(Debug, Clone, Default)]
pub struct ZSet {
    pub items: Vec<(f64, ByteStr)>,
}

impl ZSet {
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
