//! MULTI, EXEC, DISCARD, WATCH, UNWATCH, and the WATCH bookkeeping writes go through.

use crate::client::ClientId;
use crate::command::CommandSpec;
use crate::engine::Engine;

pub const COMMANDS: &[CommandSpec] = &[];

/// A watched key changed: every client watching it will fail its EXEC.
pub fn touch_watched_key(eng: &mut Engine, db: usize, key: &[u8]) {
    if eng.watched.is_empty() {
        return;
    }
    if let Some(ids) = eng.watched.get(&(db, key.to_vec())) {
        for id in ids.clone() {
            if let Some(c) = eng.clients.get_mut(&id) {
                c.watch_dirty = true;
            }
        }
    }
}

/// Forgets every WATCH of a client (UNWATCH, EXEC, DISCARD, disconnect).
pub fn unwatch_all(eng: &mut Engine, id: ClientId) {
    let Some(c) = eng.clients.get_mut(&id) else { return };
    let keys = std::mem::take(&mut c.watched);
    c.watch_dirty = false;
    for (db, key) in keys {
        let slot = (db, key.as_bytes().to_vec());
        if let Some(ids) = eng.watched.get_mut(&slot) {
            ids.retain(|&w| w != id);
            if ids.is_empty() {
                eng.watched.remove(&slot);
            }
        }
    }
}
