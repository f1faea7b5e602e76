//! The engine's cost per command on the npm package's hot path, natively (no wasm, no JS), to tell
//! what is wasm-specific in `bench/wasm-ops.mjs`:
//! `cargo run --release -p ferrokey-core --example wasm_hot_path`.
//! Rows: GET, SET, INCR, HSET, LPUSH, ZADD through `Engine::execute`, replies as values (cloned `Reply`)
//! and as RESP3 bytes (what the wasm face hands JS).

use ferrokey_core::client::{ConnInfo, OutputMode};
use ferrokey_core::config::Config;
use ferrokey_core::{Engine, ManualClock};
use std::time::Instant;

type MakeArgv = fn(u64) -> Vec<Vec<u8>>;

fn argv(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

fn rows() -> Vec<(&'static str, MakeArgv)> {
    vec![
        ("GET", |_| argv(&[b"GET", b"bench:str"])),
        ("SET", |i| argv(&[b"SET", b"bench:str", format!("value-{}", i & 1023).as_bytes()])),
        ("INCR", |_| argv(&[b"INCR", b"bench:counter"])),
        ("HSET", |i| argv(&[b"HSET", b"bench:hash", format!("field-{}", i & 1023).as_bytes(), b"value"])),
        ("LPUSH", |i| argv(&[b"LPUSH", format!("bench:list:{}", i >> 12).as_bytes(), b"value"])),
        ("ZADD", |i| {
            argv(&[
                b"ZADD",
                b"bench:zset",
                (i & 4095).to_string().as_bytes(),
                format!("member-{}", i & 4095).as_bytes(),
            ])
        }),
    ]
}

fn run(mode: OutputMode, make: MakeArgv, n: u64) -> f64 {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut eng = Engine::new(Config::default(), Box::new(clock), 1);
    let id = eng.connect(ConnInfo { addr: "bench:0".into(), laddr: "bench:0".into(), fd: -1, output: mode });
    eng.execute(id, argv(&[b"SET", b"bench:str", b"hello"]));
    let args: Vec<_> = (0..n).map(make).collect();
    let start = Instant::now();
    let mut sink = 0usize;
    for a in args {
        eng.execute(id, a);
        sink += match mode {
            OutputMode::Values => eng.take_output_values(id).len(),
            _ => eng.take_output(id).len(),
        };
    }
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    assert!(sink > 0);
    ns
}

fn main() {
    // `wasm_hot_path GET 100000`: one row and a count, for profiling (callgrind) one command.
    let only = std::env::args().nth(1);
    let n = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(300_000);
    println!("| command | Values (ns/op) | Resp (ns/op) |\n|---|---:|---:|");
    for (name, make) in rows().into_iter().filter(|(name, _)| only.as_deref().is_none_or(|o| o == *name)) {
        let values = run(OutputMode::Values, make, n);
        let resp = run(OutputMode::Resp, make, n);
        println!("| {name} | {values:.0} | {resp:.0} |");
    }
}
