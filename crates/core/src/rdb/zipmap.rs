//! Zipmaps (Valkey's `zipmap.c` format): how RDB files from Redis 2.x saved small hashes. Read
//! only; [`encode`] exists to build test files.
//!
//! Layout: `<count: 1 byte, 254+ = unknown> (<len> field <len> <free: 1 byte> value <free bytes>)...
//! <0xFF>`, where `<len>` is 1 byte below 254, or 254 followed by a u32 (little endian).

use super::listpack::Invalid;

const END: u8 = 0xFF;
const BIG_LEN: u8 = 254;

/// A (field, value) pair, borrowed from the blob.
pub type Pair<'a> = (&'a [u8], &'a [u8]);

/// The (field, value) pairs of a zipmap, refused if an entry runs past the end, the count byte
/// disagrees, or the map is empty (Valkey's deep `zipmapValidateIntegrity`).
pub fn decode(blob: &[u8]) -> Result<Vec<Pair<'_>>, Invalid> {
    if blob.len() < 2 || blob[blob.len() - 1] != END {
        return Err("zipmap does not end with 0xFF");
    }
    let last = blob.len() - 1;
    let mut pairs = Vec::new();
    let mut p = 1;
    let read_len = |p: &mut usize| -> Result<usize, Invalid> {
        let first = *blob.get(*p).filter(|_| *p < last).ok_or("zipmap entry runs past the end")?;
        if first < BIG_LEN {
            *p += 1;
            Ok(usize::from(first))
        } else {
            let b = blob.get(*p + 1..*p + 5).filter(|_| *p + 5 <= last).ok_or("zipmap entry runs past the end")?;
            *p += 5;
            Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
        }
    };
    let take = |p: &mut usize, n: usize| -> Result<&[u8], Invalid> {
        let end = p.checked_add(n).filter(|&e| e <= last).ok_or("zipmap entry runs past the end")?;
        let s = &blob[*p..end];
        *p = end;
        Ok(s)
    };
    while p < last {
        let field_len = read_len(&mut p)?;
        let field = take(&mut p, field_len)?;
        let value_len = read_len(&mut p)?;
        let free = usize::from(take(&mut p, 1)?[0]);
        let value = take(&mut p, value_len)?;
        take(&mut p, free)?;
        pairs.push((field, value));
    }
    if pairs.is_empty() {
        return Err("zipmap is empty");
    }
    if blob[0] < BIG_LEN && usize::from(blob[0]) != pairs.len() {
        return Err("zipmap count does not match its entries");
    }
    Ok(pairs)
}

/// A zipmap of `pairs` with no free space, as Redis 2.x wrote them.
pub fn encode<F: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(F, V)]) -> Vec<u8> {
    let mut blob = vec![pairs.len().min(usize::from(BIG_LEN)) as u8];
    let push_len = |blob: &mut Vec<u8>, n: usize| {
        if n < usize::from(BIG_LEN) {
            blob.push(n as u8);
        } else {
            blob.push(BIG_LEN);
            blob.extend_from_slice(&(n as u32).to_le_bytes());
        }
    };
    for (field, value) in pairs {
        push_len(&mut blob, field.as_ref().len());
        blob.extend_from_slice(field.as_ref());
        push_len(&mut blob, value.as_ref().len());
        blob.push(0);
        blob.extend_from_slice(value.as_ref());
    }
    blob.push(END);
    blob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipmap_documented_example_decodes() {
        let zm = b"\x02\x03foo\x03\x00bar\x05hello\x05\x00world\xff";
        let pairs = decode(zm).unwrap();
        assert_eq!(pairs, vec![(&b"foo"[..], &b"bar"[..]), (&b"hello"[..], &b"world"[..])]);
        assert_eq!(encode(&[("foo", "bar"), ("hello", "world")]), zm);
    }

    #[test]
    fn zipmap_free_space_and_long_values_are_handled() {
        let long = "v".repeat(300);
        let mut zm = encode(&[("f", long.as_str())]);
        assert_eq!(decode(&zm).unwrap()[0].1, long.as_bytes());
        // Give the value two bytes of free space.
        let free_at = 1 + 1 + 1 + 5;
        zm[free_at] = 2;
        zm.splice(zm.len() - 1..zm.len() - 1, [0, 0]);
        assert_eq!(decode(&zm).unwrap()[0].1, long.as_bytes());
        assert!(decode(b"\x01\x03fo\xff").is_err());
    }
}
