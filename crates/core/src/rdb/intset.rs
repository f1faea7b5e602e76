//! Intsets (Valkey's `intset.c` format): how RDB files save a set of integers.
//!
//! Layout: `<width u32 LE: 2, 4 or 8> <count u32 LE> <count integers of that width, LE, ascending>`.

use super::listpack::Invalid;

/// The members of an intset blob, refused unless they are strictly ascending (no duplicates) and
/// at least one, as Valkey's deep `intsetValidateIntegrity` does.
pub fn decode(blob: &[u8]) -> Result<Vec<i64>, Invalid> {
    if blob.len() < 8 {
        return Err("intset shorter than its header");
    }
    let width = u32::from_le_bytes(blob[0..4].try_into().expect("4 bytes")) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return Err("intset has an unknown integer width");
    }
    let count = u32::from_le_bytes(blob[4..8].try_into().expect("4 bytes")) as usize;
    if count.checked_mul(width).and_then(|n| n.checked_add(8)) != Some(blob.len()) {
        return Err("intset size does not match its count");
    }
    if count == 0 {
        return Err("intset is empty");
    }
    let members: Vec<i64> = blob[8..]
        .chunks_exact(width)
        .map(|c| match width {
            2 => i64::from(i16::from_le_bytes([c[0], c[1]])),
            4 => i64::from(i32::from_le_bytes(c.try_into().expect("4 bytes"))),
            _ => i64::from_le_bytes(c.try_into().expect("8 bytes")),
        })
        .collect();
    if members.windows(2).any(|w| w[0] >= w[1]) {
        return Err("intset members are not strictly ascending");
    }
    Ok(members)
}

/// An intset of `members` (ascending, distinct) in the narrowest width that holds them all.
pub fn encode(members: &[i64]) -> Vec<u8> {
    debug_assert!(members.windows(2).all(|w| w[0] < w[1]), "intset members must be sorted");
    let fits = |lo: i64, hi: i64| members.iter().all(|m| (lo..=hi).contains(m));
    let width: usize = if fits(i16::MIN.into(), i16::MAX.into()) {
        2
    } else if fits(i32::MIN.into(), i32::MAX.into()) {
        4
    } else {
        8
    };
    let mut blob = Vec::with_capacity(8 + members.len() * width);
    blob.extend_from_slice(&(width as u32).to_le_bytes());
    blob.extend_from_slice(&(members.len() as u32).to_le_bytes());
    for &m in members {
        blob.extend_from_slice(&m.to_le_bytes()[..width]);
    }
    blob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_round_trips_in_each_width() {
        for members in [vec![-3, 0, 5], vec![-70000, 1], vec![i64::MIN, 0, i64::MAX]] {
            let blob = encode(&members);
            assert_eq!(decode(&blob).unwrap(), members);
        }
        assert_eq!(encode(&[1, 2])[0], 2);
        assert_eq!(encode(&[1, 70000])[0], 4);
        assert_eq!(encode(&[1, 1 << 40])[0], 8);
    }

    #[test]
    fn intset_unsorted_or_empty_is_refused() {
        let mut blob = encode(&[1, 2]);
        blob[8] = 9;
        assert!(decode(&blob).is_err());
        assert!(decode(&[2, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(decode(&[3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]).is_err());
    }
}
