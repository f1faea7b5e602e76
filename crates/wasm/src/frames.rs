//! The byte formats of the fast path between `pkg/index.js` and [`crate::Store::run`]: commands in, one
//! crossing for any number of them, and replies out as RESP3 bytes that a small JS decoder reads.
//!
//! Building JS arrays and strings from Rust costs a crossing per value; bytes in wasm memory cost none.
//!
//! Input (little-endian `u32`s): `ncommands`, then per command `argc`, then per argument `len` and its
//! bytes. Output: per command run, `status` (the `STATUS_*` bits), `len`, then `len` bytes of RESP3: the
//! command's reply and any pushes, in order (a RESP2 client's replies are downgraded by the JS decoder).

/// What went wrong reading packed commands: a bug in the JS face, never user input.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("ferrokey: malformed packed command buffer")]
pub struct Malformed;

/// Reads packed commands one at a time.
pub struct Commands<'a> {
    buf: &'a [u8],
    remaining: u32,
}

impl<'a> Commands<'a> {
    pub fn new(buf: &'a [u8]) -> Result<Self, Malformed> {
        let mut c = Commands { buf, remaining: 0 };
        c.remaining = c.u32()?;
        Ok(c)
    }

    fn u32(&mut self) -> Result<u32, Malformed> {
        let (head, rest) = self.buf.split_first_chunk::<4>().ok_or(Malformed)?;
        self.buf = rest;
        Ok(u32::from_le_bytes(*head))
    }

    fn bytes(&mut self, len: usize) -> Result<&'a [u8], Malformed> {
        if len > self.buf.len() {
            return Err(Malformed);
        }
        let (head, rest) = self.buf.split_at(len);
        self.buf = rest;
        Ok(head)
    }

    /// The next command's argv, or `None` after the last.
    pub fn next_argv(&mut self) -> Result<Option<Vec<Vec<u8>>>, Malformed> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        let argc = self.u32()? as usize;
        // Every argument takes at least its 4-byte length: a bound that needs no trust in `argc`.
        let mut argv = Vec::with_capacity(argc.min(self.buf.len() / 4));
        for _ in 0..argc {
            let len = self.u32()? as usize;
            argv.push(self.bytes(len)?.to_vec());
        }
        Ok(Some(argv))
    }
}

/// Appends one command's frame: its status word, then its RESP3 output (taken from `out`, which is
/// left empty with its capacity).
pub fn push_frame(frames: &mut Vec<u8>, status: u32, out: &mut Vec<u8>) {
    frames.extend_from_slice(&status.to_le_bytes());
    frames.extend_from_slice(&(out.len() as u32).to_le_bytes());
    frames.extend_from_slice(out);
    out.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(cmds: &[&[&[u8]]]) -> Vec<u8> {
        let mut b = (cmds.len() as u32).to_le_bytes().to_vec();
        for argv in cmds {
            b.extend_from_slice(&(argv.len() as u32).to_le_bytes());
            for a in *argv {
                b.extend_from_slice(&(a.len() as u32).to_le_bytes());
                b.extend_from_slice(a);
            }
        }
        b
    }

    #[test]
    fn commands_two_packed_read_in_order() {
        let buf = pack(&[&[b"SET", b"k", b""], &[b"GET", b"k"]]);
        let mut c = Commands::new(&buf).unwrap();
        assert_eq!(c.next_argv().unwrap().unwrap(), vec![b"SET".to_vec(), b"k".to_vec(), Vec::new()]);
        assert_eq!(c.next_argv().unwrap().unwrap(), vec![b"GET".to_vec(), b"k".to_vec()]);
        assert_eq!(c.next_argv().unwrap(), None);
    }

    #[test]
    fn commands_truncated_buffer_is_malformed() {
        let mut buf = pack(&[&[b"GET", b"key"]]);
        buf.truncate(buf.len() - 1);
        let mut c = Commands::new(&buf).unwrap();
        assert_eq!(c.next_argv(), Err(Malformed));
        assert!(Commands::new(&[1, 0]).is_err());
    }

    #[test]
    fn push_frame_writes_status_length_bytes_and_empties_out() {
        let mut frames = Vec::new();
        let mut out = b"+OK\r\n".to_vec();
        push_frame(&mut frames, 9, &mut out);
        assert_eq!(frames, [&9u32.to_le_bytes()[..], &5u32.to_le_bytes(), b"+OK\r\n"].concat());
        assert!(out.is_empty());
    }
}
