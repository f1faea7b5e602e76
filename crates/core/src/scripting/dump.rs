//! The FUNCTION DUMP payload, as Valkey's `functionDumpCommand` writes it: each library as the RDB
//! opcode `FUNCTION2` and its code as an RDB string, then the RDB version (2 bytes, little endian) and a
//! CRC64 (Jones) of everything before it (8 bytes, little endian).
//!
//! Codes are written uncompressed; LZF-compressed and integer-encoded strings (which Valkey writes
//! when `rdbcompression` is on) are read.

/// RDB version Valkey 8.0 writes.
const RDB_VERSION: u16 = 11;
const OPCODE_FUNCTION2: u8 = 245;
const OPCODE_FUNCTION_PRE_GA: u8 = 246;

/// A payload of the given library codes.
pub fn encode<'a>(codes: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for code in codes {
        out.push(OPCODE_FUNCTION2);
        put_len(&mut out, code.len() as u64);
        out.extend_from_slice(code);
    }
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// The library codes in a payload, or FUNCTION RESTORE's error text.
pub fn decode(payload: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    if !verify(payload) {
        return Err("DUMP payload version or checksum are wrong");
    }
    let body = &payload[..payload.len() - 10];
    let mut pos = 0;
    let mut codes = Vec::new();
    while pos < body.len() {
        let opcode = body[pos];
        pos += 1;
        if opcode == OPCODE_FUNCTION_PRE_GA {
            return Err("Pre-GA function format not supported");
        }
        if opcode != OPCODE_FUNCTION2 {
            return Err("given type is not a function");
        }
        let code = read_string(body, &mut pos).ok_or("Failed loading library payload")?;
        codes.push(code);
    }
    Ok(codes)
}

/// Version and checksum footer, as `verifyDumpPayload`.
fn verify(payload: &[u8]) -> bool {
    if payload.len() < 10 {
        return false;
    }
    let footer = &payload[payload.len() - 10..];
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if version > RDB_VERSION {
        return false;
    }
    let crc = crc64(0, &payload[..payload.len() - 8]);
    crc.to_le_bytes() == footer[2..]
}

fn put_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(0x40 | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u32::MAX as u64 {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// An RDB length, or the encoding number of a specially encoded string.
enum Len {
    Plain(u64),
    Encoded(u8),
}

fn read_len(b: &[u8], pos: &mut usize) -> Option<Len> {
    let first = *b.get(*pos)?;
    *pos += 1;
    Some(match first >> 6 {
        0 => Len::Plain(u64::from(first & 0x3f)),
        1 => {
            let second = *b.get(*pos)?;
            *pos += 1;
            Len::Plain((u64::from(first & 0x3f) << 8) | u64::from(second))
        }
        3 => Len::Encoded(first & 0x3f),
        _ => match first {
            0x80 => Len::Plain(u64::from(u32::from_be_bytes(take(b, pos, 4)?.try_into().ok()?))),
            0x81 => Len::Plain(u64::from_be_bytes(take(b, pos, 8)?.try_into().ok()?)),
            _ => return None,
        },
    })
}

fn read_plain_len(b: &[u8], pos: &mut usize) -> Option<usize> {
    match read_len(b, pos)? {
        Len::Plain(n) => usize::try_from(n).ok(),
        Len::Encoded(_) => None,
    }
}

fn read_string(b: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    match read_len(b, pos)? {
        Len::Plain(n) => Some(take(b, pos, usize::try_from(n).ok()?)?.to_vec()),
        Len::Encoded(0) => Some((take(b, pos, 1)?[0] as i8).to_string().into_bytes()),
        Len::Encoded(1) => Some(i16::from_le_bytes(take(b, pos, 2)?.try_into().ok()?).to_string().into_bytes()),
        Len::Encoded(2) => Some(i32::from_le_bytes(take(b, pos, 4)?.try_into().ok()?).to_string().into_bytes()),
        Len::Encoded(3) => {
            let compressed_len = read_plain_len(b, pos)?;
            let len = read_plain_len(b, pos)?;
            lzf_decompress(take(b, pos, compressed_len)?, len)
        }
        Len::Encoded(_) => None,
    }
}

fn take<'a>(b: &'a [u8], pos: &mut usize, n: usize) -> Option<&'a [u8]> {
    let s = b.get(*pos..pos.checked_add(n)?)?;
    *pos += n;
    Some(s)
}

/// LZF: literal runs (control < 32) and back references (length in the top 3 bits, offset below).
fn lzf_decompress(input: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = usize::from(input[i]);
        i += 1;
        if ctrl < 32 {
            out.extend_from_slice(input.get(i..i + ctrl + 1)?);
            i += ctrl + 1;
        } else {
            let mut run = ctrl >> 5;
            if run == 7 {
                run += usize::from(*input.get(i)?);
                i += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + usize::from(*input.get(i)?) + 1;
            i += 1;
            let start = out.len().checked_sub(back)?;
            for k in 0..run + 2 {
                let byte = out[start + k];
                out.push(byte);
            }
        }
        if out.len() > len {
            return None;
        }
    }
    (out.len() == len).then_some(out)
}

/// CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9), the checksum of RDB files and DUMP.
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    const REFLECTED_POLY: u64 = 0x95ac_9329_ac4b_c9b5;
    for &byte in data {
        crc ^= u64::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ REFLECTED_POLY } else { crc >> 1 };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_matches_the_jones_check_value() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn encode_then_decode_round_trips() {
        let long = vec![b'x'; 20000];
        let codes: Vec<&[u8]> = vec![b"#!lua name=a\n", &long];
        let payload = encode(codes.iter().copied());
        assert_eq!(decode(&payload).unwrap(), vec![codes[0].to_vec(), long]);
    }

    #[test]
    fn decode_rejects_bad_payloads() {
        assert_eq!(decode(b"bad_payload"), Err("DUMP payload version or checksum are wrong"));
        let mut bad_type = vec![1u8, 0];
        bad_type.extend_from_slice(&RDB_VERSION.to_le_bytes());
        let crc = crc64(0, &bad_type);
        bad_type.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(decode(&bad_type), Err("given type is not a function"));
    }

    #[test]
    fn lzf_back_references_expand() {
        // "abcabcabc": literal "abc", then a 6-byte copy from 3 back.
        assert_eq!(lzf_decompress(&[2, b'a', b'b', b'c', 0x80, 2], 9).unwrap(), b"abcabcabc");
    }
}
