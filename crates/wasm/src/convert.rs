//! Replies to JS values and JS arguments to bytes (the mapping `pkg/index.d.ts` documents).
//!
//! A RESP2 client gets what a RESP2 client of Valkey reads off the wire (maps as flat arrays, doubles
//! as strings, booleans as 1/0); a RESP3 client gets `Map`, `Set`, numbers, booleans and BigInts.

use ferrokey_core::num::format_double;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;
use js_sys::{Array, BigInt, Function, Map, Set, Uint8Array};
use wasm_bindgen::prelude::*;

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// How bulk strings and errors become JS values.
pub struct Converter<'a> {
    pub proto: Protocol,
    /// Bulk strings as `Uint8Array` rather than UTF-8 strings.
    pub buffers: bool,
    /// `(text) => new ReplyError(text)`, from the JS face.
    pub make_error: &'a Function,
}

impl Converter<'_> {
    pub fn to_js(&self, reply: &Reply) -> JsValue {
        let resp3 = self.proto == Protocol::Resp3;
        match reply {
            Reply::Status(s) => JsValue::from_str(s),
            Reply::Error(e) => self.error(e),
            Reply::Int(n) => int(*n),
            Reply::Bulk(b) => self.bytes(b),
            Reply::Null | Reply::NullArray => JsValue::NULL,
            Reply::Array(items) | Reply::Push(items) => self.array(items).into(),
            Reply::Set(items) if resp3 => {
                let set = Set::new(&JsValue::UNDEFINED);
                for item in items {
                    set.add(&self.to_js(item));
                }
                set.into()
            }
            Reply::Set(items) => self.array(items).into(),
            Reply::Map(pairs) if resp3 => {
                let map = Map::new();
                for (k, v) in pairs {
                    map.set(&self.to_js(k), &self.to_js(v));
                }
                map.into()
            }
            Reply::Map(pairs) => {
                let arr = Array::new_with_length(2 * pairs.len() as u32);
                for (i, (k, v)) in pairs.iter().enumerate() {
                    arr.set(2 * i as u32, self.to_js(k));
                    arr.set(2 * i as u32 + 1, self.to_js(v));
                }
                arr.into()
            }
            Reply::Double(d) if resp3 => JsValue::from_f64(*d),
            Reply::Double(d) => self.bytes(format_double(*d).as_bytes()),
            Reply::Bool(b) if resp3 => JsValue::from_bool(*b),
            Reply::Bool(b) => JsValue::from_f64(f64::from(u8::from(*b))),
            Reply::BigNumber(n) if resp3 => {
                BigInt::new(&JsValue::from_str(n)).map_or_else(|_| JsValue::from_str(n), Into::into)
            }
            Reply::BigNumber(n) => self.bytes(n.as_bytes()),
            Reply::Verbatim(_, text) => self.bytes(text),
        }
    }

    fn array(&self, items: &[Reply]) -> Array {
        let arr = Array::new_with_length(items.len() as u32);
        for (i, item) in items.iter().enumerate() {
            arr.set(i as u32, self.to_js(item));
        }
        arr
    }

    fn bytes(&self, b: &[u8]) -> JsValue {
        if self.buffers {
            Uint8Array::from(b).into()
        } else {
            JsValue::from_str(&String::from_utf8_lossy(b))
        }
    }

    fn error(&self, text: &str) -> JsValue {
        self.make_error.call1(&JsValue::UNDEFINED, &JsValue::from_str(text)).unwrap_or_else(|e| e)
    }
}

/// An integer as a number when exact, else a BigInt.
fn int(n: i64) -> JsValue {
    if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) {
        JsValue::from_f64(n as f64)
    } else {
        BigInt::from(n).into()
    }
}

/// One command argument: a string (as UTF-8) or a `Uint8Array`. The JS face turns numbers into strings.
pub fn arg_bytes(v: &JsValue) -> Result<Vec<u8>, JsError> {
    if let Some(s) = v.as_string() {
        Ok(s.into_bytes())
    } else if let Some(a) = v.dyn_ref::<Uint8Array>() {
        Ok(a.to_vec())
    } else {
        Err(JsError::new("command arguments must be strings, numbers, bigints or Uint8Arrays"))
    }
}

/// The argv of a command from a JS array of arguments.
pub fn argv(args: &Array) -> Result<Vec<Vec<u8>>, JsError> {
    args.iter().map(|v| arg_bytes(&v)).collect()
}
