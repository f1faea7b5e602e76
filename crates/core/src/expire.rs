//! Key expiry: lazy (on access, through `Ctx`) and active (a sampling cycle the host's cron drives),
//! both ending in [`delete_expired`].

use crate::engine::Engine;

/// Keys sampled per round in a database, as Valkey's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP.
const KEYS_PER_LOOP: usize = 20;
/// Keep sampling a database while more than this percentage of the sample was expired.
const ACCEPTABLE_STALE_PERCENT: usize = 10;
/// Share of one cron period the cycle may use, as Valkey's slow cycle (25%).
const TIME_PERCENT: u64 = 25;

/// Deletes a key whose deadline passed: counted in `expired_keys`, an `expired` event, WATCH signalled.
pub fn delete_expired(eng: &mut Engine, db: usize, key: &[u8]) {
    if eng.dbs[db].remove(key).is_none() {
        return;
    }
    eng.stats.expired_keys += 1;
    let lazy = eng.config.lazyfree_lazy_expire;
    crate::propagate::deletion(eng, db, key, lazy);
    crate::notify::notify(eng, crate::notify::EXPIRED, "expired", key, db);
    crate::commands::transactions::touch_watched_key(eng, db, key);
    eng.blocking.signal_ready(db, key);
}

/// One active expire cycle: walks each database's volatile keys with a SCAN cursor, deleting the
/// expired ones, and keeps going on a database while many of the sampled keys were stale and the time
/// budget lasts.
pub fn active_expire_cycle(eng: &mut Engine) {
    if !eng.active_expire_enabled {
        return;
    }
    let hz = eng.config.hz.clamp(1, 500) as u64;
    let budget_us = 1_000_000 * TIME_PERCENT / 100 / hz;
    let start = eng.clock.monotonic_us();
    let now = eng.clock.now_ms();
    for db in 0..eng.dbs.len() {
        loop {
            if eng.dbs[db].expires.is_empty() {
                eng.dbs[db].expire_cursor = 0;
                break;
            }
            let mut sampled = 0;
            let mut due = Vec::new();
            let mut cursor = eng.dbs[db].expire_cursor;
            while sampled < KEYS_PER_LOOP {
                cursor = eng.dbs[db].expires.scan(cursor, |k, &at| {
                    sampled += 1;
                    if now > at {
                        due.push(k.as_bytes().to_vec());
                    }
                });
                if cursor == 0 {
                    break;
                }
            }
            eng.dbs[db].expire_cursor = cursor;
            let expired = due.len();
            for key in due {
                delete_expired(eng, db, &key);
            }
            if eng.clock.monotonic_us().saturating_sub(start) > budget_us {
                eng.stats.expired_time_cap_reached_count += 1;
                return;
            }
            if cursor == 0 || sampled == 0 || expired * 100 / sampled <= ACCEPTABLE_STALE_PERCENT {
                break;
            }
        }
    }
}
