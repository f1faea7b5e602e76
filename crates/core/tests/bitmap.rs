//! Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO. Replies and error
//! strings are Valkey 8.0.1's (bitops.c; tests/unit/bitops.tcl, bitfield.tcl and the SETBIT/GETBIT part
//! of type/string.tcl, whose checks are reproduced here with a seeded generator).

mod common;
use common::*;

use ferrokey_core::bytestr::ByteStr;
use ferrokey_core::client::ClientId;
use ferrokey_core::command::{flag, CommandTable};
use ferrokey_core::config::Config;
use ferrokey_core::notify;
use ferrokey_core::pubsub::Kind;
use ferrokey_core::resp::Protocol;
use ferrokey_core::types::Value;
use ferrokey_core::Reply;

// -- helpers ---------------------------------------------------------------------------------------

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
const SYNTAX: &str = "ERR syntax error";
const BIT_OFFSET: &str = "ERR bit offset is not an integer or out of range";
const BIT_VALUE: &str = "ERR bit is not an integer or out of range";
const BITFIELD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/// A small deterministic generator (xorshift64*), so the fuzz tests replay the same way every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Random bytes, `0..=max_len` of them (runs of 0x00 and 0xff are common, as in real bitmaps).
    fn bytes(&mut self, max_len: u64) -> Vec<u8> {
        let len = self.below(max_len + 1) as usize;
        (0..len)
            .map(|_| match self.below(4) {
                0 => 0,
                1 => 0xff,
                _ => self.next() as u8,
            })
            .collect()
    }
}

fn run(h: &mut Harness, argv: &[&[u8]]) -> Reply {
    h.run_bytes(argv)
}

fn set_bytes(h: &mut Harness, key: &str, value: &[u8]) {
    assert_eq!(run(h, &[b"SET", key.as_bytes(), value]), ok());
}

fn get_bytes(h: &mut Harness, key: &str) -> Vec<u8> {
    match h.run(&["GET", key]) {
        Reply::Bulk(b) => b,
        other => panic!("GET {key}: {other:?}"),
    }
}

fn put_list(h: &mut Harness, key: &str) {
    h.eng.dbs[0].set(ByteStr::from(key), Value::List(Box::default()), 0);
}

/// Bits from a string of '0' and '1' (Tcl's `binary format B*`).
fn bits(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(8)
        .map(|c| c.iter().enumerate().fold(0u8, |acc, (i, &b)| acc | (u8::from(b == b'1') << (7 - i))))
        .collect()
}

fn count_bits(s: &[u8]) -> i64 {
    s.iter().map(|b| i64::from(b.count_ones())).sum()
}

/// Set bits between bit `start` and bit `end` inclusive (Tcl's count_bits_start_end).
fn count_bits_range(s: &[u8], start: u64, end: u64) -> i64 {
    (start..=end.min(s.len() as u64 * 8 - 1)).filter(|&i| s[(i / 8) as usize] & (0x80 >> (i % 8)) != 0).count() as i64
}

/// Tcl's simulate_bit_op: the reference BITOP.
fn simulate_bitop(op: &str, inputs: &[Vec<u8>]) -> Vec<u8> {
    let max = inputs.iter().map(Vec::len).max().unwrap_or(0);
    (0..max)
        .map(|i| {
            let at = |v: &Vec<u8>| v.get(i).copied().unwrap_or(0);
            let first = if op == "not" { !at(&inputs[0]) } else { at(&inputs[0]) };
            inputs[1..].iter().fold(first, |acc, v| match op {
                "and" => acc & at(v),
                "or" => acc | at(v),
                _ => acc ^ at(v),
            })
        })
        .collect()
}

/// A harness publishing every keyspace event class (and `new`), and a client listening to them.
fn with_events() -> (Harness, ClientId) {
    let config = Config { notify_keyspace_events: notify::KEYEVENT | notify::ALL | notify::NEW, ..Default::default() };
    let mut h = Harness::with_config(config);
    let listener = h.connect();
    h.eng.pubsub.add(Kind::Pattern, b"__keyevent@*", listener);
    (h, listener)
}

/// The events the listener got since the last call, as "event key".
fn events(h: &mut Harness, listener: ClientId) -> Vec<String> {
    h.output(listener)
        .into_iter()
        .map(|msg| match msg {
            Reply::Push(parts) => match (&parts[2], &parts[3]) {
                (Reply::Bulk(channel), Reply::Bulk(key)) => {
                    let channel = String::from_utf8_lossy(channel);
                    let event = channel.split_once("__:").expect("keyevent channel").1.to_string();
                    format!("{event} {}", String::from_utf8_lossy(key))
                }
                other => panic!("unexpected message parts {other:?}"),
            },
            other => panic!("unexpected output {other:?}"),
        })
        .collect()
}

fn ints(values: &[i64]) -> Reply {
    Reply::Array(values.iter().map(|&v| Reply::Int(v)).collect())
}

// -- command table ---------------------------------------------------------------------------------

#[test]
fn bitmap_table_rows_match_valkey_metadata() {
    use flag::*;
    let table = CommandTable::get();
    type Row = (&'static str, i32, u32, (i32, i32, i32), &'static str);
    let rows: &[Row] = &[
        ("setbit", 4, WRITE | DENYOOM, (1, 1, 1), "2.2.0"),
        ("getbit", 3, READONLY | FAST, (1, 1, 1), "2.2.0"),
        ("bitcount", -2, READONLY, (1, 1, 1), "2.6.0"),
        ("bitpos", -3, READONLY, (1, 1, 1), "2.8.7"),
        ("bitop", -4, WRITE | DENYOOM, (2, -1, 1), "2.6.0"),
        ("bitfield", -2, WRITE | DENYOOM, (1, 1, 1), "3.2.0"),
        ("bitfield_ro", -2, READONLY | FAST, (1, 1, 1), "6.0.0"),
    ];
    for &(name, arity, flags, keys, since) in rows {
        let spec = table.lookup(name.as_bytes()).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(spec.arity, arity, "{name} arity");
        assert_eq!(spec.flags, flags, "{name} flags");
        assert_eq!(spec.keys.legacy(), keys, "{name} keys");
        assert_eq!(spec.since, since, "{name} since");
        assert_eq!(spec.group.name(), "bitmap", "{name} group");
        assert!(!spec.summary.is_empty(), "{name} summary");
    }
}

#[test]
fn bitop_keys_are_destination_and_sources() {
    let spec = CommandTable::get().lookup(b"bitop").unwrap();
    let argv: Vec<Vec<u8>> = ["BITOP", "AND", "d", "a", "b"].iter().map(|s| s.as_bytes().to_vec()).collect();
    assert_eq!(spec.keys.find(&argv), vec![2, 3, 4]);
}

// -- SETBIT ----------------------------------------------------------------------------------------

#[test]
fn setbit_missing_key_creates_zero_padded_string() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SETBIT", "mykey", "1", "1"]), int(0));
    assert_eq!(get_bytes(&mut h, "mykey"), bits("01000000"));
    assert_eq!(h.run(&["SETBIT", "far", "17", "0"]), int(0));
    assert_eq!(get_bytes(&mut h, "far"), vec![0, 0, 0]);
}

#[test]
fn setbit_string_key_sets_and_clears_bits() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "@"]);
    assert_eq!(h.run(&["SETBIT", "mykey", "2", "1"]), int(0));
    assert_eq!(get_bytes(&mut h, "mykey"), bits("01100000"));
    assert_eq!(h.run(&["SETBIT", "mykey", "1", "0"]), int(1));
    assert_eq!(get_bytes(&mut h, "mykey"), bits("00100000"));
}

#[test]
fn setbit_integer_encoded_key_edits_its_digits() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "1"]);
    assert_eq!(h.run(&["SETBIT", "mykey", "6", "1"]), int(0));
    assert_eq!(get_bytes(&mut h, "mykey"), bits("00110011"));
    assert_eq!(h.run(&["SETBIT", "mykey", "2", "0"]), int(1));
    assert_eq!(get_bytes(&mut h, "mykey"), bits("00010011"));
}

#[test]
fn setbit_wrong_type_is_wrongtype() {
    let mut h = Harness::new();
    put_list(&mut h, "mykey");
    assert_eq!(h.run(&["SETBIT", "mykey", "0", "1"]), err(WRONGTYPE));
    // Arguments are checked before the type.
    assert_eq!(h.run(&["SETBIT", "mykey", "-1", "1"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["SETBIT", "mykey", "0", "2"]), err(BIT_VALUE));
}

#[test]
fn setbit_offset_out_of_range_errors() {
    let mut h = Harness::new();
    for offset in ["4294967296", "-1", "abc", "#1", "1.5", "", "99999999999999999999"] {
        assert_eq!(h.run(&["SETBIT", "mykey", offset, "1"]), err(BIT_OFFSET), "offset {offset:?}");
    }
    assert_eq!(h.run(&["EXISTS", "mykey"]), int(0));
}

#[test]
fn setbit_non_bit_value_errors() {
    let mut h = Harness::new();
    for value in ["-1", "2", "10", "20", "x", "1.0", ""] {
        assert_eq!(h.run(&["SETBIT", "mykey", "0", value]), err(BIT_VALUE), "value {value:?}");
    }
    assert_eq!(h.run(&["EXISTS", "mykey"]), int(0));
}

#[test]
fn setbit_offset_limit_follows_proto_max_bulk_len() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CONFIG", "SET", "proto-max-bulk-len", "1048576"]), ok());
    assert_eq!(h.run(&["SETBIT", "k", "8388608", "1"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["GETBIT", "k", "8388608"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["SETBIT", "k", "8388607", "1"]), int(0));
    assert_eq!(h.run(&["STRLEN", "k"]), int(1_048_576));
    assert_eq!(h.run(&["GETBIT", "k", "8388607"]), int(1));
    assert_eq!(h.run(&["BITPOS", "k", "1"]), int(8_388_607));
}

#[test]
fn setbit_fuzzing_matches_model() {
    let mut h = Harness::new();
    let mut rng = Rng(0x5e7b17);
    let mut model: Vec<u8> = Vec::new();
    for _ in 0..2000 {
        let bit = rng.below(256 * 8);
        let on = rng.below(2);
        let byte = (bit / 8) as usize;
        if model.len() <= byte {
            model.resize(byte + 1, 0);
        }
        let mask = 0x80u8 >> (bit % 8);
        let was = model[byte] & mask != 0;
        if on == 1 {
            model[byte] |= mask;
        } else {
            model[byte] &= !mask;
        }
        assert_eq!(h.run(&["SETBIT", "mykey", &bit.to_string(), &on.to_string()]), int(i64::from(was)));
        assert_eq!(get_bytes(&mut h, "mykey"), model);
    }
}

#[test]
fn setbit_counts_dirty_only_when_the_string_changes() {
    let mut h = Harness::new();
    let dirty = h.eng.dirty;
    h.run(&["SETBIT", "foo", "0", "0"]); // created: a change
    assert_eq!(h.eng.dirty, dirty + 1);
    h.run(&["SETBIT", "foo", "0", "0"]); // nothing flips
    assert_eq!(h.eng.dirty, dirty + 1);
    h.run(&["SETBIT", "foo", "0", "1"]);
    h.run(&["SETBIT", "foo", "0", "1"]);
    h.run(&["SETBIT", "foo", "0", "0"]);
    h.run(&["SETBIT", "foo", "0", "0"]);
    assert_eq!(h.eng.dirty, dirty + 3);
    h.run(&["SETBIT", "foo", "90", "0"]); // only the length changes
    assert_eq!(h.eng.dirty, dirty + 4);
}

#[test]
fn setbit_fires_new_then_setbit_and_nothing_when_unchanged() {
    let (mut h, listener) = with_events();
    h.run(&["SETBIT", "b", "5", "1"]);
    assert_eq!(events(&mut h, listener), ["new b", "setbit b"]);
    h.run(&["SETBIT", "b", "5", "1"]);
    assert!(events(&mut h, listener).is_empty());
    h.run(&["SETBIT", "b", "5", "0"]);
    h.run(&["SETBIT", "b", "100", "0"]);
    assert_eq!(events(&mut h, listener), ["setbit b", "setbit b"]);
}

#[test]
fn setbit_keeps_the_key_ttl() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "a", "EX", "100"]);
    h.run(&["SETBIT", "k", "100", "1"]);
    assert_eq!(h.run(&["TTL", "k"]), int(100));
}

// -- GETBIT ----------------------------------------------------------------------------------------

#[test]
fn getbit_missing_key_is_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["GETBIT", "mykey", "0"]), int(0));
    assert_eq!(h.run(&["GETBIT", "mykey", "4294967295"]), int(0));
}

#[test]
fn getbit_string_key_reads_in_and_out_of_range() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "`"]);
    for (offset, bit) in [("0", 0), ("1", 1), ("2", 1), ("3", 0), ("8", 0), ("100", 0), ("10000", 0)] {
        assert_eq!(h.run(&["GETBIT", "mykey", offset]), int(bit), "offset {offset}");
    }
}

#[test]
fn getbit_integer_encoded_key_reads_its_digits() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "1"]);
    assert_eq!(h.run(&["OBJECT", "ENCODING", "mykey"]), bulk("int"));
    for (offset, bit) in [("0", 0), ("1", 0), ("2", 1), ("3", 1), ("8", 0), ("100", 0), ("10000", 0)] {
        assert_eq!(h.run(&["GETBIT", "mykey", offset]), int(bit), "offset {offset}");
    }
}

#[test]
fn getbit_errors_check_offset_before_type() {
    let mut h = Harness::new();
    put_list(&mut h, "l");
    assert_eq!(h.run(&["GETBIT", "l", "x"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["GETBIT", "l", "0"]), err(WRONGTYPE));
    assert_eq!(h.run(&["GETBIT", "k", "-1"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["GETBIT", "k"]), err("ERR wrong number of arguments for 'getbit' command"));
}

// -- BITCOUNT --------------------------------------------------------------------------------------

#[test]
fn bitcount_wrong_type_is_wrongtype_even_for_crossed_negative_ranges() {
    let mut h = Harness::new();
    put_list(&mut h, "mylist");
    for args in [&[][..], &["0", "100"], &["-6", "-7"], &["-6", "-15", "bit"]] {
        let mut argv = vec!["BITCOUNT", "mylist"];
        argv.extend_from_slice(args);
        assert_eq!(h.run(&argv), err(WRONGTYPE), "{argv:?}");
    }
}

#[test]
fn bitcount_missing_key_is_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["BITCOUNT", "no-key"]), int(0));
    assert_eq!(h.run(&["BITCOUNT", "no-key", "0", "1000", "bit"]), int(0));
    assert_eq!(h.run(&["BITCOUNT", "no-key", "-6", "-7"]), int(0));
    assert_eq!(h.run(&["BITCOUNT", "no-key", "-6", "-15", "bit"]), int(0));
}

#[test]
fn bitcount_out_of_range_or_crossed_indexes_are_zero() {
    let mut h = Harness::new();
    h.run(&["SET", "str", "xxxx"]);
    assert_eq!(h.run(&["BITCOUNT", "str", "4", "10"]), int(0));
    assert_eq!(h.run(&["BITCOUNT", "str", "32", "87", "bit"]), int(0));
    assert_eq!(h.run(&["BITCOUNT", "str", "-6", "-7"]), int(0));
    assert_eq!(h.run(&["BITCOUNT", "str", "-6", "-15", "bit"]), int(0));
}

#[test]
fn bitcount_test_vectors_count_every_bit() {
    let mut h = Harness::new();
    for v in [&b""[..], b"\xaa", b"\x00\x00\xff", b"foobar", b"123"] {
        set_bytes(&mut h, "str", v);
        assert_eq!(h.run(&["BITCOUNT", "str"]), int(count_bits(v)), "{v:?}");
        assert_eq!(h.run(&["BITCOUNT", "str", "0", "-1", "bit"]), int(count_bits(v)), "{v:?}");
    }
}

#[test]
fn bitcount_fuzzing_matches_model() {
    let mut h = Harness::new();
    let mut rng = Rng(0xb17c0);
    for _ in 0..100 {
        let s = rng.bytes(3000);
        set_bytes(&mut h, "str", &s);
        assert_eq!(h.run(&["BITCOUNT", "str"]), int(count_bits(&s)));
        assert_eq!(h.run(&["BITCOUNT", "str", "0", "-1", "bit"]), int(count_bits(&s)));
        if s.is_empty() {
            continue;
        }
        let (a, b) = (rng.below(s.len() as u64), rng.below(s.len() as u64));
        let (start, end) = (a.min(b), a.max(b));
        assert_eq!(
            h.run(&["BITCOUNT", "str", &start.to_string(), &end.to_string()]),
            int(count_bits(&s[start as usize..=end as usize]))
        );
        let (a, b) = (rng.below(s.len() as u64 * 8), rng.below(s.len() as u64 * 8));
        let (start, end) = (a.min(b), a.max(b));
        assert_eq!(
            h.run(&["BITCOUNT", "str", &start.to_string(), &end.to_string(), "bit"]),
            int(count_bits_range(&s, start, end))
        );
    }
}

#[test]
fn bitcount_with_just_start_counts_to_the_end() {
    let mut h = Harness::new();
    h.run(&["SET", "s", "foobar"]);
    assert_eq!(h.run(&["BITCOUNT", "s", "0"]), int(count_bits(b"foobar")));
    assert_eq!(h.run(&["BITCOUNT", "s", "1"]), int(count_bits(b"oobar")));
    assert_eq!(h.run(&["BITCOUNT", "s", "1000"]), int(0));
    assert_eq!(h.run(&["BITCOUNT", "s", "-1"]), int(count_bits(b"r")));
    assert_eq!(h.run(&["BITCOUNT", "s", "-2"]), int(count_bits(b"ar")));
    assert_eq!(h.run(&["BITCOUNT", "s", "-1000"]), int(count_bits(b"foobar")));
}

#[test]
fn bitcount_with_start_end_counts_bytes_or_bits() {
    let mut h = Harness::new();
    let s = b"foobar";
    h.run(&["SET", "s", "foobar"]);
    let cases: &[(&[&str], i64)] = &[
        (&["0", "-1"], count_bits(s)),
        (&["1", "-2"], count_bits(b"ooba")),
        (&["-2", "1"], 0),
        (&["-1000", "0"], count_bits(b"f")),
        (&["0", "1000"], count_bits(s)),
        (&["-1000", "1000"], count_bits(s)),
        (&["0", "-1", "bit"], count_bits(s)),
        (&["10", "14", "bit"], count_bits_range(s, 10, 14)),
        (&["3", "14", "bit"], count_bits_range(s, 3, 14)),
        (&["3", "29", "bit"], count_bits_range(s, 3, 29)),
        (&["10", "-34", "bit"], count_bits_range(s, 10, 14)),
        (&["3", "-34", "bit"], count_bits_range(s, 3, 14)),
        (&["3", "-19", "bit"], count_bits_range(s, 3, 29)),
        (&["-2", "1", "bit"], 0),
        (&["-1000", "14", "bit"], count_bits_range(s, 0, 14)),
        (&["0", "1000", "bit"], count_bits(s)),
        (&["-1000", "1000", "bit"], count_bits(s)),
        (&["0", "-1", "BYTE"], count_bits(s)),
        (&["0", "-1", "BiT"], count_bits(s)),
    ];
    for (args, expected) in cases {
        let mut argv = vec!["BITCOUNT", "s"];
        argv.extend_from_slice(args);
        assert_eq!(h.run(&argv), int(*expected), "{argv:?}");
    }
}

#[test]
fn bitcount_illegal_arguments_are_syntax_errors_even_without_key() {
    let mut h = Harness::new();
    for key_state in ["missing", "string"] {
        if key_state == "string" {
            h.run(&["SET", "s", "1"]);
        }
        assert_eq!(h.run(&["BITCOUNT", "s", "0", "1", "hello"]), err(SYNTAX), "{key_state}");
        assert_eq!(h.run(&["BITCOUNT", "s", "0", "1", "hello", "hello2"]), err(SYNTAX), "{key_state}");
        // The unit word is read before the end index.
        assert_eq!(h.run(&["BITCOUNT", "s", "0", "x", "hello"]), err(SYNTAX), "{key_state}");
    }
}

#[test]
fn bitcount_non_integer_range_errors_before_type_check() {
    let mut h = Harness::new();
    h.run(&["SET", "s", "1"]);
    assert_eq!(h.run(&["BITCOUNT", "s", "a", "b"]), err(NOT_INTEGER));
    h.run(&["DEL", "s"]);
    assert_eq!(h.run(&["BITCOUNT", "s", "a", "b"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["BITCOUNT", "s", "a"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["BITCOUNT", "s", "0", "b"]), err(NOT_INTEGER));
    put_list(&mut h, "s");
    assert_eq!(h.run(&["BITCOUNT", "s", "a", "b"]), err(NOT_INTEGER));
}

#[test]
fn bitcount_huge_end_is_clamped() {
    let mut h = Harness::new();
    h.run(&["SETBIT", "foo", "0", "1"]);
    assert_eq!(h.run(&["BITCOUNT", "foo", "0", "4294967296"]), int(1));
    assert_eq!(h.run(&["BITCOUNT", "foo", "-9223372036854775808", "9223372036854775807", "bit"]), int(1));
}

#[test]
fn bitcount_misaligned_ranges_count_exactly() {
    let mut h = Harness::new();
    h.run(&["SET", "str", "ab"]);
    assert_eq!(h.run(&["BITCOUNT", "str", "1", "-1"]), int(3));
    h.run(&["SET", "str", "__PPxxxxxxxxxxxxxxxxRR__"]);
    assert_eq!(h.run(&["BITCOUNT", "str", "2", "-3"]), int(74));
}

// -- BITPOS ----------------------------------------------------------------------------------------

#[test]
fn bitpos_wrong_type_is_wrongtype() {
    let mut h = Harness::new();
    put_list(&mut h, "mylist");
    assert_eq!(h.run(&["BITPOS", "mylist", "0"]), err(WRONGTYPE));
    assert_eq!(h.run(&["BITPOS", "mylist", "1", "10", "100"]), err(WRONGTYPE));
}

#[test]
fn bitpos_illegal_arguments_are_syntax_errors_even_without_key() {
    let mut h = Harness::new();
    for key_state in ["missing", "string"] {
        if key_state == "string" {
            h.run(&["SET", "s", "1"]);
        }
        assert_eq!(h.run(&["BITPOS", "s", "0", "1", "hello", "hello2"]), err(SYNTAX), "{key_state}");
        assert_eq!(h.run(&["BITPOS", "s", "0", "0", "1", "hello"]), err(SYNTAX), "{key_state}");
    }
}

#[test]
fn bitpos_non_integer_arguments_error_before_type_check() {
    let mut h = Harness::new();
    h.run(&["SET", "s", "1"]);
    assert_eq!(h.run(&["BITPOS", "s", "a"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["BITPOS", "s", "0", "a", "b"]), err(NOT_INTEGER));
    h.run(&["DEL", "s"]);
    assert_eq!(h.run(&["BITPOS", "s", "b"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["BITPOS", "s", "0", "a", "b"]), err(NOT_INTEGER));
    put_list(&mut h, "s");
    assert_eq!(h.run(&["BITPOS", "s", "a"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["BITPOS", "s", "1", "a", "b"]), err(NOT_INTEGER));
}

#[test]
fn bitpos_bit_other_than_zero_or_one_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["BITPOS", "s", "2"]), err("ERR The bit argument must be 1 or 0."));
    assert_eq!(h.run(&["BITPOS", "s", "-1", "0"]), err("ERR The bit argument must be 1 or 0."));
}

#[test]
fn bitpos_missing_key_is_zeros() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["BITPOS", "str", "0"]), int(0));
    assert_eq!(h.run(&["BITPOS", "str", "0", "0", "-1", "bit"]), int(0));
    assert_eq!(h.run(&["BITPOS", "str", "1"]), int(-1));
    assert_eq!(h.run(&["BITPOS", "str", "1", "0", "-1"]), int(-1));
}

#[test]
fn bitpos_short_strings_and_unaligned_starts() {
    let mut h = Harness::new();
    set_bytes(&mut h, "str", b"\xff\xf0\x00");
    assert_eq!(h.run(&["BITPOS", "str", "0"]), int(12));
    assert_eq!(h.run(&["BITPOS", "str", "0", "0", "-1", "bit"]), int(12));
    assert_eq!(h.run(&["BITPOS", "str", "0", "1"]), int(12));
    assert_eq!(h.run(&["BITPOS", "str", "0", "1", "-1", "bit"]), int(12));
    set_bytes(&mut h, "str", b"\x00\x0f\x00");
    assert_eq!(h.run(&["BITPOS", "str", "1"]), int(12));
    assert_eq!(h.run(&["BITPOS", "str", "1", "0", "-1", "bit"]), int(12));
    set_bytes(&mut h, "str", b"\x00\x0f\xff");
    assert_eq!(h.run(&["BITPOS", "str", "1", "1"]), int(12));
    assert_eq!(h.run(&["BITPOS", "str", "1", "1", "-1", "bit"]), int(12));
}

#[test]
fn bitpos_unaligned_prefix_full_words_and_remainder() {
    let mut h = Harness::new();
    for (bit, fill, last) in [("0", 0xffu8, 0x0fu8), ("1", 0x00, 0xf0)] {
        let mut s = vec![fill; 27];
        s.push(last);
        set_bytes(&mut h, "str", &s);
        assert_eq!(h.run(&["BITPOS", "str", bit]), int(216));
        for start in 1..=8 {
            assert_eq!(h.run(&["BITPOS", "str", bit, &start.to_string()]), int(216), "bit {bit} start {start}");
        }
        for start in [1, 9, 17, 25, 33, 41, 49, 57, 65] {
            let start = start.to_string();
            assert_eq!(h.run(&["BITPOS", "str", bit, &start, "-1", "bit"]), int(216), "bit {bit} from bit {start}");
        }
    }
}

#[test]
fn bitpos_one_in_all_zero_string_is_minus_one() {
    let mut h = Harness::new();
    for len in 0..20 {
        set_bytes(&mut h, "str", &vec![0; len]);
        assert_eq!(h.run(&["BITPOS", "str", "1"]), int(-1), "len {len}");
        assert_eq!(h.run(&["BITPOS", "str", "1", "0", "-1", "bit"]), int(-1), "len {len}");
    }
}

#[test]
fn bitpos_works_with_intervals() {
    let mut h = Harness::new();
    set_bytes(&mut h, "str", b"\x00\xff\x00");
    let cases: &[(&[&str], i64)] = &[
        (&["0", "0", "-1"], 0),
        (&["0", "1", "-1"], 16),
        (&["0", "2", "-1"], 16),
        (&["0", "2", "200"], 16),
        (&["0", "1", "1"], -1),
        (&["0", "0", "-1", "bit"], 0),
        (&["0", "8", "-1", "bit"], 16),
        (&["0", "16", "-1", "bit"], 16),
        (&["0", "16", "200", "bit"], 16),
        (&["0", "8", "8", "bit"], -1),
        (&["1", "0", "-1"], 8),
        (&["1", "1", "-1"], 8),
        (&["1", "2", "-1"], -1),
        (&["1", "2", "200"], -1),
        (&["1", "1", "1"], 8),
        (&["1", "0", "-1", "bit"], 8),
        (&["1", "8", "-1", "bit"], 8),
        (&["1", "16", "-1", "bit"], -1),
        (&["1", "16", "200", "bit"], -1),
        (&["1", "8", "8", "bit"], 8),
        (&["1", "5", "2"], -1),
    ];
    for (args, expected) in cases {
        let mut argv = vec!["BITPOS", "str"];
        argv.extend_from_slice(args);
        assert_eq!(h.run(&argv), int(*expected), "{argv:?}");
    }
}

#[test]
fn bitpos_clear_bit_past_the_string_only_without_end() {
    let mut h = Harness::new();
    set_bytes(&mut h, "str", b"\xff\xff\xff");
    assert_eq!(h.run(&["BITPOS", "str", "0"]), int(24));
    assert_eq!(h.run(&["BITPOS", "str", "0", "0"]), int(24));
    assert_eq!(h.run(&["BITPOS", "str", "0", "0", "-1"]), int(-1));
    assert_eq!(h.run(&["BITPOS", "str", "0", "0", "-1", "bit"]), int(-1));
    // An empty string holds no bit at all.
    set_bytes(&mut h, "empty", b"");
    assert_eq!(h.run(&["BITPOS", "empty", "0"]), int(-1));
}

#[test]
fn bitpos_fuzzing_with_setbit_finds_first_bits() {
    let mut h = Harness::new();
    let mut rng = Rng(0xb175);
    let max = 524_288u64;
    let mut first_one: i64 = -1;
    for _ in 0..300 {
        assert_eq!(h.run(&["BITPOS", "str", "1"]), int(first_one));
        assert_eq!(h.run(&["BITPOS", "str", "1", "0", "-1", "bit"]), int(first_one));
        let pos = rng.below(max) as i64;
        h.run(&["SETBIT", "str", &pos.to_string(), "1"]);
        if first_one == -1 || pos < first_one {
            first_one = pos;
        }
    }
    set_bytes(&mut h, "str", &vec![0xff; (max / 8) as usize]);
    let mut first_zero = max as i64;
    for _ in 0..300 {
        assert_eq!(h.run(&["BITPOS", "str", "0"]), int(first_zero));
        let bounded = if first_zero == max as i64 { -1 } else { first_zero };
        assert_eq!(h.run(&["BITPOS", "str", "0", "0", "-1", "bit"]), int(bounded));
        let pos = rng.below(max) as i64;
        h.run(&["SETBIT", "str", &pos.to_string(), "0"]);
        first_zero = first_zero.min(pos);
    }
}

/// bitops.tcl's "BITPOS/BITCOUNT fuzzy testing using SETBIT": one odd bit in an 80-bit string, and
/// every kind of range around it, in bytes and in bits.
#[test]
fn bitpos_and_bitcount_agree_around_a_single_odd_bit() {
    let mut h = Harness::new();
    let mut rng = Rng(0x0dd);
    let max = 80i64;
    h.run(&["SETBIT", "str", &(max - 1).to_string(), "0"]);
    let bytes = max >> 3;
    let check =
        |h: &mut Harness, rng: &mut Rng, (s1, e1, s2, e2): (i64, i64, i64, i64), pos: i64, bit: i64, unit: &str| {
            // Tcl's randomRange: from `lo` up to, not including, `hi` (or `lo` when they are equal).
            let range =
                |rng: &mut Rng, lo: i64, hi: i64| lo + if hi > lo { rng.below((hi - lo) as u64) as i64 } else { 0 };
            let (a, b) = (range(rng, s1, e1), range(rng, s2, e2));
            let (start, end) = (a.min(b), a.max(b));
            let (start_bit, end_bit) = if unit == "byte" { (start << 3, (end << 3) + 7) } else { (start, end) };
            let in_range = pos >= start_bit && pos <= end_bit;
            let count = (end_bit - start_bit + 1) * (1 - bit) + i64::from(in_range) * if bit == 1 { 1 } else { -1 };
            let (start, end, b) = (start.to_string(), end.to_string(), bit.to_string());
            assert_eq!(h.run(&["BITPOS", "str", &b, &start, &end, unit]), int(if in_range { pos } else { -1 }));
            assert_eq!(h.run(&["BITCOUNT", "str", &start, &end, unit]), int(count));
        };
    for bit in 0..2 {
        h.run(&["BITOP", "NOT", "str", "str"]);
        for j in 0..max {
            h.run(&["SETBIT", "str", &j.to_string(), &bit.to_string()]);
            for (curr, end, unit) in [(j >> 3, bytes, "byte"), (j, max, "bit")] {
                check(&mut h, &mut rng, (curr, curr, curr, curr), j, bit, unit);
                if curr > 0 {
                    check(&mut h, &mut rng, (0, curr, 0, curr), j, bit, unit);
                }
                if curr < end - 1 {
                    check(&mut h, &mut rng, (curr + 1, end, curr + 1, end), j, bit, unit);
                }
                if curr > 0 && curr < end - 1 {
                    check(&mut h, &mut rng, (0, curr, curr + 1, end), j, bit, unit);
                }
            }
            h.run(&["SETBIT", "str", &j.to_string(), &(1 - bit).to_string()]);
        }
    }
}

// -- BITOP -----------------------------------------------------------------------------------------

#[test]
fn bitop_not_empty_string_deletes_destination() {
    let mut h = Harness::new();
    h.run(&["SET", "s", ""]);
    h.run(&["SET", "dest", "old"]);
    assert_eq!(h.run(&["BITOP", "NOT", "dest", "s"]), int(0));
    assert_eq!(h.run(&["GET", "dest"]), null());
}

#[test]
fn bitop_not_inverts_known_string_even_in_place() {
    let mut h = Harness::new();
    set_bytes(&mut h, "s", b"\xaa\x00\xff\x55");
    assert_eq!(h.run(&["BITOP", "NOT", "dest", "s"]), int(4));
    assert_eq!(get_bytes(&mut h, "dest"), b"\x55\xff\x00\xaa");
    assert_eq!(h.run(&["BITOP", "not", "s", "s"]), int(4));
    assert_eq!(get_bytes(&mut h, "s"), b"\x55\xff\x00\xaa");
}

#[test]
fn bitop_single_input_is_copied() {
    let mut h = Harness::new();
    set_bytes(&mut h, "a", b"\x01\x02\xff");
    for op in ["AND", "OR", "XOR"] {
        assert_eq!(h.run(&["BITOP", op, "res", "a"]), int(3));
        assert_eq!(get_bytes(&mut h, "res"), b"\x01\x02\xff", "{op}");
    }
}

#[test]
fn bitop_missing_keys_are_zero_streams() {
    let mut h = Harness::new();
    set_bytes(&mut h, "a", b"\x01\x02\xff");
    h.run(&["BITOP", "and", "res1", "no-such-key", "a"]);
    h.run(&["BITOP", "or", "res2", "no-such-key", "a", "no-such-key"]);
    h.run(&["BITOP", "xor", "res3", "no-such-key", "a"]);
    assert_eq!(get_bytes(&mut h, "res1"), b"\x00\x00\x00");
    assert_eq!(get_bytes(&mut h, "res2"), b"\x01\x02\xff");
    assert_eq!(get_bytes(&mut h, "res3"), b"\x01\x02\xff");
}

#[test]
fn bitop_shorter_keys_are_zero_padded() {
    let mut h = Harness::new();
    set_bytes(&mut h, "a", b"\x01\x02\xff\xff");
    set_bytes(&mut h, "b", b"\x01\x02\xff");
    h.run(&["BITOP", "and", "res1", "a", "b"]);
    h.run(&["BITOP", "or", "res2", "a", "b"]);
    h.run(&["BITOP", "xor", "res3", "a", "b"]);
    assert_eq!(get_bytes(&mut h, "res1"), b"\x01\x02\xff\x00");
    assert_eq!(get_bytes(&mut h, "res2"), b"\x01\x02\xff\xff");
    assert_eq!(get_bytes(&mut h, "res3"), b"\x00\x00\x00\xff");
}

#[test]
fn bitop_fuzzing_matches_model() {
    let mut h = Harness::new();
    let mut rng = Rng(0xb170b);
    for op in ["and", "or", "xor", "not"] {
        for _ in 0..10 {
            h.run(&["FLUSHALL"]);
            let n = if op == "not" { 1 } else { rng.below(10) + 1 };
            let mut vecs = Vec::new();
            let mut keys = Vec::new();
            for j in 0..n {
                let v = rng.bytes(1000);
                let key = format!("vector_{j}");
                set_bytes(&mut h, &key, &v);
                vecs.push(v);
                keys.push(key);
            }
            let mut argv = vec!["BITOP", op, "target"];
            argv.extend(keys.iter().map(String::as_str));
            let expected = simulate_bitop(op, &vecs);
            assert_eq!(h.run(&argv), int(expected.len() as i64));
            if expected.is_empty() {
                assert_eq!(h.run(&["GET", "target"]), null());
            } else {
                assert_eq!(get_bytes(&mut h, "target"), expected, "{op}");
            }
        }
    }
}

#[test]
fn bitop_integer_encoded_sources_use_their_digits() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "2"]);
    assert_eq!(h.run(&["BITOP", "xor", "dest", "a", "b", "a"]), int(1));
    assert_eq!(h.run(&["GET", "dest"]), bulk("2"));
}

#[test]
fn bitop_non_string_source_is_wrongtype() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "2"]);
    put_list(&mut h, "c");
    assert_eq!(h.run(&["BITOP", "xor", "dest", "a", "b", "c", "d"]), err(WRONGTYPE));
    assert_eq!(h.run(&["EXISTS", "dest"]), int(0));
}

#[test]
fn bitop_empty_string_after_non_empty_keeps_length() {
    let mut h = Harness::new();
    set_bytes(&mut h, "a", &[0; 32]);
    assert_eq!(h.run(&["BITOP", "or", "x", "a", "b"]), int(32));
}

#[test]
fn bitop_bad_operation_and_not_arity_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["BITOP", "nand", "d", "a"]), err(SYNTAX));
    assert_eq!(h.run(&["BITOP", "NOT", "d", "a", "b"]), err("ERR BITOP NOT must be called with a single source key."));
    assert_eq!(h.run(&["BITOP", "and", "d"]), err("ERR wrong number of arguments for 'bitop' command"));
}

#[test]
fn bitop_overwrites_any_destination_and_drops_its_ttl() {
    let (mut h, listener) = with_events();
    put_list(&mut h, "d");
    h.run(&["SET", "a", "xyz"]);
    h.run(&["SET", "t", "v", "EX", "100"]);
    events(&mut h, listener);
    assert_eq!(h.run(&["BITOP", "or", "d", "a"]), int(3));
    assert_eq!(h.run(&["GET", "d"]), bulk("xyz"));
    assert_eq!(h.run(&["BITOP", "or", "t", "a"]), int(3));
    assert_eq!(h.run(&["TTL", "t"]), int(-1));
    assert_eq!(h.run(&["BITOP", "or", "new", "a"]), int(3));
    assert_eq!(events(&mut h, listener), ["set d", "set t", "new new", "set new"]);
    // An empty result deletes the destination ("del"), or does nothing when there is none.
    assert_eq!(h.run(&["BITOP", "and", "d", "nokey"]), int(0));
    assert_eq!(h.run(&["BITOP", "and", "d", "nokey"]), int(0));
    assert_eq!(events(&mut h, listener), ["del d"]);
}

// -- BITFIELD --------------------------------------------------------------------------------------

#[test]
fn bitfield_signed_and_unsigned_set_get_basics() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["BITFIELD", "bits", "SET", "i8", "0", "-100"]), ints(&[0]));
    assert_eq!(h.run(&["BITFIELD", "bits", "SET", "i8", "0", "101"]), ints(&[-100]));
    assert_eq!(h.run(&["BITFIELD", "bits", "GET", "i8", "0"]), ints(&[101]));
    h.run(&["DEL", "bits"]);
    assert_eq!(h.run(&["BITFIELD", "bits", "set", "u8", "0", "255"]), ints(&[0]));
    assert_eq!(h.run(&["BITFIELD", "bits", "set", "u8", "0", "100"]), ints(&[255]));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "u8", "0"]), ints(&[100]));
}

#[test]
fn bitfield_chained_operations_reply_in_order() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(&["BITFIELD", "bits", "set", "i8", "0", "255", "set", "i8", "0", "100", "get", "i8", "0"]),
        ints(&[0, -1, 100])
    );
    h.run(&["DEL", "bits"]);
    assert_eq!(
        h.run(&["BITFIELD", "bits", "set", "u8", "0", "255", "incrby", "u8", "0", "100", "get", "u8", "0"]),
        ints(&[0, 99, 99])
    );
    h.run(&["DEL", "bits"]);
    h.run(&["BITFIELD", "bits", "set", "u8", "#0", "10"]);
    assert_eq!(
        h.run(&["BITFIELD", "bits", "incrby", "u8", "#0", "100", "incrby", "u8", "#0", "100"]),
        ints(&[110, 210])
    );
}

#[test]
fn bitfield_only_key_replies_empty_array() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["BITFIELD", "bits"]), array(vec![]));
    assert_eq!(h.run(&["EXISTS", "bits"]), int(0));
    assert_eq!(h.run(&["BITFIELD_RO", "bits"]), array(vec![]));
}

#[test]
fn bitfield_hash_offsets_count_fields() {
    let mut h = Harness::new();
    h.run(&["BITFIELD", "bits", "set", "u8", "#0", "65"]);
    h.run(&["BITFIELD", "bits", "set", "u8", "#1", "66"]);
    h.run(&["BITFIELD", "bits", "set", "u8", "#2", "67"]);
    assert_eq!(h.run(&["GET", "bits"]), bulk("ABC"));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "u4", "#3"]), ints(&[2]));
    // `#` is only for BITFIELD offsets.
    assert_eq!(h.run(&["SETBIT", "bits", "#1", "1"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "u8", "#-1"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "u8", "#x"]), err(BIT_OFFSET));
}

#[test]
fn bitfield_unsigned_overflow_wrap_and_sat() {
    let mut h = Harness::new();
    h.run(&["BITFIELD", "bits", "set", "u8", "#0", "100"]);
    assert_eq!(h.run(&["BITFIELD", "bits", "overflow", "wrap", "incrby", "u8", "#0", "257"]), ints(&[101]));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "u8", "#0"]), ints(&[101]));
    assert_eq!(h.run(&["BITFIELD", "bits", "overflow", "wrap", "incrby", "u8", "#0", "255"]), ints(&[100]));
    h.run(&["DEL", "bits"]);
    h.run(&["BITFIELD", "bits", "set", "u8", "#0", "100"]);
    assert_eq!(h.run(&["BITFIELD", "bits", "overflow", "sat", "incrby", "u8", "#0", "257"]), ints(&[255]));
    assert_eq!(h.run(&["BITFIELD", "bits", "overflow", "SAT", "incrby", "u8", "#0", "-255"]), ints(&[0]));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "u8", "#0"]), ints(&[0]));
    // A negative SET value is a huge unsigned one: saturation gives the maximum.
    assert_eq!(
        h.run(&["BITFIELD", "bits", "overflow", "sat", "set", "u8", "0", "-1", "get", "u8", "0"]),
        ints(&[0, 255])
    );
}

#[test]
fn bitfield_signed_overflow_wrap_and_sat() {
    let mut h = Harness::new();
    h.run(&["BITFIELD", "bits", "set", "i8", "#0", "100"]);
    assert_eq!(h.run(&["BITFIELD", "bits", "overflow", "wrap", "incrby", "i8", "#0", "257"]), ints(&[101]));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "i8", "#0"]), ints(&[101]));
    assert_eq!(h.run(&["BITFIELD", "bits", "overflow", "wrap", "incrby", "i8", "#0", "255"]), ints(&[100]));
    h.run(&["DEL", "bits"]);
    h.run(&["BITFIELD", "bits", "set", "u8", "#0", "100"]);
    assert_eq!(h.run(&["BITFIELD", "bits", "overflow", "sat", "incrby", "i8", "#0", "257"]), ints(&[127]));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "i8", "#0"]), ints(&[127]));
    assert_eq!(h.run(&["BITFIELD", "bits", "overflow", "sat", "incrby", "i8", "#0", "-255"]), ints(&[-128]));
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "i8", "#0"]), ints(&[-128]));
}

#[test]
fn bitfield_overflow_fail_replies_nil_and_leaves_field() {
    let mut h = Harness::new();
    h.run(&["BITFIELD", "bits", "set", "u8", "0", "250"]);
    let reply = h.run(&["BITFIELD", "bits", "overflow", "fail", "incrby", "u8", "0", "10", "get", "u8", "0"]);
    assert_eq!(reply, array(vec![null(), int(250)]));
    assert_eq!(wire(&reply, Protocol::Resp2), "*2\r\n$-1\r\n:250\r\n");
    assert_eq!(wire(&reply, Protocol::Resp3), "*2\r\n_\r\n:250\r\n");
    // OVERFLOW applies to the operations after it only.
    assert_eq!(
        h.run(&["BITFIELD", "bits", "incrby", "u8", "0", "10", "overflow", "fail", "incrby", "u8", "0", "252"]),
        array(vec![int(4), null()])
    );
}

/// The Tcl model of bitfield.tcl: exact integers, so no overflow in the reference itself.
#[test]
fn bitfield_overflow_detection_and_wrap_fuzzing_matches_model() {
    let mut h = Harness::new();
    let mut rng = Rng(0xf1e1d);
    for _ in 0..1000 {
        let bits = rng.below(64) as u32 + 1;
        let signed = bits == 64 || rng.below(2) == 1;
        let range = 1i128 << bits;
        let min = if signed { -(range / 2) } else { 0 };
        let max = min + range - 1;
        let ty = format!("{}{bits}", if signed { "i" } else { "u" });
        let pick = |rng: &mut Rng| {
            let v = min * 2 + (((rng.next() as u128) << 64 | rng.next() as u128) % (range as u128 * 2)) as i128;
            v.clamp(i64::MIN as i128, i64::MAX as i128)
        };
        let (value, incr) = (pick(&mut rng), pick(&mut rng));
        let overflow = value > max || value < min || value + incr > max || value + incr < min;

        h.run(&["DEL", "bits"]);
        let res1 = h.run(&["BITFIELD", "bits", "overflow", "fail", "set", &ty, "0", &value.to_string()]);
        let res2 = h.run(&["BITFIELD", "bits", "overflow", "fail", "incrby", &ty, "0", &incr.to_string()]);
        let nil = |r: &Reply| matches!(r, Reply::Array(v) if v[0] == Reply::Null);
        if overflow {
            assert!(nil(&res1) || nil(&res2), "overflow not detected: {ty} {value}+{incr}");
        } else {
            assert!(!nil(&res1) && !nil(&res2), "overflow detected where not needed: {ty} {value}+{incr}");
        }

        h.run(&["DEL", "bits"]);
        h.run(&["BITFIELD", "bits", "overflow", "wrap", "set", &ty, "0", &value.to_string()]);
        h.run(&["BITFIELD", "bits", "overflow", "wrap", "incrby", &ty, "0", &incr.to_string()]);
        let mut expected = value + incr + if signed { max + 1 } else { 0 };
        expected = expected.rem_euclid(range);
        if signed {
            expected += min;
        }
        assert_eq!(h.run(&["BITFIELD", "bits", "get", &ty, "0"]), ints(&[expected as i64]), "wrap {ty} {value}+{incr}");
    }
}

#[test]
fn bitfield_regressions_3221_and_3564() {
    let mut h = Harness::new();
    h.run(&["SET", "bits", "1"]);
    assert_eq!(h.run(&["BITFIELD", "bits", "get", "u1", "0"]), ints(&[0]));
    for _ in 0..10 {
        h.run(&["DEL", "mystring"]);
        assert_eq!(
            h.run(&[
                "BITFIELD", "mystring", "SET", "i8", "0", "10", "SET", "i8", "64", "10", "INCRBY", "i8", "10", "99900"
            ]),
            ints(&[0, 0, 60])
        );
    }
}

#[test]
fn bitfield_get_past_the_end_reads_zero_padding() {
    let mut h = Harness::new();
    set_bytes(&mut h, "k", b"\xff");
    assert_eq!(
        h.run(&["BITFIELD", "k", "get", "u8", "4", "get", "i64", "0", "get", "u63", "1000"]),
        ints(&[0xf0, -72057594037927936, 0])
    );
    assert_eq!(h.run(&["STRLEN", "k"]), int(1));
    // A write grows the string to the highest field written, GETs read it in the same command.
    assert_eq!(
        h.run(&["BITFIELD", "k", "get", "u8", "16", "set", "u8", "16", "7", "get", "u8", "16"]),
        ints(&[0, 0, 7])
    );
    assert_eq!(get_bytes(&mut h, "k"), b"\xff\x00\x07");
}

#[test]
fn bitfield_invalid_types_error() {
    let mut h = Harness::new();
    for ty in ["u64", "i65", "u0", "i0", "x8", "U8", "I8", "u", "i", "u-1", "u8x", ""] {
        assert_eq!(h.run(&["BITFIELD", "k", "get", ty, "0"]), err(BITFIELD_TYPE), "type {ty:?}");
    }
    assert_eq!(h.run(&["BITFIELD", "k", "get", "i64", "0", "get", "u63", "0"]), ints(&[0, 0]));
}

#[test]
fn bitfield_syntax_and_value_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["BITFIELD", "k", "get", "u8"]), err(SYNTAX));
    assert_eq!(h.run(&["BITFIELD", "k", "set", "u8", "0"]), err(SYNTAX));
    assert_eq!(h.run(&["BITFIELD", "k", "incrby", "u8", "0"]), err(SYNTAX));
    assert_eq!(h.run(&["BITFIELD", "k", "overflow"]), err(SYNTAX));
    assert_eq!(h.run(&["BITFIELD", "k", "foo", "u8", "0"]), err(SYNTAX));
    assert_eq!(
        h.run(&["BITFIELD", "k", "overflow", "bad", "get", "u8", "0"]),
        err("ERR Invalid OVERFLOW type specified")
    );
    assert_eq!(h.run(&["BITFIELD", "k", "set", "u8", "0", "x"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["BITFIELD", "k", "set", "u8", "-1", "1"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["BITFIELD", "k", "set", "u8", "4294967296", "1"]), err(BIT_OFFSET));
    assert_eq!(h.run(&["EXISTS", "k"]), int(0));
}

#[test]
fn bitfield_wrong_type_errors_after_argument_checks() {
    let mut h = Harness::new();
    put_list(&mut h, "l");
    assert_eq!(h.run(&["BITFIELD", "l", "get", "u8", "0"]), err(WRONGTYPE));
    assert_eq!(h.run(&["BITFIELD", "l", "set", "u8", "0", "1"]), err(WRONGTYPE));
    assert_eq!(h.run(&["BITFIELD", "l"]), err(WRONGTYPE));
    assert_eq!(h.run(&["BITFIELD", "l", "get", "u64", "0"]), err(BITFIELD_TYPE));
    assert_eq!(h.run(&["BITFIELD_RO", "l", "get", "u8", "0"]), err(WRONGTYPE));
}

#[test]
fn bitfield_ro_reads_and_rejects_writes() {
    let mut h = Harness::new();
    h.run(&["BITFIELD", "bits", "set", "u8", "0", "100"]);
    assert_eq!(h.run(&["BITFIELD_RO", "bits", "get", "u8", "0", "GET", "i4", "#1"]), ints(&[100, 4]));
    let ro_write = err("ERR BITFIELD_RO only supports the GET subcommand");
    assert_eq!(h.run(&["BITFIELD_RO", "bits", "set", "u8", "0", "100", "get", "u8", "0"]), ro_write);
    assert_eq!(h.run(&["BITFIELD_RO", "bits", "incrby", "u8", "0", "1"]), ro_write);
    // Argument errors come first; OVERFLOW alone is no write.
    assert_eq!(h.run(&["BITFIELD_RO", "bits", "set", "u8", "0", "1", "get", "x8", "0"]), err(BITFIELD_TYPE));
    assert_eq!(h.run(&["BITFIELD_RO", "bits", "overflow", "sat", "get", "u8", "0"]), ints(&[100]));
}

#[test]
fn bitfield_counts_dirty_per_changed_field() {
    let mut h = Harness::new();
    let dirty = h.eng.dirty;
    h.run(&["BITFIELD", "foo2", "set", "i5", "0", "0"]); // created
    assert_eq!(h.eng.dirty, dirty + 1);
    h.run(&["BITFIELD", "foo2", "set", "i5", "0", "0"]);
    assert_eq!(h.eng.dirty, dirty + 1);
    h.run(&["BITFIELD", "foo2", "set", "i5", "0", "1"]);
    h.run(&["BITFIELD", "foo2", "set", "i5", "0", "1"]);
    h.run(&["BITFIELD", "foo2", "set", "i5", "0", "0"]);
    h.run(&["BITFIELD", "foo2", "set", "i5", "0", "0"]);
    assert_eq!(h.eng.dirty, dirty + 3);
    h.run(&["BITFIELD", "foo3", "incrby", "i5", "0", "1"]);
    h.run(&["BITFIELD", "foo3", "incrby", "i5", "0", "1"]);
    assert_eq!(h.eng.dirty, dirty + 5);
    h.run(&["BITFIELD", "foo2", "set", "i5", "90", "0"]); // only the length changes
    assert_eq!(h.eng.dirty, dirty + 6);
    h.run(&["BITFIELD", "foo2", "set", "u8", "0", "1", "set", "u8", "8", "2", "get", "u8", "0"]);
    assert_eq!(h.eng.dirty, dirty + 8);
}

#[test]
fn bitfield_events_fire_once_per_command() {
    let (mut h, listener) = with_events();
    h.run(&["BITFIELD", "bf", "set", "u8", "0", "1", "set", "u8", "8", "1"]);
    assert_eq!(events(&mut h, listener), ["new bf", "setbit bf"]);
    h.run(&["BITFIELD", "bf", "set", "u8", "0", "1"]);
    assert!(events(&mut h, listener).is_empty());
    // A refused write on a missing key still creates it (zeroed), with no setbit event.
    assert_eq!(h.run(&["BITFIELD", "bf2", "overflow", "fail", "set", "u2", "0", "9"]), array(vec![null()]));
    assert_eq!(events(&mut h, listener), ["new bf2"]);
    assert_eq!(get_bytes(&mut h, "bf2"), b"\x00");
}

// -- OBJECT ENCODING -------------------------------------------------------------------------------

#[test]
fn bitmap_writes_leave_raw_strings_and_reads_do_not() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "1"]);
    h.run(&["SETBIT", "k", "6", "0"]); // no bit flips, still unshared in place
    assert_eq!(h.run(&["OBJECT", "ENCODING", "k"]), bulk("raw"));
    h.run(&["SET", "e", "abc"]);
    h.run(&["GETBIT", "e", "3"]);
    h.run(&["BITFIELD", "e", "get", "u8", "0"]);
    h.run(&["BITCOUNT", "e"]);
    assert_eq!(h.run(&["OBJECT", "ENCODING", "e"]), bulk("embstr"));
    h.run(&["BITOP", "or", "o", "e"]);
    assert_eq!(h.run(&["OBJECT", "ENCODING", "o"]), bulk("raw"));
    h.run(&["BITFIELD", "f", "set", "u8", "0", "49"]);
    assert_eq!(h.run(&["OBJECT", "ENCODING", "f"]), bulk("raw"));
}
