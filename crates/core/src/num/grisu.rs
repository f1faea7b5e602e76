//! Grisu2 digit generation and layout, matching the `fpconv_dtoa` that Valkey 8 uses for double replies.
//!
//! Grisu2 (Loitsch, "Printing Floating-Point Numbers Quickly and Accurately with Integers", 2010) finds
//! digits that read back to the same double, usually but not always the shortest such digits, so a
//! generic shortest-digits printer (Rust's `{}`, Ryu) would disagree on some values. We therefore follow
//! the same steps with the same 64-bit arithmetic and the same cached powers of ten, and lay the digits
//! out with fpconv's own rules for when to use an exponent.

/// A floating-point number `frac × 2^exp` with a 64-bit significand ("do-it-yourself float").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DiyFp {
    frac: u64,
    exp: i32,
}

const FRACTION_MASK: u64 = (1 << 52) - 1;
const HIDDEN_BIT: u64 = 1 << 52;
/// Exponent bias plus the 52 fraction bits, so that `value = frac × 2^(biased - EXPONENT_OFFSET)`.
const EXPONENT_OFFSET: i32 = 1023 + 52;

/// First power of ten in [`CACHED_POWERS`], and the step between entries.
const FIRST_CACHED_POWER: i32 = -348;
const CACHED_POWER_STEP: i32 = 8;
/// The scaled upper boundary's binary exponent must land in this window for digit generation.
const MIN_TARGET_EXP: i32 = -60;
const MAX_TARGET_EXP: i32 = -32;

/// 10^(-348 + 8i) as `(significand, binary exponent)`, the significand being 10^k / 2^exp rounded to the
/// nearest 64-bit integer with its top bit set. Generated with exact rational arithmetic; these are the
/// standard Grisu constants.
#[rustfmt::skip]
const CACHED_POWERS: [(u64, i32); 87] = [
    (0xfa8fd5a0081c0288, -1220), (0xbaaee17fa23ebf76, -1193),
    (0x8b16fb203055ac76, -1166), (0xcf42894a5dce35ea, -1140),
    (0x9a6bb0aa55653b2d, -1113), (0xe61acf033d1a45df, -1087),
    (0xab70fe17c79ac6ca, -1060), (0xff77b1fcbebcdc4f, -1034),
    (0xbe5691ef416bd60c, -1007), (0x8dd01fad907ffc3c, -980),
    (0xd3515c2831559a83, -954), (0x9d71ac8fada6c9b5, -927),
    (0xea9c227723ee8bcb, -901), (0xaecc49914078536d, -874),
    (0x823c12795db6ce57, -847), (0xc21094364dfb5637, -821),
    (0x9096ea6f3848984f, -794), (0xd77485cb25823ac7, -768),
    (0xa086cfcd97bf97f4, -741), (0xef340a98172aace5, -715),
    (0xb23867fb2a35b28e, -688), (0x84c8d4dfd2c63f3b, -661),
    (0xc5dd44271ad3cdba, -635), (0x936b9fcebb25c996, -608),
    (0xdbac6c247d62a584, -582), (0xa3ab66580d5fdaf6, -555),
    (0xf3e2f893dec3f126, -529), (0xb5b5ada8aaff80b8, -502),
    (0x87625f056c7c4a8b, -475), (0xc9bcff6034c13053, -449),
    (0x964e858c91ba2655, -422), (0xdff9772470297ebd, -396),
    (0xa6dfbd9fb8e5b88f, -369), (0xf8a95fcf88747d94, -343),
    (0xb94470938fa89bcf, -316), (0x8a08f0f8bf0f156b, -289),
    (0xcdb02555653131b6, -263), (0x993fe2c6d07b7fac, -236),
    (0xe45c10c42a2b3b06, -210), (0xaa242499697392d3, -183),
    (0xfd87b5f28300ca0e, -157), (0xbce5086492111aeb, -130),
    (0x8cbccc096f5088cc, -103), (0xd1b71758e219652c, -77),
    (0x9c40000000000000, -50), (0xe8d4a51000000000, -24),
    (0xad78ebc5ac620000, 3), (0x813f3978f8940984, 30),
    (0xc097ce7bc90715b3, 56), (0x8f7e32ce7bea5c70, 83),
    (0xd5d238a4abe98068, 109), (0x9f4f2726179a2245, 136),
    (0xed63a231d4c4fb27, 162), (0xb0de65388cc8ada8, 189),
    (0x83c7088e1aab65db, 216), (0xc45d1df942711d9a, 242),
    (0x924d692ca61be758, 269), (0xda01ee641a708dea, 295),
    (0xa26da3999aef774a, 322), (0xf209787bb47d6b85, 348),
    (0xb454e4a179dd1877, 375), (0x865b86925b9bc5c2, 402),
    (0xc83553c5c8965d3d, 428), (0x952ab45cfa97a0b3, 455),
    (0xde469fbd99a05fe3, 481), (0xa59bc234db398c25, 508),
    (0xf6c69a72a3989f5c, 534), (0xb7dcbf5354e9bece, 561),
    (0x88fcf317f22241e2, 588), (0xcc20ce9bd35c78a5, 614),
    (0x98165af37b2153df, 641), (0xe2a0b5dc971f303a, 667),
    (0xa8d9d1535ce3b396, 694), (0xfb9b7cd9a4a7443c, 720),
    (0xbb764c4ca7a44410, 747), (0x8bab8eefb6409c1a, 774),
    (0xd01fef10a657842c, 800), (0x9b10a4e5e9913129, 827),
    (0xe7109bfba19c0c9d, 853), (0xac2820d9623bf429, 880),
    (0x80444b5e7aa7cf85, 907), (0xbf21e44003acdd2d, 933),
    (0x8e679c2f5e44ff8f, 960), (0xd433179d9c8cb841, 986),
    (0x9e19db92b4e31ba9, 1013), (0xeb96bf6ebadf77d9, 1039),
    (0xaf87023b9bf0ee6b, 1066),
];

/// Appends fpconv's text for a finite, nonzero `value`: sign, then plain or exponent notation.
pub(super) fn write_shortest(value: f64, out: &mut String) {
    debug_assert!(value.is_finite() && value != 0.0);
    let negative = value.is_sign_negative();
    if negative {
        out.push('-');
    }
    let mut digits = Digits::default();
    let k = grisu2(value, &mut digits);
    emit(digits.as_slice(), k, negative, out);
}

/// Up to 18 decimal digits as ASCII, the most fpconv's buffer holds.
#[derive(Default)]
struct Digits {
    buf: [u8; 18],
    len: usize,
}

impl Digits {
    fn push(&mut self, digit: u64) {
        self.buf[self.len] = b'0' + digit as u8;
        self.len += 1;
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Splits a positive finite double into `frac × 2^exp` without normalising.
fn decompose(value: f64) -> DiyFp {
    let bits = value.to_bits();
    let frac = bits & FRACTION_MASK;
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        DiyFp { frac, exp: 1 - EXPONENT_OFFSET }
    } else {
        DiyFp { frac: frac + HIDDEN_BIT, exp: biased - EXPONENT_OFFSET }
    }
}

/// Shifts the significand up until bit 63 is set.
fn normalize(mut fp: DiyFp) -> DiyFp {
    while fp.frac & HIDDEN_BIT == 0 {
        fp.frac <<= 1;
        fp.exp -= 1;
    }
    DiyFp { frac: fp.frac << 11, exp: fp.exp - 11 }
}

/// The midpoints to the neighbouring doubles, `(lower, upper)`, both with the upper one's exponent.
fn boundaries(fp: DiyFp) -> (DiyFp, DiyFp) {
    let mut upper = DiyFp { frac: (fp.frac << 1) + 1, exp: fp.exp - 1 };
    while upper.frac & (HIDDEN_BIT << 1) == 0 {
        upper.frac <<= 1;
        upper.exp -= 1;
    }
    upper = DiyFp { frac: upper.frac << 10, exp: upper.exp - 10 };
    // At a power of two the double below is twice as close, so the lower midpoint is nearer.
    // (fpconv also applies this to the smallest normal, where it is not true; we follow it.)
    let lower_shift = if fp.frac == HIDDEN_BIT { 2 } else { 1 };
    let lower_frac = (fp.frac << lower_shift) - 1;
    let lower_exp = fp.exp - lower_shift;
    let lower = DiyFp { frac: lower_frac << (lower_exp - upper.exp), exp: upper.exp };
    (lower, upper)
}

/// The upper 64 bits of the 128-bit product, rounded half up.
fn multiply(a: DiyFp, b: DiyFp) -> DiyFp {
    let product = u128::from(a.frac) * u128::from(b.frac) + (1u128 << 63);
    DiyFp { frac: (product >> 64) as u64, exp: a.exp + b.exp + 64 }
}

/// Picks the cached power c = 10^k that brings `exp + c.exp + 64` into the target window.
///
/// The starting guess matters, not just the window: when two entries qualify, the one reached first
/// from the guess wins, and it decides which digits come out.
fn cached_power(exp: i32) -> (DiyFp, i32) {
    const LOG10_2: f64 = 0.301_029_995_663_981_14;
    let approx = (f64::from(-(exp + CACHED_POWERS.len() as i32)) * LOG10_2) as i32;
    let mut index = (approx - FIRST_CACHED_POWER) / CACHED_POWER_STEP;
    loop {
        let (frac, power_exp) = CACHED_POWERS[index as usize];
        let scaled = exp + power_exp + 64;
        if scaled < MIN_TARGET_EXP {
            index += 1;
        } else if scaled > MAX_TARGET_EXP {
            index -= 1;
        } else {
            return (DiyFp { frac, exp: power_exp }, FIRST_CACHED_POWER + index * CACHED_POWER_STEP);
        }
    }
}

/// Fills `digits` and returns K such that the value ≈ digits × 10^K.
fn grisu2(value: f64, digits: &mut Digits) -> i32 {
    let raw = decompose(value);
    let (lower, upper) = boundaries(raw);
    let w = normalize(raw);
    let (power, k) = cached_power(upper.exp);
    let w = multiply(w, power);
    let mut upper = multiply(upper, power);
    let mut lower = multiply(lower, power);
    // Shrink the interval by one unit each side to stay safely inside despite rounding errors.
    lower.frac += 1;
    upper.frac -= 1;
    generate_digits(w, upper, lower, -k, digits)
}

const POWERS_OF_TEN: [u64; 20] = {
    let mut table = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// Emits digits of `upper` until they are within `upper - lower`, then nudges the last digit toward `w`.
fn generate_digits(w: DiyFp, upper: DiyFp, lower: DiyFp, mut k: i32, digits: &mut Digits) -> i32 {
    let w_distance = upper.frac.wrapping_sub(w.frac);
    let mut delta = upper.frac.wrapping_sub(lower.frac);
    let shift = (-upper.exp) as u32;
    let one = 1u64 << shift;
    let mut integral = upper.frac >> shift;
    let mut fractional = upper.frac & (one - 1);

    // Integral part: at most ten digits, since it is below 2^32.
    for kappa in (0..10).rev() {
        let divisor = POWERS_OF_TEN[kappa as usize];
        let digit = integral / divisor;
        if digit != 0 || digits.len != 0 {
            digits.push(digit);
        }
        integral -= digit * divisor;
        let rest = (integral << shift) + fractional;
        if rest <= delta {
            k += kappa;
            round_last_digit(digits, delta, rest, divisor << shift, w_distance);
            return k;
        }
    }

    // Fractional part: one digit per step, scaling the error bound along.
    let mut kappa = 0;
    let mut unit_index = 1;
    loop {
        fractional = fractional.wrapping_mul(10);
        delta = delta.wrapping_mul(10);
        kappa -= 1;
        let digit = fractional >> shift;
        if digit != 0 || digits.len != 0 {
            digits.push(digit);
        }
        fractional &= one - 1;
        if fractional < delta {
            k += kappa;
            let scaled_w_distance = w_distance.wrapping_mul(POWERS_OF_TEN[unit_index]);
            round_last_digit(digits, delta, fractional, one, scaled_w_distance);
            return k;
        }
        unit_index += 1;
    }
}

/// Lowers the last digit while that moves the number closer to `w` and stays inside the interval.
fn round_last_digit(digits: &mut Digits, delta: u64, mut rest: u64, ten_kappa: u64, w_distance: u64) {
    while rest < w_distance
        && delta.wrapping_sub(rest) >= ten_kappa
        && (rest.wrapping_add(ten_kappa) < w_distance
            || w_distance.wrapping_sub(rest) > rest.wrapping_add(ten_kappa).wrapping_sub(w_distance))
    {
        digits.buf[digits.len - 1] -= 1;
        rest = rest.wrapping_add(ten_kappa);
    }
}

/// Lays out `digits × 10^k` the way fpconv does.
///
/// - Integers print in full when at most 7 zeros follow the digits (`exp < count + 7` is `k < 8`), so
///   1.2345678901234567e21 prints as 22 digits but 1e21 as `1e+21`.
/// - Other numbers print with a decimal point when `k > -7` or the decimal exponent is below 4.
/// - Everything else uses `d.ddde±x`, with no padding of the exponent (`1e-7`, `1.5e+300`).
fn emit(digits: &[u8], k: i32, negative: bool, out: &mut String) {
    let count = digits.len() as i32;
    let exp = (k + count - 1).abs();
    let text = |bytes: &[u8]| bytes.iter().map(|&b| b as char).collect::<String>();

    if k >= 0 && exp < count + 7 {
        out.push_str(&text(digits));
        out.push_str(&"0".repeat(k as usize));
        return;
    }
    if k < 0 && (k > -7 || exp < 4) {
        let int_len = count + k;
        if int_len <= 0 {
            out.push_str("0.");
            out.push_str(&"0".repeat((-int_len) as usize));
            out.push_str(&text(digits));
        } else {
            let (int_part, frac_part) = digits.split_at(int_len as usize);
            out.push_str(&text(int_part));
            out.push('.');
            out.push_str(&text(frac_part));
        }
        return;
    }

    // fpconv caps the digits at 18 minus the sign; the exponent's magnitude is computed before that
    // cap and its sign after it. Grisu2 never yields that many digits, but we keep the rule.
    let count = count.min(18 - i32::from(negative));
    let digits = &digits[..count as usize];
    out.push(digits[0] as char);
    if count > 1 {
        out.push('.');
        out.push_str(&text(&digits[1..]));
    }
    out.push('e');
    out.push(if k + count - 1 < 0 { '-' } else { '+' });
    out.push_str(&exp.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shortest(value: f64) -> String {
        let mut out = String::new();
        write_shortest(value, &mut out);
        out
    }

    #[test]
    fn cached_powers_small_exponents_are_exact() {
        // For 10^0 .. 10^38 the exact value fits in a u128, so each entry can be checked directly.
        for (index, &(frac, exp)) in CACHED_POWERS.iter().enumerate() {
            let k = FIRST_CACHED_POWER + index as i32 * CACHED_POWER_STEP;
            if !(0..=38).contains(&k) {
                continue;
            }
            let exact = 10u128.pow(k as u32);
            let shift = exp as u32;
            let expected = if exp >= 0 {
                let quotient = exact >> shift;
                let remainder = exact & ((1u128 << shift) - 1);
                quotient + u128::from(remainder * 2 >= (1u128 << shift))
            } else {
                exact << (-exp) as u32
            };
            assert_eq!(u128::from(frac), expected, "10^{k}");
        }
    }

    #[test]
    fn cached_power_exists_for_every_binary_exponent() {
        // Smallest and largest fractions at every exponent, subnormals included.
        for biased in 0..0x7ffu64 {
            for frac in [0, 1, FRACTION_MASK] {
                let value = f64::from_bits(biased << 52 | frac);
                if value != 0.0 {
                    let (_, upper) = boundaries(decompose(value));
                    let (power, _) = cached_power(upper.exp);
                    let scaled = upper.exp + power.exp + 64;
                    assert!((MIN_TARGET_EXP..=MAX_TARGET_EXP).contains(&scaled), "{value:e}");
                }
            }
        }
    }

    #[test]
    fn shortest_uses_plain_notation_near_one() {
        assert_eq!(shortest(0.1), "0.1");
        assert_eq!(shortest(1.5), "1.5");
        assert_eq!(shortest(-2.25), "-2.25");
        assert_eq!(shortest(1234.5678), "1234.5678");
        assert_eq!(shortest(0.000001), "0.000001");
    }

    #[test]
    fn shortest_large_integers_switch_to_exponent() {
        assert_eq!(shortest(1e21), "1e+21");
        assert_eq!(shortest(1.5e22), "1.5e+22");
        // Not the shortest digits ("123"), but what fpconv produces, so what Valkey sends.
        assert_eq!(shortest(1.23e22), "12300000000000001000000");
        assert_eq!(shortest(1.2345678901234568e21), "1234567890123456800000");
        assert_eq!(shortest(5e18), "5e+18");
        assert_eq!(shortest(1e300), "1e+300");
    }
}
