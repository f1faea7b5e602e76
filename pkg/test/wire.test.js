// The fast path (wire.js, crates/wasm/src/frames.rs): callMany, non-ASCII and binary arguments, large
// values that grow wasm memory, and RESP3 replies decoded per protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, ReplyError } from 'ferrokey';

test('callMany runs a batch in order; error replies are values, not thrown', async () => {
  const store = await createStore();
  const c = store.connect();
  const out = c.callMany([['SET', 'a', 1], ['INCR', 'a'], ['LPUSH', 'a', 'x'], ['GET', 'a']]);
  assert.equal(out[0], 'OK');
  assert.equal(out[1], 2);
  assert.ok(out[2] instanceof ReplyError);
  assert.equal(out[2].code, 'WRONGTYPE');
  assert.equal(out[3], '2');
  assert.deepEqual(c.callMany([]), []);
  store.close();
});

test('callMany stops at a blocking command and throws; the commands before it ran', async () => {
  const store = await createStore();
  const c = store.connect();
  assert.throws(() => c.callMany([['SET', 'b', 1], ['BLPOP', 'q', 0], ['SET', 'c', 1]]), /BLPOP blocks/);
  assert.equal(c.call('EXISTS', 'b', 'c'), 1);
  assert.equal(c.call('PING'), 'PONG', 'the blocked command was cancelled');
  store.close();
});

test('non-ASCII, binary and large arguments and replies keep their bytes', async () => {
  const store = await createStore();
  const c = store.connect();
  const text = 'héllo → 世界 🎉'.repeat(3);
  c.call('SET', 'u', text);
  assert.equal(c.call('GET', 'u'), text);
  assert.equal(c.call('STRLEN', 'u'), new TextEncoder().encode(text).length);
  const bin = Uint8Array.from({ length: 256 }, (_, i) => i);
  c.call('SET', 'b', bin);
  assert.deepEqual(c.callBuffer('GET', 'b'), bin);
  const big = 'x'.repeat(3_000_000); // grows wasm memory: views must follow
  c.call('SET', 'big', big);
  assert.equal(c.call('GET', 'big').length, big.length);
  assert.equal(c.call('GET', 'u'), text);
  store.close();
});

test('RESP3 types decode per protocol, including after HELLO switches it', async () => {
  const store = await createStore();
  const c = store.connect();
  c.call('HSET', 'h', 'f', '1.5');
  c.call('ZADD', 'z', '2.5', 'm');
  assert.deepEqual(c.call('HGETALL', 'h'), ['f', '1.5']);
  assert.equal(c.call('ZSCORE', 'z', 'm'), '2.5');
  c.call('HELLO', '3');
  assert.equal(c.protocol, 3);
  assert.deepEqual(c.call('HGETALL', 'h'), new Map([['f', '1.5']]));
  assert.equal(c.call('ZSCORE', 'z', 'm'), 2.5);
  assert.equal(c.call('ZINCRBY', 'z', 'inf', 'm'), Infinity);
  c.call('SET', 'n', '9223372036854775806');
  assert.equal(c.call('INCR', 'n'), 9223372036854775807n);
  store.close();
});

test('messageBuffer events carry binary payloads intact; message events carry text', async () => {
  const store = await createStore();
  const sub = store.connect();
  const pub = store.connect();
  const got = [];
  sub.on('message', (ch, msg) => got.push(['text', ch, msg]));
  sub.on('messageBuffer', (ch, msg) => got.push(['bytes', [...ch], [...msg]]));
  sub.on('pmessageBuffer', (pat, ch, msg) => got.push(['pbytes', [...pat], [...ch], [...msg]]));
  sub.call('SUBSCRIBE', 'ch');
  sub.call('PSUBSCRIBE', 'c*');
  pub.call('PUBLISH', 'ch', Uint8Array.of(0xff, 0, 0x80));
  assert.deepEqual(got, [
    ['text', 'ch', '\ufffd\u0000\ufffd'],
    ['bytes', [99, 104], [0xff, 0, 0x80]],
    ['pbytes', [99, 42], [99, 104], [0xff, 0, 0x80]],
  ]);
  store.close();
});
