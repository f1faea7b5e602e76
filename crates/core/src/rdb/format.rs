//! The numbers of the RDB format (Valkey's `rdb.h`): value types, opcodes, length and string
//! encodings. They are fixed on disk, whatever the in-memory encodings become.

/// The newest file version this crate reads (Valkey 8 and Redis 7.2 write it).
pub const MAX_VERSION: u16 = 11;
/// The version the writer uses unless a value needs more: Redis 7.0 reads up to this one.
pub const COMPAT_VERSION: u16 = 10;

// -- value types ------------------------------------------------------------------------------------
pub const TYPE_STRING: u8 = 0;
/// A list as a plain sequence of strings (before quicklists).
pub const TYPE_LIST: u8 = 1;
/// A set as a plain sequence of members.
pub const TYPE_SET: u8 = 2;
/// A sorted set with scores as strings (before version 8).
pub const TYPE_ZSET: u8 = 3;
/// A hash as a plain sequence of field, value.
pub const TYPE_HASH: u8 = 4;
/// A sorted set with scores as binary doubles.
pub const TYPE_ZSET_2: u8 = 5;
pub const TYPE_MODULE_PRE_GA: u8 = 6;
pub const TYPE_MODULE_2: u8 = 7;
pub const TYPE_HASH_ZIPMAP: u8 = 9;
pub const TYPE_LIST_ZIPLIST: u8 = 10;
pub const TYPE_SET_INTSET: u8 = 11;
pub const TYPE_ZSET_ZIPLIST: u8 = 12;
pub const TYPE_HASH_ZIPLIST: u8 = 13;
/// A list as quicklist nodes, each a ziplist.
pub const TYPE_LIST_QUICKLIST: u8 = 14;
pub const TYPE_STREAM_LISTPACKS: u8 = 15;
pub const TYPE_HASH_LISTPACK: u8 = 16;
pub const TYPE_ZSET_LISTPACK: u8 = 17;
/// A list as quicklist nodes, each a listpack or one plain element.
pub const TYPE_LIST_QUICKLIST_2: u8 = 18;
pub const TYPE_STREAM_LISTPACKS_2: u8 = 19;
/// A small set as a listpack: version 11 (Redis 7.2, Valkey) and later only.
pub const TYPE_SET_LISTPACK: u8 = 20;
pub const TYPE_STREAM_LISTPACKS_3: u8 = 21;

// -- opcodes ----------------------------------------------------------------------------------------
pub const OPCODE_FUNCTION2: u8 = 245;
pub const OPCODE_FUNCTION_PRE_GA: u8 = 246;
pub const OPCODE_MODULE_AUX: u8 = 247;
pub const OPCODE_IDLE: u8 = 248;
pub const OPCODE_FREQ: u8 = 249;
pub const OPCODE_AUX: u8 = 250;
pub const OPCODE_RESIZEDB: u8 = 251;
pub const OPCODE_EXPIRETIME_MS: u8 = 252;
pub const OPCODE_EXPIRETIME: u8 = 253;
pub const OPCODE_SELECTDB: u8 = 254;
pub const OPCODE_EOF: u8 = 255;

// -- lengths and strings ----------------------------------------------------------------------------
/// First two bits of a length byte: 00 = 6-bit length, 01 = 14-bit, 10 = 32/64-bit follows,
/// 11 = a special string encoding (below) in the low 6 bits.
pub const LEN_32BIT: u8 = 0x80;
pub const LEN_64BIT: u8 = 0x81;
pub const ENC_INT8: u8 = 0;
pub const ENC_INT16: u8 = 1;
pub const ENC_INT32: u8 = 2;
pub const ENC_LZF: u8 = 3;

/// Quicklist node containers (`quicklist.h`).
pub const CONTAINER_PLAIN: u64 = 1;
pub const CONTAINER_PACKED: u64 = 2;

/// The name of a value type, for errors and tools.
pub fn type_name(type_id: u8) -> Option<&'static str> {
    Some(match type_id {
        TYPE_STRING => "string",
        TYPE_LIST | TYPE_LIST_ZIPLIST | TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => "list",
        TYPE_SET | TYPE_SET_INTSET | TYPE_SET_LISTPACK => "set",
        TYPE_ZSET | TYPE_ZSET_2 | TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => "zset",
        TYPE_HASH | TYPE_HASH_ZIPMAP | TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => "hash",
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => "stream",
        TYPE_MODULE_PRE_GA | TYPE_MODULE_2 => "module",
        _ => return None,
    })
}
