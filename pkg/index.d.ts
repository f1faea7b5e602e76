/**
 * ferrokey: a Valkey-compatible key-value engine in WebAssembly, in-process, for Node ≥ 20 and browsers.
 *
 * ```js
 * import { createStore } from 'ferrokey';
 * const store = await createStore();            // real clock; or { clock: 'manual', now: 0 }
 * const a = store.connect(), b = store.connect(); // two connections to one server
 * a.call('SET', 'k', 'v');                       // 'OK'
 * b.call('GET', 'k');                            // 'v'
 * const popped = b.send('BLPOP', 'q', 0);        // a promise: resolved by another client's write
 * a.call('RPUSH', 'q', 'x');
 * await popped;                                  // ['q', 'x']
 * ```
 *
 * # How replies map to JS values
 * | reply                         | RESP2 client (default)         | RESP3 client (`protocol: 3`)   |
 * |-------------------------------|--------------------------------|--------------------------------|
 * | simple string (`+OK`)         | string                         | string                         |
 * | bulk string                   | string (UTF-8), or Uint8Array in the `*Buffer` variants          ||
 * | integer                       | number; BigInt beyond ±(2^53-1)                                  ||
 * | null (`$-1`, `*-1`, `_`)      | null                           | null                           |
 * | array                         | Array                          | Array                          |
 * | map                           | flat Array [k1, v1, k2, v2 …]  | Map                            |
 * | set                           | Array                          | Set                            |
 * | double                        | string (as the server sends)   | number (±Infinity, NaN)        |
 * | boolean                       | number 1 / 0                   | boolean                        |
 * | big number                    | string                         | BigInt                         |
 * | verbatim string               | string (the text)              | string (the text, no `txt:`)   |
 * | error reply (top level)       | thrown as {@link ReplyError}                                     ||
 * | error inside an array (EXEC, scripts) | a {@link ReplyError} instance in the array               ||
 *
 * A RESP2 client sees exactly what a RESP2 client of Valkey sees (ioredis, node-redis default);
 * a RESP3 client gets the richer types.
 *
 * # Pub/sub
 * After SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE, messages published by any client of the store (and
 * keyspace notifications, which are pub/sub messages on `__keyspace@<db>__:<key>` and
 * `__keyevent@<db>__:<event>`) go to the client's `message`, `pmessage` and `smessage` listeners,
 * after the reply of the command that published them. A RESP2 client in subscribed mode may only run
 * (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET, as in Valkey; a RESP3 client may run anything.
 *
 * # Time
 * With the real clock (default), TTLs follow `Date.now()`, and a JS timer (unref'd in Node: it never keeps
 * the process alive) runs the active-expiry cycle and blocked clients' timeouts. With the manual clock,
 * time moves only through `store.clock.advance(ms)` / `store.clock.set(ms)`, which also run expiry and
 * blocking timeouts at once: tests of TTLs and BLPOP timeouts take no real time and are deterministic.
 *
 * @module
 */

/** A command argument. Numbers and bigints are sent as their decimal text. */
export type Arg = string | number | bigint | Uint8Array;

/** A reply converted to JS (see the module doc's table). `B` is the bulk-string type. */
export type Reply<B = string> =
  | B
  | string
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | Reply<B>[]
  | Map<Reply<B>, Reply<B>>
  | Set<Reply<B>>;

/** Options of {@link createStore}. */
export interface StoreOptions {
  /** `'real'` (default): `Date.now()`. `'manual'`: time moves only through `store.clock`. */
  clock?: 'real' | 'manual';
  /** Manual clock: the start time in unix milliseconds (default 0). Ignored by the real clock. */
  now?: number;
  /**
   * Seed of the engine's random numbers (SPOP, SRANDMEMBER, RANDOMKEY, HRANDFIELD, math.random in
   * scripts …): two stores with the same seed and the same commands give the same replies.
   * Default: a random seed from `crypto.getRandomValues`.
   */
  seed?: number | bigint;
  /**
   * Configuration, as in valkey.conf / CONFIG SET: `{ 'notify-keyspace-events': 'KEA', hz: '100',
   * 'maxmemory-policy': 'allkeys-lru' }`. An unknown name or a bad value rejects the promise.
   */
  config?: Record<string, string | number>;
  /** Start from this RDB snapshot (from {@link Store.snapshot}, or a dump.rdb written by Valkey/Redis). */
  snapshot?: Uint8Array;
}

/**
 * Creates a store: the engine with its 16 databases, empty or loaded from a snapshot. The first call
 * loads and instantiates the WebAssembly module (Node: read from the package directory; browsers and
 * Vite: fetched next to this file). Rejects with an Error for a bad option or a corrupt snapshot.
 */
export function createStore(opts?: StoreOptions): Promise<Store>;

/**
 * Loads and instantiates the WebAssembly module ahead of the first {@link createStore} (optional).
 * `source` overrides where it comes from: a URL, a Response, bytes, or a compiled WebAssembly.Module
 * (for bundlers or CDNs that move the `.wasm` file).
 */
export function init(source?: URL | string | Response | BufferSource | WebAssembly.Module): Promise<void>;

/** Options of {@link Store.connect}. */
export interface ConnectOptions {
  /** 2 (default) or 3, as after `HELLO 3`. A client may also switch later with `call('HELLO', 3)`. */
  protocol?: 2 | 3;
  /** The connection name (CLIENT SETNAME / CLIENT LIST `name=`). */
  name?: string;
  /** The selected database (default 0), as after SELECT. */
  db?: number;
}

/** The store's clock. */
export interface StoreClock {
  /** True for a manual clock. */
  readonly manual: boolean;
  /** The engine's time in unix milliseconds. */
  now(): number;
  /**
   * Manual clock only (throws a TypeError otherwise): moves time forward by `ms`, then runs the
   * active-expiry cycle and times out blocked clients whose deadline passed (their `send` promises
   * resolve with the timeout reply, e.g. `null` for BLPOP).
   */
  advance(ms: number): void;
  /** Manual clock only (throws a TypeError otherwise): sets the time to `ms` (unix ms), then as advance. */
  set(ms: number): void;
}

/** The engine: 16 databases, shared by every client connected to it. */
export interface Store {
  /** A new connection with its own state: selected db, MULTI, WATCH, subscriptions, protocol, name. */
  connect(opts?: ConnectOptions): Client;
  /**
   * A connection that speaks RESP bytes, for hosts that relay a socket (the base of `serve()`).
   * Output is RESP2 or RESP3 as the connection negotiates with HELLO.
   */
  connectRaw(opts?: RawConnectOptions): RawConnection;
  /** The store's time; movable by hand with the manual clock. */
  readonly clock: StoreClock;
  /**
   * The whole store (every database's keys with their TTLs, and FUNCTION libraries) in the RDB format,
   * as SAVE writes dump.rdb: version 10, which Redis ≥ 7.0 and Valkey load. Pass it to
   * `createStore({ snapshot })`, or give it to a server as its dump.rdb.
   */
  snapshot(): Uint8Array;
  /** Disconnects every client (pending `send` promises reject) and stops the store's timer. */
  close(): void;
  /** True after {@link Store.close}. */
  readonly closed: boolean;
}

/** Events a {@link Client} emits, with their listeners' arguments. */
export interface ClientEvents<B = string> {
  /** A message on a channel this client SUBSCRIBEd to (keyspace notifications included). */
  message: (channel: B, message: B) => void;
  /** A message matching a pattern this client PSUBSCRIBEd to. */
  pmessage: (pattern: B, channel: B, message: B) => void;
  /** A message on a shard channel this client SSUBSCRIBEd to. */
  smessage: (channel: B, message: B) => void;
  /** Any other out-of-band data (RESP3 pushes such as client-side caching `invalidate`). */
  push: (data: Reply<B>[]) => void;
  /** As `message`, with the channel and the payload as they were published: bytes. */
  messageBuffer: (channel: Uint8Array, message: Uint8Array) => void;
  /** As `pmessage`, with the pattern, channel and payload as bytes. */
  pmessageBuffer: (pattern: Uint8Array, channel: Uint8Array, message: Uint8Array) => void;
  /** As `smessage`, with the shard channel and the payload as bytes. */
  smessageBuffer: (channel: Uint8Array, message: Uint8Array) => void;
  /** MONITOR output: one line per command run by any client. */
  monitor: (line: string) => void;
}

/**
 * One connection to a {@link Store}. Commands run synchronously in the engine; `call` returns the reply,
 * `send` returns a promise of it (the way to run blocking commands).
 */
export interface Client {
  /** The CLIENT ID. */
  readonly id: number;
  /** 2 or 3: the protocol in use (changes with HELLO). */
  readonly protocol: 2 | 3;
  /** True after {@link Client.close} or QUIT, or once CLIENT KILL closed this client. */
  readonly closed: boolean;
  /**
   * Runs a command and returns its reply, bulk strings as strings.
   * @throws {ReplyError} when the reply is an error (`err.code` is `'ERR'`, `'WRONGTYPE'`, …).
   * @throws {Error} when the command would block (BLPOP on an empty list…): use {@link Client.send}.
   *   The command is then cancelled, as if it had never been sent. Also when commands sent with
   *   `send` are still waiting on this client, or the client is closed.
   *
   * (P|S)SUBSCRIBE and (P|S)UNSUBSCRIBE reply with one confirmation per channel: `call` returns the
   * array of them, e.g. `[['subscribe', 'a', 1], ['subscribe', 'b', 2]]`.
   */
  call(command: string | Uint8Array, ...args: Arg[]): Reply;
  /** As {@link Client.call}, with bulk strings as Uint8Array. */
  callBuffer(command: string | Uint8Array, ...args: Arg[]): Reply<Uint8Array>;
  /**
   * Runs several commands in order, in one step into the engine (the fast way to run a batch), and
   * returns their replies. Error replies are {@link ReplyError} values in the result, not thrown.
   * `{ buffers: true }` gives bulk strings as Uint8Array.
   * @throws {Error} when a command would block: it and the commands after it do not run (the ones
   *   before it did).
   */
  callMany(commands: (string | Uint8Array | Arg)[][], opts?: { buffers?: boolean }): (Reply | ReplyError)[];
  /**
   * Runs a command; the promise resolves with its reply or rejects with a {@link ReplyError}. A command
   * that blocks (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, WAIT …) resolves when another client's write
   * serves it, or with the timeout reply when its timeout passes (real or manual clock). Commands sent
   * while one is blocked wait behind it and resolve in order, as on a pipelined connection.
   */
  send(command: string | Uint8Array, ...args: Arg[]): Promise<Reply>;
  /** As {@link Client.send}, with bulk strings as Uint8Array. */
  sendBuffer(command: string | Uint8Array, ...args: Arg[]): Promise<Reply<Uint8Array>>;
  /** Adds a listener. Messages are delivered as strings (UTF-8). */
  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): this;
  /** Removes a listener added with `on`. */
  off<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): this;
  /** Disconnects (subscriptions, WATCHes and a blocked command go); pending `send` promises reject. */
  close(): void;
}

/** Options of {@link Store.connectRaw}. */
export interface RawConnectOptions {
  /** The peer's `ip:port`, shown by CLIENT LIST `addr=`. */
  addr?: string;
  /** Our end's `ip:port` (`laddr=`). */
  laddr?: string;
}

/** A connection fed with RESP bytes as read from a socket (inline commands too), answering RESP bytes. */
export interface RawConnection {
  readonly id: number;
  /**
   * Feeds bytes read from the socket; runs every complete command in them and returns the bytes to write
   * back now (possibly empty). Partial commands are kept until the rest arrives.
   */
  write(data: Uint8Array): Uint8Array;
  /**
   * Called with bytes produced outside `write`: pub/sub messages, a blocked command served by another
   * connection or timed out, MONITOR lines.
   */
  ondata: ((data: Uint8Array) => void) | null;
  /**
   * Called once when the engine wants the connection closed after its output is written (QUIT,
   * a protocol error, CLIENT KILL by another connection, the store closing). Also check
   * {@link RawConnection.shouldClose} after each `write`.
   */
  onclose: (() => void) | null;
  /** True once the output written so far should be the last (QUIT, protocol error, CLIENT KILL). */
  readonly shouldClose: boolean;
  /** Forgets the connection (the socket closed). */
  close(): void;
}

/** An error reply: `message` is the whole text (`'WRONGTYPE Operation against a key …'`). */
export class ReplyError extends Error {
  /** The first word of the reply: `'ERR'`, `'WRONGTYPE'`, `'NOSCRIPT'`, `'EXECABORT'`, `'BUSY'` … */
  readonly code: string;
  constructor(message: string);
}
