// Node only: a real RESP server on node:net, backed by the in-process engine, so any Redis/Valkey client
// (ioredis, node-redis, iovalkey, redis-py or redis-cli in a child process) can connect in a test.
//
// Each socket gets a raw connection of the store (`store.connectRaw`): the bytes read are fed to the
// engine's own RESP decoder, and what it answers is written back. Bytes the engine produces between
// reads (pub/sub messages, a blocked command served by another client) arrive through `ondata`.

import net from 'node:net';
import { createStore } from './index.js';

/**
 * Starts a server. `store`: a store (or a promise of one) to serve; by default a new one, closed with
 * the server. Resolves once listening, with the bound port.
 */
export async function serve(options = {}) {
  const { port = 0, host = '127.0.0.1' } = options;
  const ownStore = options.store === undefined;
  const store = ownStore ? await createStore() : await options.store;
  const sockets = new Set();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const conn = store.connectRaw({
      addr: `${socket.remoteAddress}:${socket.remotePort}`,
      laddr: `${socket.localAddress}:${socket.localPort}`,
    });
    let ending = false;
    // The engine asked to close (QUIT, protocol error, CLIENT KILL): write what is pending, then end.
    const endSocket = () => {
      if (ending) return;
      ending = true;
      socket.end();
    };
    conn.ondata = (bytes) => {
      if (!ending && !socket.destroyed) socket.write(bytes);
    };
    conn.onclose = endSocket;
    socket.on('data', (chunk) => {
      if (ending) return;
      const out = conn.write(chunk);
      if (out.length > 0) socket.write(out);
      if (conn.shouldClose) endSocket();
    });
    socket.on('close', () => {
      sockets.delete(socket);
      conn.close();
    });
    // A reset by the peer is the client's business; the 'close' that follows cleans up.
    socket.on('error', () => {});
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closed = null;
  return {
    port: server.address().port,
    host,
    store,
    /** Stops listening, drops every connection, and closes the store if serve() created it. */
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        if (ownStore) store.close();
      });
      return closed;
    },
  };
}

export default serve;
