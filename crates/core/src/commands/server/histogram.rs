//! Per-command latency histograms (`latency-tracking`): INFO latencystats percentiles and LATENCY
//! HISTOGRAM's cumulative distribution.
//!
//! Values are nanoseconds kept with two significant digits, the precision Valkey's HdrHistogram is
//! configured with: below 256 every value has its own bucket, above it each power of two is split in
//! 128 buckets. That quantisation decides the numbers users see (a reported `p50=1.003` or a CDF row at
//! `33` µs), so it is reproduced exactly. Recording runs after every command, so the buckets are counters
//! in an array, allocated in chunks of 128 as values reach a power of two (most stay empty).

/// Values are clamped to 1 ns ..= 1 s, as Valkey records them.
const MIN_NS: u64 = 1;
const MAX_NS: u64 = 1_000_000_000;
/// Buckets per power of two above the first 256 values (two significant digits).
const HALF: u64 = 128;
/// LATENCY HISTOGRAM reports at 1024 ns, 2048 ns, ... (log steps of base 2).
const FIRST_REPORT_NS: u64 = 1024;

/// Counters per chunk: one power of two above 256, or half of the first 256 values.
const CHUNK: usize = HALF as usize;

#[derive(Debug, Clone, Default)]
pub struct Histogram {
    /// Counts by bucket index (see `bucket_index`), in chunks allocated on first use.
    chunks: Vec<Option<Box<[u64; CHUNK]>>>,
    total: u64,
}

/// The bucket of `v` as a dense index: the values below 256 one by one, then 128 per power of two.
fn bucket_index(v: u64) -> usize {
    let magnitude = 63 - (v | (2 * HALF - 1)).leading_zeros() as u64;
    let shift = magnitude - 7;
    let index = if shift == 0 { v } else { 2 * HALF + (shift - 1) * HALF + ((v >> shift) - HALF) };
    index as usize
}

/// The lowest value of the bucket at `index` (the inverse of `bucket_index`).
fn bucket_low(index: usize) -> u64 {
    let index = index as u64;
    if index < 2 * HALF {
        return index;
    }
    let k = index - 2 * HALF;
    let shift = 1 + k / HALF;
    (HALF + k % HALF) << shift
}

/// (lowest value, width) of the bucket holding `v`.
fn bucket_of(v: u64) -> (u64, u64) {
    let magnitude = 63 - (v | (2 * HALF - 1)).leading_zeros() as u64; // floor(log2), at least 7
    let shift = magnitude - 7;
    ((v >> shift) << shift, 1 << shift)
}

/// The largest value that falls in the same bucket as `v`.
fn highest_equivalent(v: u64) -> u64 {
    let (low, width) = bucket_of(v);
    low + width - 1
}

impl Histogram {
    pub fn record_ns(&mut self, ns: u64) {
        let index = bucket_index(ns.clamp(MIN_NS, MAX_NS));
        let (chunk, slot) = (index / CHUNK, index % CHUNK);
        if chunk >= self.chunks.len() {
            self.chunks.resize_with(chunk + 1, || None);
        }
        self.chunks[chunk].get_or_insert_with(|| Box::new([0; CHUNK]))[slot] += 1;
        self.total += 1;
    }

    /// (lowest value, count) of every non-empty bucket, in ascending order.
    fn buckets(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.chunks.iter().enumerate().filter_map(|(c, chunk)| chunk.as_ref().map(|counts| (c, counts))).flat_map(
            |(c, counts)| {
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, &n)| n > 0)
                    .map(move |(slot, &n)| (bucket_low(c * CHUNK + slot), n))
            },
        )
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// The value (ns) at `percentile` (0..=100): the top of the bucket where the running count reaches
    /// that share of all values (the bottom for percentile 0).
    pub fn value_at_percentile(&self, percentile: f64) -> u64 {
        let p = percentile.min(100.0);
        let wanted = (((p / 100.0) * self.total as f64) + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut running = 0;
        for (low, n) in self.buckets() {
            running += n;
            if running >= wanted {
                return if percentile == 0.0 { low } else { highest_equivalent(low) };
            }
        }
        0
    }

    /// LATENCY HISTOGRAM rows: (µs, values at or below it), at 1, 2, 4 ... µs steps, only where the
    /// running count grows.
    pub fn cumulative_us(&self) -> Vec<(u64, u64)> {
        let mut rows = Vec::new();
        let mut previous = 0;
        let mut level = FIRST_REPORT_NS;
        let mut buckets = self.buckets().peekable();
        let mut running = 0;
        while previous < self.total && level <= 2 * MAX_NS {
            let top = highest_equivalent(level);
            while let Some((_, n)) = buckets.next_if(|&(low, _)| low <= top) {
                running += n;
            }
            if running > previous {
                rows.push((top / 1000, running));
                previous = running;
            }
            level *= 2;
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_keep_two_significant_digits() {
        assert_eq!(highest_equivalent(100), 100);
        assert_eq!(highest_equivalent(1024), 1031);
        assert_eq!(highest_equivalent(32768), 33023);
        assert_eq!(highest_equivalent(2_097_152), 2_113_535);
    }

    #[test]
    fn histogram_bucket_index_round_trips_and_matches_the_buckets() {
        for v in [1, 2, 255, 256, 257, 511, 512, 1000, 1024, 33_000, 2_113_535, 999_999_999, 1_000_000_000] {
            let (low, _) = bucket_of(v);
            assert_eq!(bucket_low(bucket_index(v)), low, "{v}");
        }
        assert!(bucket_index(256) == 256 && bucket_index(255) == 255);
    }

    #[test]
    fn histogram_percentiles_and_cdf_follow_the_buckets() {
        let mut h = Histogram::default();
        for ns in [1000, 1000, 50_000_000] {
            h.record_ns(ns);
        }
        assert_eq!(h.value_at_percentile(50.0), 1003);
        assert!(h.value_at_percentile(100.0) >= 50_000_000);
        let rows = h.cumulative_us();
        assert_eq!(rows[0], (1, 2));
        assert_eq!(rows.last().unwrap().1, 3);
    }
}
