//! RESP, the wire protocol: commands in (multibulk or inline), replies out (RESP2 or RESP3).

mod decode;
mod encode;
mod parse_reply;
mod split_args;

pub use decode::{CommandDecoder, DecodeLimits, Decoded, ProtocolError};
pub use encode::encode;
pub use parse_reply::*;
pub use split_args::split_args;

/// Which RESP a client speaks (`HELLO 2|3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Resp2,
    Resp3,
}

impl Protocol {
    pub fn version(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}
