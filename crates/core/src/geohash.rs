//! Geohashes as Valkey's geo commands use them (`geohash.c`, `geohash_helper.c`): a point is stored as
//! a 52-bit interleaved hash (26 bits of latitude on the even bits, 26 of longitude on the odd ones)
//! used as the member's sorted-set score, so a box of the grid is a contiguous score range.
//!
//! Latitudes are limited to ±85.05112878 (the Web Mercator limits), which is why GEOHASH re-encodes
//! with the standard ±90 range before printing the usual base32 text.

/// Longitude and latitude limits of what can be indexed.
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;

/// The finest step: 26 bits per coordinate, 52 in all (what fits a double's mantissa exactly).
pub const STEP_MAX: u8 = 26;

/// Earth's quadratic mean radius for WGS-84, the one Valkey's distances use.
pub const EARTH_RADIUS_IN_METERS: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;

/// A geohash of `step` bits per coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HashBits {
    pub bits: u64,
    pub step: u8,
}

impl HashBits {
    /// Valkey's "zero" hash: a neighbour excluded from a search.
    pub fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The hash left-aligned to 52 bits: the score of the box's first point.
    pub fn align52(&self) -> u64 {
        self.bits << (52 - u32::from(self.step) * 2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// The box a hash covers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

const LONG_RANGE: Range = Range { min: LONG_MIN, max: LONG_MAX };
const LAT_RANGE: Range = Range { min: LAT_MIN, max: LAT_MAX };

/// Spreads the low 32 bits of `x` to the even bits and of `y` to the odd bits.
fn interleave64(x: u32, y: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut v = u64::from(v);
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        (v | (v << 1)) & 0x5555_5555_5555_5555
    }
    spread(x) | (spread(y) << 1)
}

/// The inverse of [`interleave64`]: (even bits, odd bits).
fn deinterleave64(v: u64) -> (u32, u32) {
    fn squash(mut v: u64) -> u32 {
        v &= 0x5555_5555_5555_5555;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF;
        v as u32
    }
    (squash(v), squash(v >> 1))
}

/// Encodes a point within the given ranges (`geohashEncode`); `None` outside them or the geo limits.
pub fn encode_in(long_range: Range, lat_range: Range, longitude: f64, latitude: f64, step: u8) -> Option<HashBits> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&longitude) || !(LAT_MIN..=LAT_MAX).contains(&latitude) {
        return None;
    }
    if latitude < lat_range.min || latitude > lat_range.max || longitude < long_range.min || longitude > long_range.max
    {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min) * scale;
    let long_offset = (longitude - long_range.min) / (long_range.max - long_range.min) * scale;
    // Truncation towards zero, as C's double → uint32 conversion.
    Some(HashBits { bits: interleave64(lat_offset as u32, long_offset as u32), step })
}

/// Encodes a point with the geo limits (`geohashEncodeWGS84`).
pub fn encode(longitude: f64, latitude: f64, step: u8) -> Option<HashBits> {
    encode_in(LONG_RANGE, LAT_RANGE, longitude, latitude, step)
}

/// The score GEOADD stores for a point: its 52-bit hash. `None` outside the limits.
pub fn score_of(longitude: f64, latitude: f64) -> Option<u64> {
    encode(longitude, latitude, STEP_MAX).map(|h| h.align52())
}

/// The box a hash covers within the given ranges (`geohashDecode`); `None` for the zero hash.
pub fn decode_in(long_range: Range, lat_range: Range, hash: HashBits) -> Option<Area> {
    if hash.is_zero() {
        return None;
    }
    let (ilat, ilong) = deinterleave64(hash.bits);
    let scale = (1u64 << hash.step) as f64;
    let lat_scale = lat_range.max - lat_range.min;
    let long_scale = long_range.max - long_range.min;
    Some(Area {
        latitude: Range {
            min: lat_range.min + (f64::from(ilat) / scale) * lat_scale,
            max: lat_range.min + ((f64::from(ilat) + 1.0) / scale) * lat_scale,
        },
        longitude: Range {
            min: long_range.min + (f64::from(ilong) / scale) * long_scale,
            max: long_range.min + ((f64::from(ilong) + 1.0) / scale) * long_scale,
        },
    })
}

pub fn decode(hash: HashBits) -> Option<Area> {
    decode_in(LONG_RANGE, LAT_RANGE, hash)
}

/// The centre of an area, clamped to the geo limits: `(longitude, latitude)`.
pub fn area_center(area: &Area) -> (f64, f64) {
    let x = ((area.longitude.min + area.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let y = ((area.latitude.min + area.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (x, y)
}

/// The point a sorted-set score stands for (`decodeGeohash`): `(longitude, latitude)`.
pub fn decode_score(score: f64) -> Option<(f64, f64)> {
    // C's double → uint64_t conversion; scores GEOADD wrote are exact integers below 2^53.
    let bits = if score.is_nan() || score <= 0.0 { 0 } else { score as u64 };
    decode(HashBits { bits, step: STEP_MAX }).map(|a| area_center(&a))
}

/// The 11-character standard geohash GEOHASH prints for a score: re-encoded with latitudes ±90; the
/// 11th character stands for bits we do not have and is always `0`.
pub fn standard_geohash(score: f64) -> Option<[u8; 11]> {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (x, y) = decode_score(score)?;
    let hash = encode_in(LONG_RANGE, Range { min: -90.0, max: 90.0 }, x, y, STEP_MAX)?;
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().enumerate().take(10) {
        let idx = (hash.bits >> (52 - (i + 1) * 5)) & 0x1f;
        *c = ALPHABET[idx as usize];
    }
    Some(out)
}

// -- neighbours ------------------------------------------------------------------------------------

fn move_x(hash: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let mut x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = hash.bits & 0x5555_5555_5555_5555;
    let shift = 64 - u32::from(hash.step) * 2;
    let zz = 0x5555_5555_5555_5555u64 >> shift;
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    hash.bits = x | y;
}

fn move_y(hash: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = hash.bits & 0x5555_5555_5555_5555;
    let shift = 64 - u32::from(hash.step) * 2;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555_5555_5555_5555u64 >> shift;
    hash.bits = x | y;
}

/// The eight boxes around a hash, same step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Neighbors {
    pub north: HashBits,
    pub east: HashBits,
    pub west: HashBits,
    pub south: HashBits,
    pub north_east: HashBits,
    pub south_east: HashBits,
    pub north_west: HashBits,
    pub south_west: HashBits,
}

pub fn neighbors(hash: HashBits) -> Neighbors {
    let at = |dx: i8, dy: i8| {
        let mut h = hash;
        move_x(&mut h, dx);
        move_y(&mut h, dy);
        h
    };
    Neighbors {
        east: at(1, 0),
        west: at(-1, 0),
        south: at(0, -1),
        north: at(0, 1),
        north_west: at(-1, 1),
        north_east: at(1, 1),
        south_east: at(1, -1),
        south_west: at(-1, -1),
    }
}

// -- distances -------------------------------------------------------------------------------------

fn deg_rad(deg: f64) -> f64 {
    deg * (std::f64::consts::PI / 180.0)
}

fn rad_deg(rad: f64) -> f64 {
    rad / (std::f64::consts::PI / 180.0)
}

/// Distance along a meridian.
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_IN_METERS * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in meters between two `(longitude, latitude)` points.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let v = ((deg_rad(lon2) - deg_rad(lon1)) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

// -- search areas ----------------------------------------------------------------------------------

/// What a search covers, sizes in the request's unit (`conversion` turns them to meters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShapeKind {
    Radius(f64),
    Box { width: f64, height: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Centre `(longitude, latitude)`.
    pub center: (f64, f64),
    /// Meters per unit.
    pub conversion: f64,
    pub kind: ShapeKind,
}

impl Shape {
    /// The distance from the centre in meters if the point is inside the shape.
    pub fn distance_if_within(&self, lon: f64, lat: f64) -> Option<f64> {
        let (cx, cy) = self.center;
        match self.kind {
            ShapeKind::Radius(r) => {
                let d = distance(cx, cy, lon, lat);
                (d <= r * self.conversion).then_some(d)
            }
            ShapeKind::Box { width, height } => {
                if lat_distance(lat, cy) > height * self.conversion / 2.0 {
                    return None;
                }
                if distance(lon, lat, cx, lat) > width * self.conversion / 2.0 {
                    return None;
                }
                Some(distance(cx, cy, lon, lat))
            }
        }
    }

    /// `[min_lon, min_lat, max_lon, max_lat]` around the shape (`geohashBoundingBox`).
    pub fn bounding_box(&self) -> [f64; 4] {
        let (longitude, latitude) = self.center;
        let (height, width) = match self.kind {
            ShapeKind::Radius(r) => (r * self.conversion, r * self.conversion),
            ShapeKind::Box { width, height } => (self.conversion * (height / 2.0), self.conversion * (width / 2.0)),
        };
        let lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
        let long_delta_top = rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude + lat_delta).cos());
        let long_delta_bottom = rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude - lat_delta).cos());
        // Northern and southern hemispheres widen towards opposite edges.
        let long_delta = if latitude < 0.0 { long_delta_bottom } else { long_delta_top };
        [longitude - long_delta, latitude - lat_delta, longitude + long_delta, latitude + lat_delta]
    }

    /// The radius in meters the grid step is estimated from (a box's half-diagonal).
    fn radius_meters(&self) -> f64 {
        let r = match self.kind {
            ShapeKind::Radius(r) => r,
            ShapeKind::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        };
        r * self.conversion
    }
}

/// The grid step whose boxes are about the size of `range_meters` at latitude `lat`.
pub fn estimate_steps_by_radius(range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut range = range_meters;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2; // make sure the range is covered in most cases
               // Boxes are narrower towards the poles.
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// The centre box and the neighbours worth scanning for a search (`geohashCalculateAreasByShapeWGS84`);
/// excluded neighbours are zero hashes. Order: centre, N, S, E, W, NE, NW, SE, SW (the scan order).
pub fn areas_for(shape: &Shape) -> [HashBits; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = shape.bounding_box();
    let (longitude, latitude) = shape.center;
    let mut steps = estimate_steps_by_radius(shape.radius_meters(), latitude);
    let grid = |steps: u8| {
        let hash = encode(longitude, latitude, steps).unwrap_or_default();
        (hash, neighbors(hash), decode(hash).unwrap_or_default())
    };
    let (mut hash, mut nb, mut area) = grid(steps);
    // Near a box edge the estimated step may leave part of the search outside the 3x3 boxes.
    let d = |h: HashBits| decode(h).unwrap_or_default();
    let decrease = d(nb.north).latitude.max < max_lat
        || d(nb.south).latitude.min > min_lat
        || d(nb.east).longitude.max < max_lon
        || d(nb.west).longitude.min > min_lon;
    if steps > 1 && decrease {
        steps -= 1;
        (hash, nb, area) = grid(steps);
    }
    if steps >= 2 {
        let zero = HashBits::default();
        if area.latitude.min < min_lat {
            (nb.south, nb.south_west, nb.south_east) = (zero, zero, zero);
        }
        if area.latitude.max > max_lat {
            (nb.north, nb.north_east, nb.north_west) = (zero, zero, zero);
        }
        if area.longitude.min < min_lon {
            (nb.west, nb.south_west, nb.north_west) = (zero, zero, zero);
        }
        if area.longitude.max > max_lon {
            (nb.east, nb.south_east, nb.north_east) = (zero, zero, zero);
        }
    }
    [hash, nb.north, nb.south, nb.east, nb.west, nb.north_east, nb.north_west, nb.south_east, nb.south_west]
}

/// The score range `[min, max)` holding every point of a box.
pub fn score_range_of(hash: HashBits) -> (u64, u64) {
    let min = hash.align52();
    let max = HashBits { bits: hash.bits + 1, step: hash.step }.align52();
    (min, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_roundtrip_holds() {
        for (x, y) in [(0u32, 0u32), (1, 0), (0, 1), (0x3ff_ffff, 0x155_5555), (u32::MAX, 7)] {
            assert_eq!(deinterleave64(interleave64(x, y)), (x, y));
        }
    }

    #[test]
    fn score_of_palermo_matches_valkey() {
        // GEOADD Sicily 13.361389 38.115556 "Palermo" → ZSCORE 3479099956230698
        assert_eq!(score_of(13.361389, 38.115556), Some(3479099956230698));
        let (x, y) = decode_score(3479099956230698.0).unwrap();
        assert!((x - 13.361389).abs() < 1e-5 && (y - 38.115556).abs() < 1e-5);
    }

    #[test]
    fn standard_geohash_of_palermo_matches_valkey() {
        assert_eq!(&standard_geohash(3479099956230698.0).unwrap(), b"sqc8b49rny0");
    }

    #[test]
    fn distance_palermo_catania_matches_valkey() {
        let d = distance(13.361389, 38.115556, 15.087269, 37.502669);
        assert!((d - 166274.15).abs() < 1.0, "{d}");
    }
}
