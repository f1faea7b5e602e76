//! Reading past a stream value. ferrokey has no stream type yet; this walks the saved structure
//! (listpack nodes, metadata, consumer groups with their pending entries and consumers, as Valkey's
//! `rdbLoadObject` reads them) so a file with streams can still be loaded without them when asked.

use super::cursor::Cursor;
use super::error::RdbError;
use super::format::{TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3};
use super::listpack;

/// Bytes of a stream ID in its raw form (two big-endian u64).
const STREAM_ID: usize = 16;

pub(crate) fn skip(cur: &mut Cursor, type_id: u8) -> Result<(), RdbError> {
    let nodes = cur.len()?;
    for _ in 0..nodes {
        let at = cur.pos();
        if cur.string()?.len() != STREAM_ID {
            return Err(RdbError::bad(at, "stream node key is not a stream ID"));
        }
        let at = cur.pos();
        let node = cur.string()?;
        let entries = listpack::decode(&node).map_err(|what| RdbError::bad(at, what))?;
        if entries.is_empty() {
            return Err(RdbError::bad(at, "empty listpack inside stream"));
        }
    }
    // Length, last ID; then first ID, maximal deleted ID and entries added since version 2.
    let metadata = if type_id >= TYPE_STREAM_LISTPACKS_2 { 8 } else { 3 };
    for _ in 0..metadata {
        cur.len()?;
    }
    let groups = cur.len()?;
    for _ in 0..groups {
        cur.string()?;
        cur.len()?;
        cur.len()?;
        if type_id >= TYPE_STREAM_LISTPACKS_2 {
            cur.len()?; // entries read
        }
        let pending = cur.len()?;
        for _ in 0..pending {
            cur.take(STREAM_ID)?;
            cur.time_ms()?; // delivery time
            cur.len()?; // delivery count
        }
        let consumers = cur.len()?;
        for _ in 0..consumers {
            cur.string()?;
            cur.time_ms()?; // seen time
            if type_id >= TYPE_STREAM_LISTPACKS_3 {
                cur.time_ms()?; // active time
            }
            let owned = cur.len()?;
            for _ in 0..owned {
                cur.take(STREAM_ID)?;
            }
        }
    }
    Ok(())
}
