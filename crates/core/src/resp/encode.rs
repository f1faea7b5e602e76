//! Encoding a [`Reply`] for a client, downgraded for RESP2 exactly as Valkey does.

use super::Protocol;
use crate::num::format_double;
use crate::reply::Reply;

/// Appends the wire form of `reply` to `out`.
pub fn encode(reply: &Reply, proto: Protocol, out: &mut Vec<u8>) {
    let resp3 = proto == Protocol::Resp3;
    match reply {
        Reply::Status(s) => line(out, b'+', s.as_bytes()),
        Reply::Error(e) => {
            // Error text may carry user input: newlines would break the protocol.
            out.push(b'-');
            out.extend(e.bytes().map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }));
            out.extend_from_slice(b"\r\n");
        }
        Reply::Int(n) => int_line(out, b':', *n),
        Reply::Bulk(b) => bulk(out, b),
        Reply::Null => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"$-1\r\n" }),
        Reply::NullArray => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"*-1\r\n" }),
        Reply::Array(items) => {
            int_line(out, b'*', items.len() as i64);
            items.iter().for_each(|r| encode(r, proto, out));
        }
        Reply::Set(items) => {
            int_line(out, if resp3 { b'~' } else { b'*' }, items.len() as i64);
            items.iter().for_each(|r| encode(r, proto, out));
        }
        Reply::Push(items) => {
            int_line(out, if resp3 { b'>' } else { b'*' }, items.len() as i64);
            items.iter().for_each(|r| encode(r, proto, out));
        }
        Reply::Map(pairs) => {
            if resp3 {
                int_line(out, b'%', pairs.len() as i64);
            } else {
                int_line(out, b'*', 2 * pairs.len() as i64);
            }
            for (k, v) in pairs {
                encode(k, proto, out);
                encode(v, proto, out);
            }
        }
        Reply::Double(d) => {
            let text = format_double(*d);
            if resp3 {
                line(out, b',', text.as_bytes());
            } else {
                bulk(out, text.as_bytes());
            }
        }
        Reply::Bool(b) => {
            if resp3 {
                out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" });
            } else {
                out.extend_from_slice(if *b { b":1\r\n" } else { b":0\r\n" });
            }
        }
        Reply::BigNumber(n) => {
            if resp3 {
                line(out, b'(', n.as_bytes());
            } else {
                bulk(out, n.as_bytes());
            }
        }
        Reply::Verbatim(format, text) => {
            if resp3 {
                int_line(out, b'=', (text.len() + 4) as i64);
                out.extend_from_slice(format.as_bytes());
                out.push(b':');
                out.extend_from_slice(text);
                out.extend_from_slice(b"\r\n");
            } else {
                bulk(out, text);
            }
        }
    }
}

fn line(out: &mut Vec<u8>, kind: u8, text: &[u8]) {
    out.push(kind);
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

fn int_line(out: &mut Vec<u8>, kind: u8, n: i64) {
    out.push(kind);
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    int_line(out, b'$', b.len() as i64);
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(r: &Reply, p: Protocol) -> String {
        let mut out = Vec::new();
        encode(r, p, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn encode_downgrades_resp3_types_for_resp2() {
        use Protocol::*;
        let map = Reply::Map(vec![(Reply::bulk("a"), Reply::Int(1))]);
        assert_eq!(wire(&map, Resp2), "*2\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(wire(&map, Resp3), "%1\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(wire(&Reply::Null, Resp2), "$-1\r\n");
        assert_eq!(wire(&Reply::NullArray, Resp2), "*-1\r\n");
        assert_eq!(wire(&Reply::NullArray, Resp3), "_\r\n");
        assert_eq!(wire(&Reply::Double(1.5), Resp2), "$3\r\n1.5\r\n");
        assert_eq!(wire(&Reply::Double(1.5), Resp3), ",1.5\r\n");
        assert_eq!(wire(&Reply::Bool(true), Resp2), ":1\r\n");
        assert_eq!(wire(&Reply::Set(vec![Reply::Int(1)]), Resp3), "~1\r\n:1\r\n");
        assert_eq!(wire(&Reply::Push(vec![Reply::Int(1)]), Resp2), "*1\r\n:1\r\n");
        assert_eq!(wire(&Reply::Verbatim("txt", b"hi".to_vec()), Resp3), "=6\r\ntxt:hi\r\n");
        assert_eq!(wire(&Reply::Verbatim("txt", b"hi".to_vec()), Resp2), "$2\r\nhi\r\n");
        assert_eq!(wire(&Reply::Error("ERR a\r\nb".into()), Resp2), "-ERR a  b\r\n");
    }
}
