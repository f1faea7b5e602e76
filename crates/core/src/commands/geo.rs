//! Geo commands, as Valkey 8.0.1's `geo.c`: a geo set is a sorted set whose scores are 52-bit
//! geohashes ([`crate::geohash`]). GEOADD is ZADD with encoded scores; searches scan the score ranges
//! of the 3x3 grid boxes around the centre and keep the points inside the shape.
//!
//! Distances are replied as bulk strings with four decimals (`addReplyDoubleDistance`), coordinates
//! as long doubles printed in full (`addReplyHumanLongDouble`): bulk strings in RESP2, doubles in RESP3.

use crate::args::{is, Args};
use crate::command::{flag::*, CommandSpec, CommandTable, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::geohash::{self, Shape, ShapeKind};
use crate::notify::{GENERIC, ZSET};
use crate::num::{parse_f64, parse_i64};
use crate::reply::Reply;
use crate::types::skiplist::ScoreRange;
use crate::types::zset::{ListpackLimits, ZSet};
use crate::types::Value;

const G: Group = Group::Geo;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "geoadd", -5, WRITE | DENYOOM, Keys::range(1, 1, 1), geoadd)
        .since("3.2.0")
        .summary("Adds one or more members to a geospatial index. The key is created if it doesn't exist.")
        .syntax("key:key [condition: NX | XX]@6.2.0 [CH=change:token@6.2.0] (data; longitude:double latitude:double member)..."),
    CommandSpec::new(G, "geodist", -4, READONLY, Keys::range(1, 1, 1), geodist)
        .since("3.2.0")
        .summary("Returns the distance between two members of a geospatial index.")
        .syntax("key:key member1 member2 [unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token]"),
    CommandSpec::new(G, "geohash", -2, READONLY, Keys::range(1, 1, 1), geohash_cmd)
        .since("3.2.0")
        .summary("Returns members from a geospatial index as geohash strings.")
        .syntax("key:key [member...]"),
    CommandSpec::new(G, "geopos", -2, READONLY, Keys::range(1, 1, 1), geopos)
        .since("3.2.0")
        .summary("Returns the longitude and latitude of members from a geospatial index.")
        .syntax("key:key [member...]"),
    CommandSpec::new(
        G,
        "georadius",
        -6,
        WRITE | DENYOOM | MOVABLEKEYS,
        Keys::Movable { legacy: (1, 1, 1), find: keys_of_georadius },
        georadius,
    )
    .since("3.2.0")
    .summary(
        "Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.",
    )
        .syntax("key:key longitude:double latitude:double radius:double {unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token} [WITHCOORD] [WITHDIST] [WITHHASH] [count-block; COUNT=count:integer [ANY@6.2.0]] [order: ASC | DESC] [store: STORE=storekey{key}:key1 | STOREDIST=storedistkey{key}:key2]"),
    CommandSpec::new(G, "georadius_ro", -6, READONLY, Keys::range(1, 1, 1), georadius_ro)
        .since("3.2.10")
        .summary("Returns members from a geospatial index that are within a distance from a coordinate.")
        .syntax("key:key longitude:double latitude:double radius:double {unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token} [WITHCOORD] [WITHDIST] [WITHHASH] [count-block; COUNT=count:integer [ANY@6.2.0]] [order: ASC | DESC]"),
    CommandSpec::new(
        G,
        "georadiusbymember",
        -5,
        WRITE | DENYOOM | MOVABLEKEYS,
        Keys::Movable { legacy: (1, 1, 1), find: keys_of_georadius },
        georadiusbymember,
    )
    .since("3.2.0")
    .summary("Queries a geospatial index for members within a distance from a member, optionally stores the result.")
        .syntax("key:key member radius:double {unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token} [WITHCOORD] [WITHDIST] [WITHHASH] [count-block; COUNT=count:integer [ANY]] [order: ASC | DESC] [store: STORE=storekey{key}:key1 | STOREDIST=storedistkey{key}:key2]"),
    CommandSpec::new(G, "georadiusbymember_ro", -5, READONLY, Keys::range(1, 1, 1), georadiusbymember_ro)
        .since("3.2.10")
        .summary("Returns members from a geospatial index that are within a distance from a member.")
        .syntax("key:key member radius:double {unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token} [WITHCOORD] [WITHDIST] [WITHHASH] [count-block; COUNT=count:integer [ANY]] [order: ASC | DESC]"),
    CommandSpec::new(G, "geosearch", -7, READONLY, Keys::range(1, 1, 1), geosearch)
        .since("6.2.0")
        .summary("Queries a geospatial index for members inside an area of a box or a circle.")
        .syntax("key:key {from: FROMMEMBER=member | FROMLONLAT=(fromlonlat; longitude:double latitude:double)} {by: (circle; BYRADIUS=radius:double {unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token}) | (box; BYBOX=width:double height:double {unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token})} [order: ASC | DESC] [count-block; COUNT=count:integer [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]"),
    CommandSpec::new(G, "geosearchstore", -8, WRITE | DENYOOM, Keys::range(1, 2, 1), geosearchstore)
        .since("6.2.0")
        .summary(
            "Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.",
        )
        .syntax("destination:key source:key1 {from: FROMMEMBER=member | FROMLONLAT=(fromlonlat; longitude:double latitude:double)} {by: (circle; BYRADIUS=radius:double {unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token}) | (box; BYBOX=width:double height:double {unit: m=m:token | km=km:token | ft=ft:token | mi=mi:token})} [order: ASC | DESC] [count-block; COUNT=count:integer [ANY]] [STOREDIST]"),
];

/// GEORADIUS's keys: the source, and the last STORE/STOREDIST target (`georadiusGetKeys`).
fn keys_of_georadius(argv: &[Vec<u8>]) -> Vec<usize> {
    let mut stored = None;
    let mut i = 5;
    while i < argv.len() {
        if (is(&argv[i], "store") || is(&argv[i], "storedist")) && i + 1 < argv.len() {
            stored = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    let mut keys = vec![1];
    keys.extend(stored);
    keys
}

// -- shared parsing and replies ------------------------------------------------------------------------

/// `longitude latitude` arguments, in the geo limits (`extractLongLatOrReply`).
fn parse_lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), CommandError> {
    let x = parse_f64(lon).ok_or(CommandError::NotFloat)?;
    let y = parse_f64(lat).ok_or(CommandError::NotFloat)?;
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&x) || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&y) {
        return Err(CommandError::err(format!("invalid longitude,latitude pair {x:.6},{y:.6}")));
    }
    Ok((x, y))
}

/// Meters per unit (`extractUnitOrReply`).
fn parse_unit(unit: &[u8]) -> Result<f64, CommandError> {
    match () {
        _ if is(unit, "m") => Ok(1.0),
        _ if is(unit, "km") => Ok(1000.0),
        _ if is(unit, "ft") => Ok(0.3048),
        _ if is(unit, "mi") => Ok(1609.34),
        _ => Err(CommandError::err("unsupported unit provided. please use M, KM, FT, MI")),
    }
}

/// `radius unit` (`extractDistanceOrReply`): (radius, meters per unit).
fn parse_distance(radius: &[u8], unit: &[u8]) -> Result<(f64, f64), CommandError> {
    let r = parse_f64(radius).ok_or_else(|| CommandError::err("need numeric radius"))?;
    if r < 0.0 {
        return Err(CommandError::err("radius cannot be negative"));
    }
    Ok((r, parse_unit(unit)?))
}

/// `width height unit` (`extractBoxOrReply`): (width, height, meters per unit).
fn parse_box(width: &[u8], height: &[u8], unit: &[u8]) -> Result<(f64, f64, f64), CommandError> {
    let w = parse_f64(width).ok_or_else(|| CommandError::err("need numeric width"))?;
    let h = parse_f64(height).ok_or_else(|| CommandError::err("need numeric height"))?;
    if h < 0.0 || w < 0.0 {
        return Err(CommandError::err("height or width cannot be negative"));
    }
    Ok((w, h, parse_unit(unit)?))
}

/// A distance with four decimals, rounded half to even as `llrint` does (`fixedpoint_d2string`).
fn format_distance(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".to_owned();
    }
    let scaled = (d * 10000.0).round_ties_even();
    let negative = scaled < 0.0;
    let v = scaled.abs() as u64;
    format!("{}{}.{:04}", if negative { "-" } else { "" }, v / 10000, v % 10000)
}

fn distance_reply(d: f64) -> Reply {
    Reply::Bulk(format_distance(d).into_bytes())
}

/// A coordinate as `addReplyHumanLongDouble` prints it: the double's exact value to 17 decimals,
/// trailing zeros trimmed (what `%.17Lf` gives for a double widened to long double).
fn format_coord(v: f64) -> String {
    let mut text = format!("{v:.17}");
    if text.contains('.') {
        let kept = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(kept);
    }
    if text == "-0" {
        text.remove(0);
    }
    text
}

fn coord_reply(v: f64, resp3: bool) -> Reply {
    if resp3 {
        // TODO(reply): Valkey prints the 17-decimal text here too; Reply::Double prints the shortest.
        Reply::Double(v)
    } else {
        Reply::Bulk(format_coord(v).into_bytes())
    }
}

/// The point a member stands for, if the member exists.
fn member_point(zs: &ZSet, member: &[u8]) -> Option<(f64, f64)> {
    zs.score(member).and_then(geohash::decode_score)
}

fn limits(ctx: &Ctx) -> ListpackLimits {
    let config = &ctx.eng.config;
    let to_usize = |v: i64| usize::try_from(v.max(0)).unwrap_or(usize::MAX);
    ListpackLimits {
        max_entries: to_usize(config.zset_max_listpack_entries),
        max_value: to_usize(config.zset_max_listpack_value),
    }
}

// -- GEOADD ------------------------------------------------------------------------------------------

/// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
fn geoadd(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (mut nx, mut xx) = (false, false);
    let mut at = 2;
    while let Some(opt) = argv.get(at) {
        match () {
            _ if is(opt, "nx") => nx = true,
            _ if is(opt, "xx") => xx = true,
            _ if is(opt, "ch") => {}
            _ => break,
        }
        at += 1;
    }
    if !(argv.len() - at).is_multiple_of(3) || (nx && xx) {
        return Err(CommandError::Syntax);
    }
    // Valkey rewrites the command as ZADD with the hashes as scores and runs ZADD (so the event is "zadd").
    let mut zadd_argv: Vec<Vec<u8>> = Vec::with_capacity(at + (argv.len() - at) / 3 * 2);
    zadd_argv.push(b"zadd".to_vec());
    zadd_argv.extend(argv[1..at].iter().cloned());
    for triple in argv[at..].chunks(3) {
        let (x, y) = parse_lon_lat(&triple[0], &triple[1])?;
        let score = geohash::score_of(x, y).unwrap_or(0);
        zadd_argv.push(score.to_string().into_bytes());
        zadd_argv.push(triple[2].clone());
    }
    let zadd = CommandTable::get().lookup(b"zadd").and_then(|spec| spec.handler).expect("ZADD is registered");
    zadd(ctx, &mut Args::new(zadd_argv, 1))
}

// -- GEODIST, GEOHASH, GEOPOS --------------------------------------------------------------------------

/// GEODIST key member1 member2 [M|KM|FT|MI]
fn geodist(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let to_meter = match argv.len() {
        5 => parse_unit(&argv[4])?,
        n if n > 5 => return Err(CommandError::Syntax),
        _ => 1.0,
    };
    let (key, a, b) = (argv[1].clone(), argv[2].clone(), argv[3].clone());
    let Some(zs) = ctx.read_zset(&key)? else {
        return Ok(Reply::Null);
    };
    let (Some(s1), Some(s2)) = (zs.score(&a), zs.score(&b)) else {
        return Ok(Reply::Null);
    };
    match (geohash::decode_score(s1), geohash::decode_score(s2)) {
        (Some((x1, y1)), Some((x2, y2))) => Ok(distance_reply(geohash::distance(x1, y1, x2, y2) / to_meter)),
        _ => Ok(Reply::Null),
    }
}

/// GEOHASH key [member [member ...]]
fn geohash_cmd(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv().to_vec();
    let zs = ctx.read_zset(&argv[1])?;
    let replies = argv[2..]
        .iter()
        .map(|m| {
            zs.as_ref()
                .and_then(|zs| zs.score(m))
                .and_then(geohash::standard_geohash)
                .map_or(Reply::Null, |h| Reply::Bulk(h.to_vec()))
        })
        .collect();
    Ok(Reply::Array(replies))
}

/// GEOPOS key [member [member ...]]
fn geopos(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv().to_vec();
    let resp3 = ctx.resp3();
    let zs = ctx.read_zset(&argv[1])?;
    let replies = argv[2..]
        .iter()
        .map(|m| match zs.as_ref().and_then(|zs| member_point(zs, m)) {
            Some((x, y)) => Reply::Array(vec![coord_reply(x, resp3), coord_reply(y, resp3)]),
            None => Reply::NullArray,
        })
        .collect();
    Ok(Reply::Array(replies))
}

// -- GEORADIUS, GEOSEARCH and their variants ----------------------------------------------------------

/// Which command of the search family runs (`georadiusGeneric`'s flags).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Search {
    /// GEORADIUS / GEORADIUS_RO (`nostore`): centre given as coordinates.
    Coords {
        nostore: bool,
    },
    /// GEORADIUSBYMEMBER / _RO: centre given as a member.
    Member {
        nostore: bool,
    },
    Geosearch,
    GeosearchStore,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// One point found by a search.
struct Found {
    member: Vec<u8>,
    score: f64,
    lon: f64,
    lat: f64,
    /// Meters from the centre (converted to the unit when replying).
    dist: f64,
}

/// GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]
fn georadius(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    search_generic(ctx, args, 1, Search::Coords { nostore: false })
}

/// GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]
fn georadius_ro(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    search_generic(ctx, args, 1, Search::Coords { nostore: true })
}

/// GEORADIUSBYMEMBER key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]
fn georadiusbymember(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    search_generic(ctx, args, 1, Search::Member { nostore: false })
}

/// GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]
fn georadiusbymember_ro(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    search_generic(ctx, args, 1, Search::Member { nostore: true })
}

/// GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius unit|BYBOX width height unit [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
fn geosearch(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    search_generic(ctx, args, 1, Search::Geosearch)
}

/// GEOSEARCHSTORE destination source FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius unit|BYBOX width height unit [ASC|DESC] [COUNT count [ANY]] [STOREDIST]
fn geosearchstore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    search_generic(ctx, args, 2, Search::GeosearchStore)
}

/// Valkey's `georadiusGeneric`: the checks happen in its order, so the same bad request gets the same
/// error.
fn search_generic(ctx: &mut Ctx, args: &mut Args, src_index: usize, kind: Search) -> CmdResult {
    let argv = args.argv().to_vec();
    let src = argv[src_index].clone();
    // The type check comes first; the set itself is read again below.
    let exists = ctx.read_zset(&src)?.is_some();

    let mut center = (0.0, 0.0);
    let mut conversion = 1.0;
    let mut shape_kind = ShapeKind::Radius(0.0);
    let mut store_key: Option<Vec<u8>> = None;
    let base_args = match kind {
        Search::Coords { .. } => {
            center = parse_lon_lat(&argv[2], &argv[3])?;
            let (r, conv) = parse_distance(&argv[4], &argv[5])?;
            (shape_kind, conversion) = (ShapeKind::Radius(r), conv);
            6
        }
        Search::Member { .. } if !exists => 5,
        Search::Member { .. } => {
            center = source_point(ctx, &src, &argv[2])?;
            let (r, conv) = parse_distance(&argv[3], &argv[4])?;
            (shape_kind, conversion) = (ShapeKind::Radius(r), conv);
            5
        }
        Search::Geosearch => 2,
        Search::GeosearchStore => {
            store_key = Some(argv[1].clone());
            3
        }
    };
    let geosearch = matches!(kind, Search::Geosearch | Search::GeosearchStore);
    let nostore = matches!(kind, Search::Coords { nostore: true } | Search::Member { nostore: true });

    let (mut withdist, mut withhash, mut withcoord) = (false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut any = false;
    let mut count: i64 = 0;
    let mut storedist = false;
    let opts = &argv[base_args.min(argv.len())..];
    let remaining = opts.len();
    let mut i = 0;
    while i < remaining {
        let arg = &opts[i];
        if is(arg, "withdist") {
            withdist = true;
        } else if is(arg, "withhash") {
            withhash = true;
        } else if is(arg, "withcoord") {
            withcoord = true;
        } else if is(arg, "any") {
            any = true;
        } else if is(arg, "asc") {
            sort = Sort::Asc;
        } else if is(arg, "desc") {
            sort = Sort::Desc;
        } else if is(arg, "count") && i + 1 < remaining {
            count = parse_i64(&opts[i + 1]).ok_or(CommandError::NotInteger)?;
            if count <= 0 {
                return Err(CommandError::err("COUNT must be > 0"));
            }
            i += 1;
        } else if (is(arg, "store") || is(arg, "storedist")) && i + 1 < remaining && !nostore && !geosearch {
            store_key = Some(opts[i + 1].clone());
            storedist = is(arg, "storedist");
            i += 1;
        } else if is(arg, "storedist") && kind == Search::GeosearchStore {
            storedist = true;
        } else if is(arg, "frommember") && i + 1 < remaining && geosearch && !fromloc {
            // Without a source set the parsing goes on, and the empty reply comes at the end.
            if exists {
                center = source_point(ctx, &src, &opts[i + 1])?;
            }
            frommember = true;
            i += 1;
        } else if is(arg, "fromlonlat") && i + 2 < remaining && geosearch && !frommember {
            center = parse_lon_lat(&opts[i + 1], &opts[i + 2])?;
            fromloc = true;
            i += 2;
        } else if is(arg, "byradius") && i + 2 < remaining && geosearch && !bybox {
            let (r, conv) = parse_distance(&opts[i + 1], &opts[i + 2])?;
            (shape_kind, conversion) = (ShapeKind::Radius(r), conv);
            byradius = true;
            i += 2;
        } else if is(arg, "bybox") && i + 3 < remaining && geosearch && !byradius {
            let (width, height, conv) = parse_box(&opts[i + 1], &opts[i + 2], &opts[i + 3])?;
            (shape_kind, conversion) = (ShapeKind::Box { width, height }, conv);
            bybox = true;
            i += 3;
        } else {
            return Err(CommandError::Syntax);
        }
        i += 1;
    }

    let name = String::from_utf8_lossy(&argv[0]).into_owned();
    if store_key.is_some() && (withdist || withhash || withcoord) {
        let what = if kind == Search::GeosearchStore { "GEOSEARCHSTORE" } else { "STORE option in GEORADIUS" };
        return Err(CommandError::err(format!(
            "{what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )));
    }
    if geosearch && !(frommember || fromloc) {
        return Err(CommandError::err(format!("exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}")));
    }
    if geosearch && !(byradius || bybox) {
        return Err(CommandError::err(format!("exactly one of BYRADIUS and BYBOX can be specified for {name}")));
    }
    if any && count == 0 {
        return Err(CommandError::err("the ANY argument requires COUNT argument"));
    }

    if !exists {
        return match store_key {
            Some(dst) => {
                if ctx.remove(&dst).is_some() {
                    ctx.written(GENERIC, "del", &dst);
                }
                Ok(Reply::Int(0))
            }
            None => Ok(Reply::EMPTY_ARRAY),
        };
    }

    // COUNT without an order means the closest ones (ANY excepted: the first ones found).
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let shape = Shape { center, conversion, kind: shape_kind };
    let limit = if any { usize::try_from(count).unwrap_or(usize::MAX) } else { 0 };
    let mut found = { points_in_shape(looked_up(ctx, &src), &shape, limit) };
    if found.is_empty() && store_key.is_none() {
        return Ok(Reply::EMPTY_ARRAY);
    }
    match sort {
        Sort::None => {}
        Sort::Asc => found.sort_by(|a, b| a.dist.partial_cmp(&b.dist).unwrap_or(std::cmp::Ordering::Equal)),
        Sort::Desc => found.sort_by(|a, b| b.dist.partial_cmp(&a.dist).unwrap_or(std::cmp::Ordering::Equal)),
    }
    if count > 0 {
        found.truncate(usize::try_from(count).unwrap_or(usize::MAX));
    }

    let Some(dst) = store_key else {
        let resp3 = ctx.resp3();
        let with_options = withdist || withhash || withcoord;
        let items = found
            .into_iter()
            .map(|p| {
                if !with_options {
                    return Reply::Bulk(p.member);
                }
                let mut item = vec![Reply::Bulk(p.member)];
                if withdist {
                    item.push(distance_reply(p.dist / conversion));
                }
                if withhash {
                    item.push(Reply::Int(p.score as i64));
                }
                if withcoord {
                    item.push(Reply::Array(vec![coord_reply(p.lon, resp3), coord_reply(p.lat, resp3)]));
                }
                Reply::Array(item)
            })
            .collect();
        return Ok(Reply::Array(items));
    };

    let n = found.len();
    if n == 0 {
        if ctx.remove(&dst).is_some() {
            ctx.written(GENERIC, "del", &dst);
        }
        return Ok(Reply::Int(0));
    }
    let limits = limits(ctx);
    let longest = found.iter().map(|p| p.member.len()).max().unwrap_or(0);
    let mut zs = ZSet::with_hints(n, longest, limits);
    for p in &found {
        let score = if storedist { p.dist / conversion } else { p.score };
        zs.insert_new(score, &p.member, limits);
    }
    ctx.store(&dst[..], Value::ZSet(Box::new(zs)));
    ctx.written(ZSET, if geosearch { "geosearchstore" } else { "georadiusstore" }, &dst);
    // Valkey counts one change per stored member; `written` counted one.
    ctx.eng.dirty += n as u64 - 1;
    Ok(Reply::Int(n as i64))
}

/// The centre of a search by member: "could not decode requested zset member" when it is missing.
fn source_point(ctx: &Ctx, src: &[u8], member: &[u8]) -> Result<(f64, f64), CommandError> {
    member_point(looked_up(ctx, src), member).ok_or_else(|| CommandError::err("could not decode requested zset member"))
}

/// A sorted set this command already looked up and type-checked, read again without counting a
/// second keyspace hit.
fn looked_up<'c>(ctx: &'c Ctx, key: &[u8]) -> &'c ZSet {
    match ctx.eng.dbs[ctx.db_index()].get(key).map(|e| &e.value) {
        Some(Value::ZSet(zs)) => zs,
        _ => unreachable!("looked up as a sorted set earlier in the command"),
    }
}

/// The points of `zs` inside the shape, scanning the grid boxes around it in Valkey's order; with a
/// `limit` (COUNT ... ANY) the scan stops once that many were found.
fn points_in_shape(zs: &ZSet, shape: &Shape, limit: usize) -> Vec<Found> {
    let boxes = geohash::areas_for(shape);
    let mut found = Vec::new();
    let mut last_processed: Option<usize> = None;
    for (i, hash) in boxes.iter().enumerate() {
        if hash.is_zero() {
            continue;
        }
        // With huge radii neighbours can coincide; scanning one twice would duplicate its members.
        if last_processed.is_some_and(|j| boxes[j] == *hash) {
            continue;
        }
        if limit > 0 && found.len() >= limit {
            break;
        }
        let (min, max) = geohash::score_range_of(*hash);
        collect_range(zs, min as f64, max as f64, shape, &mut found, limit);
        last_processed = Some(i);
    }
    found
}

/// The points with `min <= score < max` inside the shape (`geoGetPointsInRange`).
fn collect_range(zs: &ZSet, min: f64, max: f64, shape: &Shape, found: &mut Vec<Found>, limit: usize) {
    let range = ScoreRange { min, max, min_exclusive: false, max_exclusive: true };
    let Some(first) = zs.first_in_score_range(&range) else {
        return;
    };
    for (score, member) in zs.iter_from(first) {
        if score >= max {
            break;
        }
        if let Some((lon, lat)) = geohash::decode_score(score) {
            if let Some(dist) = shape.distance_if_within(lon, lat) {
                found.push(Found { member: member.to_vec(), score, lon, lat, dist });
            }
        }
        if limit > 0 && found.len() >= limit {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_distance_rounds_to_four_decimals() {
        assert_eq!(format_distance(0.0), "0.0000");
        assert_eq!(format_distance(166274.1516), "166274.1516");
        assert_eq!(format_distance(0.00004), "0.0000");
        assert_eq!(format_distance(1.5), "1.5000");
        assert_eq!(format_distance(0.12345), "0.1234");
    }

    #[test]
    fn format_coord_prints_exact_double_to_17_decimals() {
        assert_eq!(format_coord(13.361389338970184), "13.36138933897018433");
        assert_eq!(format_coord(1.0), "1");
        assert_eq!(format_coord(-0.0), "0");
    }
}
