//! A model of glibc's `strtod`/`strtold` in the C locale: what they consume and what they report.
//!
//! Valkey never parses floats itself; it calls `strtod` or `strtold` and then inspects the end
//! pointer, `errno` and the value. [`lex`] finds the number exactly as C does; [`scan`] turns it into a
//! correctly rounded `f64` and the long double module into an x87 value. The public parsers in
//! [`super`] apply each Valkey caller's own checks.
//!
//! Accepted syntax, after optional leading whitespace and an optional sign:
//! - decimal: `digits[.digits]` or `.digits`, then optionally `e|E[sign]digits`;
//! - hexadecimal: `0x|0X`, hex digits with an optional `.`, then optionally `p|P[sign]digits`;
//! - `inf` or `infinity`, and `nan` or `nan(chars)`, in any case.
//!
//! An exponent marker without digits is not consumed (`"1e"` stops before the `e`), and `"0x"`
//! without a hex digit is read as the `0` alone, exactly as C does.

/// The number C found at the start of a byte string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Lexed<'a> {
    /// Bytes consumed, leading whitespace included; 0 when no number was found (C leaves `endptr` at
    /// the start then, even if whitespace or a sign was skipped).
    pub end: usize,
    pub negative: bool,
    pub body: Body<'a>,
}

/// The unsigned part of a lexed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Body<'a> {
    Nothing,
    Infinity,
    NaN,
    /// `digits[.digits][e[sign]digits]`, as written.
    Decimal(&'a [u8]),
    /// The hex digits (and point) after `0x`, and the value of the `p` exponent (0 if absent).
    Hex {
        mantissa: &'a [u8],
        binary_exp: i64,
    },
}

/// Finds the number `strtod` would read at the start of `bytes`.
pub(super) fn lex(bytes: &[u8]) -> Lexed<'_> {
    const NOTHING: Lexed<'static> = Lexed { end: 0, negative: false, body: Body::Nothing };
    let mut pos = bytes.iter().take_while(|&&b| is_c_space(b)).count();
    let negative = bytes.get(pos) == Some(&b'-');
    if matches!(bytes.get(pos), Some(b'-' | b'+')) {
        pos += 1;
    }
    let rest = &bytes[pos..];
    let (len, body) = if starts_with_ignore_case(rest, b"inf") {
        let len = if starts_with_ignore_case(rest, b"infinity") { 8 } else { 3 };
        (len, Body::Infinity)
    } else if starts_with_ignore_case(rest, b"nan") {
        (nan_len(rest), Body::NaN)
    } else if let Some((len, mantissa, binary_exp)) = lex_hex(rest) {
        (len, Body::Hex { mantissa, binary_exp })
    } else if let Some(len) = lex_decimal(rest) {
        (len, Body::Decimal(&rest[..len]))
    } else {
        return NOTHING;
    };
    Lexed { end: pos + len, negative, body }
}

/// What `strtod` made of the start of a byte string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scan {
    /// As in [`Lexed::end`].
    pub end: usize,
    /// The value correctly rounded to `f64` (±inf or ±0 when out of range, like C; NaN for NaN).
    pub value: f64,
    pub magnitude: Magnitude,
}

/// How a finite written number relates to the range of `double`. C reports the last two cases with
/// `errno = ERANGE`; Valkey rejects them when the result is ±inf or 0, which it always is here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Magnitude {
    /// Representable (possibly as a subnormal), or not a finite number at all (inf, nan).
    Fits,
    /// Too large: the value is ±inf.
    Overflows,
    /// A nonzero number too small: the value is ±0.
    Underflows,
}

/// Runs `strtod` over `bytes`; bytes after the number are left unconsumed.
pub(super) fn scan(bytes: &[u8]) -> Scan {
    let lexed = lex(bytes);
    let sign = if lexed.negative { -1.0 } else { 1.0 };
    let (value, magnitude) = match lexed.body {
        Body::Nothing => (0.0, Magnitude::Fits),
        Body::Infinity => (f64::INFINITY, Magnitude::Fits),
        Body::NaN => (f64::NAN, Magnitude::Fits),
        Body::Decimal(text) => decimal_to_f64(text),
        Body::Hex { mantissa, binary_exp } => wide_to_f64(&hex_bits(mantissa, binary_exp)),
    };
    Scan { end: lexed.end, value: sign * value, magnitude }
}

/// Valkey's `string2d`/`string2ld` refuse these before calling C, which would skip the whitespace.
pub(super) fn is_empty_or_space_led(bytes: &[u8]) -> bool {
    bytes.is_empty() || is_c_space(bytes[0])
}

/// `isspace` in the C locale.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn starts_with_ignore_case(bytes: &[u8], word: &[u8]) -> bool {
    bytes.len() >= word.len() && bytes[..word.len()].eq_ignore_ascii_case(word)
}

/// Length of `nan` plus an optional `(n-char-sequence)`; an unclosed parenthesis is not consumed.
fn nan_len(bytes: &[u8]) -> usize {
    if bytes.get(3) != Some(&b'(') {
        return 3;
    }
    let chars = bytes[4..].iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_').count();
    if bytes.get(4 + chars) == Some(&b')') {
        4 + chars + 1
    } else {
        3
    }
}

fn count_digits(bytes: &[u8], is_digit: fn(&u8) -> bool) -> usize {
    bytes.iter().take_while(|b| is_digit(b)).count()
}

/// Length of an optional `e|E[sign]digits` (or `p|P...`) suffix; 0 if it is absent or has no digits.
fn exponent_len(bytes: &[u8], markers: [u8; 2]) -> usize {
    if bytes.is_empty() || !markers.contains(&bytes[0]) {
        return 0;
    }
    let signed = usize::from(matches!(bytes.get(1), Some(b'-' | b'+')));
    let digits = count_digits(&bytes[1 + signed..], u8::is_ascii_digit);
    if digits == 0 {
        0
    } else {
        1 + signed + digits
    }
}

/// Length of the unsigned decimal number at the start of `bytes`, if there is one.
fn lex_decimal(bytes: &[u8]) -> Option<usize> {
    let int_digits = count_digits(bytes, u8::is_ascii_digit);
    let mut len = int_digits;
    let mut frac_digits = 0;
    if bytes.get(len) == Some(&b'.') {
        frac_digits = count_digits(&bytes[len + 1..], u8::is_ascii_digit);
        if int_digits + frac_digits > 0 {
            len += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    Some(len + exponent_len(&bytes[len..], [b'e', b'E']))
}

/// Finds an unsigned hexadecimal float: `None` unless `bytes` starts with `0x` and a hex digit.
fn lex_hex(bytes: &[u8]) -> Option<(usize, &[u8], i64)> {
    if bytes.len() < 3 || bytes[0] != b'0' || !matches!(bytes[1], b'x' | b'X') {
        return None;
    }
    let body = &bytes[2..];
    let int_digits = count_digits(body, u8::is_ascii_hexdigit);
    let mut len = int_digits;
    let mut frac_digits = 0;
    if body.get(len) == Some(&b'.') {
        frac_digits = count_digits(&body[len + 1..], u8::is_ascii_hexdigit);
        len += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    let exp_len = exponent_len(&body[len..], [b'p', b'P']);
    let binary_exp = if exp_len == 0 { 0 } else { parse_saturating_exponent(&body[len + 1..len + exp_len]) };
    Some((2 + len + exp_len, &body[..len], binary_exp))
}

/// Converts an unsigned decimal to the nearest `f64`.
fn decimal_to_f64(text: &[u8]) -> (f64, Magnitude) {
    // The lexer only lets through ASCII that Rust's parser also accepts, and Rust's parser rounds
    // correctly for any number of digits, as glibc does.
    let value: f64 = std::str::from_utf8(text).ok().and_then(|text| text.parse().ok()).unwrap_or(f64::NAN);
    let magnitude = if value.is_infinite() {
        Magnitude::Overflows
    } else if value == 0.0 && !significant_digits(text).0.is_empty() {
        Magnitude::Underflows
    } else {
        Magnitude::Fits
    };
    (value, magnitude)
}

/// For an unsigned decimal, returns its digits without leading or trailing zeros (empty for zero)
/// and the power of ten of the first one, so "0.0120e3" gives `("12", 1)`.
pub(super) fn significant_digits(text: &[u8]) -> (Vec<u8>, i64) {
    let mantissa_len = text.iter().position(|&b| b == b'e' || b == b'E').unwrap_or(text.len());
    let (mantissa, exponent) = text.split_at(mantissa_len);
    let explicit_exp = exponent.get(1..).map_or(0, parse_saturating_exponent);
    let point = mantissa.iter().position(|&b| b == b'.').unwrap_or(mantissa.len());
    let all: Vec<u8> = mantissa.iter().copied().filter(u8::is_ascii_digit).collect();
    let Some(first) = all.iter().position(|&d| d != b'0') else {
        return (Vec::new(), 0);
    };
    let last = all.iter().rposition(|&d| d != b'0').unwrap_or(first);
    let exp10 = explicit_exp.saturating_add(point as i64 - first as i64 - 1);
    (all[first..=last].to_vec(), exp10)
}

/// Reads `[sign]digits`, clamping absurd exponents (they only matter as "very large").
fn parse_saturating_exponent(bytes: &[u8]) -> i64 {
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let magnitude = digits.iter().fold(0i64, |acc, &d| (acc * 10 + i64::from(d - b'0')).min(1 << 40));
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// A nonzero binary number `bits × 2^exp2`, plus something below one unit of `bits` when `sticky`;
/// bit 127 of `bits` is set. `bits == 0` means exactly zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct WideBits {
    pub bits: u128,
    pub exp2: i64,
    pub sticky: bool,
}

impl WideBits {
    /// Normalises `bits × 2^exp2` so that bit 127 is set.
    pub(super) fn new(bits: u128, exp2: i64, sticky: bool) -> Self {
        if bits == 0 {
            return WideBits { bits: 0, exp2: 0, sticky: false };
        }
        let shift = bits.leading_zeros();
        WideBits { bits: bits << shift, exp2: exp2 - i64::from(shift), sticky }
    }

    /// The weight of the top bit: the value lies in `[2^top, 2^(top+1))`.
    pub(super) fn top(&self) -> i64 {
        self.exp2 + 127
    }

    /// The value rounded half to even to a multiple of `2^unit_exp`, as a count of such units.
    pub(super) fn round_to_unit(&self, unit_exp: i64) -> u128 {
        let shift = unit_exp - self.exp2;
        match shift {
            i64::MIN..=0 => self.bits,
            1..=127 => {
                let kept = self.bits >> shift;
                let dropped = self.bits & ((1 << shift) - 1);
                let half = 1 << (shift - 1);
                let round_up = dropped > half || (dropped == half && (self.sticky || kept & 1 == 1));
                kept + u128::from(round_up)
            }
            // Everything is dropped: round up only from strictly above half of the unit.
            128 => u128::from(self.bits > 1 << 127 || (self.bits == 1 << 127 && self.sticky)),
            _ => 0,
        }
    }
}

/// Reads hex digits (with an optional point) exactly: 124 or more significant bits are kept, enough
/// to round correctly to both 53 (double) and 64 (long double) bits.
pub(super) fn hex_bits(hex_mantissa: &[u8], binary_exp: i64) -> WideBits {
    let mut bits: u128 = 0;
    let mut exp2 = binary_exp;
    let mut sticky = false;
    let mut in_fraction = false;
    for &byte in hex_mantissa {
        if byte == b'.' {
            in_fraction = true;
            continue;
        }
        let digit = u128::from((byte as char).to_digit(16).unwrap_or(0));
        if bits >> 124 == 0 {
            bits = bits << 4 | digit;
            exp2 -= 4 * i64::from(in_fraction);
        } else {
            sticky |= digit != 0;
            exp2 += 4 * i64::from(!in_fraction);
        }
    }
    WideBits::new(bits, exp2, sticky)
}

/// Rounds exact binary digits to the nearest `f64` (half to even), noting overflow and underflow.
pub(super) fn wide_to_f64(wide: &WideBits) -> (f64, Magnitude) {
    if wide.bits == 0 {
        return (0.0, Magnitude::Fits);
    }
    if wide.top() > 1023 {
        return (f64::INFINITY, Magnitude::Overflows);
    }
    // The weight of the last mantissa bit a double keeps: 52 below the top, but never below the
    // subnormal step.
    let unit_exp = (wide.top() - 52).max(-1074);
    let units = wide.round_to_unit(unit_exp);
    if units == 0 {
        return (0.0, Magnitude::Underflows);
    }
    // `units` has at most 54 bits and the result is a double or just overflows, so this is exact.
    let value = units as f64 * power_of_two(unit_exp);
    if value.is_infinite() {
        return (value, Magnitude::Overflows);
    }
    (value, Magnitude::Fits)
}

/// 2^exp exactly, for exp in the double range including subnormals (-1074..=1023).
fn power_of_two(exp: i64) -> f64 {
    if exp >= -1022 {
        f64::from_bits(((exp + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (exp + 1074))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(text: &str) -> (usize, f64) {
        let scan = scan(text.as_bytes());
        (scan.end, scan.value)
    }

    #[test]
    fn scan_exponent_without_digits_stops_before_marker() {
        assert_eq!(scanned("1e"), (1, 1.0));
        assert_eq!(scanned("1e+"), (1, 1.0));
        assert_eq!(scanned("2E-7x"), (4, 2e-7));
    }

    #[test]
    fn scan_no_number_consumes_nothing() {
        for text in ["", " ", "-", "+", ".", "-.", "e5", "x", " -", "in", "na"] {
            assert_eq!(scan(text.as_bytes()).end, 0, "{text:?}");
        }
    }

    #[test]
    fn scan_bare_hex_prefix_reads_only_the_zero() {
        assert_eq!(scanned("0x"), (1, 0.0));
        assert_eq!(scanned("0xg"), (1, 0.0));
        assert_eq!(scanned("0x."), (1, 0.0));
        assert_eq!(scanned("0x1p"), (3, 1.0));
    }

    #[test]
    fn scan_hex_floats_round_to_nearest_even() {
        assert_eq!(scanned("0x1.8p1"), (7, 3.0));
        assert_eq!(scanned("0X.8"), (4, 0.5));
        assert_eq!(scanned("0x10"), (4, 16.0));
        assert_eq!(scanned("0x1p-1074").1, 5e-324);
        assert_eq!(scanned("0x1p-1075").1, 0.0); // a tie, rounds to even zero
        assert_eq!(scanned("0x1.0000000000001p-1075").1, 5e-324);
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: even wins; any extra bit rounds up.
        assert_eq!(scanned("0x20000000000001").1, 9007199254740992.0);
        assert_eq!(scanned("0x20000000000003").1, 9007199254740996.0);
        let above_tie = 0x20000000000002u64 as f64 * 2f64.powi(64);
        assert_eq!(scanned("0x200000000000010000000000000001").1, above_tie);
        assert_eq!(scanned("0x1.fffffffffffff8p1023").1, f64::INFINITY);
        assert_eq!(scanned("0x1.fffffffffffffp1023").1, f64::MAX);
    }

    #[test]
    fn scan_infinity_and_nan_words_any_case() {
        assert_eq!(scanned("INF"), (3, f64::INFINITY));
        assert_eq!(scanned("-Infinity"), (9, f64::NEG_INFINITY));
        assert_eq!(scanned("infinit"), (3, f64::INFINITY));
        assert_eq!(scan(b"nan(abc_1)").end, 10);
        assert_eq!(scan(b"nan(abc").end, 3);
        assert!(scan(b"NaN").value.is_nan());
    }

    #[test]
    fn scan_out_of_range_is_flagged() {
        assert_eq!(scan(b"1e308").magnitude, Magnitude::Fits);
        assert_eq!(scan(b"1e309").magnitude, Magnitude::Overflows);
        assert_eq!(scan(b"0.00001e-320").magnitude, Magnitude::Underflows);
        assert_eq!(scan(b"0e-5000").magnitude, Magnitude::Fits);
        assert_eq!(scan(b"5e-324").magnitude, Magnitude::Fits);
        assert_eq!(scan(b"0x1p1024").magnitude, Magnitude::Overflows);
        assert_eq!(scan(b"0x1p-1080").magnitude, Magnitude::Underflows);
    }

    #[test]
    fn significant_digits_strip_zeros_and_place_exponent() {
        assert_eq!(significant_digits(b"0.0120e3"), (b"12".to_vec(), 1));
        assert_eq!(significant_digits(b"1200"), (b"12".to_vec(), 3));
        assert_eq!(significant_digits(b".5"), (b"5".to_vec(), -1));
        assert_eq!(significant_digits(b"000.000"), (Vec::new(), 0));
    }
}
