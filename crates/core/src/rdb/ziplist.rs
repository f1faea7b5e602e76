//! Ziplists (Valkey's `ziplist.c` format), the compact encoding RDB files before version 10 used for
//! small hashes, sorted sets and list nodes. Read only; [`encode`] exists to build test files.
//!
//! Layout: `<total bytes u32 LE> <offset of last entry u32 LE> <count u16 LE> <entry>... <0xFF>`; an
//! entry is `<previous entry's size: 1 byte, or 0xFE + u32 LE> <encoding> <data>`.

use super::listpack::{Element, Invalid};
use crate::num::parse_i64;

const HEADER_SIZE: usize = 10;
const END: u8 = 0xFF;
const BIG_PREVLEN: u8 = 0xFE;

/// Every element of a ziplist, checked as Valkey's deep `ziplistValidateIntegrity` does: sizes,
/// end byte, each entry inside the blob with a correct previous-size field, the tail offset and
/// the count.
pub fn decode(blob: &[u8]) -> Result<Vec<Element<'_>>, Invalid> {
    if blob.len() < HEADER_SIZE + 1 {
        return Err("ziplist shorter than its header");
    }
    let word = |at: usize| u32::from_le_bytes(blob[at..at + 4].try_into().expect("4 bytes")) as usize;
    if word(0) != blob.len() {
        return Err("ziplist size header does not match its length");
    }
    if blob[blob.len() - 1] != END {
        return Err("ziplist does not end with 0xFF");
    }
    let tail = word(4);
    if tail > blob.len() - 1 {
        return Err("ziplist tail offset is outside the ziplist");
    }
    let count = u16::from_le_bytes([blob[8], blob[9]]);
    let last = blob.len() - 1;
    let mut elements = Vec::new();
    let mut p = HEADER_SIZE;
    let mut prev_size = 0;
    let mut prev_start = None;
    while p < last {
        let rest = &blob[p..last];
        let (prevlen, prevlen_size) = if rest[0] == BIG_PREVLEN {
            let b = rest.get(1..5).ok_or("ziplist entry runs past the end")?;
            (u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize, 5)
        } else {
            (usize::from(rest[0]), 1)
        };
        if prevlen != prev_size {
            return Err("ziplist entry's previous-size field is wrong");
        }
        let (element, body) = decode_body(rest.get(prevlen_size..).ok_or("ziplist entry runs past the end")?)?;
        elements.push(element);
        prev_start = Some(p);
        prev_size = prevlen_size + body;
        p += prev_size;
    }
    if p != last {
        return Err("ziplist entry runs past the end");
    }
    if prev_start.is_some_and(|start| start != tail) {
        return Err("ziplist tail offset does not point at the last entry");
    }
    if count != u16::MAX && usize::from(count) != elements.len() {
        return Err("ziplist count header does not match its entries");
    }
    Ok(elements)
}

/// The element after the previous-size field, and the bytes its encoding and data take.
fn decode_body(rest: &[u8]) -> Result<(Element<'_>, usize), Invalid> {
    let need = |n: usize| -> Result<&[u8], Invalid> { rest.get(..n).ok_or("ziplist entry runs past the end") };
    let first = *rest.first().ok_or("ziplist entry runs past the end")?;
    Ok(match first {
        0x00..=0x3F => {
            let len = usize::from(first & 0x3F);
            (Element::Bytes(&need(1 + len)?[1..]), 1 + len)
        }
        0x40..=0x7F => {
            let b = need(2)?;
            let len = (usize::from(first & 0x3F) << 8) | usize::from(b[1]);
            (Element::Bytes(&need(2 + len)?[2..]), 2 + len)
        }
        0x80..=0xBF => {
            let b = need(5)?;
            let len = u32::from_be_bytes(b[1..5].try_into().expect("4 bytes")) as usize;
            let end = 5usize.checked_add(len).ok_or("ziplist string length overflows")?;
            (Element::Bytes(&need(end)?[5..]), end)
        }
        0xC0 => {
            let b = need(3)?;
            (Element::Int(i64::from(i16::from_le_bytes([b[1], b[2]]))), 3)
        }
        0xD0 => {
            let b = need(5)?;
            (Element::Int(i64::from(i32::from_le_bytes(b[1..5].try_into().expect("4 bytes")))), 5)
        }
        0xE0 => {
            let b = need(9)?;
            (Element::Int(i64::from_le_bytes(b[1..9].try_into().expect("8 bytes"))), 9)
        }
        0xF0 => {
            let b = need(4)?;
            let v = i32::from_le_bytes([0, b[1], b[2], b[3]]) >> 8;
            (Element::Int(i64::from(v)), 4)
        }
        0xFE => {
            let b = need(2)?;
            (Element::Int(i64::from(b[1] as i8)), 2)
        }
        0xF1..=0xFD => (Element::Int(i64::from(first & 0x0F) - 1), 1),
        _ => return Err("ziplist entry has an unknown encoding"),
    })
}

/// A ziplist of `elements` in the encodings Redis chose (integers where the string is one), for
/// building RDB files of the versions that used them.
pub fn encode<B: AsRef<[u8]>>(elements: &[B]) -> Vec<u8> {
    let mut buf = vec![0; HEADER_SIZE];
    let mut prev_size = 0usize;
    let mut tail = HEADER_SIZE;
    for element in elements {
        let start = buf.len();
        tail = start;
        if prev_size < usize::from(BIG_PREVLEN) {
            buf.push(prev_size as u8);
        } else {
            buf.push(BIG_PREVLEN);
            buf.extend_from_slice(&(prev_size as u32).to_le_bytes());
        }
        let s = element.as_ref();
        match parse_i64(s) {
            Some(n @ 0..=12) => buf.push(0xF1 + n as u8),
            Some(n) if i8::try_from(n).is_ok() => buf.extend_from_slice(&[0xFE, n as u8]),
            Some(n) if i16::try_from(n).is_ok() => {
                buf.push(0xC0);
                buf.extend_from_slice(&(n as i16).to_le_bytes());
            }
            Some(n) if (-(1 << 23)..(1 << 23)).contains(&n) => {
                buf.push(0xF0);
                buf.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
            }
            Some(n) if i32::try_from(n).is_ok() => {
                buf.push(0xD0);
                buf.extend_from_slice(&(n as i32).to_le_bytes());
            }
            Some(n) => {
                buf.push(0xE0);
                buf.extend_from_slice(&n.to_le_bytes());
            }
            None if s.len() < 64 => buf.push(s.len() as u8),
            None if s.len() < 16384 => buf.extend_from_slice(&[0x40 | (s.len() >> 8) as u8, (s.len() & 0xff) as u8]),
            None => {
                buf.push(0x80);
                buf.extend_from_slice(&(s.len() as u32).to_be_bytes());
            }
        }
        if parse_i64(s).is_none() {
            buf.extend_from_slice(s);
        }
        prev_size = buf.len() - start;
    }
    buf.push(END);
    let total = buf.len() as u32;
    buf[0..4].copy_from_slice(&total.to_le_bytes());
    buf[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
    let count = u16::try_from(elements.len()).unwrap_or(u16::MAX);
    buf[8..10].copy_from_slice(&count.to_le_bytes());
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ziplist_documented_example_decodes() {
        // The example in Valkey's ziplist.c: the strings "2" and "5".
        let zl = [0x0f, 0, 0, 0, 0x0c, 0, 0, 0, 0x02, 0, 0x00, 0xf3, 0x02, 0xf6, 0xff];
        assert_eq!(decode(&zl).unwrap(), vec![Element::Int(2), Element::Int(5)]);
        assert_eq!(encode(&["2", "5"]), zl);
    }

    #[test]
    fn ziplist_every_encoding_round_trips() {
        let long = "x".repeat(300);
        let longer = "y".repeat(20000);
        let items = [
            "0",
            "12",
            "13",
            "-1",
            "127",
            "-128",
            "32767",
            "-32768",
            "8388607",
            "-8388608",
            "2147483647",
            "-2147483648",
            "9223372036854775807",
            "-9223372036854775808",
            "hello",
            "",
            &long,
            &longer,
            "after",
        ];
        let zl = encode(&items);
        let back: Vec<Vec<u8>> = decode(&zl).unwrap().into_iter().map(Element::to_vec).collect();
        let want: Vec<Vec<u8>> = items.iter().map(|s| s.as_bytes().to_vec()).collect();
        assert_eq!(back, want);
    }

    #[test]
    fn ziplist_corruption_is_detected() {
        let good = encode(&["a", "b", "c"]);
        let mut bad = good.clone();
        bad[4] = 11; // tail offset
        assert!(decode(&bad).is_err());
        let mut bad = good.clone();
        bad[13] = 9; // second entry's previous-size
        assert!(decode(&bad).is_err());
        let mut bad = good;
        bad[8] = 4; // count
        assert!(decode(&bad).is_err());
    }
}
