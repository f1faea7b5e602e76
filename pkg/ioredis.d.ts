/**
 * An ioredis-compatible client over the in-process engine.
 *
 * ```js
 * import Redis from 'ferrokey/ioredis';
 * const redis = new Redis();                 // the process-wide default store
 * await redis.set('k', 'v');
 * await redis.hset('h', { a: '1' });
 * await redis.hgetall('h');                  // { a: '1' }
 * const [[, n]] = await redis.multi().incr('n').exec();
 * ```
 *
 * Every command the engine's COMMAND table lists is a method, in lower case (as in ioredis) and in
 * upper case, each with an `xxxBuffer` twin whose bulk replies are Buffers (Uint8Arrays in browsers).
 * Every method returns a promise and also takes a node-style callback as its last argument. Replies are
 * RESP2 as ioredis shapes them: integers as numbers, bulk and simple strings as strings, HGETALL as an
 * object.
 *
 * As a test fake (this module is ESM with top-level await, so it is imported, not required):
 * Vitest `vi.mock('ioredis', () => import('ferrokey/ioredis'))`; Jest in ESM mode
 * `jest.unstable_mockModule('ioredis', () => import('ferrokey/ioredis'))`. Clients made with
 * `new Redis()` share one store per process, as clients of one server would (FLUSHALL between tests);
 * `new Redis({ store })` puts a client on a store of your own (two clients on one store see the same data).
 *
 * @module
 */

import type { Store } from './index.js';

export type RedisKey = string | Uint8Array;
export type RedisValue = string | number | bigint | Uint8Array;
export type Callback<T> = (err: Error | null, result?: T) => void;

/** ioredis's error for an error reply: `message` is the whole reply text. */
export class ReplyError extends Error {
  readonly name: 'ReplyError';
  /** The first word of the reply: 'ERR', 'WRONGTYPE', 'NOSCRIPT', 'EXECABORT' … */
  readonly code: string;
  /** The command that failed, as ioredis records it. */
  command?: { name: string; args: (string | Uint8Array)[] };
  /** For an EXECABORT from a multi(): the queueing errors that caused it. */
  previousErrors?: Error[];
  constructor(message: string);
}

export interface RedisOptions {
  /** The store to run on (or a promise of one); by default the process-wide store. */
  store?: Store | Promise<Store>;
  /** The database selected at connect (default 0). */
  db?: number;
  /** Prefix added to every key argument (found from the command table's key positions). */
  keyPrefix?: string;
  /** Don't connect until the first command or `connect()`; status starts as 'wait'. */
  lazyConnect?: boolean;
  /** CLIENT SETNAME at connect. */
  connectionName?: string;
  /** Queue commands sent before 'ready' (default true); false rejects them. */
  enableOfflineQueue?: boolean;
  /** Scripts defined at construction, as with defineCommand. */
  scripts?: Record<string, ScriptDefinition>;
  /** Accepted and ignored (there is no network): host, port, password … */
  [option: string]: unknown;
}

export interface ScriptDefinition {
  lua: string;
  numberOfKeys?: number;
  readOnly?: boolean;
}

export type RedisStatus = 'wait' | 'connecting' | 'connect' | 'ready' | 'close' | 'end';

/** A Node Readable in object mode (declared here so these types need no @types/node): batches of keys. */
export interface ScanStream extends AsyncIterable<string[]> {
  on(event: 'data', listener: (batch: string[]) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  pause(): this;
  resume(): this;
  destroy(err?: Error): this;
}

/** `[error]` or `[null, value]` for each command of a pipeline or transaction. */
export type PipelineResult = [error: Error | null, result: unknown][];

declare class Commander {
  /** The builtin commands (lower case), from the engine's COMMAND table. */
  getBuiltinCommands(): string[];
  /** A `{ string, buffer }` pair of methods running `commandName`. */
  createBuiltinCommand(commandName: string): {
    string: (...args: unknown[]) => unknown;
    buffer: (...args: unknown[]) => unknown;
  };
  /** Adds `commandName` / `commandNameBuffer` methods for a command the table lacks. */
  addBuiltinCommand(commandName: string): void;
  /** Any command by name. */
  call(command: string, ...args: (RedisValue | RedisValue[] | Callback<unknown>)[]): Promise<unknown>;
  /** Any command by name, bulk replies as Buffer. */
  callBuffer(command: string, ...args: (RedisValue | RedisValue[] | Callback<unknown>)[]): Promise<unknown>;
  /** Every other command of the table, and defineCommand's: `redis.zadd(...)`, `redis.getBuffer(...)`. */
  [command: string]: any;
}

export class Pipeline extends Commander {
  readonly redis: Redis;
  readonly isPipeline: true;
  /** Commands queued so far. */
  readonly length: number;
  /** Runs the queued commands: `[err, value][]`; for `multi()`, EXEC's results (rejects on EXECABORT). */
  exec(callback?: Callback<PipelineResult | null>): Promise<PipelineResult | null>;
  /** `[[name, ...args], …]` queued as commands. */
  addBatch(commands: unknown[][]): this;
}

export class Redis extends Commander {
  static readonly Redis: typeof Redis;
  static readonly ReplyError: typeof ReplyError;
  static readonly default: typeof Redis;
  static createClient(...args: unknown[]): Redis;

  constructor(options?: RedisOptions);
  constructor(port: number, options?: RedisOptions);
  constructor(port: number, host: string, options?: RedisOptions);
  constructor(url: string, options?: RedisOptions);

  readonly options: RedisOptions & { db: number; keyPrefix: string };
  /** wait → connecting → connect → ready → close → end, with an event of each name. */
  readonly status: RedisStatus;
  /** 'subscriber' after (P|S)SUBSCRIBE until every subscription is gone; 'normal' otherwise. */
  readonly mode: 'normal' | 'subscriber';
  /** The store once connected. */
  readonly store: Store | null;

  /** Connects (automatic unless `lazyConnect`); resolves when ready. */
  connect(callback?: Callback<void>): Promise<void>;
  /** Closes now: status 'end', later commands reject with 'Connection is closed.'. */
  disconnect(reconnect?: boolean): void;
  /** Deprecated alias of disconnect(). */
  end(): void;
  /** Replies 'OK' once earlier commands are done, then closes. */
  quit(callback?: Callback<'OK'>): Promise<'OK'>;
  /** A new client with the same options, on the same store. */
  duplicate(override?: Partial<RedisOptions>): Redis;
  /** Adds `name(...keys, ...args)` / `nameBuffer(...)` running `lua` (EVALSHA, EVAL on NOSCRIPT). */
  defineCommand(name: string, definition: ScriptDefinition): void;
  pipeline(commands?: unknown[][]): Pipeline;
  multi(options?: { pipeline?: boolean }): Pipeline;
  multi(commands?: unknown[][], options?: { pipeline?: boolean }): Pipeline;
  /** EXEC after `multi({ pipeline: false })`. */
  exec(callback?: Callback<PipelineResult | null>): Promise<PipelineResult | null>;

  /** Readable stream (Node) of SCAN batches: arrays of keys. */
  scanStream(options?: { match?: string; count?: number; type?: string }): ScanStream;
  sscanStream(key: RedisKey, options?: { match?: string; count?: number }): ScanStream;
  hscanStream(
    key: RedisKey,
    options?: { match?: string; count?: number; noValues?: boolean },
  ): ScanStream;
  zscanStream(key: RedisKey, options?: { match?: string; count?: number }): ScanStream;

  on(event: 'message', listener: (channel: string, message: string) => void): this;
  on(event: 'messageBuffer', listener: (channel: Uint8Array, message: Uint8Array) => void): this;
  on(event: 'pmessage', listener: (pattern: string, channel: string, message: string) => void): this;
  on(event: 'pmessageBuffer', listener: (pattern: string, channel: Uint8Array, message: Uint8Array) => void): this;
  on(event: 'smessage', listener: (channel: string, message: string) => void): this;
  on(event: 'smessageBuffer', listener: (channel: Uint8Array, message: Uint8Array) => void): this;
  on(event: RedisStatus | 'error', listener: (arg?: unknown) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  off(event: string | symbol, listener: (...args: any[]) => void): this;
  removeListener(event: string | symbol, listener: (...args: any[]) => void): this;
  removeAllListeners(event?: string | symbol): this;
  emit(event: string | symbol, ...args: any[]): boolean;
  listenerCount(event: string | symbol): number;
}

/** The process-wide store that `new Redis()` uses when given no `store`. */
export function getDefaultStore(): Promise<Store>;

export default Redis;
