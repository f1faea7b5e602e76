//! `Store`: the engine behind the JS face (`pkg/index.js`). Every method is a thin step: run a
//! command, take a client's output, move the clock, run cron. Connection bookkeeping that JS does
//! better (promises, listeners, timers) is in `pkg/index.js`.

use crate::clock::{JsClock, StoreClock};
use crate::convert::{self, Converter};
use crate::frames::{self, Commands};
use crate::options::{build_config, random_seed, StoreOptions};
use crate::snapshot;
use ferrokey_core::client::{ClientId, ConnInfo, OutputMode};
use ferrokey_core::resp::{CommandDecoder, DecodeLimits, Protocol};
use ferrokey_core::{Engine, ManualClock, Reply};
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

/// What one output item is, in the flat `[kind, value, …]` arrays `exec` and `take_output` return.
const KIND_REPLY: u8 = 0;
/// Out-of-band data: pub/sub messages and (un)subscribe confirmations, RESP3 pushes.
const KIND_PUSH: u8 = 1;

/// Bits of the status word `exec` appends to its output, so the JS face learns in one crossing what
/// it would otherwise ask in several.
/// The client's command blocked: its reply comes later.
const STATUS_BLOCKED: u32 = 1;
/// The client is gone or must be closed (QUIT, CLIENT KILL).
const STATUS_CLOSING: u32 = 2;
/// Other clients got output (pub/sub, served blocked clients): see `take_woken`.
const STATUS_WOKEN: u32 = 4;
/// Some key has a TTL: active expiry wants a timer.
const STATUS_VOLATILE: u32 = 8;
/// Some client waits for a deadline (a blocking timeout, the end of a CLIENT PAUSE).
const STATUS_DEADLINE: u32 = 16;
/// The client speaks RESP3 (its frames' RESP3 replies are not downgraded).
const STATUS_RESP3: u32 = 32;

/// The input side of a connection fed with RESP bytes.
#[derive(Default)]
struct RawInput {
    decoder: CommandDecoder,
    buf: Vec<u8>,
}

#[wasm_bindgen]
pub struct Store {
    engine: Engine,
    clock: StoreClock,
    make_error: Function,
    raw: hashbrown::HashMap<ClientId, RawInput>,
    /// The fast path's packed commands, written by JS straight into wasm memory (see [`crate::frames`]).
    input: Vec<u8>,
    /// The fast path's output frames, read by JS straight from wasm memory.
    frames: Vec<u8>,
    /// Where `frames` is and how long: `[ptr, len]`, at an address JS learns once.
    header: Box<[u32; 2]>,
}

#[wasm_bindgen]
impl Store {
    /// `options`: see [`StoreOptions`]; `snapshot`: RDB bytes to start from; `make_error`:
    /// `(text) => new ReplyError(text)`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, snapshot: Option<Vec<u8>>, make_error: Function) -> Result<Store, JsError> {
        let opts: StoreOptions = if options.is_undefined() || options.is_null() {
            StoreOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options).map_err(|e| JsError::new(&format!("createStore options: {e}")))?
        };
        let config = build_config(&opts.config)?;
        let clock = if opts.manual {
            StoreClock::Manual(ManualClock::new(opts.now_ms as i64))
        } else {
            StoreClock::Real(JsClock::default())
        };
        let seed = opts.seed.unwrap_or_else(random_seed);
        let mut engine = Engine::new(config, clock.boxed(), seed);
        if let Some(bytes) = snapshot {
            snapshot::load(&mut engine, &bytes)?;
        }
        Ok(Store {
            engine,
            clock,
            make_error,
            raw: hashbrown::HashMap::new(),
            input: Vec::new(),
            frames: Vec::new(),
            header: Box::new([0; 2]),
        })
    }

    /// A connection whose replies are JS values: returns its CLIENT ID.
    pub fn connect(&mut self, protocol: u8, name: Option<String>, db: u32) -> Result<f64, JsError> {
        if db as usize >= self.engine.dbs.len() {
            return Err(JsError::new("ERR DB index is out of range"));
        }
        let id = self.engine.connect(ConnInfo {
            addr: "wasm:0".into(),
            laddr: "wasm:0".into(),
            fd: -1,
            output: OutputMode::Values,
        });
        let c = self.engine.client_mut(id).expect("just connected");
        c.proto = if protocol == 3 { Protocol::Resp3 } else { Protocol::Resp2 };
        c.name = name.map(String::into_bytes);
        c.db = db as usize;
        Ok(id as f64)
    }

    /// A connection for the fast path ([`Store::run`], [`Store::take_frame`]): returns its CLIENT ID.
    pub fn connect_packed(&mut self, protocol: u8, name: Option<String>, db: u32) -> Result<f64, JsError> {
        let id = self.connect(protocol, name, db)?;
        if let Some(c) = self.engine.client_mut(id as ClientId) {
            c.conn.output = OutputMode::Resp3;
        }
        Ok(id)
    }

    /// Room for `len` bytes of packed commands: the address JS writes them at (stable until a larger
    /// `len` is asked for).
    pub fn input_ptr(&mut self, len: usize) -> u32 {
        if self.input.len() < len {
            self.input.resize(len.next_power_of_two(), 0);
        }
        self.input.as_ptr() as u32
    }

    /// The address of `[frames_ptr, frames_len]`, which `run` and `take_frame` update.
    pub fn header_ptr(&self) -> u32 {
        self.header.as_ptr() as u32
    }

    /// Runs the packed commands JS wrote at `input_ptr` (`len` bytes), in order, stopping after one that
    /// blocks or closes the client; writes one frame per command run (see [`crate::frames`]) and
    /// returns the frames' length in bytes. `now_ms` (`Date.now()`, or NaN) is the real clock's time for
    /// these commands, as a server reads the time once per batch of commands it read.
    pub fn run(&mut self, id: f64, len: usize, now_ms: f64) -> Result<u32, JsError> {
        let id = id as ClientId;
        self.frames.clear();
        let input = std::mem::take(&mut self.input);
        self.clock.hold_at(now_ms);
        let result = self.run_packed(id, &input[..len.min(input.len())]);
        self.clock.release();
        self.input = input;
        result.map_err(|e| JsError::new(&e.to_string()))?;
        Ok(self.publish_frames())
    }

    fn run_packed(&mut self, id: ClientId, buf: &[u8]) -> Result<(), frames::Malformed> {
        let mut commands = Commands::new(buf)?;
        while let Some(argv) = commands.next_argv()? {
            self.engine.execute(id, argv);
            let status = self.status(id);
            self.push_client_frame(id, status);
            if status & (STATUS_BLOCKED | STATUS_CLOSING) != 0 {
                break;
            }
        }
        Ok(())
    }

    /// One frame with the output queued for a client since it was last taken (woken clients).
    pub fn take_frame(&mut self, id: f64) -> u32 {
        let id = id as ClientId;
        self.frames.clear();
        let status = self.status(id);
        self.push_client_frame(id, status);
        self.publish_frames()
    }

    fn push_client_frame(&mut self, id: ClientId, status: u32) {
        match self.engine.client_mut(id) {
            Some(c) => frames::push_frame(&mut self.frames, status, &mut c.out),
            None => frames::push_frame(&mut self.frames, status, &mut Vec::new()),
        }
    }

    fn publish_frames(&mut self) -> u32 {
        *self.header = [self.frames.as_ptr() as u32, self.frames.len() as u32];
        self.frames.len() as u32
    }

    /// A connection fed RESP bytes, answering RESP bytes (`serve()`): returns its CLIENT ID.
    pub fn connect_raw(&mut self, addr: String, laddr: String) -> f64 {
        let id = self.engine.connect(ConnInfo { addr, laddr, fd: -1, output: OutputMode::Resp });
        self.raw.insert(id, RawInput::default());
        id as f64
    }

    /// Forgets a connection: its subscriptions, WATCHes and blocked command go with it.
    pub fn disconnect(&mut self, id: f64) {
        let id = id as ClientId;
        self.raw.remove(&id);
        self.engine.disconnect(id);
    }

    /// Runs one command; returns what the client got as `[kind, value, …, status]` (kind 0: a reply, 1: a
    /// push; status: the `STATUS_*` bits). No reply when the command blocked or CLIENT REPLY is off.
    pub fn exec(&mut self, id: f64, args: &Array, buffers: bool) -> Result<Array, JsError> {
        let argv = convert::argv(args)?;
        let id = id as ClientId;
        self.engine.execute(id, argv);
        let out = self.take_output(id as f64, buffers);
        out.push(&JsValue::from(self.status(id)));
        Ok(out)
    }

    fn status(&self, id: ClientId) -> u32 {
        let eng = &self.engine;
        let mut status = 0;
        if eng.blocking.is_blocked(id) {
            status |= STATUS_BLOCKED;
        }
        if eng.should_close(id) {
            status |= STATUS_CLOSING;
        }
        if !eng.woken.is_empty() {
            status |= STATUS_WOKEN;
        }
        if eng.dbs.iter().any(|db| !db.expires.is_empty()) {
            status |= STATUS_VOLATILE;
        }
        if eng.next_timeout_ms().is_some() {
            status |= STATUS_DEADLINE;
        }
        if eng.client(id).is_some_and(|c| c.proto == Protocol::Resp3) {
            status |= STATUS_RESP3;
        }
        status
    }

    /// The output queued for a client since it was last taken (woken clients), as `exec` returns it.
    pub fn take_output(&mut self, id: f64, buffers: bool) -> Array {
        let id = id as ClientId;
        let proto = self.engine.client(id).map_or(Protocol::Resp2, |c| c.proto);
        let values = self.engine.take_output_values(id);
        let conv = Converter { proto, buffers, make_error: &self.make_error };
        let out = Array::new_with_length(2 * values.len() as u32);
        for (i, v) in values.iter().enumerate() {
            let kind = if matches!(v, Reply::Push(_)) { KIND_PUSH } else { KIND_REPLY };
            out.set(2 * i as u32, JsValue::from(kind));
            out.set(2 * i as u32 + 1, conv.to_js(v));
        }
        out
    }

    /// Clients that got output from another client's command (pub/sub, served, timed out, killed).
    pub fn take_woken(&mut self) -> Vec<f64> {
        let mut ids: Vec<f64> = self.engine.take_woken().into_iter().map(|id| id as f64).collect();
        ids.dedup();
        ids
    }

    /// The client's last command blocked and waits for a key, a timeout or CLIENT UNBLOCK.
    pub fn is_blocked(&self, id: f64) -> bool {
        self.engine.blocking.is_blocked(id as ClientId)
    }

    /// Cancels a blocked command without a reply, as if it had never been sent.
    pub fn cancel_blocked(&mut self, id: f64) {
        self.engine.blocking.unblock(id as ClientId);
    }

    /// 2 or 3; 0 for a client that is gone.
    pub fn protocol(&self, id: f64) -> u8 {
        self.engine.client(id as ClientId).map_or(0, |c| c.proto.version() as u8)
    }

    /// The client is gone, or must be closed once its output is written (QUIT, CLIENT KILL).
    pub fn should_close(&self, id: f64) -> bool {
        self.engine.should_close(id as ClientId)
    }

    /// Feeds bytes read from a socket to a raw connection; returns the RESP bytes to write back.
    pub fn feed(&mut self, id: f64, data: &[u8]) -> Vec<u8> {
        let id = id as ClientId;
        let Some(input) = self.raw.get_mut(&id) else { return Vec::new() };
        input.buf.extend_from_slice(data);
        self.engine.stats.net_input_bytes += data.len() as u64;
        let mut used_total = 0;
        while let Some(client) = self.engine.client(id) {
            if client.close_after_reply {
                break;
            }
            let limits = DecodeLimits {
                max_bulk_len: self.engine.config.proto_max_bulk_len,
                auth_required: !client.authenticated,
            };
            match input.decoder.decode(&input.buf[used_total..], limits) {
                Ok((used, cmd)) => {
                    used_total += used;
                    match cmd {
                        Some(argv) => self.engine.execute(id, argv),
                        None if used == 0 => break,
                        None => {}
                    }
                }
                Err(e) => {
                    self.engine.protocol_error(id, &e);
                    input.buf.clear();
                    used_total = 0;
                    break;
                }
            }
        }
        input.buf.drain(..used_total);
        self.take_raw_output(id as f64)
    }

    /// RESP bytes queued for a raw connection since they were last taken.
    pub fn take_raw_output(&mut self, id: f64) -> Vec<u8> {
        let out = self.engine.take_output(id as ClientId);
        self.engine.stats.net_output_bytes += out.len() as u64;
        out
    }

    /// Periodic work: active expiry, blocked clients' timeouts, the end of a CLIENT PAUSE.
    pub fn cron(&mut self) {
        self.engine.cron();
    }

    /// When (unix ms) a blocked client times out or a CLIENT PAUSE ends, or NaN: the host calls `cron` then.
    pub fn next_deadline_ms(&self) -> f64 {
        self.engine.next_timeout_ms().map_or(f64::NAN, |ms| ms as f64)
    }

    /// While keys have a TTL: when (unix ms, `1000 / hz` from now) the host should call `cron` for
    /// active expiry; NaN when no key has one.
    pub fn expiry_tick_ms(&self) -> f64 {
        if self.engine.dbs.iter().all(|db| db.expires.is_empty()) {
            return f64::NAN;
        }
        (self.engine.clock.now_ms() + 1000 / self.engine.config.hz.max(1)) as f64
    }

    pub fn now_ms(&self) -> f64 {
        self.engine.clock.now_ms() as f64
    }

    pub fn is_manual(&self) -> bool {
        self.clock.manual().is_some()
    }

    /// Manual clock: sets the time, then runs cron (expiry, blocked clients' timeouts).
    pub fn set_time_ms(&mut self, ms: f64) -> Result<(), JsError> {
        let clock = self.clock.manual().ok_or_else(|| JsError::new("the store's clock is not manual"))?;
        clock.set_ms(ms as i64);
        self.engine.cron();
        Ok(())
    }

    /// The whole store as RDB bytes.
    pub fn snapshot(&mut self) -> Vec<u8> {
        snapshot::save(&mut self.engine)
    }
}
