//! Valkey's number rules: reading integers and floats from arguments, writing float replies, and the
//! score and lex bounds of sorted-set range commands.
//!
//! Each function names the Valkey 8.0.1 routine whose behaviour it reproduces and the commands that
//! rely on it. Valkey leans on C: `strtod` models glibc's parser in the C locale, `grisu` reproduces
//! the `fpconv_dtoa` digits of double replies, and [`LongDouble`] the x87 80-bit arithmetic of
//! INCRBYFLOAT and HINCRBYFLOAT. All of it was checked against the C code on millions of inputs.

mod bignum;
mod grisu;
mod long_double;
mod strtod;

pub use long_double::LongDouble;
use strtod::Magnitude;

/// Parses an unsigned 64-bit integer as Valkey's `string2ull` (SCAN cursors, stream IDs): the argument is
/// a C string there, so a NUL ends it; a strict integer that is not negative, or else whatever C's
/// `strtoull(s, 10)` reads completely: leading spaces, a `+` or `-` sign (`-` wraps, as C does), leading
/// zeros.
pub fn parse_u64_like_strtoull(arg: &[u8]) -> Option<u64> {
    let s = &arg[..arg.iter().position(|&b| b == 0).unwrap_or(arg.len())];
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let blanks = s.iter().take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')).count();
    let (negative, digits) = match &s[blanks..] {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative { v.wrapping_neg() } else { v })
}

/// Parses a signed 64-bit integer as strictly as Valkey's `string2ll` (and `string2l`, the same on
/// 64-bit targets): optional `-`, then digits with no leading zero, at most 20 bytes, and nothing else.
/// `"0"` is the only number that may start with `0`, so `"-0"`, `"+1"`, `"01"`, `" 1"` and `""` fail,
/// as does anything outside `i64`.
///
/// Used wherever Valkey calls `getLongLongFromObject`/`getLongFromObject`: INCRBY, DECRBY, EXPIRE,
/// SETEX, GETRANGE, LRANGE, LIMIT offsets, the COUNT of SCAN, and so on. The strictness is what lets
/// Valkey store such strings as integers and print them back unchanged.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    // Valkey's LONG_STR_SIZE (21) bounds the length; "-9223372036854775808" is 20 bytes.
    if bytes.is_empty() || bytes.len() >= 21 {
        return None;
    }
    if bytes == b"0" {
        return Some(0);
    }
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if !matches!(digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    let mut magnitude: u64 = 0;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude.checked_mul(10)?.checked_add(u64::from(byte - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Parses a double as Valkey's `string2d` does (`getDoubleFromObject`): the whole argument must be
/// one number that C's `strtod` reads, with no leading whitespace.
///
/// Accepted: decimal with optional sign, fraction and exponent (`-1.5e3`, `.5`, `5.`), hexadecimal
/// floats (`0x10`, `0x1.8p1`), and `inf`/`infinity` in any case with an optional sign. Rejected:
/// empty input, leading or trailing spaces, NaN in any spelling, and finite numbers that overflow to
/// ±inf (`1e309`) or underflow to zero (`1e-400`); a tiny number that still rounds to a subnormal
/// (`3e-324`) is accepted.
///
/// Used by ZADD and ZINCRBY scores, GEOADD coordinates, GEOSEARCH radii and every other
/// `getDoubleFromObjectOrReply` caller; failure is "ERR value is not a valid float" unless the
/// command says otherwise.
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    if let Some(value) = parse_small_integer_f64(bytes) {
        return Some(value);
    }
    if strtod::is_empty_or_space_led(bytes) {
        return None;
    }
    let scan = strtod::scan(bytes);
    if scan.end != bytes.len() || scan.value.is_nan() || scan.magnitude != Magnitude::Fits {
        return None;
    }
    Some(scan.value)
}

/// The common score, a plain integer (`-?[0-9]{1,15}`), without the general scanner: below 10^15 every
/// such integer is an exact `f64`, so the value is the one `strtod` gives.
fn parse_small_integer_f64(bytes: &[u8]) -> Option<f64> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    let value = n as f64;
    Some(if negative { -value } else { value })
}

/// Parses a number as Valkey's `string2ld` (`getLongDoubleFromObject`) does, rounded on to the
/// nearest `f64` as C's `(double)` cast would.
///
/// The rules are those of [`LongDouble::parse`]. Valkey's 80-bit `long double` has a far wider range
/// than `f64`, so numbers that overflow `f64` but not `long double` (`1e400`) come back as ±inf, and
/// numbers that underflow `f64` but not `long double` (`1e-400`) as ±0. `inf` itself is accepted,
/// as in Valkey; commands reject infinite operands or results themselves.
///
/// For INCRBYFLOAT and HINCRBYFLOAT use [`LongDouble`] itself, whose arithmetic and printing match
/// Valkey's; this is for callers that want a plain number, such as blocking commands' timeouts.
pub fn parse_long_double(bytes: &[u8]) -> Option<f64> {
    LongDouble::parse(bytes).map(|value| value.to_f64())
}

/// Formats a double exactly as Valkey 8 replies with one (`addReplyDouble` via `d2string`): the bulk
/// string of RESP2 and the `,` payload of RESP3 for ZSCORE, ZINCRBY, ZADD INCR, WITHSCORES and the like.
///
/// - `nan`, `inf`, `-inf`, and `0` or `-0` by sign;
/// - integral values within ±2^62 print as integers (`1`, `123456789012345680`);
/// - anything else prints the Grisu2 digits of `fpconv_dtoa`, which read back to the same double, in
///   fpconv's layout: `0.1`, `1234.5678`, `0.000001`, but `1e-7`, `1e+21`, `1.2345678912345679e+8`
///   and `1.7976931348623157e+308`.
pub fn format_double(value: f64) -> String {
    if value.is_nan() {
        return "nan".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Valkey's double2ll: within ±(LLONG_MAX / 2), which is ±2^62 once converted to a double.
    const INTEGER_LIMIT: f64 = 4_611_686_018_427_387_904.0;
    if (-INTEGER_LIMIT..=INTEGER_LIMIT).contains(&value) && value.fract() == 0.0 {
        return (value as i64).to_string();
    }
    let mut text = String::with_capacity(24);
    grisu::write_shortest(value, &mut text);
    text
}

/// Formats an `f64` the way INCRBYFLOAT and HINCRBYFLOAT print results (`ld2string` in human mode:
/// `%.17Lf` with trailing zeros and dot trimmed, `-0` as `0`, never an exponent), for callers that
/// computed in `f64`.
///
/// Prefer [`LongDouble`] for those commands: it computes in 80 bits as Valkey does, and only that
/// gives Valkey's digits in general (`0.1 + 0.2` is `0.3` there, but `0.30000000000000004` in `f64`).
/// Printing 17 decimals of an `f64` would expose binary noise Valkey's wider type hides, so this prints
/// the shortest decimal that reads back to the same `f64`, in plain notation, and rounds to 17
/// decimals only when that decimal is longer (`1e-20` gives `0`, as in Valkey). `10.5 + 0.1` gives
/// `10.6` either way.
pub fn format_long_double_human(value: f64) -> String {
    if value.is_nan() {
        return "nan".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // Rust's `Display` for floats is the shortest round-trip decimal, never in exponent notation.
    let shortest = value.to_string();
    let fraction_digits = shortest.find('.').map_or(0, |dot| shortest.len() - dot - 1);
    let mut text = if fraction_digits <= 17 { shortest } else { format!("{value:.17}") };
    if text.contains('.') {
        let kept = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(kept);
    }
    if text == "-0" {
        text.remove(0);
    }
    text
}

/// Parses a score bound of ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE and
/// `ZRANGE ... BYSCORE` as Valkey's `zslParseRange` does, returning `(score, exclusive)`.
///
/// A leading `(` makes the bound exclusive. The rest goes to `strtod` with only two checks: it must
/// be consumed up to the end of the C string and must not be NaN. That is looser than [`parse_f64`]:
/// leading whitespace is skipped (`" 1"`, `"( 2"`), the empty string reads as 0 (so `""` and `"("` are
/// valid bounds), out-of-range numbers become ±inf or 0 (`1e400`), and the argument ends at its first
/// NUL byte (`"1\0junk"` is 1). `-inf`, `+inf`, `inf` and `infinity` work in any case.
pub fn parse_score_bound(bytes: &[u8]) -> Option<(f64, bool)> {
    let c_string = bytes.split(|&b| b == 0).next().unwrap_or_default();
    let (exclusive, number) = match c_string.split_first() {
        Some((b'(', rest)) => (true, rest),
        _ => (false, c_string),
    };
    let scan = strtod::scan(number);
    // When strtod finds no number it leaves the end at the start, which is fine only if empty.
    if scan.end != number.len() || scan.value.is_nan() {
        return None;
    }
    Some((scan.value, exclusive))
}

/// One end of a ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX or `ZRANGE ... BYLEX` range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LexBound {
    /// `-`: below every member.
    NegInf,
    /// `+`: above every member.
    PosInf,
    /// `[member`: the member itself is in range.
    Inclusive(Vec<u8>),
    /// `(member`: the member itself is out of range.
    Exclusive(Vec<u8>),
}

/// Parses a lex range bound as Valkey's `zslParseLexRangeItem` does; `None` becomes
/// "ERR min or max not valid string range item".
///
/// `[` and `(` take the rest of the argument, binary-safe and possibly empty. `+` and `-` must stand
/// alone, but Valkey checks that with a C-string test, so a NUL right after them (`"+\0x"`) is
/// accepted too.
pub fn parse_lex_bound(bytes: &[u8]) -> Option<LexBound> {
    let (&first, rest) = bytes.split_first()?;
    let alone = matches!(rest.first(), None | Some(0));
    match first {
        b'+' if alone => Some(LexBound::PosInf),
        b'-' if alone => Some(LexBound::NegInf),
        b'[' => Some(LexBound::Inclusive(rest.to_vec())),
        b'(' => Some(LexBound::Exclusive(rest.to_vec())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_f64_by_scanner(bytes: &[u8]) -> Option<f64> {
        let scan = strtod::scan(bytes);
        (!strtod::is_empty_or_space_led(bytes)
            && scan.end == bytes.len()
            && !scan.value.is_nan()
            && scan.magnitude == Magnitude::Fits)
            .then_some(scan.value)
    }

    proptest! {
        #[test]
        fn parse_f64_integer_fast_path_agrees_with_the_scanner(s in "-?[0-9]{1,17}") {
            let fast = parse_f64(s.as_bytes()).map(f64::to_bits);
            prop_assert_eq!(fast, parse_f64_by_scanner(s.as_bytes()).map(f64::to_bits));
        }
    }

    #[test]
    fn parse_f64_integer_fast_path_keeps_negative_zero_and_rejects_bare_sign() {
        assert_eq!(parse_f64(b"-0").map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(parse_f64(b"-"), None);
        assert_eq!(parse_f64(b""), None);
        assert_eq!(parse_f64(b"999999999999999"), Some(999_999_999_999_999.0));
    }

    #[test]
    fn parse_i64_canonical_integers_parse() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"7"), Some(7));
        assert_eq!(parse_i64(b"-7"), Some(-7));
        assert_eq!(parse_i64(b"1234567890"), Some(1234567890));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn parse_i64_non_canonical_forms_fail() {
        for text in
            ["", "-", "+", "+1", "-0", "00", "01", "-01", " 1", "1 ", "1.0", "1e3", "0x10", "١", "1\0", "--1", "- 1"]
        {
            assert_eq!(parse_i64(text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn parse_i64_out_of_range_fails() {
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"-9223372036854775809"), None);
        assert_eq!(parse_i64(b"18446744073709551615"), None);
        assert_eq!(parse_i64(b"18446744073709551616"), None);
        assert_eq!(parse_i64(b"99999999999999999999"), None);
        // 21 bytes is over Valkey's length limit whatever the digits.
        assert_eq!(parse_i64(b"-99999999999999999999"), None);
        assert_eq!(parse_i64(b"100000000000000000000"), None);
    }

    #[test]
    fn parse_f64_decimal_forms_parse() {
        let cases: &[(&str, f64)] = &[
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+2", 2.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-.5e1", -5.0),
            ("1E3", 1000.0),
            ("1e+3", 1000.0),
            ("1e-3", 0.001),
            ("00012", 12.0),
            ("-0", -0.0),
            ("0.1", 0.1),
            ("1.7976931348623157e308", f64::MAX),
            ("4.9406564584124654e-324", 5e-324),
            ("3e-324", 5e-324),
            ("0e-999999", 0.0),
            ("0.000e-99999999999999999999999999", 0.0),
        ];
        for &(text, expected) in cases {
            let parsed = parse_f64(text.as_bytes());
            assert_eq!(parsed.map(f64::to_bits), Some(expected.to_bits()), "{text:?}");
        }
    }

    #[test]
    fn parse_f64_hex_and_infinity_parse() {
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b"-0X1.8p1"), Some(-3.0));
        assert_eq!(parse_f64(b"0x.8"), Some(0.5));
        assert_eq!(parse_f64(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"-INFINITY"), Some(f64::NEG_INFINITY));
    }

    #[test]
    fn parse_f64_malformed_or_out_of_range_fails() {
        for text in [
            "",
            " ",
            " 1",
            "1 ",
            "\t1",
            "\n1",
            "1\0",
            "nan",
            "NaN",
            "-nan",
            "nan(1)",
            "1e",
            "1e+",
            "e1",
            ".",
            "-",
            "+",
            "0x",
            "0x1p",
            "infin",
            "infinityx",
            "1.2.3",
            "1,5",
            "1e309",
            "-1e309",
            "1e-400",
            "0x1p1024",
            "0x1p-1080",
            "١",
            "1e-99999999999999999999999999",
            "1e99999999999999999999999999",
        ] {
            assert_eq!(parse_f64(text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn parse_long_double_accepts_beyond_double_range() {
        assert_eq!(parse_long_double(b"10.5"), Some(10.5));
        assert_eq!(parse_long_double(b"1e400"), Some(f64::INFINITY));
        assert_eq!(parse_long_double(b"-1e400"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_long_double(b"1e-400").map(f64::to_bits), Some(0.0f64.to_bits()));
        assert_eq!(parse_long_double(b"-1e-400").map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(parse_long_double(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_long_double(b"1e5000"), None);
        assert_eq!(parse_long_double(b"1e-5000"), None);
    }

    #[test]
    fn parse_long_double_malformed_fails() {
        for text in ["", " 1", "1 ", "nan", "abc", "1e", "0x"] {
            assert_eq!(parse_long_double(text.as_bytes()), None, "{text:?}");
        }
        let long = format!("1{}", "0".repeat(5119));
        assert_eq!(parse_long_double(long.as_bytes()), None);
        let just_fits = format!("0.{}", "0".repeat(5117));
        assert_eq!(parse_long_double(just_fits.as_bytes()), Some(0.0));
    }

    #[test]
    fn format_double_special_values_use_valkey_spellings() {
        assert_eq!(format_double(f64::NAN), "nan");
        assert_eq!(format_double(-f64::NAN), "nan");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_double(0.0), "0");
        assert_eq!(format_double(-0.0), "-0");
    }

    #[test]
    fn format_double_integral_values_print_as_integers() {
        assert_eq!(format_double(1.0), "1");
        assert_eq!(format_double(-3.0), "-3");
        assert_eq!(format_double(1e16), "10000000000000000");
        assert_eq!(format_double(1e18), "1000000000000000000");
        assert_eq!(format_double(123456789012345678.0), "123456789012345680");
        assert_eq!(format_double(4611686018427387904.0), "4611686018427387904");
        assert_eq!(format_double(-4611686018427387904.0), "-4611686018427387904");
    }

    #[test]
    fn format_double_beyond_integer_limit_uses_fpconv() {
        // The next double above 2^62 goes through fpconv and loses its exact trailing digits.
        assert_eq!(format_double(4611686018427388928.0), "4611686018427389000");
        assert_eq!(format_double(5e18), "5e+18");
        assert_eq!(format_double(1e19), "1e+19");
        assert_eq!(format_double(1e21), "1e+21");
        assert_eq!(format_double(1e22), "1e+22");
        assert_eq!(format_double(1e300), "1e+300");
        assert_eq!(format_double(-1e100), "-1e+100");
        assert_eq!(format_double(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(format_double(1.2345678901234568e21), "1234567890123456800000");
        // Grisu2 is not always shortest: Valkey really sends these digits for 1.23e22.
        assert_eq!(format_double(1.23e22), "12300000000000001000000");
        assert_eq!(format_double(-8.112848929909626e5), "-8.112848929909626e+5");
    }

    #[test]
    fn format_double_fractions_follow_fpconv_layout() {
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (0.5, "0.5"),
            (3.0000000000000004, "3.0000000000000004"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1234.5678, "1234.5678"),
            (0.000001, "0.000001"),
            (0.00001, "0.00001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (0.0001234, "1.234e-4"),
            (0.001234, "0.001234"),
            (123456789.12345679, "1.2345678912345679e+8"),
            (123456789.123, "123456789.123"),
            (12345678.9, "12345678.9"),
            (1e-100, "1e-100"),
            (5e-324, "5e-324"),
            (-5e-324, "-5e-324"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (std::f64::consts::PI, "3.141592653589793"),
            (2.5e-5, "0.000025"),
        ];
        for &(value, expected) in cases {
            assert_eq!(format_double(value), expected, "{value:e}");
        }
    }

    #[test]
    fn format_long_double_human_trims_and_never_uses_exponent() {
        let cases: &[(f64, &str)] = &[
            (10.5 + 0.1, "10.6"),
            (10.5, "10.5"),
            (3.0, "3"),
            (5000.0 + 200.0, "5200"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (-0.0, "0"),
            (1e-20, "0"),
            (-1e-20, "0"),
            (1e-17, "0.00000000000000001"),
            (1.5e-17, "0.00000000000000002"),
            (1e21, "1000000000000000000000"),
            (0.1, "0.1"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for &(value, expected) in cases {
            assert_eq!(format_long_double_human(value), expected, "{value:e}");
        }
    }

    #[test]
    fn parse_score_bound_exclusive_prefix_and_infinities() {
        assert_eq!(parse_score_bound(b"1.5"), Some((1.5, false)));
        assert_eq!(parse_score_bound(b"(1.5"), Some((1.5, true)));
        assert_eq!(parse_score_bound(b"-inf"), Some((f64::NEG_INFINITY, false)));
        assert_eq!(parse_score_bound(b"+inf"), Some((f64::INFINITY, false)));
        assert_eq!(parse_score_bound(b"(inf"), Some((f64::INFINITY, true)));
        assert_eq!(parse_score_bound(b"(-Infinity"), Some((f64::NEG_INFINITY, true)));
        assert_eq!(parse_score_bound(b"0x10"), Some((16.0, false)));
    }

    #[test]
    fn parse_score_bound_is_looser_than_parse_f64() {
        assert_eq!(parse_score_bound(b""), Some((0.0, false)));
        assert_eq!(parse_score_bound(b"("), Some((0.0, true)));
        assert_eq!(parse_score_bound(b" 1"), Some((1.0, false)));
        assert_eq!(parse_score_bound(b"( 2"), Some((2.0, true)));
        assert_eq!(parse_score_bound(b"\t\n-3"), Some((-3.0, false)));
        assert_eq!(parse_score_bound(b"1e400"), Some((f64::INFINITY, false)));
        assert_eq!(parse_score_bound(b"1e-400"), Some((0.0, false)));
        assert_eq!(parse_score_bound(b"1\0junk"), Some((1.0, false)));
        assert_eq!(parse_score_bound(b"\0junk"), Some((0.0, false)));
    }

    #[test]
    fn parse_score_bound_malformed_fails() {
        for text in ["1 ", " ", "( ", "((1", "[1", "nan", "(nan", "-", "abc", "1e", "1x", "-nan", "(1e"] {
            assert_eq!(parse_score_bound(text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn parse_lex_bound_prefixes_select_kind() {
        assert_eq!(parse_lex_bound(b"-"), Some(LexBound::NegInf));
        assert_eq!(parse_lex_bound(b"+"), Some(LexBound::PosInf));
        assert_eq!(parse_lex_bound(b"[a"), Some(LexBound::Inclusive(b"a".to_vec())));
        assert_eq!(parse_lex_bound(b"(a\0b"), Some(LexBound::Exclusive(b"a\0b".to_vec())));
        assert_eq!(parse_lex_bound(b"["), Some(LexBound::Inclusive(Vec::new())));
        assert_eq!(parse_lex_bound(b"("), Some(LexBound::Exclusive(Vec::new())));
        // Valkey tests "+"/"-" with C-string logic, so a NUL ends the argument early.
        assert_eq!(parse_lex_bound(b"+\0x"), Some(LexBound::PosInf));
        assert_eq!(parse_lex_bound(b"-\0"), Some(LexBound::NegInf));
    }

    #[test]
    fn parse_lex_bound_other_forms_fail() {
        for text in ["", "a", "+a", "-a", "++", " [a", "1", "\0"] {
            assert_eq!(parse_lex_bound(text.as_bytes()), None, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn format_double_round_trips_through_parse_f64(bits in any::<u64>()) {
            let value = f64::from_bits(bits);
            prop_assume!(value.is_finite());
            let text = format_double(value);
            prop_assert_eq!(parse_f64(text.as_bytes()).map(f64::to_bits), Some(bits), "{}", text);
        }

        #[test]
        fn format_double_round_trips_for_ordinary_magnitudes(value in -1e25f64..1e25) {
            let text = format_double(value);
            prop_assert_eq!(parse_f64(text.as_bytes()).map(f64::to_bits), Some(value.to_bits()), "{}", text);
        }

        #[test]
        fn parse_i64_round_trips_every_i64(value in any::<i64>()) {
            prop_assert_eq!(parse_i64(value.to_string().as_bytes()), Some(value));
        }

        #[test]
        fn format_long_double_human_reads_back_close(value in -1e15f64..1e15) {
            let text = format_long_double_human(value);
            let parsed = parse_long_double(text.as_bytes()).unwrap();
            prop_assert!((parsed - value).abs() <= 1e-17_f64.max(value.abs() * 1e-15), "{} -> {}", value, text);
        }
    }
}
