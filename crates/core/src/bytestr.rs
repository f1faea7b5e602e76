//! `ByteStr`: the compact, binary-safe byte string that keys, members and string values are stored as.
//!
//! 24 bytes on the stack; up to 22 bytes live inline with no allocation (most keys, field names and small
//! numbers), longer strings are one exact-size heap allocation. This is what keeps memory per key low, the
//! job Valkey's embstr and sds headers do.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

const INLINE_CAP: usize = 22;

#[derive(Clone)]
pub enum ByteStr {
    Inline { len: u8, buf: [u8; INLINE_CAP] },
    Heap(Box<[u8]>),
}

impl ByteStr {
    pub const EMPTY: ByteStr = ByteStr::Inline { len: 0, buf: [0; INLINE_CAP] };

    pub fn new(bytes: &[u8]) -> ByteStr {
        if bytes.len() <= INLINE_CAP {
            let mut buf = [0; INLINE_CAP];
            buf[..bytes.len()].copy_from_slice(bytes);
            ByteStr::Inline { len: bytes.len() as u8, buf }
        } else {
            ByteStr::Heap(bytes.into())
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            ByteStr::Inline { len, buf } => &buf[..*len as usize],
            ByteStr::Heap(b) => b,
        }
    }

    /// Bytes this string owns on the heap (for MEMORY USAGE and used_memory estimates).
    pub fn heap_size(&self) -> usize {
        match self {
            ByteStr::Inline { .. } => 0,
            ByteStr::Heap(b) => b.len(),
        }
    }

    pub fn into_vec(self) -> Vec<u8> {
        match self {
            ByteStr::Inline { len, buf } => buf[..len as usize].to_vec(),
            ByteStr::Heap(b) => b.into_vec(),
        }
    }
}

impl From<Vec<u8>> for ByteStr {
    /// Moves a heap buffer in without copying when it is too long to inline.
    fn from(v: Vec<u8>) -> ByteStr {
        if v.len() <= INLINE_CAP {
            ByteStr::new(&v)
        } else {
            ByteStr::Heap(v.into_boxed_slice())
        }
    }
}

impl From<&[u8]> for ByteStr {
    fn from(v: &[u8]) -> ByteStr {
        ByteStr::new(v)
    }
}

impl From<&str> for ByteStr {
    fn from(v: &str) -> ByteStr {
        ByteStr::new(v.as_bytes())
    }
}

impl Deref for ByteStr {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for ByteStr {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for ByteStr {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for ByteStr {
    fn eq(&self, other: &ByteStr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for ByteStr {}

impl PartialOrd for ByteStr {
    fn partial_cmp(&self, other: &ByteStr) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByteStr {
    fn cmp(&self, other: &ByteStr) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for ByteStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl fmt::Debug for ByteStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytestr_is_three_words() {
        assert_eq!(std::mem::size_of::<ByteStr>(), 24);
        assert_eq!(std::mem::size_of::<Option<ByteStr>>(), 24);
    }

    #[test]
    fn bytestr_inline_and_heap_round_trip() {
        for len in [0, 1, 21, 22, 23, 100] {
            let v: Vec<u8> = (0..len as u8).collect();
            let s = ByteStr::from(v.clone());
            assert_eq!(s.as_bytes(), &v[..]);
            assert_eq!(s.heap_size(), if len > 22 { len } else { 0 });
            assert_eq!(s.into_vec(), v);
        }
    }
}
