//! The command-test harness: an engine with a manual clock and in-process clients.
//!
//! ```ignore
//! let mut h = Harness::new();               // time starts at a fixed unix ms
//! assert_eq!(h.run(&["SET", "k", "v", "PX", "20"]), ok());
//! h.advance_ms(21);
//! assert_eq!(h.run(&["GET", "k"]), Reply::Null);
//! ```
#![allow(dead_code)]

use ferrokey_core::client::{ClientId, ConnInfo, OutputMode};
use ferrokey_core::config::Config;
use ferrokey_core::resp::{encode, Protocol};
use ferrokey_core::{Engine, ManualClock, Reply};

/// 2026-01-01T00:00:00Z, so deadlines look like real ones.
pub const START_MS: i64 = 1_767_225_600_000;

pub struct Harness {
    pub eng: Engine,
    pub clock: ManualClock,
    /// The client `run` uses.
    pub client: ClientId,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Harness {
        Self::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Harness {
        let clock = ManualClock::new(START_MS);
        let mut eng = Engine::new(config, Box::new(clock.clone()), 42);
        let client =
            eng.connect(ConnInfo { addr: "127.0.0.1:50000".into(), output: OutputMode::Values, ..Default::default() });
        Harness { eng, clock, client }
    }

    /// A harness whose client speaks RESP3 (as after HELLO 3).
    pub fn resp3() -> Harness {
        let mut h = Harness::new();
        h.set_proto(h.client, Protocol::Resp3);
        h
    }

    pub fn set_proto(&mut self, id: ClientId, proto: Protocol) {
        self.eng.client_mut(id).expect("client").proto = proto;
    }

    /// Another connection to the same engine.
    pub fn connect(&mut self) -> ClientId {
        self.eng.connect(ConnInfo { addr: "127.0.0.1:50001".into(), output: OutputMode::Values, ..Default::default() })
    }

    /// Runs a command as the default client and returns its one reply.
    pub fn run(&mut self, argv: &[&str]) -> Reply {
        let id = self.client;
        self.run_as(id, argv)
    }

    /// Runs a command with binary arguments.
    pub fn run_bytes(&mut self, argv: &[&[u8]]) -> Reply {
        let id = self.client;
        self.eng.execute(id, argv.iter().map(|a| a.to_vec()).collect());
        single(self.eng.take_output_values(id), argv.first().map(|a| String::from_utf8_lossy(a).into_owned()))
    }

    /// Runs a command as `id` and returns its one reply (panics if there is not exactly one).
    pub fn run_as(&mut self, id: ClientId, argv: &[&str]) -> Reply {
        self.eng.execute(id, argv.iter().map(|a| a.as_bytes().to_vec()).collect());
        single(self.eng.take_output_values(id), argv.first().map(|s| s.to_string()))
    }

    /// Sends a command without expecting a reply now (blocking commands, SUBSCRIBE with several replies).
    pub fn send_as(&mut self, id: ClientId, argv: &[&str]) {
        self.eng.execute(id, argv.iter().map(|a| a.as_bytes().to_vec()).collect());
    }

    /// Everything queued for a client since the last call (replies and pushed messages).
    pub fn output(&mut self, id: ClientId) -> Vec<Reply> {
        self.eng.take_output_values(id)
    }

    /// Moves the clock and runs the cron, as a host's timer would.
    pub fn advance_ms(&mut self, ms: i64) {
        self.clock.advance_ms(ms);
        self.eng.cron();
    }

    /// Moves the clock without running the cron (only lazy expiry happens).
    pub fn advance_ms_no_cron(&mut self, ms: i64) {
        self.clock.advance_ms(ms);
    }

    pub fn now_ms(&self) -> i64 {
        use ferrokey_core::Clock;
        self.clock.now_ms()
    }
}

fn single(mut replies: Vec<Reply>, cmd: Option<String>) -> Reply {
    assert_eq!(replies.len(), 1, "expected one reply to {cmd:?}, got {replies:?}");
    replies.remove(0)
}

/// The wire form of a reply in a protocol, for tests of RESP2/RESP3 shapes.
pub fn wire(reply: &Reply, proto: Protocol) -> String {
    let mut out = Vec::new();
    encode(reply, proto, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

pub fn ok() -> Reply {
    Reply::OK
}

pub fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

pub fn int(n: i64) -> Reply {
    Reply::Int(n)
}

pub fn null() -> Reply {
    Reply::Null
}

pub fn err(text: &str) -> Reply {
    Reply::Error(text.to_string().into())
}

pub fn status(s: &'static str) -> Reply {
    Reply::status(s)
}

/// An array of bulk strings.
pub fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(|s| Reply::bulk(*s)).collect())
}

pub fn array(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

/// Sorts an array reply's items (for commands whose order is unspecified: SMEMBERS, KEYS, HKEYS ...).
pub fn sorted(reply: Reply) -> Reply {
    match reply {
        Reply::Array(mut v) | Reply::Set(mut v) => {
            v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
            Reply::Array(v)
        }
        other => other,
    }
}
