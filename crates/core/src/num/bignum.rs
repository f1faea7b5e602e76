//! Just enough unsigned big-integer arithmetic to convert between decimal and x87 long doubles
//! exactly: numbers up to about 10^10000, built from decimal digits, powers of ten and shifts.

use std::cmp::Ordering;

/// An unsigned integer as little-endian 32-bit limbs, with no high zero limbs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct BigUint {
    limbs: Vec<u32>,
}

impl BigUint {
    pub(super) fn from_u128(mut value: u128) -> Self {
        let mut limbs = Vec::new();
        while value != 0 {
            limbs.push(value as u32);
            value >>= 32;
        }
        BigUint { limbs }
    }

    /// Parses ASCII decimal digits (nothing else).
    pub(super) fn from_decimal(digits: &[u8]) -> Self {
        let mut number = BigUint::default();
        for chunk in digits.chunks(9) {
            let value = chunk.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
            number.mul_add_small(10u32.pow(chunk.len() as u32), value);
        }
        number
    }

    pub(super) fn power_of_ten(exp: u32) -> Self {
        let mut number = BigUint::from_u128(1);
        number.mul_pow10(exp);
        number
    }

    pub(super) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    pub(super) fn bit_len(&self) -> u64 {
        self.limbs.last().map_or(0, |&top| (self.limbs.len() as u64 - 1) * 32 + u64::from(32 - top.leading_zeros()))
    }

    /// `self = self × factor + addend`.
    fn mul_add_small(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.limbs {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    pub(super) fn mul_pow10(&mut self, mut exp: u32) {
        while exp >= 9 {
            self.mul_add_small(1_000_000_000, 0);
            exp -= 9;
        }
        self.mul_add_small(10u32.pow(exp), 0);
    }

    pub(super) fn shl(&self, bits: u64) -> Self {
        if self.is_zero() {
            return self.clone();
        }
        let (limb_shift, bit_shift) = ((bits / 32) as usize, (bits % 32) as u32);
        let mut limbs = vec![0u32; limb_shift];
        let mut carry = 0u32;
        for &limb in &self.limbs {
            limbs.push(if bit_shift == 0 { limb } else { limb << bit_shift | carry });
            carry = if bit_shift == 0 { 0 } else { limb >> (32 - bit_shift) };
        }
        if carry != 0 {
            limbs.push(carry);
        }
        BigUint { limbs }
    }

    /// `self >> 1`, in place.
    fn shr1(&mut self) {
        let mut carry = 0u32;
        for limb in self.limbs.iter_mut().rev() {
            let next_carry = *limb & 1;
            *limb = *limb >> 1 | carry << 31;
            carry = next_carry;
        }
        self.trim();
    }

    /// `self -= other`; requires `self >= other`.
    fn sub_assign(&mut self, other: &BigUint) {
        let mut borrow = 0i64;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let difference = i64::from(*limb) - i64::from(other.limbs.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(difference < 0);
            *limb = difference.rem_euclid(1 << 32) as u32;
        }
        debug_assert_eq!(borrow, 0);
        self.trim();
    }

    /// The top 128 bits as `(bits, weight of their lowest bit, whether anything below is nonzero)`.
    pub(super) fn top_bits(&self) -> (u128, u64, bool) {
        let len = self.bit_len();
        let shift = len.saturating_sub(128);
        let (limb_shift, bit_shift) = ((shift / 32) as usize, shift % 32);
        let mut bits: u128 = 0;
        for (i, &limb) in self.limbs.iter().enumerate().skip(limb_shift).take(5) {
            let position = (i - limb_shift) as u32 * 32;
            let wide = u128::from(limb);
            bits |= if position >= bit_shift as u32 {
                wide << (position - bit_shift as u32)
            } else {
                wide >> (bit_shift as u32 - position)
            };
        }
        let below_limbs = self.limbs[..limb_shift].iter().any(|&l| l != 0);
        let below_bits = bit_shift > 0 && self.limbs.get(limb_shift).is_some_and(|&l| l & ((1 << bit_shift) - 1) != 0);
        (bits, shift, below_limbs || below_bits)
    }

    /// `self / divisor` when the quotient is known to be below 2^128, and whether a remainder is left.
    pub(super) fn div_small_quotient(mut self, divisor: &BigUint) -> (u128, bool) {
        let mut shifted = divisor.shl(127);
        let mut quotient: u128 = 0;
        for bit in (0..128).rev() {
            if self.cmp(&shifted) != Ordering::Less {
                self.sub_assign(&shifted);
                quotient |= 1 << bit;
            }
            shifted.shr1();
        }
        (quotient, !self.is_zero())
    }

    /// Decimal digits, `"0"` for zero.
    pub(super) fn to_decimal(&self) -> String {
        let mut rest = self.clone();
        let mut chunks = Vec::new();
        while !rest.is_zero() {
            chunks.push(rest.div_rem_small(1_000_000_000));
        }
        let mut text = chunks.pop().map_or_else(|| "0".to_owned(), |top| top.to_string());
        for chunk in chunks.iter().rev() {
            text.push_str(&format!("{chunk:09}"));
        }
        text
    }

    fn div_rem_small(&mut self, divisor: u32) -> u32 {
        let mut remainder = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let current = remainder << 32 | u64::from(*limb);
            *limb = (current / u64::from(divisor)) as u32;
            remainder = current % u64::from(divisor);
        }
        self.trim();
        remainder as u32
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.limbs.len().cmp(&other.limbs.len()).then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bignum_decimal_round_trips() {
        for text in ["0", "1", "999999999", "1000000000", "123456789012345678901234567890123456789"] {
            assert_eq!(BigUint::from_decimal(text.as_bytes()).to_decimal(), text);
        }
        assert_eq!(BigUint::power_of_ten(30).to_decimal(), format!("1{}", "0".repeat(30)));
    }

    #[test]
    fn bignum_shift_and_top_bits_agree_with_u128() {
        let value = BigUint::from_u128(0xdead_beef_1234_5678_9abc);
        assert_eq!(value.shl(100).top_bits(), (0xdead_beef_1234_5678_9abc << 48, 52, false));
        assert_eq!(value.shl(3).top_bits(), (0xdead_beef_1234_5678_9abc << 3, 0, false));
        let odd = BigUint::from_u128(u128::MAX).shl(7);
        let mut plus_one = odd.clone();
        plus_one.mul_add_small(1, 1);
        assert_eq!(plus_one.top_bits(), (u128::MAX, 7, true));
        assert_eq!(plus_one.bit_len(), 135);
    }

    #[test]
    fn bignum_division_gives_quotient_and_remainder_flag() {
        let dividend = BigUint::from_u128(1000);
        assert_eq!(dividend.clone().div_small_quotient(&BigUint::from_u128(10)), (100, false));
        assert_eq!(dividend.div_small_quotient(&BigUint::from_u128(7)), (142, true));
        let big = BigUint::power_of_ten(40);
        assert_eq!(big.div_small_quotient(&BigUint::power_of_ten(20)), (10u128.pow(20), false));
    }
}
