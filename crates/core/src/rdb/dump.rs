//! DUMP payloads (Valkey's `createDumpPayload` / `verifyDumpPayload`): the value's type byte and
//! serialization, then the RDB version (2 bytes LE) and a CRC64 of everything before it (8 bytes LE).
//! RESTORE reads them; they move between ferrokey, Valkey and Redis.

use super::crc64::crc64;
use super::cursor::Cursor;
use super::error::RdbError;
use super::format::MAX_VERSION;
use super::load::{read_value, Loaded};
use super::options::{LoadOptions, WriteOptions};
use super::save::{type_of, write_body};
use crate::types::Value;

/// The DUMP payload of `value` with the default [`WriteOptions`]: version 10 (so Redis 7.0 restores
/// it too), LZF compression on.
pub fn dump_value(value: &Value) -> Vec<u8> {
    dump_value_with(value, &WriteOptions::default())
}

/// The DUMP payload of `value` with `opts.version` in its footer and `opts.compression` and
/// `opts.list_fill` applied (checksum and aux settings do not apply to payloads).
pub fn dump_value_with(value: &Value, opts: &WriteOptions) -> Vec<u8> {
    let mut payload = Vec::with_capacity(64);
    payload.push(type_of(value, opts));
    write_body(&mut payload, value, opts);
    payload.extend_from_slice(&opts.version.to_le_bytes());
    let crc = crc64(0, &payload);
    payload.extend_from_slice(&crc.to_le_bytes());
    payload
}

/// The value of a DUMP payload. [`RdbError::BadPayloadFooter`] is RESTORE's "DUMP payload version
/// or checksum are wrong"; every other error is its "Bad data format".
pub fn restore_value(payload: &[u8], opts: &LoadOptions) -> Result<Value, RdbError> {
    if payload.len() < 10 {
        return Err(RdbError::BadPayloadFooter);
    }
    let body_len = payload.len() - 10;
    let version = u16::from_le_bytes([payload[body_len], payload[body_len + 1]]);
    if version > MAX_VERSION {
        return Err(RdbError::BadPayloadFooter);
    }
    if opts.verify_checksum {
        let stored = u64::from_le_bytes(payload[body_len + 2..].try_into().expect("8 bytes"));
        if crc64(0, &payload[..body_len + 2]) != stored {
            return Err(RdbError::BadPayloadFooter);
        }
    }
    let mut cur = Cursor::new(&payload[..body_len]);
    let type_id = cur.u8()?;
    match read_value(&mut cur, type_id, 0, b"", opts)? {
        Loaded::Value(value) => Ok(value),
        Loaded::Empty => Err(RdbError::EmptyValue),
    }
}
