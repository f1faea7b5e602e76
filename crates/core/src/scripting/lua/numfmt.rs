//! The C number conversions Valkey's Lua glue relies on, spelled out: `%.Ng` formatting, and the
//! double → integer casts as x86-64 performs them (out-of-range values give the "integer indefinite"
//! value instead of saturating as Rust's `as` does).

/// C's `printf("%.{precision}g", x)` as glibc prints it (`nan`, `-nan`, `inf`, `-inf`, `-0`).
pub(crate) fn format_g(x: f64, precision: usize) -> String {
    let p = precision.max(1);
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let mantissa = strip_fraction_zeros(mantissa);
        format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_fraction_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_fraction_zeros(s: &str) -> &str {
    if !s.contains('.') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.')
}

/// `(long long)d` on x86-64: truncation, and `i64::MIN` for NaN and out-of-range values.
pub(crate) fn c_double_to_i64(d: f64) -> i64 {
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&d) {
        i64::MIN
    } else {
        d as i64
    }
}

/// `(unsigned long)d` as gcc compiles it for x86-64 (values from 2^63 are converted after
/// subtracting 2^63; NaN and values from 2^64 end up 0 or wrapped).
pub(crate) fn c_double_to_u64(d: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if d < TWO63 {
        c_double_to_i64(d) as u64
    } else {
        (c_double_to_i64(d - TWO63) as u64) ^ (1 << 63)
    }
}

/// `(int)lua_tointeger(L, i)`: to a 64-bit integer, then its low 32 bits.
pub(crate) fn c_double_to_int(d: f64) -> i32 {
    c_double_to_i64(d) as i32
}

/// Valkey's `double2ll`: the integer a double holds exactly, within ±2^62.
pub(crate) fn double_to_exact_i64(d: f64) -> Option<i64> {
    const LIMIT: f64 = 4_611_686_018_427_387_903.0;
    if !(-LIMIT..=LIMIT).contains(&d) {
        return None;
    }
    let i = d as i64;
    (i as f64 == d).then_some(i)
}

/// A Lua number as a command argument: integers in plain digits, other values as `fpconv_dtoa`
/// writes them (the shortest text that reads back the same).
pub(crate) fn number_arg(d: f64) -> Vec<u8> {
    if let Some(i) = double_to_exact_i64(d) {
        return i.to_string().into_bytes();
    }
    if d.is_nan() {
        return if d.is_sign_negative() { b"-nan".to_vec() } else { b"nan".to_vec() };
    }
    crate::num::format_double(d).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_g_matches_printf() {
        assert_eq!(format_g(1.0 / 3.0, 14), "0.33333333333333");
        assert_eq!(format_g(1e100, 14), "1e+100");
        assert_eq!(format_g(123456789012345.0, 14), "1.2345678901234e+14");
        assert_eq!(format_g(12345678901234567890.0, 14), "1.2345678901235e+19");
        assert_eq!(format_g(1.5, 14), "1.5");
        assert_eq!(format_g(100.0, 14), "100");
        assert_eq!(format_g(0.0001, 14), "0.0001");
        assert_eq!(format_g(0.00001, 14), "1e-05");
        assert_eq!(format_g(-0.0, 14), "-0");
        assert_eq!(format_g(0.3e-3, 14), "0.0003");
    }

    #[test]
    fn casts_behave_like_x86() {
        assert_eq!(c_double_to_i64(100.5), 100);
        assert_eq!(c_double_to_i64(-100.5), -100);
        assert_eq!(c_double_to_i64(f64::NAN), i64::MIN);
        assert_eq!(c_double_to_i64(1e300), i64::MIN);
        assert_eq!(c_double_to_u64(-1.0), u64::MAX);
        assert_eq!(c_double_to_int(4294967297.0), 1);
    }

    #[test]
    fn number_arg_prints_integers_plainly() {
        assert_eq!(number_arg(9007199254740991.0), b"9007199254740991");
        assert_eq!(number_arg(-0.0), b"0");
        assert_eq!(number_arg(0.1), b"0.1");
    }
}
