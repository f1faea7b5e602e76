// serve(): a RESP server on node:net backed by the wasm engine, driven by real clients over TCP:
// the ioredis and redis (node-redis) packages, redis-cli and redis-py in child processes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import { createClient } from 'redis';
import { serve } from '../serve.js';
import { createStore } from '../index.js';

const run = promisify(execFile);

let server;
before(async () => {
  server = await serve({ port: 0 });
});
after(async () => {
  await server?.close();
});

const clients = [];
function ioredis(opts = {}) {
  const c = new IORedis({ port: server.port, host: '127.0.0.1', ...opts });
  clients.push(c);
  return c;
}
after(() => {
  for (const c of clients) c.disconnect();
});

test('serve_listens_on_a_free_loopback_port', () => {
  assert.ok(server.port > 0);
  assert.equal(server.host, '127.0.0.1');
});

test('serve_real_ioredis_runs_commands_and_pipelines', async () => {
  const r = ioredis();
  await r.flushall();
  assert.equal(await r.set('k', 'v'), 'OK');
  assert.equal(await r.get('k'), 'v');
  assert.equal(await r.incrby('n', 41), 41);
  assert.equal(await r.hset('h', { a: '1', b: '2' }), 2);
  assert.deepEqual(await r.hgetall('h'), { a: '1', b: '2' });
  assert.deepEqual(await r.getBuffer('k'), Buffer.from('v'));
  const big = 'x'.repeat(200_000); // many TCP reads for one command
  assert.equal(await r.set('big', big), 'OK');
  assert.equal(await r.get('big'), big);
  const pipe = r.pipeline();
  for (let i = 0; i < 500; i++) pipe.incr('counter');
  const results = await pipe.exec();
  assert.equal(results.length, 500);
  assert.deepEqual(results[499], [null, 500]);
  assert.deepEqual(await r.multi().set('m', '1').incr('m').exec(), [
    [null, 'OK'],
    [null, 2],
  ]);
  const err = await r.lpush('k', 'x').catch((e) => e);
  assert.equal(err.message, 'WRONGTYPE Operation against a key holding the wrong kind of value');
  r.defineCommand('double', { numberOfKeys: 1, lua: "return redis.call('INCRBY', KEYS[1], ARGV[1]) * 2" });
  assert.equal(await r.double('d', 5), 10);
  assert.equal(await r.double('d', 5), 20); // EVALSHA this time
});

test('serve_real_ioredis_pubsub_between_two_sockets', async () => {
  const sub = ioredis();
  const pub = ioredis();
  assert.equal(await sub.subscribe('chan'), 1);
  assert.equal(await sub.psubscribe('p.*'), 2);
  const got = new Promise((resolve) => {
    const seen = [];
    sub.on('message', (c, m) => seen.push(['message', c, m]) === 2 && resolve(seen));
    sub.on('pmessage', (p, c, m) => seen.push(['pmessage', p, c, m]) === 2 && resolve(seen));
  });
  assert.equal(await pub.publish('chan', 'hello'), 1);
  assert.equal(await pub.publish('p.x', 'pat'), 1);
  assert.deepEqual(await got, [
    ['message', 'chan', 'hello'],
    ['pmessage', 'p.*', 'p.x', 'pat'],
  ]);
});

test('serve_real_ioredis_blocking_pop_served_by_another_socket', async () => {
  const a = ioredis();
  const b = ioredis();
  await a.del('q');
  const popped = a.blpop('q', 0);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(await b.rpush('q', 'job'), 1);
  assert.deepEqual(await popped, ['q', 'job']);
  assert.equal(await a.blpop('q', 0.05), null);
});

test('serve_real_ioredis_quit_closes_the_socket', async () => {
  const r = ioredis();
  assert.equal(await r.quit(), 'OK');
  await new Promise((resolve) => (r.status === 'end' ? resolve() : r.once('end', resolve)));
  assert.equal(r.status, 'end');
});

test('serve_node_redis_client_resp2_and_resp3', async () => {
  for (const RESP of [2, 3]) {
    const c = createClient({ url: `redis://127.0.0.1:${server.port}`, RESP });
    c.on('error', () => {});
    await c.connect();
    try {
      assert.equal(await c.set(`nr${RESP}`, 'v'), 'OK');
      assert.equal(await c.get(`nr${RESP}`), 'v');
      await c.hSet(`nh${RESP}`, { f1: 'a', f2: 'b' });
      const all = await c.hGetAll(`nh${RESP}`);
      assert.deepEqual({ ...all }, { f1: 'a', f2: 'b' });
      assert.deepEqual(await c.multi().incr(`nc${RESP}`).incr(`nc${RESP}`).exec(), [1, 2]);
      await c.zAdd(`nz${RESP}`, [
        { score: 1.5, value: 'a' },
        { score: 2, value: 'b' },
      ]);
      assert.deepEqual(await c.zRange(`nz${RESP}`, 0, -1), ['a', 'b']);
      assert.equal(await c.zScore(`nz${RESP}`, 'a'), 1.5);
      const sub = c.duplicate();
      sub.on('error', () => {});
      await sub.connect();
      const message = new Promise((resolve) => sub.subscribe(`nrch${RESP}`, (m, ch) => resolve([ch, m])));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(await c.publish(`nrch${RESP}`, 'hi'), 1);
      assert.deepEqual(await message, [`nrch${RESP}`, 'hi']);
      await sub.quit();
    } finally {
      await c.quit();
    }
  }
});

test('serve_shares_a_store_with_in_process_clients', async () => {
  const store = await createStore();
  const shared = await serve({ port: 0, store });
  try {
    const local = store.connect();
    local.call('SET', 'from-js', 'local');
    const r = new IORedis({ port: shared.port, host: '127.0.0.1' });
    assert.equal(await r.get('from-js'), 'local');
    await r.set('from-socket', 'remote');
    assert.equal(local.call('GET', 'from-socket'), 'remote');
    r.disconnect();
  } finally {
    await shared.close();
  }
  assert.equal(store.closed, false); // a store passed in stays open
  store.close();
});

test('serve_redis_cli_child_process', async () => {
  const cli = (...args) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), ...args]);
  assert.equal((await cli('PING')).stdout.trim(), 'PONG');
  await cli('SET', 'cli-key', 'cli value');
  assert.equal((await cli('GET', 'cli-key')).stdout.trim(), 'cli value');
  assert.equal((await cli('--no-raw', 'INCR', 'cli-n')).stdout.trim(), '(integer) 1');
});

test('serve_redis_py_child_process', async (t) => {
  try {
    await run('python3', ['-c', 'import redis']);
  } catch {
    t.skip('redis-py not installed (python3 -m pip install redis)');
    return;
  }
  const script = `
import redis, sys
for proto in (2, 3):
    r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]), protocol=proto, decode_responses=True)
    r.set('py', 'thon')
    assert r.get('py') == 'thon'
    r.hset('pyh', mapping={'a': '1'})
    assert r.hgetall('pyh') == {'a': '1'}, r.hgetall('pyh')
    p = r.pipeline()
    p.incr('pyn'); p.incr('pyn')
    assert p.execute()[-1] >= 2
    r.close()
print('ok')
`;
  const { stdout } = await run('python3', ['-c', script, String(server.port)]);
  assert.equal(stdout.trim(), 'ok');
});

test('serve_inline_commands_and_protocol_errors_over_a_raw_socket', async () => {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let data = '';
  socket.on('data', (chunk) => (data += chunk));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write('PING\r\n');
  socket.write('*1\r\n$4\r\nPI');
  await new Promise((resolve) => setTimeout(resolve, 20));
  socket.write('NG\r\n');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(data, '+PONG\r\n+PONG\r\n');
  socket.write('*1\r\n$x\r\n'); // malformed: an error, then the server closes
  await closed;
  assert.match(data, /-ERR Protocol error: invalid bulk length\r\n$/);
});

test('serve_close_stops_listening_and_drops_connections', async () => {
  const s = await serve({ port: 0 });
  const r = new IORedis({ port: s.port, host: '127.0.0.1', retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on('error', () => {});
  assert.equal(await r.ping(), 'PONG');
  const ended = new Promise((resolve) => r.once('end', resolve));
  await s.close();
  await ended;
  await assert.rejects(
    () =>
      new Promise((resolve, reject) => {
        const c = net.connect(s.port, '127.0.0.1');
        c.once('connect', () => resolve(c.destroy()));
        c.once('error', reject);
      }),
  );
});
