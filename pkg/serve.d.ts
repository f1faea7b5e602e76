/**
 * Node only: a RESP server on a loopback port inside this process, backed by the wasm engine, so any
 * client (ioredis, node-redis, iovalkey, redis-py or redis-cli in a child process) can connect.
 *
 * ```js
 * import { serve } from 'ferrokey/serve';
 * const server = await serve({ port: 0 });        // a free port
 * const redis = new IORedis(server.port);         // the real ioredis, over TCP
 * await server.close();
 * ```
 *
 * @module
 */

import type { Store } from './index.js';

export interface ServeOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind (default '127.0.0.1'). */
  host?: string;
  /** The store to serve (or a promise of one); by default a new store, closed with the server. */
  store?: Store | Promise<Store>;
}

export interface Server {
  /** The port bound. */
  readonly port: number;
  readonly host: string;
  /** The store served: in-process clients (`store.connect()`) see what the socket clients do. */
  readonly store: Store;
  /** Stops listening, drops every connection, and closes the store if serve() created it. */
  close(): Promise<void>;
}

/** Starts listening; resolves with the bound port. */
export function serve(options?: ServeOptions): Promise<Server>;

export default serve;
