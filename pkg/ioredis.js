// An ioredis-compatible client over the in-process engine: `import Redis from 'ferrokey/ioredis'`.
//
// Why it exists: test suites and libraries written against ioredis can run on the real engine with no
// server, by swapping the import. The shape follows ioredis 5 (lib `built/Redis.js`, `Pipeline.js`,
// `Command.js`): a method per command (lower case, plus an `xxxBuffer` twin), promises and node-style
// callbacks, RESP2 replies shaped as ioredis shapes them, pipelines and MULTI with `[err, value][]`
// results, defineCommand over EVALSHA, pub/sub events, `status` and connection events.
//
// The command methods are not hand-listed: at load, the engine's own COMMAND table is read and a method
// is made for every command it knows (and the key positions come from the same rows, for `keyPrefix`).

import { createStore, ReplyError as CoreReplyError } from './index.js';

// Node's EventEmitter and streams when there (so `instanceof EventEmitter` and scanStream work as with
// ioredis); a minimal emitter in browsers.
const nodeEvents = await import('node:events').catch(() => null);
const nodeStream = await import('node:stream').catch(() => null);
const NodeBuffer = globalThis.Buffer;

class MiniEmitter {
  #listeners = new Map();
  on(event, fn) {
    const list = this.#listeners.get(event);
    if (list) list.push(fn);
    else this.#listeners.set(event, [fn]);
    return this;
  }
  addListener(event, fn) {
    return this.on(event, fn);
  }
  once(event, fn) {
    const wrapped = (...args) => {
      this.off(event, wrapped);
      fn.apply(this, args);
    };
    wrapped.listener = fn;
    return this.on(event, wrapped);
  }
  off(event, fn) {
    const list = this.#listeners.get(event);
    if (!list) return this;
    const at = list.findIndex((l) => l === fn || l.listener === fn);
    if (at >= 0) list.splice(at, 1);
    return this;
  }
  removeListener(event, fn) {
    return this.off(event, fn);
  }
  removeAllListeners(event) {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }
  listeners(event) {
    return (this.#listeners.get(event) ?? []).map((l) => l.listener ?? l);
  }
  listenerCount(event) {
    return this.#listeners.get(event)?.length ?? 0;
  }
  emit(event, ...args) {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) {
      if (event === 'error') throw args[0];
      return false;
    }
    for (const fn of [...list]) fn.apply(this, args);
    return true;
  }
  setMaxListeners() {
    return this;
  }
}

const EventEmitter = nodeEvents?.EventEmitter ?? MiniEmitter;
const nextTick = globalThis.process?.nextTick ?? ((fn, ...args) => queueMicrotask(() => fn(...args)));

// ---------------------------------------------------------------- errors

/** ioredis's error for an error reply (redis-errors' ReplyError): `name` is 'ReplyError'. */
export class ReplyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ReplyError';
    const space = message.indexOf(' ');
    this.code = space < 0 ? message : message.slice(0, space);
  }
}

const CONNECTION_CLOSED = 'Connection is closed.';
const SUBSCRIBER_MODE = 'Connection in subscriber mode, only subscriber commands may be used';

/** The engine's ReplyError as ioredis's, with `command` set as ioredis sets it. */
function asReplyError(err, name, args) {
  if (!(err instanceof CoreReplyError) && !(err instanceof ReplyError)) return err;
  const out = new ReplyError(err.message);
  out.command = { name, args };
  return out;
}

// ---------------------------------------------------------------- the command table

// The default store doubles as the source of the command table; it is what `new Redis()` uses when no
// `store` option is given, so every such client in the process shares one engine, as clients of one
// server would.
let defaultStorePromise = null;
/** The process-wide store behind `new Redis()` without a `store` option. */
export function getDefaultStore() {
  defaultStorePromise ??= createStore();
  return defaultStorePromise;
}

/** Per command (lower case): flags and the key positions of its COMMAND row. */
const COMMANDS = new Map();
{
  const store = await getDefaultStore();
  const meta = store.connect({ protocol: 2, name: 'ferrokey-ioredis-table' });
  try {
    for (const row of meta.call('COMMAND')) {
      const [name, arity, flags, first, last, step, , , keySpecs] = row;
      COMMANDS.set(String(name).toLowerCase(), {
        arity: Number(arity),
        flags: new Set(flags.map(String)),
        first: Number(first),
        last: Number(last),
        step: Number(step),
        keySpecs: parseKeySpecs(keySpecs),
        blocking: flags.some((f) => String(f) === 'blocking'),
      });
    }
  } finally {
    meta.close();
  }
}

/** The RESP2 key specs (flat [k, v, …] arrays) as objects, keeping only what finding keys needs. */
function parseKeySpecs(specs) {
  if (!Array.isArray(specs)) return [];
  const obj = (flat) => {
    const out = {};
    if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
    return out;
  };
  return specs.map((s) => {
    const spec = obj(s);
    const begin = obj(spec.begin_search);
    const find = obj(spec.find_keys);
    return { begin: { type: begin.type, spec: obj(begin.spec) }, find: { type: find.type, spec: obj(find.spec) } };
  });
}

/** Positions in `args` (the arguments after the command name) that hold keys. */
function keyIndexes(name, args, client) {
  const info = COMMANDS.get(name);
  if (!info || (info.first === 0 && !info.flags.has('movablekeys'))) return [];
  const argc = args.length + 1; // argv counts the command name
  const out = [];
  if (!info.flags.has('movablekeys')) {
    const last = info.last < 0 ? argc + info.last : info.last;
    for (let i = info.first; i <= last && i < argc; i += info.step || 1) out.push(i - 1);
    return out;
  }
  let known = true;
  for (const ks of info.keySpecs) {
    if (ks.begin.type !== 'index') {
      known = false;
      break;
    }
    const at = Number(ks.begin.spec.index);
    if (ks.find.type === 'range') {
      const lastkey = Number(ks.find.spec.lastkey);
      const step = Number(ks.find.spec.keystep) || 1;
      const last = lastkey < 0 ? argc + lastkey : at + lastkey;
      for (let i = at; i <= last && i < argc; i += step) out.push(i - 1);
    } else if (ks.find.type === 'keynum') {
      const numAt = at + Number(ks.find.spec.keynumidx);
      const count = Number(args[numAt - 1]);
      const firstAt = at + Number(ks.find.spec.firstkey);
      const step = Number(ks.find.spec.keystep) || 1;
      for (let k = 0; k < count && firstAt + k * step < argc; k++) out.push(firstAt + k * step - 1);
    } else {
      known = false;
      break;
    }
  }
  if (known) return out;
  // Keys found by keyword (SORT BY/GET, XREAD STREAMS, MIGRATE KEYS …): ask the engine which arguments are
  // keys, then take their positions in order.
  let keys;
  try {
    keys = client.call('COMMAND', 'GETKEYS', name, ...args);
  } catch {
    return [];
  }
  const positions = [];
  let from = 0;
  for (const key of keys) {
    for (let i = from; i < args.length; i++) {
      if (String(args[i]) === key) {
        positions.push(i);
        from = i + 1;
        break;
      }
    }
  }
  return positions;
}

// ---------------------------------------------------------------- arguments and replies

/** ioredis's argument flattening: one level of arrays, Buffers kept, everything else to text. */
function normalizeArgs(args) {
  const out = [];
  for (const a of args) {
    if (Array.isArray(a)) for (const b of a) out.push(toArg(b));
    else out.push(toArg(a));
  }
  return out;
}

function toArg(a) {
  if (typeof a === 'string' || a instanceof Uint8Array) return a;
  if (a === null || a === undefined) return '';
  return String(a);
}

/** ioredis's argument transformers: MSET/MSETNX take an object or Map, HSET/HMSET a key and one. */
const ARGUMENT_TRANSFORMERS = {
  mset: objectArgs(0),
  msetnx: objectArgs(0),
  hset: objectArgs(1),
  hmset: objectArgs(1),
};

function objectArgs(at) {
  return (args) => {
    if (args.length !== at + 1) return args;
    const value = args[at];
    if (value instanceof Map) return [...args.slice(0, at), ...[...value].flat()];
    if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value)) {
      const flat = [];
      for (const k of Object.keys(value)) flat.push(k, value[k]);
      return [...args.slice(0, at), ...flat];
    }
    return args;
  };
}

/** ioredis's reply transformers (only HGETALL: a flat array becomes an object). */
const REPLY_TRANSFORMERS = {
  hgetall(result) {
    if (!Array.isArray(result)) return result;
    const obj = {};
    for (let i = 0; i < result.length; i += 2) {
      const key = result[i];
      if (key in obj) {
        Object.defineProperty(obj, key, { value: result[i + 1], configurable: true, enumerable: true, writable: true });
      } else {
        obj[key] = result[i + 1];
      }
    }
    return obj;
  },
};

/** The engine's RESP2 reply as ioredis returns it (text mode): integers as numbers, errors as ReplyError. */
function shapeText(v) {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'bigint' || Array.isArray(x) || x instanceof Error) v[i] = shapeText(x);
    }
    return v;
  }
  if (v instanceof CoreReplyError) return asReplyError(v);
  return v;
}

const toBuffer = NodeBuffer ? (u8) => NodeBuffer.from(u8.buffer, u8.byteOffset, u8.byteLength) : (u8) => u8;
const encoder = new TextEncoder();
const utf8 = new TextDecoder();

/** Buffer mode: bulk and simple strings as Buffer (ioredis parses with returnBuffers), integers as numbers. */
function shapeBuffer(v) {
  if (v instanceof Uint8Array) return toBuffer(v);
  if (typeof v === 'string') return toBuffer(encoder.encode(v));
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(shapeBuffer);
  if (v instanceof CoreReplyError) return asReplyError(v);
  return v;
}

/** Calls `callback(err, value)` when the promise settles (standard-as-callback), and returns the promise. */
function asCallback(promise, callback) {
  if (typeof callback !== 'function') return promise;
  promise.then(
    (value) => nextTick(callback, null, value),
    (err) => nextTick(callback, err),
  );
  return promise;
}

function noop() {}

function isCallback(x) {
  return typeof x === 'function';
}

// ---------------------------------------------------------------- SHA-1 (for defineCommand)

// A script's EVALSHA digest, computed here so defineCommand neither loads the script early nor needs
// node:crypto (browsers have only the async WebCrypto).
function sha1Hex(text) {
  const bytes = encoder.encode(text);
  const words = new Uint32Array((((bytes.length + 8) >> 6) + 1) * 16);
  for (let i = 0; i < bytes.length; i++) words[i >> 2] |= bytes[i] << (24 - (i & 3) * 8);
  words[bytes.length >> 2] |= 0x80 << (24 - (bytes.length & 3) * 8);
  words[words.length - 1] = bytes.length * 8;
  let [a, b, c, d, e] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  for (let off = 0; off < words.length; off += 16) {
    for (let i = 0; i < 16; i++) w[i] = words[off + i];
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = (x << 1) | (x >>> 31);
    }
    let [A, B, C, D, E] = [a, b, c, d, e];
    for (let i = 0; i < 80; i++) {
      const [f, k] =
        i < 20
          ? [(B & C) | (~B & D), 0x5a827999]
          : i < 40
            ? [B ^ C ^ D, 0x6ed9eba1]
            : i < 60
              ? [(B & C) | (B & D) | (C & D), 0x8f1bbcdc]
              : [B ^ C ^ D, 0xca62c1d6];
      const t = (((A << 5) | (A >>> 27)) + f + E + k + w[i]) >>> 0;
      E = D;
      D = C;
      C = (B << 30) | (B >>> 2);
      B = A;
      A = t;
    }
    a = (a + A) >>> 0;
    b = (b + B) >>> 0;
    c = (c + C) >>> 0;
    d = (d + D) >>> 0;
    e = (e + E) >>> 0;
  }
  return [a, b, c, d, e].map((x) => x.toString(16).padStart(8, '0')).join('');
}

/** A defineCommand script: its SHA-1, and the connections known to have it cached (as ioredis tracks). */
class Script {
  constructor(lua, numberOfKeys, readOnly) {
    this.lua = lua;
    this.numberOfKeys = typeof numberOfKeys === 'number' ? numberOfKeys : null;
    this.readOnly = !!readOnly;
    this.sha = sha1Hex(lua);
    this.loadedOn = new WeakSet();
  }
}

// ---------------------------------------------------------------- the command methods

/** The command set from COMMAND, as ioredis's `getBuiltinCommands()` lists it (lower case). */
const BUILTIN_COMMANDS = [...COMMANDS.keys()].filter((n) => n !== 'monitor').sort();

/** Commands a connection in RESP2 subscriber mode may send (ioredis's VALID_IN_SUBSCRIBER_MODE). */
const VALID_IN_SUBSCRIBER_MODE = new Set([
  'subscribe',
  'psubscribe',
  'unsubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
  'ping',
  'quit',
]);
/** What `_runSync` returns for a command that must go through `client.send`. */
const ASYNC = Symbol('async');

/** Commands whose reply changes the connection's state as ioredis tracks it: never run in a batch. */
const UNBATCHABLE = new Set([
  'quit',
  'select',
  'multi',
  'exec',
  'discard',
  'reset',
  'monitor',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

const ENTER_SUBSCRIBER_MODE = new Set(['subscribe', 'psubscribe', 'ssubscribe']);
const EXIT_SUBSCRIBER_MODE = new Set(['unsubscribe', 'punsubscribe', 'sunsubscribe']);

/** The shared base of Redis and Pipeline: one method per command, routed to `this._command`. */
class Commander extends EventEmitter {
  /** The builtin commands (lower case), from the engine's COMMAND table. */
  getBuiltinCommands() {
    return BUILTIN_COMMANDS.slice();
  }

  /** `createBuiltinCommand(name)`: the `{ string, buffer }` method pair ioredis returns. */
  createBuiltinCommand(commandName) {
    return { string: commandMethod(commandName, false), buffer: commandMethod(commandName, true) };
  }

  /** Adds a method pair for a command the table lacks (a module's, say). */
  addBuiltinCommand(commandName) {
    this[commandName] = commandMethod(commandName, false);
    this[commandName + 'Buffer'] = commandMethod(commandName, true);
    (this._addedBuiltins ??= new Set()).add(commandName);
  }

  /** `call(name, ...args)`: any command by name (replies in text mode). */
  call(name, ...args) {
    const callback = isCallback(args[args.length - 1]) ? args.pop() : undefined;
    return this._command(String(name), args, false, callback);
  }

  /** `callBuffer(name, ...args)`: any command by name, bulk replies as Buffer. */
  callBuffer(name, ...args) {
    const callback = isCallback(args[args.length - 1]) ? args.pop() : undefined;
    return this._command(String(name), args, true, callback);
  }
}
Commander.prototype.send_command = Commander.prototype.call;

function commandMethod(name, buffer) {
  return function (...args) {
    const callback = args.length > 0 && isCallback(args[args.length - 1]) ? args.pop() : undefined;
    return this._command(name, args, buffer, callback);
  };
}

for (const name of BUILTIN_COMMANDS) {
  for (const alias of [name, name.toUpperCase()]) {
    if (alias in Commander.prototype) continue;
    Commander.prototype[alias] = commandMethod(name, false);
    Commander.prototype[alias + 'Buffer'] = commandMethod(name, true);
  }
}

// ---------------------------------------------------------------- Redis

const DEFAULT_OPTIONS = {
  lazyConnect: false,
  db: 0,
  keyPrefix: '',
  connectionName: undefined,
  enableOfflineQueue: true,
  enableReadyCheck: true,
  autoResubscribe: true,
};

/** Collects `new Redis(port?, host?, options?)` / `new Redis(url, options?)` / `new Redis(options)`. */
function parseOptions(args) {
  const options = {};
  for (const arg of args) {
    if (arg === null || arg === undefined) continue;
    if (typeof arg === 'object') Object.assign(options, arg);
    else if (typeof arg === 'number' || /^\d+$/.test(String(arg))) options.port = Number(arg);
    else if (typeof arg === 'string' && /^rediss?:\/\//.test(arg)) {
      const db = /\/(\d+)(?:\?|$)/.exec(arg.replace(/^rediss?:\/\/[^/]*/, ''));
      if (db) options.db = Number(db[1]);
    } else if (typeof arg === 'string') options.host = arg;
  }
  const merged = { ...DEFAULT_OPTIONS, ...options };
  if (typeof merged.db === 'string') merged.db = parseInt(merged.db, 10);
  return merged;
}

/**
 * An ioredis-compatible client. `new Redis()` connects to the process-wide default store;
 * `new Redis({ store })` to a store of your own (from `createStore()`, or a promise of one).
 */
export class Redis extends Commander {
  static Redis = Redis;
  static ReplyError = ReplyError;
  static default = Redis;
  /** node-redis-style factory that ioredis also offers. */
  static createClient(...args) {
    return new Redis(...args);
  }

  constructor(...args) {
    super();
    this.options = parseOptions(args);
    this.status = 'wait';
    this.condition = { select: this.options.db ?? 0, subscriber: false };
    this.scriptsSet = {};
    this.isCluster = false;
    this._client = null;
    this._offlineQueue = [];
    this._sending = 0; // commands handed to client.send and not settled: later ones must queue behind
    this._inMulti = false;
    if (this.options.scripts) {
      for (const [name, def] of Object.entries(this.options.scripts)) this.defineCommand(name, def);
    }
    if (!this.options.lazyConnect) this.connect().catch(() => {});
  }

  /** 'normal' or 'subscriber', as ioredis reports it. */
  get mode() {
    return this.condition.subscriber ? 'subscriber' : 'normal';
  }

  /** The store this client runs on (null until first connected). */
  get store() {
    return this._store ?? null;
  }

  _setStatus(status, arg) {
    this.status = status;
    nextTick(() => this.emit(status, arg));
  }

  /** Connects (done by the constructor unless `lazyConnect`); resolves when ready. */
  connect(callback) {
    const promise = new Promise((resolve, reject) => {
      if (this.status === 'connecting' || this.status === 'connect' || this.status === 'ready') {
        reject(new Error('Redis is already connecting/connected'));
        return;
      }
      this._manuallyClosing = false;
      this._setStatus('connecting');
      Promise.resolve(this.options.store ?? getDefaultStore()).then(
        (store) => {
          if (this.status !== 'connecting') {
            reject(new Error(CONNECTION_CLOSED));
            return;
          }
          this._store = store;
          this._attach(store);
          this._setStatus('connect');
          if (this.options.connectionName) this._client.call('CLIENT', 'SETNAME', this.options.connectionName);
          this._setStatus('ready');
          this._flushOfflineQueue();
          resolve();
        },
        (err) => {
          nextTick(() => this._silentEmitError(err));
          this._end(err);
          reject(err);
        },
      );
    });
    return asCallback(promise, callback);
  }

  /** ioredis's silentEmit for 'error': with no listener it logs instead of throwing. */
  _silentEmitError(err) {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else console.error('[ferrokey/ioredis] Unhandled error event:', err);
  }

  _attach(store) {
    const client = store.connect({ protocol: 2, db: this.condition.select || 0 });
    this._client = client;
    // Messages reach the listeners on a later tick, as they would from a socket: never inside the
    // publishing client's call, where a throwing listener would break that client's command.
    // The client's *Buffer events carry the published bytes, so messageBuffer gets binary payloads intact.
    this._onMessage = (channel, message) => nextTick(() => this._emitMessage('message', null, channel, message));
    this._onPmessage = (pattern, channel, message) =>
      nextTick(() => this._emitMessage('pmessage', utf8.decode(pattern), channel, message));
    this._onSmessage = (channel, message) => nextTick(() => this._emitMessage('smessage', null, channel, message));
    client.on('messageBuffer', this._onMessage);
    client.on('pmessageBuffer', this._onPmessage);
    client.on('smessageBuffer', this._onSmessage);
  }

  /**
   * Emits `event` with text and its `xxxBuffer` twin with Buffers (channel and message arrive as bytes;
   * ioredis gives the Buffer event the pattern as text).
   */
  _emitMessage(event, pattern, channel, message) {
    const head = pattern === null ? [] : [pattern];
    if (this.listenerCount(event) > 0) this.emit(event, ...head, utf8.decode(channel), utf8.decode(message));
    if (this.listenerCount(event + 'Buffer') > 0) this.emit(event + 'Buffer', ...head, toBuffer(channel), toBuffer(message));
  }

  _flushOfflineQueue() {
    const queue = this._offlineQueue;
    this._offlineQueue = [];
    for (const item of queue) item.run();
  }

  /** Closes at once (ioredis: pending replies may be lost); `reconnect` is accepted and ignored. */
  disconnect(_reconnect = false) {
    this._manuallyClosing = true;
    if (this.status === 'end') return;
    this._end(new Error(CONNECTION_CLOSED));
  }

  /** Deprecated ioredis alias of disconnect(). */
  end() {
    this.disconnect();
  }

  /** QUIT: replies 'OK' once earlier commands are done, then the connection closes ('close', 'end'). */
  quit(callback) {
    if (this.status === 'end') return asCallback(Promise.reject(new Error(CONNECTION_CLOSED)), callback);
    const close = () => {
      this._end(new Error(CONNECTION_CLOSED));
      return 'OK';
    };
    let promise;
    if (this.status === 'wait' || (this.status !== 'ready' && this._offlineQueue.length === 0)) {
      promise = Promise.resolve(close());
    } else if (this.status !== 'ready') {
      promise = new Promise((resolve, reject) => this._offlineQueue.push({ run: () => resolve(close()), reject }));
    } else if (this._sending > 0) {
      promise = this._tail.then(close, close);
    } else {
      promise = Promise.resolve(close());
    }
    return asCallback(promise, callback);
  }

  _end(err) {
    const wasOpen = this.status !== 'end';
    if (this._client) {
      this._client.off?.('messageBuffer', this._onMessage);
      this._client.off?.('pmessageBuffer', this._onPmessage);
      this._client.off?.('smessageBuffer', this._onSmessage);
      this._client.close();
      this._client = null;
    }
    const queue = this._offlineQueue;
    this._offlineQueue = [];
    for (const item of queue) item.reject(err);
    this.condition.subscriber = false;
    if (wasOpen) {
      this._setStatus('close');
      this._setStatus('end');
    }
  }

  /** A new client with the same options (so the same store); `override` replaces some of them. */
  duplicate(override) {
    const options = { ...this.options, ...override };
    if (!options.store && this._store) options.store = this._store;
    return new Redis(options);
  }

  /** Defines `name` / `nameBuffer` running `lua` by EVALSHA, falling back to EVAL on NOSCRIPT. */
  defineCommand(name, definition) {
    const script = new Script(definition.lua, definition.numberOfKeys, definition.readOnly);
    this.scriptsSet[name] = script;
    this[name] = scriptMethod(script, false);
    this[name + 'Buffer'] = scriptMethod(script, true);
  }

  /** A pipeline: queue commands, `exec()` runs them and gives `[err, value][]`. */
  pipeline(commands) {
    const p = new Pipeline(this);
    if (Array.isArray(commands)) p.addBatch(commands);
    return p;
  }

  /**
   * A transaction: `multi()` returns a pipeline wrapped in MULTI/EXEC whose `exec()` gives the EXEC
   * results as `[err, value][]`; `multi({ pipeline: false })` sends MULTI now.
   */
  multi(commands, options) {
    if (options === undefined && !Array.isArray(commands)) {
      options = commands;
      commands = null;
    }
    if (options && options.pipeline === false) return this._command('multi', [], false);
    const p = new Pipeline(this, true);
    if (Array.isArray(commands)) p.addBatch(commands);
    return p;
  }

  /** EXEC on the connection (after `multi({ pipeline: false })`): the results as `[err, value][]`. */
  exec(callback) {
    const promise = this._command('exec', [], false).then(wrapMultiResult);
    return asCallback(promise, callback);
  }

  /** Readable stream of SCAN batches (arrays of keys); options `match`, `count`, `type`. */
  scanStream(options = {}) {
    return this._scanStream('scan', null, options);
  }
  sscanStream(key, options = {}) {
    return this._scanStream('sscan', key, options);
  }
  hscanStream(key, options = {}) {
    return this._scanStream('hscan', key, options);
  }
  zscanStream(key, options = {}) {
    return this._scanStream('zscan', key, options);
  }

  _scanStream(command, key, options) {
    if (!nodeStream) throw new Error('scanStream needs node:stream');
    let cursor = '0';
    let done = false;
    const redis = this;
    return new nodeStream.Readable({
      objectMode: true,
      read() {
        if (done) {
          this.push(null);
          return;
        }
        const args = key === null ? [cursor] : [key, cursor];
        if (options.match) args.push('MATCH', options.match);
        if (options.type) args.push('TYPE', options.type);
        if (options.count) args.push('COUNT', String(options.count));
        if (options.noValues) args.push('NOVALUES');
        redis._command(command, args, false).then(
          ([next, items]) => {
            cursor = String(next);
            if (cursor === '0') done = true;
            this.push(items);
          },
          (err) => this.destroy(err),
        );
      },
    });
  }

  /** ioredis's entry point for a command; here: run it now when ready, else queue until ready. */
  _command(name, args, buffer, callback) {
    const transform = ARGUMENT_TRANSFORMERS[name];
    if (transform) args = transform(args);
    args = normalizeArgs(args);
    let promise;
    if (this.status === 'ready' && this._sending === 0) {
      promise = this._runNow(name, args, buffer);
    } else {
      promise = this._deferred(name, args, buffer);
    }
    return asCallback(promise, callback);
  }

  /** For a command that cannot run synchronously now (not ready yet, or behind a blocked one). */
  _deferred(name, args, buffer) {
    if (this.status === 'end') return Promise.reject(new Error(CONNECTION_CLOSED));
    if (this.status === 'wait') this.connect().catch(() => {});
    if (this.status === 'ready') return this._runNow(name, args, buffer);
    if (this.options.enableOfflineQueue === false) {
      return Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    }
    return new Promise((resolve, reject) => {
      this._offlineQueue.push({ run: () => this._runNow(name, args, buffer).then(resolve, reject), reject });
    });
  }

  /** Checks ioredis's client-side rules, then runs the command in the engine. */
  _runNow(name, args, buffer) {
    const settled = this._runSync(name, args, buffer);
    if (settled === ASYNC) return this._runAsync(name, name.toLowerCase(), this._lastArgs, buffer);
    return settled.length === 2 ? Promise.resolve(settled[1]) : Promise.reject(settled[0]);
  }

  /**
   * Runs the command synchronously when it can: `[null, value]` or `[error]`; or ASYNC when it has to go
   * through `client.send` (it may block, or a blocked command is ahead of it), with the final arguments
   * left in `_lastArgs`. Pipelines use this directly, with no promise per command.
   */
  _runSync(name, args, buffer) {
    const lower = name.toLowerCase();
    if (this.condition.subscriber && !VALID_IN_SUBSCRIBER_MODE.has(lower)) return [new Error(SUBSCRIBER_MODE)];
    if (lower === 'quit') {
      this._lastArgs = args;
      return this._sending > 0 ? ASYNC : (this._end(new Error(CONNECTION_CLOSED)), [null, 'OK']);
    }
    if (this.options.keyPrefix) args = this._prefixKeys(lower, args);
    const info = COMMANDS.get(lower);
    if (this._sending > 0 || (info !== undefined && info.blocking && !this._inMulti)) {
      this._lastArgs = args;
      return ASYNC;
    }
    let reply;
    try {
      reply = this._client._callList([name, ...args], buffer);
    } catch (err) {
      if (err instanceof CoreReplyError) {
        this._track(lower, args, null, err);
        return [asReplyError(err, name, args)];
      }
      // The engine refuses to block in `call` (CLIENT PAUSE, WAIT …): send it instead.
      if (this._client && !this._client.closed) {
        this._lastArgs = args;
        return ASYNC;
      }
      return [new Error(CONNECTION_CLOSED)];
    }
    try {
      return [null, this._shape(name, lower, args, buffer, reply)];
    } catch (err) {
      return [err];
    }
  }

  /** A pipeline's command that may run in one batch with its neighbours (see Pipeline._run). */
  _batchable(lower) {
    if (this.status !== 'ready' || this._sending > 0 || this._inMulti || this.condition.subscriber) return false;
    if (UNBATCHABLE.has(lower)) return false;
    const info = COMMANDS.get(lower);
    return info === undefined || !info.blocking;
  }

  /**
   * Runs pipeline entries `from` … in one crossing while they are batchable and want the same reply
   * mode; writes `[err]` / `[null, value]` into `pending`; returns the index of the first entry not run.
   */
  _runBatch(queue, from, pending) {
    const buffer = queue[from].buffer;
    const names = [];
    const lists = [];
    for (let i = from; i < queue.length; i++) {
      const entry = queue[i];
      const lower = entry.name.toLowerCase();
      if (entry.script || entry.buffer !== buffer || !this._batchable(lower)) break;
      const args = this.options.keyPrefix ? this._prefixKeys(lower, entry.args) : entry.args;
      names.push(entry.name);
      lists.push([entry.name, ...args]);
    }
    if (lists.length === 0) return from;
    const { results } = this._client._runMany(lists, buffer);
    for (let k = 0; k < results.length; k++) {
      const name = names[k];
      const reply = results[k];
      if (reply instanceof CoreReplyError) {
        pending[from + k] = [asReplyError(reply, name, lists[k].slice(1))];
        continue;
      }
      try {
        pending[from + k] = [null, this._shape(name, name.toLowerCase(), lists[k].slice(1), buffer, reply ?? null)];
      } catch (err) {
        pending[from + k] = [err];
      }
    }
    return from + results.length;
  }

  /** Runs through `client.send`: for a command that may block; later commands queue behind it. */
  _runAsync(name, lower, args, buffer) {
    if (lower === 'quit') return this.quit();
    this._sending++;
    const client = this._client;
    const sent = buffer ? client.sendBuffer(name, ...args) : client.send(name, ...args);
    this._tail = sent.then(noop, noop);
    return sent.then(
      (reply) => {
        this._sending--;
        return this._shape(name, lower, args, buffer, reply);
      },
      (err) => {
        this._sending--;
        if (err instanceof CoreReplyError) this._track(lower, args, null, err);
        throw this.status === 'end' || client.closed ? new Error(CONNECTION_CLOSED) : asReplyError(err, name, args);
      },
    );
  }

  /** The engine's reply as ioredis returns it, after the connection-state bookkeeping. */
  _shape(name, lower, args, buffer, reply) {
    reply = this._track(lower, args, reply, null);
    const shaped = buffer ? shapeBuffer(reply) : shapeText(reply);
    const transform = REPLY_TRANSFORMERS[name];
    return transform ? transform(shaped) : shaped;
  }

  /**
   * Follows what the connection's state became (selected db, MULTI, subscriber mode) and turns the
   * per-channel confirmations of (P|S)(UN)SUBSCRIBE into ioredis's reply: the count after the last one.
   */
  _track(lower, args, reply, err) {
    if (err) {
      if (lower === 'exec' || lower === 'discard') this._inMulti = false;
      return reply;
    }
    switch (lower) {
      case 'select':
        if (!this._inMulti) this.condition.select = Number(args[0]);
        break;
      case 'multi':
        this._inMulti = true;
        break;
      case 'exec':
      case 'discard':
      case 'reset':
        this._inMulti = false;
        if (lower === 'reset') this.condition.subscriber = false;
        break;
      default:
        if (ENTER_SUBSCRIBER_MODE.has(lower) || EXIT_SUBSCRIBER_MODE.has(lower)) {
          if (this._inMulti) return reply;
          const acks = Array.isArray(reply) && Array.isArray(reply[0]) ? reply : [reply];
          const last = acks[acks.length - 1];
          const count = Array.isArray(last) ? Number(last[2]) : 0;
          this.condition.subscriber = count > 0;
          return count;
        }
    }
    return reply;
  }

  _prefixKeys(lower, args) {
    const positions = keyIndexes(lower, args, this._client);
    if (positions.length === 0) return args;
    const prefix = this.options.keyPrefix;
    const out = args.slice();
    for (const i of positions) {
      const key = out[i];
      out[i] = key instanceof Uint8Array ? concatBytes(encoder.encode(String(prefix)), key) : prefix + key;
    }
    return out;
  }
}

function concatBytes(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return NodeBuffer ? toBuffer(out) : out;
}

/** ioredis's wrapMultiResult: EXEC's array as `[err]` / `[null, value]` pairs; null stays null. */
function wrapMultiResult(arr) {
  if (!arr) return null;
  return arr.map((item) => (item instanceof Error ? [item] : [null, item]));
}

function scriptMethod(script, buffer) {
  return function (...args) {
    const callback = isCallback(args[args.length - 1]) ? args.pop() : undefined;
    return asCallback(this._script(script, args, buffer), callback);
  };
}

/**
 * Runs a defineCommand script as ioredis does: EVAL the first time on a connection (which caches it),
 * EVALSHA after that, and EVAL again if the engine answers NOSCRIPT (SCRIPT FLUSH).
 */
Redis.prototype._script = function (script, args, buffer) {
  const argv = script.numberOfKeys === null ? args : [script.numberOfKeys, ...args];
  const run = () => {
    const client = this._client;
    if (!client || !script.loadedOn.has(client)) {
      if (client) script.loadedOn.add(client);
      return this._command('eval', [script.lua, ...argv], buffer);
    }
    return this._command('evalsha', [script.sha, ...argv], buffer);
  };
  return run().catch((err) => {
    if (!String(err.message).includes('NOSCRIPT')) throw err;
    if (this._client) script.loadedOn.delete(this._client);
    return run();
  });
};

// ---------------------------------------------------------------- Pipeline

/**
 * ioredis's Pipeline: commands queue until `exec()`, which runs them in order on the connection and
 * resolves with `[err, value][]` (each command's own promise / callback settles too). A MULTI pipeline
 * (`redis.multi()`) resolves with EXEC's results instead, or rejects with EXECABORT.
 */
export class Pipeline extends Commander {
  constructor(redis, transaction = false) {
    super();
    this.redis = redis;
    this.isPipeline = true;
    this.options = redis.options;
    this.isCluster = false;
    this._queue = [];
    this._transactions = 0;
    this._transaction = transaction;
    this._executed = false;
    for (const name of Object.keys(redis.scriptsSet)) {
      this[name] = redis[name];
      this[name + 'Buffer'] = redis[name + 'Buffer'];
    }
    for (const name of redis._addedBuiltins ?? []) {
      this[name] = redis[name];
      this[name + 'Buffer'] = redis[name + 'Buffer'];
    }
    this.promise = new Promise((resolve, reject) => {
      this._resolve = resolve;
      this._reject = reject;
    });
    this.promise.catch(() => {});
    if (transaction) this._command('multi', [], false);
  }

  /** How many commands are queued. */
  get length() {
    return this._queue.length;
  }

  _command(name, args, buffer, callback) {
    const transform = ARGUMENT_TRANSFORMERS[name];
    if (transform) args = transform(args);
    const entry = { name, args: normalizeArgs(args), buffer, callback, script: null };
    this._queue.push(entry);
    return this;
  }

  _script(script, args, buffer) {
    const argv = script.numberOfKeys === null ? args : [script.numberOfKeys, ...args];
    this._queue.push({ name: 'evalsha', args: normalizeArgs(argv), buffer, callback: undefined, script });
    return this;
  }

  /** `[[name, ...args], …]` added as commands. */
  addBatch(commands) {
    for (const [name, ...args] of commands) this[name](...args);
    return this;
  }

  /** MULTI inside a plain pipeline (ioredis allows `pipeline().multi()...exec()`). */
  multi() {
    this._transactions++;
    return this._command('multi', [], false);
  }

  /** Runs the queue; resolves with `[err, value][]` (or, for multi(), the EXEC results). */
  exec(callback) {
    if (this._transactions > 0) {
      this._transactions--;
      return this._command('exec', [], false);
    }
    if (this._executed) {
      if (this._transaction) {
        return asCallback(
          Promise.reject(
            new Error('Pipeline cannot be used to send any commands when the `exec()` has been called on it.'),
          ),
          callback,
        );
      }
      return asCallback(this.promise, callback);
    }
    this._executed = true;
    if (this._transaction) this._command('exec', [], false);
    const redis = this.redis;
    const run = () => this._run().then(this._resolve, this._reject);
    if (redis.status === 'ready') run();
    else if (redis.status === 'end') this._reject(new Error(CONNECTION_CLOSED));
    else {
      if (redis.status === 'wait') redis.connect().catch(noop);
      redis._offlineQueue.push({ run, reject: this._reject });
    }
    const result = this._transaction ? this.promise.then((results) => unwrapTransaction(results)) : this.promise;
    return asCallback(result, callback);
  }

  /**
   * Runs each queued command through the connection, in order. All are issued at once (synchronously
   * in the engine unless one has to wait, then the rest queue behind it), then their replies collected.
   */
  async _run() {
    const redis = this.redis;
    const pending = new Array(this._queue.length);
    for (let i = 0; i < this._queue.length; i++) {
      const entry = this._queue[i];
      if (!entry.script && redis._batchable(entry.name.toLowerCase())) {
        // Plain commands: many in one crossing; one that would block runs below, on its own.
        const next = redis._runBatch(this._queue, i, pending);
        if (next > i) {
          i = next - 1;
          continue;
        }
      }
      let promise;
      if (entry.script) {
        const script = entry.script;
        const client = redis._client;
        if (client && !script.loadedOn.has(client)) {
          script.loadedOn.add(client);
          promise = redis._command('eval', [script.lua, ...entry.args], entry.buffer);
        } else {
          promise = redis._command('evalsha', [script.sha, ...entry.args], entry.buffer);
          if (!redis._inMulti) {
            promise = promise.catch((err) => {
              if (!String(err.message).includes('NOSCRIPT')) throw err;
              return redis._command('eval', [script.lua, ...entry.args], entry.buffer);
            });
          }
        }
      } else if (redis.status === 'ready' && redis._sending === 0) {
        // The common case: run now, no promise per command (entry.args were normalized when queued).
        const settled = redis._runSync(entry.name, entry.args, entry.buffer);
        if (settled !== ASYNC) {
          pending[i] = settled;
          continue;
        }
        promise = redis._runAsync(entry.name, entry.name.toLowerCase(), redis._lastArgs, entry.buffer);
      } else {
        promise = redis._command(entry.name, entry.args, entry.buffer);
      }
      pending[i] = promise.then(settledOk, settledErr);
    }
    const results = await Promise.all(pending);
    // EXEC's replies get each queued command's reply transform (HGETALL → object), as ioredis does.
    for (let i = 0; i < this._queue.length; i++) {
      const entry = this._queue[i];
      const value = results[i];
      if (entry.name === 'exec' && !value[0] && Array.isArray(value[1])) {
        const replies = value[1];
        for (let j = 0; j < replies.length; j++) {
          const cmd = this._queue[i - (replies.length - j)];
          const transform = cmd && REPLY_TRANSFORMERS[cmd.name];
          if (transform && !(replies[j] instanceof Error)) replies[j] = transform(replies[j]);
        }
      }
      if (entry.callback) nextTick(entry.callback, value[0] ?? null, value[1]);
    }
    return results;
  }
}

function settledOk(value) {
  return [null, value];
}

function settledErr(err) {
  return [err];
}

function unwrapTransaction(results) {
  const execResult = results[results.length - 1];
  if (execResult[0]) {
    execResult[0].previousErrors = [];
    for (let i = 0; i < results.length - 1; i++) {
      if (results[i][0]) execResult[0].previousErrors.push(results[i][0]);
    }
    throw execResult[0];
  }
  return wrapMultiResult(execResult[1]);
}

export default Redis;
