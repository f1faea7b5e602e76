//! Reading the RDB format's primitives from a byte slice: lengths, strings (raw, integer, LZF),
//! doubles and times. Every error carries the offset of the item being read.

use super::error::RdbError;
use super::format::{ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF, LEN_32BIT, LEN_64BIT};
use super::lzf;
use std::borrow::Cow;

/// LZF expands at most this many times (a 3-byte back reference copies 264 bytes); a block claiming
/// more is corrupt, and refusing it early keeps a bad length from allocating gigabytes.
const LZF_MAX_RATIO: usize = 90;

/// A length field: a plain count, or the marker of a specially encoded string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    Plain(u64),
    Encoded(u8),
}

pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Cursor<'a> {
        Cursor { buf, pos: 0 }
    }

    /// Offset of the next byte to read.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], RdbError> {
        if n > self.remaining() {
            return Err(RdbError::Truncated { offset: self.pos, wanted: n - self.remaining() });
        }
        let bytes = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RdbError> {
        Ok(self.take(N)?.try_into().expect("took N bytes"))
    }

    pub(crate) fn u8(&mut self) -> Result<u8, RdbError> {
        Ok(self.take(1)?[0])
    }

    /// A unix time in seconds (the old EXPIRETIME opcode), 32 bits little endian.
    pub(crate) fn time_s(&mut self) -> Result<i32, RdbError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    /// A unix time in milliseconds, 64 bits little endian.
    pub(crate) fn time_ms(&mut self) -> Result<i64, RdbError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A double saved in binary (sorted-set scores since version 8).
    pub(crate) fn binary_double(&mut self) -> Result<f64, RdbError> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A double saved as text behind a length byte, with 253/254/255 for NaN/+inf/-inf (scores before
    /// version 8).
    pub(crate) fn string_double(&mut self) -> Result<f64, RdbError> {
        let at = self.pos;
        Ok(match self.u8()? {
            255 => f64::NEG_INFINITY,
            254 => f64::INFINITY,
            253 => f64::NAN,
            len => {
                let text = self.take(usize::from(len))?;
                parse_score(text).ok_or_else(|| RdbError::bad(at, "score is not a number"))?
            }
        })
    }

    pub(crate) fn length(&mut self) -> Result<Length, RdbError> {
        let at = self.pos;
        let first = self.u8()?;
        Ok(match first >> 6 {
            0 => Length::Plain(u64::from(first & 0x3F)),
            1 => Length::Plain((u64::from(first & 0x3F) << 8) | u64::from(self.u8()?)),
            3 => Length::Encoded(first & 0x3F),
            _ if first == LEN_32BIT => Length::Plain(u64::from(u32::from_be_bytes(self.array()?))),
            _ if first == LEN_64BIT => Length::Plain(u64::from_be_bytes(self.array()?)),
            _ => return Err(RdbError::bad(at, format!("unknown length encoding 0x{first:02x}"))),
        })
    }

    /// A plain length (a count or a size); an encoded-string marker here is corruption.
    pub(crate) fn len(&mut self) -> Result<u64, RdbError> {
        let at = self.pos;
        match self.length()? {
            Length::Plain(n) => Ok(n),
            Length::Encoded(_) => Err(RdbError::bad(at, "expected a length, found a string encoding")),
        }
    }

    /// A count of items that follow, for sizing allocations up front: never more than the bytes left
    /// (every item takes one at least) nor than a few thousand, beyond which growing costs little, so
    /// a corrupt count cannot allocate gigabytes.
    pub(crate) fn capacity_for(&self, count: u64) -> usize {
        usize::try_from(count).unwrap_or(usize::MAX).min(self.remaining()).min(4096)
    }

    /// A length that must fit `usize` (a byte count on a 32-bit target).
    pub(crate) fn size(&mut self) -> Result<usize, RdbError> {
        let at = self.pos;
        let n = self.len()?;
        usize::try_from(n).map_err(|_| RdbError::bad(at, "length does not fit in memory"))
    }

    /// A string: raw bytes, an integer saved in 1, 2 or 4 bytes (read back as its decimal text), or
    /// an LZF block.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, [u8]>, RdbError> {
        let at = self.pos;
        match self.length()? {
            Length::Plain(n) => {
                let n = usize::try_from(n).map_err(|_| RdbError::bad(at, "length does not fit in memory"))?;
                Ok(Cow::Borrowed(self.take(n)?))
            }
            Length::Encoded(ENC_INT8) => Ok(Cow::Owned(decimal(i64::from(self.u8()? as i8)))),
            Length::Encoded(ENC_INT16) => Ok(Cow::Owned(decimal(i64::from(i16::from_le_bytes(self.array()?))))),
            Length::Encoded(ENC_INT32) => Ok(Cow::Owned(decimal(i64::from(i32::from_le_bytes(self.array()?))))),
            Length::Encoded(ENC_LZF) => {
                let compressed_len = self.size()?;
                let len = self.size()?;
                let block_at = self.pos;
                let block = self.take(compressed_len)?;
                if len > compressed_len.saturating_mul(LZF_MAX_RATIO) {
                    return Err(RdbError::bad(block_at, "LZF block claims an impossible length"));
                }
                lzf::decompress(block, len)
                    .map(Cow::Owned)
                    .ok_or_else(|| RdbError::bad(block_at, "invalid LZF compressed string"))
            }
            Length::Encoded(other) => Err(RdbError::bad(at, format!("unknown string encoding {other}"))),
        }
    }

    /// A string copied out.
    pub(crate) fn string_vec(&mut self) -> Result<Vec<u8>, RdbError> {
        Ok(self.string()?.into_owned())
    }
}

fn decimal(n: i64) -> Vec<u8> {
    itoa::Buffer::new().format(n).as_bytes().to_vec()
}

/// A score written as text (C's `strtod` on what Valkey's `d2string` or Redis's `%.17g` wrote),
/// `inf`/`-inf`/`nan` included.
pub(crate) fn parse_score(text: &[u8]) -> Option<f64> {
    match text {
        b"nan" | b"-nan" => Some(f64::NAN),
        _ => crate::num::parse_f64(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_lengths_decode_every_width() {
        let bytes = [0x05, 0x41, 0x02, 0x80, 0, 1, 0, 0, 0x81, 0, 0, 0, 1, 0, 0, 0, 0, 0xC3];
        let mut c = Cursor::new(&bytes);
        assert_eq!(c.length().unwrap(), Length::Plain(5));
        assert_eq!(c.length().unwrap(), Length::Plain(0x102));
        assert_eq!(c.length().unwrap(), Length::Plain(0x10000));
        assert_eq!(c.length().unwrap(), Length::Plain(1 << 32));
        assert_eq!(c.length().unwrap(), Length::Encoded(3));
        assert!(matches!(c.length(), Err(RdbError::Truncated { offset: 18, wanted: 1 })));
    }

    #[test]
    fn cursor_integer_strings_read_as_decimal() {
        let bytes = [0xC0, 0xF6, 0xC1, 0x2E, 0xFB, 0xC2, 0x15, 0xCD, 0x5B, 0x07];
        let mut c = Cursor::new(&bytes);
        assert_eq!(&*c.string().unwrap(), b"-10");
        assert_eq!(&*c.string().unwrap(), b"-1234");
        assert_eq!(&*c.string().unwrap(), b"123456789");
    }

    #[test]
    fn cursor_bad_string_encoding_reports_offset() {
        let mut c = Cursor::new(&[0x01, b'x', 0xC7]);
        c.string().unwrap();
        assert_eq!(c.string(), Err(RdbError::bad(2, "unknown string encoding 7")));
    }
}
