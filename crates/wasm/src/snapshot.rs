//! The whole store as RDB bytes and back: the same format the server's SAVE writes and loads, so a
//! snapshot taken in a browser loads in a server (ferrokey, Valkey, Redis ≥ 7.0) and back.

use ferrokey_core::client::{ConnInfo, OutputMode};
use ferrokey_core::rdb::{self, EncodingLimits, LoadOptions, LoadStats, RdbError, WriteOptions};
use ferrokey_core::{Engine, Reply};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot: {0}")]
    Rdb(#[from] RdbError),
    #[error("snapshot: function library not loaded: {0}")]
    Function(String),
}

/// Every database's keys (with deadlines) and the FUNCTION libraries, as an RDB file.
pub fn save(eng: &mut Engine) -> Vec<u8> {
    let functions = function_codes(eng);
    let now_ms = eng.clock.now_ms();
    let opts = WriteOptions::from_config(&eng.config).with_standard_aux(now_ms.div_euclid(1000), 0, false);
    rdb::write_snapshot(&eng.dbs, &functions, &opts)
}

/// Loads an RDB file into an engine with empty databases. Keys whose deadline has passed are dropped,
/// as a primary loading a file does.
pub fn load(eng: &mut Engine, bytes: &[u8]) -> Result<LoadStats, SnapshotError> {
    let opts = LoadOptions { limits: EncodingLimits::from_config(&eng.config), ..LoadOptions::default() };
    let mut snap = rdb::read_snapshot_with(bytes, &opts)?;
    let now_ms = eng.clock.now_ms();
    let lru_clock_s = eng.lru_clock();
    let stats = snap.load_into(&mut eng.dbs, Some(now_ms), lru_clock_s)?;
    for code in snap.functions {
        if let Reply::Error(e) = run_internal(eng, vec![b"FUNCTION".to_vec(), b"LOAD".to_vec(), code]) {
            return Err(SnapshotError::Function(e.into_owned()));
        }
    }
    // A freshly loaded store has no unsaved changes.
    eng.dirty = 0;
    Ok(stats)
}

/// The libraries' source code, from FUNCTION DUMP's payload (an engine without Lua has none).
fn function_codes(eng: &mut Engine) -> Vec<Vec<u8>> {
    match run_internal(eng, vec![b"FUNCTION".to_vec(), b"DUMP".to_vec()]) {
        Reply::Bulk(payload) => ferrokey_core::scripting::dump::decode(&payload).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Runs one command on a short-lived internal connection and returns its reply. The connection
/// leaves no trace in CLIENT ID numbering or the connection count.
fn run_internal(eng: &mut Engine, argv: Vec<Vec<u8>>) -> Reply {
    let (next_id, connections) = (eng.next_client_id, eng.stats.total_connections_received);
    let id = eng.connect(ConnInfo { output: OutputMode::Values, ..ConnInfo::default() });
    eng.execute(id, argv);
    let reply = eng.take_output_values(id).into_iter().next().unwrap_or(Reply::Null);
    eng.disconnect(id);
    eng.next_client_id = next_id;
    eng.stats.total_connections_received = connections;
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrokey_core::config::Config;
    use ferrokey_core::ManualClock;

    fn engine(now_ms: i64) -> Engine {
        Engine::new(Config::default(), Box::new(ManualClock::new(now_ms)), 7)
    }

    fn run(eng: &mut Engine, args: &[&str]) -> Reply {
        run_internal(eng, args.iter().map(|a| a.as_bytes().to_vec()).collect())
    }

    #[test]
    fn save_then_load_keys_and_ttls_survive() {
        let mut a = engine(1_000_000);
        run(&mut a, &["SET", "s", "v"]);
        run(&mut a, &["RPUSH", "l", "1", "2", "3"]);
        run(&mut a, &["HSET", "h", "f", "v"]);
        run(&mut a, &["SET", "t", "x", "PX", "5000"]);
        run(&mut a, &["MOVE", "t", "3"]);
        let bytes = save(&mut a);
        assert_eq!(&bytes[..9], b"REDIS0010");

        let mut b = engine(1_000_000);
        let stats = load(&mut b, &bytes).unwrap();
        assert_eq!(stats.keys_loaded, 4);
        assert_eq!(run(&mut b, &["GET", "s"]), Reply::Bulk(b"v".to_vec()));
        assert_eq!(run(&mut b, &["LRANGE", "l", "0", "-1"]), Reply::bulks(["1", "2", "3"]));
        assert_eq!(b.dbs[3].expire_of(b"t"), Some(1_005_000));
    }

    #[test]
    fn load_expired_key_is_dropped() {
        let mut a = engine(1_000_000);
        run(&mut a, &["SET", "t", "x", "PX", "10"]);
        let bytes = save(&mut a);
        let mut b = engine(2_000_000);
        assert_eq!(load(&mut b, &bytes).unwrap().keys_expired, 1);
        assert_eq!(b.dbs[0].len(), 0);
    }

    #[test]
    fn load_garbage_is_an_error() {
        let mut b = engine(0);
        assert!(matches!(load(&mut b, b"not an rdb file"), Err(SnapshotError::Rdb(_))));
    }

    #[test]
    fn run_internal_leaves_no_client_behind() {
        let mut a = engine(0);
        run(&mut a, &["PING"]);
        assert!(a.clients.is_empty());
        assert_eq!(a.next_client_id, 1);
    }
}
