//! LZF, the compression of long strings in RDB files (`rdbcompression yes`).
//!
//! The format is liblzf's: a stream of literal runs (`000LLLLL` then L+1 bytes) and back references
//! (`LLLooooo oooooooo` copying L+2 bytes from `o+1` bytes back, with `111ooooo` taking one more
//! length byte). Any LZF decoder reads what [`compress`] writes; the output need not match Valkey's
//! compressor byte for byte, only decode to the same string.

/// Longest distance a back reference reaches (13 bits of offset, plus one).
const MAX_OFFSET: usize = 1 << 13;
/// Longest match one back reference copies: 2 + 7 + 255.
const MAX_MATCH: usize = 264;
/// Longest literal run one control byte announces.
const MAX_LITERAL: usize = 32;
/// Size (log2) of the largest table of recent positions of each 3-byte sequence. Short inputs get a
/// table about their own size: a snapshot compresses millions of short strings, and clearing a large
/// table for each would cost more than compressing them.
const HASH_LOG: u32 = 14;

/// Compresses `input`, or returns `None` when the result would not be shorter than `max_len` bytes
/// (Valkey only keeps a compressed string that saves at least 4 bytes, so it passes `len - 4`).
pub fn compress(input: &[u8], max_len: usize) -> Option<Vec<u8>> {
    if input.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(max_len.min(input.len()));
    let hash_log = (usize::BITS - input.len().max(16).leading_zeros()).min(HASH_LOG);
    let mut table = vec![0u32; 1 << hash_log];
    // `out[run_at]` is the control byte of the literal run being collected, `run` its length.
    let mut run_at = 0;
    let mut run = 0usize;
    out.push(0);
    let mut ip = 0;
    while ip + 2 < input.len() {
        let slot = hash(&input[ip..ip + 3], hash_log);
        let candidate = table[slot] as usize;
        table[slot] = (ip + 1) as u32;
        if candidate > 0 {
            let reference = candidate - 1;
            let distance = ip - reference;
            if distance <= MAX_OFFSET && input[reference..reference + 3] == input[ip..ip + 3] {
                let longest = MAX_MATCH.min(input.len() - ip);
                let mut len = 3;
                while len < longest && input[reference + len] == input[ip + len] {
                    len += 1;
                }
                close_run(&mut out, run_at, run);
                let offset = distance - 1;
                let stored = len - 2;
                if stored < 7 {
                    out.push(((stored as u8) << 5) | (offset >> 8) as u8);
                } else {
                    out.push((7 << 5) | (offset >> 8) as u8);
                    out.push((stored - 7) as u8);
                }
                out.push((offset & 0xff) as u8);
                ip += len;
                run_at = out.len();
                run = 0;
                out.push(0);
                if out.len() > max_len {
                    return None;
                }
                continue;
            }
        }
        push_literal(&mut out, &mut run_at, &mut run, input[ip]);
        ip += 1;
        if out.len() > max_len {
            return None;
        }
    }
    while ip < input.len() {
        push_literal(&mut out, &mut run_at, &mut run, input[ip]);
        ip += 1;
    }
    close_run(&mut out, run_at, run);
    (out.len() <= max_len).then_some(out)
}

fn hash(three: &[u8], hash_log: u32) -> usize {
    let v = (u32::from(three[0]) << 16) | (u32::from(three[1]) << 8) | u32::from(three[2]);
    (v.wrapping_mul(2_654_435_761) >> (32 - hash_log)) as usize
}

fn push_literal(out: &mut Vec<u8>, run_at: &mut usize, run: &mut usize, byte: u8) {
    out.push(byte);
    *run += 1;
    if *run == MAX_LITERAL {
        out[*run_at] = (MAX_LITERAL - 1) as u8;
        *run_at = out.len();
        *run = 0;
        out.push(0);
    }
}

/// Writes the control byte of the open literal run, or drops its placeholder when the run is empty.
fn close_run(out: &mut Vec<u8>, run_at: usize, run: usize) {
    if run == 0 {
        debug_assert_eq!(run_at, out.len() - 1);
        out.pop();
    } else {
        out[run_at] = (run - 1) as u8;
    }
}

/// Decompresses `input`, which must expand to exactly `expected_len` bytes. `None` when the data is
/// malformed (a reference before the start, a run past the end) or has another length.
pub fn decompress(input: &[u8], expected_len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(expected_len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < MAX_LITERAL {
            let len = ctrl + 1;
            let literal = input.get(ip..ip + len)?;
            if out.len() + len > expected_len {
                return None;
            }
            out.extend_from_slice(literal);
            ip += len;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(ip)?);
                ip += 1;
            }
            let distance = ((ctrl & 0x1f) << 8) + usize::from(*input.get(ip)?) + 1;
            ip += 1;
            len += 2;
            if distance > out.len() || out.len() + len > expected_len {
                return None;
            }
            // Byte by byte: the source may overlap what is being written (a repeated pattern).
            let start = out.len() - distance;
            for i in 0..len {
                let byte = out[start + i];
                out.push(byte);
            }
        }
    }
    (out.len() == expected_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lzf_repetitive_input_compresses_and_round_trips() {
        let input = b"abcd".repeat(100);
        let packed = compress(&input, input.len() - 4).expect("compressible");
        assert!(packed.len() < 40, "{} bytes", packed.len());
        assert_eq!(decompress(&packed, input.len()).unwrap(), input);
    }

    #[test]
    fn lzf_incompressible_input_returns_none() {
        let input: Vec<u8> = (0..64u8).collect();
        assert_eq!(compress(&input, input.len() - 4), None);
    }

    #[test]
    fn lzf_known_liblzf_stream_decodes() {
        // "aaaaaaaaaa" as liblzf writes it: literal "a", then a 9-byte copy from 1 byte back.
        assert_eq!(decompress(&[0x00, b'a', 0xe0, 0x00, 0x00], 10).unwrap(), b"aaaaaaaaaa");
    }

    #[test]
    fn lzf_malformed_input_is_refused() {
        assert_eq!(decompress(&[0x20, 0x00], 3), None, "reference before the start");
        assert_eq!(decompress(&[0x05, b'a'], 6), None, "literal past the input");
        assert_eq!(decompress(&[0x00, b'a'], 2), None, "wrong length");
    }

    proptest! {
        #[test]
        fn lzf_round_trips(input in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 1..3000)) {
            if let Some(packed) = compress(&input, input.len() * 2 + 8) {
                prop_assert_eq!(decompress(&packed, input.len()).unwrap(), input);
            }
        }
    }
}
