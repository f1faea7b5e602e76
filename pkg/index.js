// ferrokey: the JS face of the engine in WebAssembly (see index.d.ts for the API and the reply mapping).
//
// The engine (dist/ferrokey_wasm.js, built by build.sh) runs commands synchronously; this file adds what
// JS does better: promises for commands that block, listeners for pub/sub, and a timer for the real
// clock's periodic work. Node's entry (node.js) only changes where the .wasm bytes come from.

import initWasm, { Store as WasmStore } from './dist/ferrokey_wasm.js';
import { Wire, KIND_PUSH } from './wire.js';

/** Bits of the status word of each command's output (store.rs STATUS_*). */
const BLOCKED = 1;
const CLOSING = 2;
const WOKEN = 4;
const VOLATILE = 8;
const DEADLINE = 16;
/** Status when nothing is known: every check runs. */
const UNKNOWN = WOKEN | VOLATILE | DEADLINE;
/** Push types that are pub/sub messages, with their length. */
const MESSAGE_KINDS = { message: 3, pmessage: 4, smessage: 3 };
/** Push types that confirm a (un)subscription: they are the reply of the command that asked. */
const CONFIRMATIONS = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe']);

const utf8 = new TextDecoder();
const text = (v) => (v instanceof Uint8Array ? utf8.decode(v) : v);
const encoder = new TextEncoder();
const asBytes = (v) => (v instanceof Uint8Array ? v : encoder.encode(String(v)));

/** An error reply; `message` is the whole text, `code` its first word. */
export class ReplyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ReplyError';
    const space = message.indexOf(' ');
    this.code = space < 0 ? message : message.slice(0, space);
  }
}

const makeError = (message) => new ReplyError(message);

// Where the .wasm comes from by default: next to this file. Browsers and bundlers (Vite turns this
// `new URL` into an asset URL) fetch it; from a file: URL (Node, when this file is imported directly rather
// than through node.js) it is read, as fetch cannot read files.
let defaultSource = async () => {
  const url = new URL('./dist/ferrokey_wasm_bg.wasm', import.meta.url);
  if (url.protocol !== 'file:') return url;
  const fsModule = 'node:fs/promises'; // not a literal: bundlers leave it alone
  const { readFile } = await import(/* @vite-ignore */ fsModule);
  return readFile(url);
};
let ready = null;
/** The instance's memory, where wire.js packs commands and reads replies. */
let wasmMemory = null;

/** For node.js: the default source of the module. */
export function _setDefaultSource(fn) {
  defaultSource = fn;
}

/** Loads and instantiates the WebAssembly module once; `source` overrides where it comes from. */
export function init(source) {
  if (!ready) {
    ready = (async () => {
      const exports = await initWasm({ module_or_path: source ?? (await defaultSource()) });
      wasmMemory = exports.memory;
    })();
    // A failed load may be retried (say, with another source).
    ready.catch(() => {
      ready = null;
    });
  }
  return ready;
}

/** Creates a store (see index.d.ts: StoreOptions). */
export async function createStore(opts = {}) {
  await init();
  return new Store(opts);
}

/** The command's arguments as the engine takes them: strings and Uint8Arrays; arrays are flattened. */
function argv(args) {
  const out = [];
  for (const a of args) {
    if (typeof a === 'string' || a instanceof Uint8Array) out.push(a);
    else if (typeof a === 'number' || typeof a === 'bigint') out.push(String(a));
    else if (Array.isArray(a)) out.push(...argv(a));
    else throw new TypeError(`ferrokey: a command argument must be a string, number, bigint or Uint8Array, not ${a === null ? 'null' : typeof a}`);
  }
  if (out.length === 0) throw new TypeError('ferrokey: no command given');
  return out;
}

const commandName = (args) => String(text(argv(args)[0])).toUpperCase();

class Store {
  #w;
  #wire;
  /** Connections by CLIENT ID: Client or RawConnection. */
  #conns = new Map();
  #timer = null;
  #timerAt = NaN;
  #pumping = false;
  #closed = false;

  constructor(opts) {
    if (opts.clock !== undefined && opts.clock !== 'real' && opts.clock !== 'manual') {
      throw new TypeError(`ferrokey: clock must be 'real' or 'manual', not ${String(opts.clock)}`);
    }
    const config = {};
    for (const [name, value] of Object.entries(opts.config ?? {})) config[name] = String(value);
    const options = {
      manual: opts.clock === 'manual',
      nowMs: opts.now ?? 0,
      seed: opts.seed === undefined ? undefined : BigInt.asUintN(64, BigInt(opts.seed)),
      config,
    };
    this.#w = new WasmStore(options, opts.snapshot, makeError);
    this.#wire = new Wire(this.#w, wasmMemory, makeError);
    const w = this.#w;
    const store = this;
    this.clock = Object.freeze({
      manual: options.manual,
      now: () => w.now_ms(),
      advance(ms) {
        this.set(w.now_ms() + Number(ms));
      },
      set(ms) {
        store.#check();
        if (!options.manual) throw new TypeError("ferrokey: the clock is not manual (createStore({ clock: 'manual' }))");
        w.set_time_ms(Number(ms));
        store._pump();
      },
    });
  }

  get closed() {
    return this.#closed;
  }

  #check() {
    if (this.#closed) throw new Error('ferrokey: the store is closed');
  }

  connect(opts = {}) {
    this.#check();
    const protocol = opts.protocol ?? 2;
    if (protocol !== 2 && protocol !== 3) throw new TypeError('ferrokey: protocol must be 2 or 3');
    const id = this.#w.connect_packed(protocol, opts.name, opts.db ?? 0);
    const client = new Client(this, this.#w, this.#wire, id);
    this.#conns.set(id, client);
    return client;
  }

  connectRaw(opts = {}) {
    this.#check();
    const id = this.#w.connect_raw(opts.addr ?? '127.0.0.1:0', opts.laddr ?? '127.0.0.1:0');
    const conn = new RawConnection(this, this.#w, id);
    this.#conns.set(id, conn);
    return conn;
  }

  snapshot() {
    this.#check();
    return this.#w.snapshot();
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = null;
    for (const conn of [...this.#conns.values()]) conn._closedByStore();
    this.#conns.clear();
    this.#w.free();
  }

  /** Forgets a connection that closed. */
  _forget(id) {
    this.#conns.delete(id);
    if (!this.#closed) this.#w.disconnect(id);
  }

  /**
   * After anything that runs commands or moves time: hands output to the clients another client's
   * command woke (messages, served or timed-out blocked commands, kills), then sets the timer.
   */
  _pump(status = UNKNOWN) {
    if (this.#closed) return;
    if (this.#pumping) return; // a listener ran a command: the outer loop picks its wake-ups up
    if (status & WOKEN) {
      this.#pumping = true;
      try {
        for (let woken = this.#w.take_woken(); woken.length > 0; woken = this.#w.take_woken()) {
          for (const id of woken) this.#conns.get(id)?._deliver();
          if (this.#closed) return;
        }
      } finally {
        this.#pumping = false;
      }
      status = UNKNOWN; // the woken clients' commands may have changed anything
    }
    if (status & (VOLATILE | DEADLINE) || this.#timer !== null) this.#schedule(status);
  }

  /**
   * The real clock's timer: at the earliest blocked client's deadline, and every 1000/hz ms while keys
   * have a TTL (active expiry). Unref'd in Node unless a blocked command waits for its timeout, so it
   * never keeps a process alive by itself.
   */
  #schedule(status) {
    const w = this.#w;
    if (this.#closed || this.clock.manual) return;
    // An armed timer stays right while no deadline could be earlier (expiry ticks only move later).
    if (this.#timer !== null && !(status & DEADLINE)) return;
    // A blocked client times out once its deadline is passed (Valkey: deadline < now).
    const deadline = w.next_deadline_ms() + 1;
    const tick = w.expiry_tick_ms();
    const at = Number.isNaN(deadline) ? tick : Number.isNaN(tick) ? deadline : Math.min(deadline, tick);
    if (Number.isNaN(at)) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#timerAt = NaN;
      return;
    }
    if (this.#timer !== null && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = NaN;
      if (this.#closed) return;
      w.cron();
      this._pump();
    }, Math.max(0, at - Date.now()));
    if (Number.isNaN(deadline)) this.#timer.unref?.();
  }
}

class Client {
  #store;
  #w;
  #wire;
  #id;
  #closed = false;
  /** Commands sent with send() and not answered yet: {args, buffers, resolve, reject}. */
  #queue = [];
  /** The head of #queue ran and blocked: it waits for a wake-up. */
  #waiting = false;
  #listeners = new Map();

  constructor(store, w, wire, id) {
    this.#store = store;
    this.#w = w;
    this.#wire = wire;
    this.#id = id;
  }

  get id() {
    return this.#id;
  }

  get protocol() {
    return this.#closed ? 2 : this.#w.protocol(this.#id) || 2;
  }

  get closed() {
    return this.#closed;
  }

  call(...args) {
    return this.#callSync(args, false);
  }

  callBuffer(...args) {
    return this.#callSync(args, true);
  }

  callMany(commands, opts) {
    return this.#callMany(commands, opts?.buffers === true);
  }

  send(...args) {
    return this.#enqueue(args, false);
  }

  sendBuffer(...args) {
    return this.#enqueue(args, true);
  }

  on(event, listener) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, []);
    this.#listeners.get(event).push(listener);
    return this;
  }

  off(event, listener) {
    const list = this.#listeners.get(event);
    const i = list ? list.indexOf(listener) : -1;
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  close() {
    if (this.#closed) return;
    this.#shut(new Error('ferrokey: connection closed'));
    this.#store._forget(this.#id);
    this.#store._pump();
  }

  _closedByStore() {
    this.#shut(new Error('ferrokey: the store is closed'));
  }

  #shut(err) {
    this.#closed = true;
    const queue = this.#queue;
    this.#queue = [];
    this.#waiting = false;
    for (const p of queue) p.reject(err);
  }

  #check() {
    if (this.#closed) throw new Error('ferrokey: connection closed');
  }

  #callSync(args, buffers) {
    return this._callList(argv(args), buffers);
  }

  /** For ioredis.js: `call` with the arguments already normalized (strings and Uint8Arrays). */
  _callList(list, buffers) {
    this.#check();
    if (this.#queue.length > 0) {
      throw new Error('ferrokey: commands sent with send() still wait on this client; use send()');
    }
    const out = this.#wire.run(this.#id, [list], buffers)[0];
    const status = out[0];
    if (status & BLOCKED) {
      this.#w.cancel_blocked(this.#id);
      this.#store._pump();
      throw new Error(`ferrokey: ${commandName(list)} blocks: use send() for blocking commands`);
    }
    const reply = this.#collect(out);
    if (status & CLOSING) this.#afterCommand();
    this.#store._pump(status);
    if (reply instanceof ReplyError) throw reply;
    return reply;
  }

  /**
   * Runs commands in one crossing; error replies are ReplyError values in the result, not thrown.
   * A command that would block is cancelled (it and the commands after it do not run) and throws.
   */
  #callMany(commands, buffers) {
    this.#check();
    if (this.#queue.length > 0) {
      throw new Error('ferrokey: commands sent with send() still wait on this client; use send()');
    }
    const lists = commands.map((c) => argv(c));
    const { results, blocked } = this._runMany(lists, buffers);
    if (blocked !== undefined) {
      throw new Error(`ferrokey: ${commandName(lists[blocked])} blocks: use send() for blocking commands`);
    }
    return results;
  }

  /**
   * For ioredis.js: runs normalized argument lists (strings and Uint8Arrays) in one crossing. Returns
   * the replies of the commands run (`undefined` for a command with no reply) and, when one would block,
   * its index: it was cancelled, and neither it nor the ones after it ran.
   */
  _runMany(lists, buffers) {
    const entries = this.#wire.run(this.#id, lists, buffers);
    const results = [];
    let statusSeen = 0;
    let blocked;
    for (const out of entries) {
      const status = out[0];
      statusSeen |= status;
      if (status & BLOCKED) {
        this.#w.cancel_blocked(this.#id);
        this.#collect(out);
        blocked = results.length;
        break;
      }
      results.push(this.#collect(out));
      if (status & CLOSING) {
        this.#afterCommand();
        break;
      }
    }
    if (blocked === undefined && results.length < lists.length && !(statusSeen & CLOSING)) blocked = results.length;
    this.#store._pump(statusSeen | (blocked === undefined ? 0 : UNKNOWN));
    return { results, blocked };
  }

  #enqueue(args, buffers) {
    return new Promise((resolve, reject) => {
      this.#check();
      this.#queue.push({ args: argv(args), buffers, resolve, reject });
      if (this.#queue.length === 1) this.#runQueue();
    });
  }

  /** Runs queued commands in order until one blocks. */
  #runQueue() {
    let statusSeen = 0;
    while (this.#queue.length > 0 && !this.#waiting && !this.#closed) {
      if (this.#w.should_close(this.#id)) {
        this.#afterCommand();
        break;
      }
      const head = this.#queue[0];
      const out = this.#wire.run(this.#id, [head.args], head.buffers)[0];
      const status = out[0];
      statusSeen |= status;
      if (status & BLOCKED) {
        this.#waiting = true;
        this.#collect(out); // pushes that arrived meanwhile
        break;
      }
      this.#queue.shift();
      settle(head, this.#collect(out));
      if (status & CLOSING) this.#afterCommand();
    }
    this.#store._pump(statusSeen);
  }

  /** Output another client's command (or the clock) produced for this one. */
  _deliver() {
    if (this.#closed) return;
    const head = this.#waiting ? this.#queue[0] : undefined;
    const out = this.#wire.take(this.#id, head ? head.buffers : false);
    const status = out[0];
    const reply = this.#collect(out, head === undefined);
    const gone = (status & CLOSING) !== 0;
    if (head && (reply !== undefined || (!gone && !(status & BLOCKED)))) {
      this.#waiting = false;
      this.#queue.shift();
      settle(head, reply ?? null);
      this.#runQueue();
    }
    this.#afterCommand();
  }

  /** The engine closes this client (QUIT, CLIENT KILL): so do we. */
  #afterCommand() {
    if (!this.#closed && this.#w.should_close(this.#id)) {
      this.#shut(new Error('ferrokey: connection closed'));
      this.#store._forget(this.#id);
    }
  }

  /**
   * Sorts one batch of output: pub/sub messages and other pushes go to listeners; returns the
   * command's reply (undefined when there is none). (Un)subscribe confirmations are the reply of
   * the command that asked (an array of them). Out of band (`oob`), replies are MONITOR lines.
   */
  #collect(out, oob = false) {
    let reply;
    let confirmations;
    // out[0] is the status word, then [kind, value] pairs
    for (let i = 1; i < out.length; i += 2) {
      const value = out[i + 1];
      if (out[i] === KIND_PUSH && Array.isArray(value)) {
        const kind = text(value[0]);
        if (MESSAGE_KINDS[kind] === value.length) {
          const parts = value.slice(1);
          this.#emit(kind, parts.map(text));
          if (this.#listeners.get(kind + 'Buffer')?.length) this.#emit(kind + 'Buffer', parts.map(asBytes));
          continue;
        }
        if (CONFIRMATIONS.has(kind) && !oob) {
          (confirmations ??= []).push(value);
          continue;
        }
        this.#emit('push', [value]);
      } else if (oob) {
        this.#emit('monitor', [text(value)]);
      } else if (reply === undefined) {
        reply = value;
      } else {
        this.#emit('push', [value]);
      }
    }
    if (confirmations !== undefined) {
      if (reply === undefined) return confirmations;
      for (const c of confirmations) this.#emit('push', [c]);
    }
    return reply;
  }

  #emit(event, args) {
    const list = this.#listeners.get(event);
    if (!list) return;
    for (const listener of [...list]) listener(...args);
  }
}

function settle(pending, reply) {
  if (reply instanceof ReplyError) pending.reject(reply);
  else pending.resolve(reply === undefined ? null : reply);
}

class RawConnection {
  #store;
  #w;
  #id;
  #closed = false;
  #closeSignalled = false;
  ondata = null;
  onclose = null;

  constructor(store, w, id) {
    this.#store = store;
    this.#w = w;
    this.#id = id;
  }

  get id() {
    return this.#id;
  }

  get shouldClose() {
    return this.#closed || this.#w.should_close(this.#id);
  }

  write(data) {
    if (this.#closed) return new Uint8Array(0);
    const out = this.#w.feed(this.#id, data);
    if (this.#w.should_close(this.#id)) this.#closeSignalled = true;
    this.#store._pump();
    return out;
  }

  _deliver() {
    if (this.#closed) return;
    const out = this.#w.take_raw_output(this.#id);
    if (out.length > 0) this.ondata?.(out);
    if (!this.#closeSignalled && this.#w.should_close(this.#id)) {
      this.#closeSignalled = true;
      this.onclose?.();
    }
  }

  _closedByStore() {
    this.#closed = true;
    if (!this.#closeSignalled) {
      this.#closeSignalled = true;
      this.onclose?.();
    }
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeSignalled = true;
    this.#store._forget(this.#id);
    this.#store._pump();
  }
}
