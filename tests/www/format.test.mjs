// format.test.mjs: the console's formatting (www/format.js, www/resp.js) against redis-cli's own, byte for
// byte. The same commands go to Debian's redis-server (printed by `redis-cli --no-raw`, its terminal
// format, the same code as valkey-cli's) and to the package's engine over a raw RESP connection
// (printed by format.js). Also splitArgs against the quoting rules of valkey-cli's sdssplitargs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createStore } from '../../pkg/node.js';
import { RespParser, encodeCommand } from '../../www/resp.js';
import { formatReplyText, formatReplyRaw, printsRaw, splitArgs } from '../../www/format.js';

const REDIS = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const CLI = process.env.REDIS_CLI ?? '/usr/bin/redis-cli';
const skip = !existsSync(REDIS) || !existsSync(CLI) ? 'no redis-server / redis-cli' : false;

// Commands whose replies Redis 7.0 and ferrokey agree on, covering every reply shape.
const SCRIPT = [
  ['SET', 'k', 'v'],
  ['GET', 'k'],
  ['GET', 'missing'],
  ['INCR', 'n'],
  ['INCRBYFLOAT', 'f', '1.5'],
  ['SET', 'weird', 'a"b\\c\n\r\t\x07\x08 é\x01'],
  ['GET', 'weird'],
  ['SET', 'empty', ''],
  ['GET', 'empty'],
  ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'],
  ['LRANGE', 'l', '0', '-1'],
  ['LRANGE', 'l', '100', '200'],
  ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
  ['HGET', 'h', 'f1'],
  ['INCR', 'h'],
  ['ZADD', 'z', '1', 'a', '2.5', 'b'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
  ['EVAL', "return {1, {2, {'x', {}}}, 'z', false, {err='boom'}}", '0'],
  ['EVAL', "return {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, {11, 12}}", '0'],
  ['EVAL', "return redis.error_reply('MYERR custom')", '0'],
  ['EVAL', "return {ok='FINE'}", '0'],
  ['MGET', 'k', 'missing', 'n'],
  ['TYPE', 'z'],
  ['PING'],
  ['ECHO', 'hi there'],
];

let port;
let server;
let store;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  if (skip) return;
  port = 17000 + ((await freePort()) % 1000);
  server = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync(CLI, ['-p', String(port), 'PING'], { stdio: 'pipe' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  store = await createStore({ clock: 'manual', now: 1000, seed: 1 });
});

after(() => {
  server?.kill();
  store?.close();
});

test('replies print exactly as redis-cli prints them', { skip }, () => {
  const raw = store.connectRaw();
  const parser = new RespParser();
  for (const args of SCRIPT) {
    let expected;
    try {
      expected = execFileSync(CLI, ['-p', String(port), '--no-raw', ...args], { encoding: 'latin1', stdio: 'pipe' });
    } catch (e) {
      expected = e.stdout; // redis-cli exits 1 after an error reply
    }
    const replies = parser.feed(raw.write(encodeCommand(args)));
    assert.equal(replies.length, 1, args.join(' '));
    assert.equal(formatReplyText(replies[0]), expected, args.join(' '));
  }
});

test('replies split across chunks parse once complete', () => {
  const parser = new RespParser();
  const bytes = new TextEncoder().encode('*2\r\n$3\r\nfoo\r\n:42\r\n+OK\r\n');
  let got = [];
  for (let i = 0; i < bytes.length; i++) got = got.concat(parser.feed(bytes.subarray(i, i + 1)));
  assert.deepEqual(got.map(formatReplyText), ['1) "foo"\n2) (integer) 42\n', 'OK\n']);
});

test('typed lines split into arguments as valkey-cli splits them', () => {
  const text = (line) => splitArgs(line)?.map((b) => new TextDecoder().decode(b));
  assert.deepEqual(text('SET  k   v'), ['SET', 'k', 'v']);
  assert.deepEqual(text('SET k "hello world"'), ['SET', 'k', 'hello world']);
  assert.deepEqual(text(`SET k "a\\"b\\n\\x41"`), ['SET', 'k', 'a"b\nA']);
  assert.deepEqual(text(`SET k 'it\\'s \\n'`), ['SET', 'k', "it's \\n"]);
  assert.deepEqual(text('SET k ""'), ['SET', 'k', '']);
  assert.deepEqual([...splitArgs('"\\xff"')[0]], [0xff]);
  assert.equal(splitArgs('GET "unclosed'), null);
  assert.equal(splitArgs('GET "a"b'), null);
  assert.deepEqual(text('   '), []);
});

test('INFO, CLIENT LIST and the like print raw, as valkey-cli prints them', () => {
  assert.equal(printsRaw(['info']), true);
  assert.equal(printsRaw(['CLIENT', 'LIST']), true);
  assert.equal(printsRaw(['LATENCY', 'DOCTOR']), true);
  assert.equal(printsRaw(['CLIENT', 'ID']), false);
  assert.equal(printsRaw(['GET', 'info']), false);
  const bulk = { type: 'bulk', value: new TextEncoder().encode('# Server\r\nx:1\r\n') };
  assert.equal(formatReplyRaw(bulk), '# Server\r\nx:1\r\n');
  assert.equal(formatReplyRaw({ type: 'array', value: [bulk, { type: 'integer', value: '7' }] }), '# Server\r\nx:1\r\n\n7');
});
