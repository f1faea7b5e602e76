// Shared by the ioredis / serve tests: a Debian redis-server on a free port, and ways to compare replies.
// (Not a test file itself: it only exports.)

import { spawn } from 'node:child_process';
import net from 'node:net';

/** A port nothing listens on right now. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port, deadlineMs) {
  while (Date.now() < deadlineMs) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

/**
 * Starts `redis-server` (Debian's, the reference for these tests) on a free loopback port, with no
 * persistence. Returns `{ port, stop() }`; stop() kills it.
 */
export async function startRedisServer() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', (err) => {
    throw new Error(`cannot start redis-server (apt-get install redis-server): ${err.message}`);
  });
  await waitForPort(port, Date.now() + 10_000);
  return {
    port,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A reply or error made comparable across the two clients (errors by name and message). */
export function comparable(value) {
  if (value instanceof Error) {
    return { error: value.name, message: value.message };
  }
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof globalThis.Buffer === 'function' && Buffer.isBuffer(value)) return { buffer: value.toString('hex') };
  if (value && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value)) out[k] = comparable(value[k]);
    return out;
  }
  return value;
}

/** Runs `fn` and returns its result, or the error it threw, comparable. */
export async function settle(fn) {
  try {
    return comparable(await fn());
  } catch (err) {
    return comparable(err);
  }
}

/** Resolves when `emitter` has emitted `event` `count` times; with the argument lists. */
export function collect(emitter, event, count) {
  const seen = [];
  return new Promise((resolve) => {
    const on = (...args) => {
      seen.push(args.map(comparable));
      if (seen.length === count) {
        emitter.off(event, on);
        resolve(seen);
      }
    };
    emitter.on(event, on);
  });
}
