//! DEBUG DIGEST and DIGEST-VALUE: a 160-bit fingerprint of the dataset or of single values, equal for
//! equal data whatever the encodings and the table layouts.
//!
//! Each key's digest mixes (order-sensitively) its name, its type and its contents; unordered
//! collections (sets, hashes, sorted sets) xor their elements' digests so that iteration order does
//! not matter; the keys' digests are xored together per database, and each non-empty database's
//! index is mixed in. An empty dataset digests to 40 zeros, as in Valkey.

use crate::db::Db;
use crate::engine::Engine;
use crate::types::Value;

pub type Digest = [u8; 20];

/// `digest ^= sha1(data)`: order-independent accumulation.
fn xor_in(digest: &mut Digest, data: &[u8]) {
    let h = sha1(data);
    for (d, x) in digest.iter_mut().zip(h) {
        *d ^= x;
    }
}

/// `digest = sha1(digest ^ sha1(data))`: order-dependent accumulation.
fn mix_in(digest: &mut Digest, data: &[u8]) {
    xor_in(digest, data);
    *digest = sha1(digest);
}

/// The digest of one key and its value (and deadline), as DEBUG DIGEST-VALUE reports it.
pub fn value_digest(db: &Db, key: &[u8], value: &Value) -> Digest {
    let mut d = [0u8; 20];
    let type_tag: u32 = match value {
        Value::Str(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    };
    mix_in(&mut d, &type_tag.to_be_bytes());
    match value {
        Value::Str(s) => mix_in(&mut d, s),
        Value::List(l) => {
            for item in l.iter() {
                mix_in(&mut d, item);
            }
        }
        Value::Set(s) => {
            for m in s.iter() {
                m.with_bytes(|b| xor_in(&mut d, b));
            }
        }
        Value::ZSet(z) => {
            for (score, member) in z.iter() {
                let mut e = [0u8; 20];
                mix_in(&mut e, member);
                mix_in(&mut e, format!("{score:e}").as_bytes());
                xor_in(&mut d, &e);
            }
        }
        Value::Hash(h) => {
            for (field, v) in h.iter() {
                let mut e = [0u8; 20];
                mix_in(&mut e, field);
                mix_in(&mut e, v);
                xor_in(&mut d, &e);
            }
        }
        Value::Stream(s) => {
            let all = s.entries.range(crate::types::stream::StreamId::MIN, crate::types::stream::StreamId::MAX, false);
            for e in all {
                mix_in(&mut d, format!("{}.{}", e.id.ms, e.id.seq).as_bytes());
                for (field, v) in e.fields() {
                    mix_in(&mut d, field);
                    mix_in(&mut d, v);
                }
            }
        }
    }
    if let Some(at_ms) = db.expire_of(key) {
        mix_in(&mut d, b"!!expire!!");
        mix_in(&mut d, at_ms.to_string().as_bytes());
    }
    d
}

/// The digest of every database.
pub fn dataset_digest(eng: &Engine) -> Digest {
    let mut total = [0u8; 20];
    for (i, db) in eng.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix_in(&mut total, &(i as u32).to_be_bytes());
        for (key, entry) in db.keys.iter() {
            let mut d = [0u8; 20];
            mix_in(&mut d, key);
            let v = value_digest(db, key, &entry.value);
            for (a, b) in d.iter_mut().zip(v) {
                *a ^= b;
            }
            xor_in(&mut total, &d);
        }
    }
    total
}

pub fn hex(d: &Digest) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-1 (FIPS 180-4). Here only as a mixing function for fingerprints, never for security.
pub fn sha1(data: &[u8]) -> Digest {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, &wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_known_vectors() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }
}
