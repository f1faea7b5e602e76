// Snapshots cross the wasm/server line: a dump.rdb written by a server loads into a store, and a store's
// snapshot loads into a server. Servers: Debian's redis-server (the format's reference), and ferrokey's own
// server when FERROKEY_SERVER names its binary (tests/js/run.sh sets it when the binary is built).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { createStore } from 'ferrokey';

const REDIS = '/usr/bin/redis-server';
const SERVERS = [
  ['redis-server', REDIS],
  ['ferrokey-server', process.env.FERROKEY_SERVER],
].filter(([, bin]) => bin && existsSync(bin));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts a server in `dir` (loading `dir/dump.rdb` if there); returns { cli, stop }. */
async function startServer(bin, dir) {
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', ''], {
    stdio: 'ignore',
  });
  const cli = (...args) => execFileSync('redis-cli', ['-p', String(port), '--no-raw', ...args.map(String)], { encoding: 'utf8' }).trim();
  const raw = (...args) => execFileSync('redis-cli', ['-p', String(port), ...args.map(String)], { encoding: 'utf8' }).trim();
  for (let i = 0; ; i++) {
    try {
      if (raw('PING') === 'PONG') break;
    } catch {}
    if (i > 100) throw new Error(`${bin} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  return { cli: raw, quoted: cli, stop };
}

/** The same data in every encoding the writer and loaders handle: small (packed) and large. */
const FIELDS = Array.from({ length: 300 }, (_, i) => `f${i}`);
const DATA = [
  ['SET', 'str', 'hello'],
  ['SET', 'int', '12345'],
  ['SET', 'ttl', 'soon', 'EX', '100000'],
  ['RPUSH', 'list', 'a', 'b', '3'],
  ['RPUSH', 'biglist', ...FIELDS],
  ['HSET', 'hash', 'f', 'v'],
  ['HSET', 'bighash', ...FIELDS.flatMap((f) => [f, `v-${f}-${'x'.repeat(70)}`])],
  ['SADD', 'intset', '1', '2', '3'],
  ['SADD', 'set', 'a', 'b'],
  ['SADD', 'bigset', ...FIELDS],
  ['ZADD', 'zset', '1', 'one', '2.5', 'two'],
  ['ZADD', 'bigzset', ...FIELDS.flatMap((f, i) => [i, f])],
];

/** Reads the data back through `run(...args) -> string` and compares. */
function check(run) {
  assert.equal(run('GET', 'str'), 'hello');
  assert.equal(run('GET', 'int'), '12345');
  const ttl = Number(run('TTL', 'ttl'));
  assert.ok(ttl > 99_000 && ttl <= 100_000, `TTL kept: ${ttl}`);
  assert.equal(run('LRANGE', 'list', 0, -1), 'a\nb\n3');
  assert.equal(run('LLEN', 'biglist'), '300');
  assert.equal(run('LINDEX', 'biglist', 299), 'f299');
  assert.equal(run('HGET', 'hash', 'f'), 'v');
  assert.equal(run('HLEN', 'bighash'), '300');
  assert.equal(run('HGET', 'bighash', 'f150'), `v-f150-${'x'.repeat(70)}`);
  assert.equal(run('SISMEMBER', 'intset', 2), '1');
  assert.equal(run('SCARD', 'set'), '2');
  assert.equal(run('SCARD', 'bigset'), '300');
  assert.equal(run('ZSCORE', 'zset', 'two'), '2.5');
  assert.equal(run('ZSCORE', 'bigzset', 'f299'), '299');
  assert.equal(run('GET', 'db7'), 'seven');
}

/** A store's reply as redis-cli prints it in raw mode (arrays one element per line). */
const asText = (v) => (Array.isArray(v) ? v.map(asText).join('\n') : String(v));

for (const [name, bin] of SERVERS) {
  test(`a dump.rdb saved by ${name} loads into a store`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrokey-rdb-'));
    const server = await startServer(bin, dir);
    try {
      for (const cmd of DATA) server.cli(...cmd);
      server.cli('-n', 7, 'SET', 'db7', 'seven');
      assert.equal(server.cli('SAVE'), 'OK');
    } finally {
      await server.stop();
    }
    const store = await createStore({ snapshot: readFileSync(join(dir, 'dump.rdb')) });
    const c = store.connect();
    check((...args) => {
      if (args[1] === 'db7') c.call('SELECT', 7);
      const reply = asText(c.call(...args));
      c.call('SELECT', 0);
      return reply;
    });
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`a store's snapshot loads into ${name}`, async () => {
    const store = await createStore();
    const c = store.connect();
    for (const cmd of DATA) c.call(...cmd);
    c.call('SELECT', 7);
    c.call('SET', 'db7', 'seven');
    const dir = mkdtempSync(join(tmpdir(), 'ferrokey-rdb-'));
    writeFileSync(join(dir, 'dump.rdb'), store.snapshot());
    store.close();
    const server = await startServer(bin, dir);
    try {
      check((...args) => (args[1] === 'db7' ? server.cli('-n', 7, ...args) : server.cli(...args)));
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
