//! CRC-64/Jones, the checksum at the end of RDB files and DUMP payloads.
//!
//! Valkey's `crc64.c`: polynomial 0xad93d23594c935a9, bits reflected, initial value 0, no final xor
//! (check value 0xe9c6d914c4b8d9ca for `"123456789"`). Computed eight bytes at a time with
//! slicing-by-8 tables built at compile time, because every byte of a snapshot goes through it.

/// The polynomial with its bits reversed, for the reflected (LSB-first) form of the algorithm.
const POLY_REFLECTED: u64 = 0xad93_d235_94c9_35a9_u64.reverse_bits();

const TABLES: [[u64; 256]; 8] = build_tables();

const fn build_tables() -> [[u64; 256]; 8] {
    let mut tables = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ POLY_REFLECTED } else { crc >> 1 };
            bit += 1;
        }
        tables[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = tables[k - 1][i];
            tables[k][i] = (prev >> 8) ^ tables[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    tables
}

/// Continues the checksum `crc` over `bytes` (start from 0), as Valkey's `crc64(crc, s, l)`.
pub fn crc64(mut crc: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = crc ^ u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        crc = TABLES[7][(word & 0xff) as usize]
            ^ TABLES[6][((word >> 8) & 0xff) as usize]
            ^ TABLES[5][((word >> 16) & 0xff) as usize]
            ^ TABLES[4][((word >> 24) & 0xff) as usize]
            ^ TABLES[3][((word >> 32) & 0xff) as usize]
            ^ TABLES[2][((word >> 40) & 0xff) as usize]
            ^ TABLES[1][((word >> 48) & 0xff) as usize]
            ^ TABLES[0][(word >> 56) as usize];
    }
    for &byte in chunks.remainder() {
        crc = TABLES[0][((crc ^ u64::from(byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::crc64;

    /// The bit-at-a-time definition, to check the tables against.
    fn crc64_bitwise(mut crc: u64, bytes: &[u8]) -> u64 {
        for &byte in bytes {
            crc ^= u64::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ super::POLY_REFLECTED } else { crc >> 1 };
            }
        }
        crc
    }

    #[test]
    fn crc64_check_value_matches_valkey() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        assert_eq!(crc64(0, b""), 0);
    }

    #[test]
    fn crc64_sliced_equals_bitwise_and_chains() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in [0, 1, 7, 8, 9, 63, 64, 65, 1000] {
            assert_eq!(crc64(0, &data[..len]), crc64_bitwise(0, &data[..len]), "len {len}");
        }
        let whole = crc64(0, &data);
        assert_eq!(crc64(crc64(0, &data[..333]), &data[333..]), whole);
    }
}
