//! Listpacks as they appear inside RDB files (Valkey's `listpack.c` format): small hashes, sets,
//! sorted sets and list nodes are saved as one listpack blob each.
//!
//! Layout: `<total bytes u32 LE> <count u16 LE> <entry>... <0xFF>`; an entry is
//! `<encoding+data> <backlen>`, where the encoding stores an integer (7, 13, 16, 24, 32 or 64 bits)
//! or a string (6, 12 or 32-bit length), and the backlen (1 to 5 bytes, 7 bits each, read
//! backwards) repeats the entry's size so the list can be walked from the tail.

use crate::num::parse_i64;

const HEADER_SIZE: usize = 6;
const END: u8 = 0xFF;
/// The count field saturates here; the real count is then found by walking the entries.
const COUNT_UNKNOWN: u16 = u16::MAX;

/// One element of a listpack or ziplist: packed formats keep integers as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element<'a> {
    Bytes(&'a [u8]),
    Int(i64),
}

impl Element<'_> {
    /// The element as the string a client sees (integers in decimal).
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Element::Bytes(b) => b.to_vec(),
            Element::Int(n) => itoa::Buffer::new().format(n).as_bytes().to_vec(),
        }
    }

    /// Length of the element as a string.
    pub fn len(self) -> usize {
        match self {
            Element::Bytes(b) => b.len(),
            Element::Int(n) => itoa::Buffer::new().format(n).len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// Builds a listpack entry by entry, choosing encodings as Valkey's `lpAppend` does: a string
/// that is a canonical 64-bit integer is stored as an integer.
#[derive(Debug, Clone)]
pub struct ListpackWriter {
    buf: Vec<u8>,
    count: usize,
}

impl Default for ListpackWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl ListpackWriter {
    pub fn new() -> ListpackWriter {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&[0; HEADER_SIZE]);
        ListpackWriter { buf, count: 0 }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Size in bytes of the finished listpack so far (header and end byte included).
    pub fn bytes(&self) -> usize {
        self.buf.len() + 1
    }

    /// Appends a string (stored as an integer when it is one).
    pub fn push(&mut self, element: &[u8]) {
        match parse_i64(element) {
            Some(n) => self.push_int(n),
            None => self.push_str(element),
        }
    }

    pub fn push_int(&mut self, n: i64) {
        let start = self.buf.len();
        encode_int(&mut self.buf, n);
        self.finish_entry(start);
    }

    fn push_str(&mut self, s: &[u8]) {
        let start = self.buf.len();
        let len = s.len();
        if len < 64 {
            self.buf.push(0x80 | len as u8);
        } else if len < 4096 {
            self.buf.push(0xE0 | (len >> 8) as u8);
            self.buf.push((len & 0xff) as u8);
        } else {
            self.buf.push(0xF0);
            self.buf.extend_from_slice(&(len as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(s);
        self.finish_entry(start);
    }

    fn finish_entry(&mut self, start: usize) {
        let size = self.buf.len() - start;
        encode_backlen(&mut self.buf, size);
        self.count += 1;
    }

    /// The listpack bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(END);
        let total = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let count = u16::try_from(self.count).ok().filter(|&c| c < COUNT_UNKNOWN).unwrap_or(COUNT_UNKNOWN);
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

/// Bytes one entry holding `element` takes (encoding, data and backlen), as Valkey counts them
/// against `list-max-listpack-size`.
pub fn entry_size(element: &[u8]) -> usize {
    let body = match parse_i64(element) {
        Some(n) => int_size(n),
        None if element.len() < 64 => 1 + element.len(),
        None if element.len() < 4096 => 2 + element.len(),
        None => 5 + element.len(),
    };
    body + backlen_size(body)
}

fn int_size(n: i64) -> usize {
    match n {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    }
}

fn encode_int(buf: &mut Vec<u8>, n: i64) {
    // Negative numbers are stored in two's complement of the field's width.
    match int_size(n) {
        1 => buf.push(n as u8),
        2 => {
            let v = (n as u64) & 0x1fff;
            buf.push(0xC0 | (v >> 8) as u8);
            buf.push((v & 0xff) as u8);
        }
        3 => {
            buf.push(0xF1);
            buf.extend_from_slice(&(n as i16).to_le_bytes());
        }
        4 => {
            buf.push(0xF2);
            buf.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
        }
        5 => {
            buf.push(0xF3);
            buf.extend_from_slice(&(n as i32).to_le_bytes());
        }
        _ => {
            buf.push(0xF4);
            buf.extend_from_slice(&n.to_le_bytes());
        }
    }
}

/// Bytes of the backlen for an entry of `size` bytes, with Valkey's thresholds (`lpEncodeBacklen`),
/// which readers use to skip entries, so they must be followed exactly.
fn backlen_size(size: usize) -> usize {
    match size {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

fn encode_backlen(buf: &mut Vec<u8>, size: usize) {
    // Most significant 7-bit group first; every byte but the first has the high bit set, so the
    // value can be read backwards from the entry's last byte.
    let n = backlen_size(size);
    for i in (0..n).rev() {
        let group = ((size >> (7 * i)) & 127) as u8;
        buf.push(if i == n - 1 { group } else { group | 128 });
    }
}

/// Why a listpack blob was refused.
pub type Invalid = &'static str;

/// Every element of a listpack, checked as thoroughly as Valkey's deep integrity check
/// (`lpValidateIntegrity` with `deep`): header size, end byte, each entry inside the blob with a
/// matching backlen, and the count.
pub fn decode(blob: &[u8]) -> Result<Vec<Element<'_>>, Invalid> {
    if blob.len() < HEADER_SIZE + 1 {
        return Err("listpack shorter than its header");
    }
    let total = u32::from_le_bytes(blob[0..4].try_into().expect("4 bytes")) as usize;
    if total != blob.len() {
        return Err("listpack size header does not match its length");
    }
    if blob[blob.len() - 1] != END {
        return Err("listpack does not end with 0xFF");
    }
    let count = u16::from_le_bytes(blob[4..6].try_into().expect("2 bytes"));
    let mut elements = Vec::with_capacity(usize::from(count.min(1024)));
    let last = blob.len() - 1;
    let mut p = HEADER_SIZE;
    while p < last {
        let (element, size) = decode_entry(&blob[p..last])?;
        let backlen_len = backlen_size(size);
        let end = p + size + backlen_len;
        if end > last {
            return Err("listpack entry runs past the end");
        }
        if decode_backlen(&blob[p + size..end]) != Some(size) {
            return Err("listpack entry backlen does not match its size");
        }
        elements.push(element);
        p = end;
    }
    if count != COUNT_UNKNOWN && usize::from(count) != elements.len() {
        return Err("listpack count header does not match its entries");
    }
    Ok(elements)
}

/// One entry's element and its size without the backlen; `rest` runs to the end byte.
fn decode_entry(rest: &[u8]) -> Result<(Element<'_>, usize), Invalid> {
    let first = rest[0];
    let need = |n: usize| -> Result<&[u8], Invalid> { rest.get(..n).ok_or("listpack entry runs past the end") };
    let sign_extend = |v: u64, bits: u32| -> i64 { ((v << (64 - bits)) as i64) >> (64 - bits) };
    Ok(match first {
        0x00..=0x7F => (Element::Int(i64::from(first)), 1),
        0x80..=0xBF => {
            let len = usize::from(first & 0x3F);
            (Element::Bytes(&need(1 + len)?[1..]), 1 + len)
        }
        0xC0..=0xDF => {
            let b = need(2)?;
            let v = (u64::from(first & 0x1F) << 8) | u64::from(b[1]);
            (Element::Int(sign_extend(v, 13)), 2)
        }
        0xE0..=0xEF => {
            let b = need(2)?;
            let len = (usize::from(first & 0x0F) << 8) | usize::from(b[1]);
            (Element::Bytes(&need(2 + len)?[2..]), 2 + len)
        }
        0xF0 => {
            let b = need(5)?;
            let len = u32::from_le_bytes(b[1..5].try_into().expect("4 bytes")) as usize;
            let end = 5usize.checked_add(len).ok_or("listpack string length overflows")?;
            (Element::Bytes(&need(end)?[5..]), end)
        }
        0xF1 => {
            let b = need(3)?;
            (Element::Int(i64::from(i16::from_le_bytes([b[1], b[2]]))), 3)
        }
        0xF2 => {
            let b = need(4)?;
            let v = u64::from(b[1]) | (u64::from(b[2]) << 8) | (u64::from(b[3]) << 16);
            (Element::Int(sign_extend(v, 24)), 4)
        }
        0xF3 => {
            let b = need(5)?;
            (Element::Int(i64::from(i32::from_le_bytes(b[1..5].try_into().expect("4 bytes")))), 5)
        }
        0xF4 => {
            let b = need(9)?;
            (Element::Int(i64::from_le_bytes(b[1..9].try_into().expect("8 bytes"))), 9)
        }
        _ => return Err("listpack entry has an unknown encoding"),
    })
}

/// Reads a backlen written front to back in `bytes` (exactly the bytes Valkey would use).
fn decode_backlen(bytes: &[u8]) -> Option<usize> {
    let mut value = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        let continues = b & 128 != 0;
        // The first byte (most significant group) has no continuation bit, the others have one.
        if continues == (i == 0) {
            return None;
        }
        value = (value << 7) | usize::from(b & 127);
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn listpack_small_elements_encode_like_valkey() {
        // Bytes of a list DUMPed by Redis 7.0: a, b, c, 1, -2, 300000, i64::MAX.
        let mut w = ListpackWriter::new();
        for e in ["a", "b", "c", "1", "-2", "300000", "9223372036854775807"] {
            w.push(e.as_bytes());
        }
        let lp = w.finish();
        let want: &[u8] = b"\x24\x00\x00\x00\x07\x00\x81a\x02\x81b\x02\x81c\x02\x01\x01\xdf\xfe\x02\
            \xf2\xe0\x93\x04\x04\xf4\xff\xff\xff\xff\xff\xff\xff\x7f\x09\xff";
        assert_eq!(lp, want);
        let items = decode(&lp).unwrap();
        assert_eq!(items[4], Element::Int(-2));
        assert_eq!(items[6], Element::Int(i64::MAX));
    }

    #[test]
    fn listpack_backlen_thresholds_follow_valkey() {
        assert_eq!(backlen_size(127), 1);
        assert_eq!(backlen_size(128), 2);
        assert_eq!(backlen_size(16382), 2);
        assert_eq!(backlen_size(16383), 3);
        let mut buf = Vec::new();
        encode_backlen(&mut buf, 500);
        assert_eq!(buf, [(500 >> 7) as u8, ((500 & 127) | 128) as u8]);
        assert_eq!(decode_backlen(&buf), Some(500));
    }

    #[test]
    fn listpack_corruption_is_detected() {
        let mut w = ListpackWriter::new();
        w.push(b"hello");
        w.push(b"12");
        let good = w.finish();
        assert!(decode(&good).is_ok());
        let mut bad = good.clone();
        bad[0] += 1;
        assert!(decode(&bad).is_err(), "size header");
        let mut bad = good.clone();
        bad[4] = 3;
        assert!(decode(&bad).is_err(), "count header");
        let mut bad = good.clone();
        bad[6] = 0x86; // string length 6 instead of 5
        assert!(decode(&bad).is_err(), "entry length");
        let mut bad = good;
        bad[6] = 0xF7;
        assert!(decode(&bad).is_err(), "unknown encoding");
    }

    proptest! {
        #[test]
        fn listpack_round_trips(items in proptest::collection::vec(prop_oneof![
            any::<i64>().prop_map(|n| n.to_string().into_bytes()),
            (-5000i64..5000).prop_map(|n| n.to_string().into_bytes()),
            proptest::collection::vec(any::<u8>(), 0..5000),
        ], 0..40)) {
            let mut w = ListpackWriter::new();
            for item in &items {
                w.push(item);
            }
            let expected_bytes = w.bytes();
            let lp = w.finish();
            prop_assert_eq!(lp.len(), expected_bytes);
            prop_assert_eq!(lp.len(), 7 + items.iter().map(|i| entry_size(i)).sum::<usize>());
            let back: Vec<Vec<u8>> = decode(&lp).unwrap().into_iter().map(Element::to_vec).collect();
            prop_assert_eq!(back, items);
        }
    }
}
