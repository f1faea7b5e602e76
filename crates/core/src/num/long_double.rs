//! x87 80-bit extended precision in software: the `long double` Valkey's INCRBYFLOAT and
//! HINCRBYFLOAT parse, add and print on x86-64 Linux.
//!
//! Only what those commands need: `strtold` parsing, addition, and `%.17Lf` printing, each rounded
//! exactly as the hardware and glibc do (to nearest, ties to even), so that `INCRBYFLOAT k 0.2` on
//! "0.1" gives Valkey's "0.3" and not the `f64` answer "0.30000000000000004".

use super::bignum::BigUint;
use super::strtod::{self, Body, WideBits};

/// Smallest and largest weight of a long double's last mantissa bit: subnormals are multiples of
/// 2^-16445, and the largest finite value is (2^64 - 1) × 2^16320.
const MIN_UNIT_EXP: i64 = -16445;
const MAX_UNIT_EXP: i64 = 16320;

/// A value of C's `long double` on x86-64: 64-bit significand, 15-bit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    repr: Repr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repr {
    /// `mantissa × 2^exp`: bit 63 set for normal numbers, `exp == MIN_UNIT_EXP` for subnormals, and
    /// `mantissa == 0` for (signed) zero.
    Finite {
        negative: bool,
        mantissa: u64,
        exp: i64,
    },
    Infinite {
        negative: bool,
    },
    NaN,
}

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble { repr: Repr::Finite { negative: false, mantissa: 0, exp: 0 } };

    /// Parses like Valkey's `string2ld`: the whole argument must be one `strtold` number, with no
    /// leading whitespace, fewer than 5120 bytes, not NaN, and not overflowing to ±inf or underflowing
    /// to zero. `inf` and `-inf` themselves are accepted; the commands reject them afterwards.
    pub fn parse(bytes: &[u8]) -> Option<LongDouble> {
        // Valkey copies the argument into a MAX_LONG_DOUBLE_CHARS (5 KiB) buffer, terminator included.
        if bytes.len() >= 5 * 1024 || strtod::is_empty_or_space_led(bytes) {
            return None;
        }
        let lexed = strtod::lex(bytes);
        if lexed.end != bytes.len() {
            return None;
        }
        let negative = lexed.negative;
        let wide = match lexed.body {
            Body::Nothing | Body::NaN => return None,
            Body::Infinity => return Some(LongDouble { repr: Repr::Infinite { negative } }),
            Body::Hex { mantissa, binary_exp } => strtod::hex_bits(mantissa, binary_exp),
            Body::Decimal(text) => decimal_bits(text)?,
        };
        if wide.bits == 0 {
            return Some(LongDouble { repr: Repr::Finite { negative, mantissa: 0, exp: 0 } });
        }
        match round(negative, &wide).repr {
            // strtold reports ERANGE for these, and string2ld turns that into a failure.
            Repr::Infinite { .. } => None,
            Repr::Finite { mantissa: 0, .. } => None,
            repr => Some(LongDouble { repr }),
        }
    }

    pub fn is_finite(&self) -> bool {
        matches!(self.repr, Repr::Finite { .. })
    }

    pub fn is_nan(&self) -> bool {
        self.repr == Repr::NaN
    }

    /// The nearest `f64`, as C's `(double)` conversion gives it.
    pub fn to_f64(&self) -> f64 {
        match self.repr {
            Repr::NaN => f64::NAN,
            Repr::Infinite { negative } => sign(negative) * f64::INFINITY,
            Repr::Finite { negative, mantissa, exp } => {
                sign(negative) * strtod::wide_to_f64(&WideBits::new(u128::from(mantissa), exp, false)).0
            }
        }
    }

    /// Prints like Valkey's `ld2string` in human mode, which INCRBYFLOAT and HINCRBYFLOAT reply
    /// with and store: `%.17Lf`, then trailing zeros and a trailing dot dropped, `-0` shown as `0`;
    /// `inf`, `-inf` and `nan` for the rest.
    pub fn to_human_string(&self) -> String {
        let (negative, mantissa, exp) = match self.repr {
            Repr::NaN => return "nan".to_owned(),
            Repr::Infinite { negative } => return if negative { "-inf" } else { "inf" }.to_owned(),
            Repr::Finite { negative, mantissa, exp } => (negative, mantissa, exp),
        };
        let mut text = if mantissa == 0 {
            "0".to_owned()
        } else if exp >= 0 {
            BigUint::from_u128(u128::from(mantissa)).shl(exp as u64).to_decimal()
        } else {
            fixed_17(mantissa, -exp)
        };
        if text.contains('.') {
            let kept = text.trim_end_matches('0').trim_end_matches('.').len();
            text.truncate(kept);
        }
        if negative && text != "0" {
            text.insert(0, '-');
        }
        text
    }

    fn negative(&self) -> bool {
        match self.repr {
            Repr::Finite { negative, .. } | Repr::Infinite { negative } => negative,
            Repr::NaN => false,
        }
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    /// x87 addition, rounded to nearest with ties to even.
    fn add(self, other: LongDouble) -> LongDouble {
        const NAN: LongDouble = LongDouble { repr: Repr::NaN };
        match (self.repr, other.repr) {
            (Repr::NaN, _) | (_, Repr::NaN) => NAN,
            (Repr::Infinite { negative: a }, Repr::Infinite { negative: b }) if a != b => NAN,
            (Repr::Infinite { .. }, _) => self,
            (_, Repr::Infinite { .. }) => other,
            (Repr::Finite { mantissa: 0, .. }, Repr::Finite { mantissa: 0, .. }) => {
                // -0 + -0 is -0; any other sum of zeros is +0.
                let negative = self.negative() && other.negative();
                LongDouble { repr: Repr::Finite { negative, mantissa: 0, exp: 0 } }
            }
            (Repr::Finite { mantissa: 0, .. }, _) => other,
            (_, Repr::Finite { mantissa: 0, .. }) => self,
            (
                Repr::Finite { negative: a_negative, mantissa: a_mantissa, exp: a_exp },
                Repr::Finite { negative: b_negative, mantissa: b_mantissa, exp: b_exp },
            ) => add_finite((a_negative, a_mantissa, a_exp), (b_negative, b_mantissa, b_exp)),
        }
    }
}

fn sign(negative: bool) -> f64 {
    if negative {
        -1.0
    } else {
        1.0
    }
}

/// Adds two nonzero finite values given as `(negative, mantissa, exp)`.
fn add_finite(a: (bool, u64, i64), b: (bool, u64, i64)) -> LongDouble {
    // Put the operand with the larger exponent first (for equal exponents, the larger mantissa):
    // with normalised mantissas that is the larger magnitude.
    let (big, small) = if (a.2, a.1) >= (b.2, b.1) { (a, b) } else { (b, a) };
    // Leave 63 guard bits below each mantissa and one bit of headroom above.
    let big_bits = u128::from(big.1) << 63;
    let distance = (big.2 - small.2) as u64;
    let small_full = u128::from(small.1) << 63;
    let (small_bits, lost) = if distance >= 128 {
        (0, small_full != 0)
    } else {
        (small_full >> distance, small_full & ((1u128 << distance) - 1) != 0)
    };
    let base_exp = big.2 - 63;
    let wide = if big.0 == small.0 {
        WideBits::new(big_bits + small_bits, base_exp, lost)
    } else {
        // The true small operand is `small_bits + f` with 0 <= f < 1; when f > 0, borrow one unit
        // and keep the positive remainder `1 - f` as the sticky part.
        let difference = big_bits - small_bits - u128::from(lost);
        if difference == 0 && !lost {
            return LongDouble::ZERO;
        }
        WideBits::new(difference, base_exp, lost)
    };
    round(big.0, &wide)
}

/// Rounds exact binary digits to the nearest long double, overflowing to ±inf and underflowing to ±0.
fn round(negative: bool, wide: &WideBits) -> LongDouble {
    let infinite = LongDouble { repr: Repr::Infinite { negative } };
    if wide.bits == 0 {
        return LongDouble { repr: Repr::Finite { negative, mantissa: 0, exp: 0 } };
    }
    if wide.top() > MAX_UNIT_EXP + 63 {
        return infinite;
    }
    let mut exp = (wide.top() - 63).max(MIN_UNIT_EXP);
    let mut units = wide.round_to_unit(exp);
    if units >> 64 != 0 {
        // Rounding carried into a 65th bit: 2^64 units is 2^63 of the next size up.
        units >>= 1;
        exp += 1;
        if exp > MAX_UNIT_EXP {
            return infinite;
        }
    }
    LongDouble { repr: Repr::Finite { negative, mantissa: units as u64, exp } }
}

/// Exact binary digits of an unsigned decimal; `None` when it is far outside the long double range
/// (which `strtold` reports as out of range).
fn decimal_bits(text: &[u8]) -> Option<WideBits> {
    let (digits, exp10) = strtod::significant_digits(text);
    if digits.is_empty() {
        return Some(WideBits::new(0, 0, false));
    }
    // 10^4933 is beyond the largest long double and 10^-4951 is below half the smallest subnormal,
    // so there is no need to compute with such numbers.
    if !(-4952..=4933).contains(&exp10) {
        return None;
    }
    let integer = BigUint::from_decimal(&digits);
    // value = integer × 10^scale
    let scale = exp10 - (digits.len() as i64 - 1);
    if scale >= 0 {
        let mut product = integer;
        product.mul_pow10(scale as u32);
        let (bits, shift, sticky) = product.top_bits();
        return Some(WideBits::new(bits, shift as i64, sticky));
    }
    // value = integer / 10^-scale: divide with 127 quotient bits, or shift the divisor instead when
    // the integer is already that much larger.
    let divisor = BigUint::power_of_ten((-scale) as u32);
    let shift = 127 + divisor.bit_len() as i64 - integer.bit_len() as i64;
    let (quotient, remainder) = if shift >= 0 {
        integer.shl(shift as u64).div_small_quotient(&divisor)
    } else {
        integer.div_small_quotient(&divisor.shl((-shift) as u64))
    };
    Some(WideBits::new(quotient, -shift, remainder))
}

/// `mantissa × 2^-neg_exp` printed with exactly 17 decimals, rounded half to even as glibc does.
fn fixed_17(mantissa: u64, neg_exp: i64) -> String {
    // mantissa × 10^17 < 2^64 × 2^57 fits in a u128.
    let scaled = u128::from(mantissa) * 10u128.pow(17);
    let units = WideBits::new(scaled, -neg_exp, false).round_to_unit(0);
    let digits = format!("{units:018}");
    let (integer, fraction) = digits.split_at(digits.len() - 17);
    format!("{integer}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(text: &str) -> LongDouble {
        LongDouble::parse(text.as_bytes()).unwrap_or_else(|| panic!("{text:?} should parse"))
    }

    fn sum(a: &str, b: &str) -> String {
        (ld(a) + ld(b)).to_human_string()
    }

    #[test]
    fn long_double_sums_print_like_valkey() {
        assert_eq!(sum("10.5", "0.1"), "10.6");
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("1.1", "2.2"), "3.3");
        assert_eq!(sum("0.7", "0.1"), "0.8");
        assert_eq!(sum("100.01", "0.02"), "100.03");
        assert_eq!(sum("5.0e3", "2.0e2"), "5200");
        assert_eq!(sum("3", "-3"), "0");
        assert_eq!(sum("-1.5", "0.25"), "-1.25");
        assert_eq!(sum("12345678901234567890", "0"), "12345678901234567890");
    }

    #[test]
    fn long_double_human_string_rounds_at_17_decimals() {
        assert_eq!(ld("1e-20").to_human_string(), "0");
        assert_eq!(ld("-1e-20").to_human_string(), "0");
        assert_eq!(ld("1e-17").to_human_string(), "0.00000000000000001");
        assert_eq!(ld("0.1").to_human_string(), "0.1");
        assert_eq!(ld("1e21").to_human_string(), "1000000000000000000000");
        assert_eq!(ld("-0").to_human_string(), "0");
        // 1000000.1 is not exact in 64 bits, and 17 decimals show it.
        assert_eq!(ld("1000000.1").to_human_string(), "1000000.10000000000002274");
        // 2^-18 × 10^17 ends in exactly .5: glibc rounds the tie to even.
        assert_eq!(ld("0x1p-18").to_human_string(), "0.00000381469726562");
        assert_eq!(ld("inf").to_human_string(), "inf");
        assert_eq!(ld("-inf").to_human_string(), "-inf");
    }

    #[test]
    fn long_double_parse_accepts_wider_range_than_f64() {
        assert_eq!(ld("1e400").to_f64(), f64::INFINITY);
        assert_eq!(ld("1e-400").to_f64(), 0.0);
        assert!(ld("1e400").is_finite());
        assert_eq!(ld("0x1p16383").to_f64(), f64::INFINITY);
        assert!(LongDouble::parse(b"1e4933").is_none());
        assert!(LongDouble::parse(b"1e-4952").is_none());
        assert!(LongDouble::parse(b"0x1p16384").is_none());
        assert!(LongDouble::parse(b"0x1p-16446").is_none(), "half the smallest subnormal ties to zero");
        assert!(LongDouble::parse(b"0x1p-16445").is_some());
    }

    #[test]
    fn long_double_parse_rejects_what_string2ld_rejects() {
        for text in ["", " 1", "1 ", "nan", "-nan", "abc", "1e", "0x", "1\0"] {
            assert!(LongDouble::parse(text.as_bytes()).is_none(), "{text:?}");
        }
        assert!(LongDouble::parse(format!("1{}", "0".repeat(5119)).as_bytes()).is_none());
        assert!(LongDouble::parse(format!("0.{}", "0".repeat(5117)).as_bytes()).is_some());
    }

    #[test]
    fn long_double_infinities_and_nan_propagate() {
        let inf = ld("inf");
        let neg_inf = ld("-inf");
        assert!(!(inf + ld("1")).is_finite());
        assert!((inf + neg_inf).is_nan());
        assert_eq!((neg_inf + neg_inf).to_human_string(), "-inf");
        assert_eq!((inf + neg_inf).to_human_string(), "nan");
        // The largest long double plus a bit more overflows.
        let max = ld("0x1.fffffffffffffffep16383");
        assert!(!(max + max).is_finite());
    }
}
