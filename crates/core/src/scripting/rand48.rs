//! The generator behind scripts' `math.random`: the 48-bit linear congruential generator of
//! `lrand48`, as Valkey's `rand.c` carries it so every platform gives the same sequence. Valkey never
//! seeds it at start-up, so the sequence (and the first `math.random()`) is the same in every fresh
//! server until a script calls `math.randomseed`.

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const INCREMENT: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;
const INITIAL: u64 = 0x1234_ABCD_330E;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rand48 {
    state: u64,
}

impl Default for Rand48 {
    fn default() -> Self {
        Rand48 { state: INITIAL }
    }
}

impl Rand48 {
    /// `lrand48`: the next value in `0..2^31`.
    pub fn next_i32(&mut self) -> i32 {
        self.state = (MULTIPLIER.wrapping_mul(self.state).wrapping_add(INCREMENT)) & MASK;
        (self.state >> 17) as i32
    }

    /// `srand48`: the seed's 32 bits become the high bits of the state.
    pub fn seed(&mut self, seed: i32) {
        self.state = (u64::from(seed as u32) << 16) | 0x330E;
    }

    /// `math.random()`'s base value in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        f64::from(self.next_i32() % i32::MAX) / f64::from(i32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_value_matches_a_fresh_valkey() {
        // `EVAL "return tostring(math.random())" 0` on a fresh server prints 0.39646477363839, then
        // 0.84048536971234.
        let mut r = Rand48::default();
        assert_eq!(format!("{:.14}", r.next_f64()), "0.39646477363839");
        assert_eq!(format!("{:.14}", r.next_f64()), "0.84048536971234");
    }

    #[test]
    fn seeding_repeats_the_sequence() {
        let mut a = Rand48::default();
        let mut b = Rand48::default();
        a.seed(10);
        b.next_i32();
        b.seed(10);
        assert_eq!(a.next_i32(), b.next_i32());
    }
}
