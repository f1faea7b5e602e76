// The direct API (index.d.ts) in Node: reply types, errors, pub/sub, keyspace notifications, blocking,
// scripts, the manual clock, seeds, snapshots, two clients, raw connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, ReplyError } from 'ferrokey';

const bytes = (s) => new TextEncoder().encode(s);
const manual = () => createStore({ clock: 'manual', now: 1_000_000 });

test('reply types in RESP2 are what a RESP2 client of Valkey reads', async () => {
  const store = await createStore();
  const c = store.connect();
  assert.equal(c.protocol, 2);
  assert.equal(c.call('SET', 'k', 'v'), 'OK');
  assert.equal(c.call('GET', 'k'), 'v');
  assert.equal(c.call('GET', 'missing'), null);
  assert.equal(c.call('INCRBY', 'n', 41), 41);
  assert.equal(c.call('INCR', 'n'), 42);
  c.call('HSET', 'h', 'f', 'v', 'g', 'w');
  assert.deepEqual(c.call('HGETALL', 'h'), ['f', 'v', 'g', 'w']);
  c.call('ZADD', 'z', 1.5, 'm');
  assert.equal(c.call('ZSCORE', 'z', 'm'), '1.5');
  assert.deepEqual(c.call('ZRANGE', 'z', 0, -1, 'WITHSCORES'), ['m', '1.5']);
  assert.equal(c.call('PING'), 'PONG');
  store.close();
});

test('reply types in RESP3 are Map, Set, number, boolean and BigInt', async () => {
  const store = await createStore();
  const c = store.connect({ protocol: 3 });
  assert.equal(c.protocol, 3);
  c.call('HSET', 'h', 'f', 'v');
  assert.deepEqual(c.call('HGETALL', 'h'), new Map([['f', 'v']]));
  c.call('SADD', 's', 'a', 'b');
  assert.deepEqual(c.call('SMEMBERS', 's'), new Set(['a', 'b']));
  c.call('ZADD', 'z', 1.5, 'm');
  assert.equal(c.call('ZSCORE', 'z', 'm'), 1.5);
  c.call('ZADD', 'z', 'inf', 'top');
  assert.equal(c.call('ZSCORE', 'z', 'top'), Infinity);
  const hello = c.call('HELLO', 3);
  assert.ok(hello instanceof Map);
  assert.equal(hello.get('proto'), 3);
  store.close();
});

test('HELLO switches a client between RESP2 and RESP3', async () => {
  const store = await createStore();
  const c = store.connect();
  c.call('HSET', 'h', 'f', 'v');
  c.call('HELLO', 3);
  assert.equal(c.protocol, 3);
  assert.ok(c.call('HGETALL', 'h') instanceof Map);
  c.call('HELLO', 2);
  assert.deepEqual(c.call('HGETALL', 'h'), ['f', 'v']);
  store.close();
});

test('integers beyond 2^53 are BigInt', async () => {
  const store = await createStore();
  const c = store.connect();
  c.call('SET', 'n', '9007199254740992');
  assert.equal(c.call('INCR', 'n'), 9007199254740993n);
  assert.equal(c.call('DECRBY', 'n', 2), 9007199254740991);
  assert.equal(c.call('INCRBY', 'big', 2n ** 62n), 2n ** 62n);
  store.close();
});

test('Buffer variants give bulk strings as Uint8Array and binary arguments are kept', async () => {
  const store = await createStore();
  const c = store.connect();
  const bin = new Uint8Array([0, 255, 13, 10, 128]);
  c.call('SET', bytes('bin'), bin);
  assert.deepEqual(c.callBuffer('GET', 'bin'), bin);
  assert.deepEqual(await c.sendBuffer('GET', 'bin'), bin);
  assert.equal(c.callBuffer('SET', 'x', 'y'), 'OK', 'simple strings stay strings');
  c.call('RPUSH', 'l', 'a', bin);
  const [a, b] = c.callBuffer('LRANGE', 'l', 0, -1);
  assert.deepEqual(a, bytes('a'));
  assert.deepEqual(b, bin);
  store.close();
});

test('error replies throw ReplyError with the code and Valkey\'s text', async () => {
  const store = await createStore();
  const c = store.connect();
  c.call('SET', 'k', 'v');
  assert.throws(() => c.call('LPUSH', 'k', 'x'), (e) => {
    assert.ok(e instanceof ReplyError);
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'WRONGTYPE');
    assert.equal(e.message, 'WRONGTYPE Operation against a key holding the wrong kind of value');
    return true;
  });
  assert.throws(() => c.call('NOSUCHCMD', 'a'), {
    name: 'ReplyError',
    code: 'ERR',
    message: "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' ",
  });
  assert.throws(() => c.call('GET'), { message: "ERR wrong number of arguments for 'get' command" });
  await assert.rejects(c.send('INCR', 'k'), { code: 'ERR', message: 'ERR value is not an integer or out of range' });
  store.close();
});

test('an error inside EXEC is a ReplyError in the array; EXECABORT throws', async () => {
  const store = await createStore();
  const c = store.connect();
  c.call('SET', 'k', 'v');
  assert.equal(c.call('MULTI'), 'OK');
  assert.equal(c.call('INCR', 'k'), 'QUEUED');
  assert.equal(c.call('SET', 'j', 1), 'QUEUED');
  const [err, ok] = c.call('EXEC');
  assert.ok(err instanceof ReplyError);
  assert.equal(err.code, 'ERR');
  assert.equal(ok, 'OK');
  c.call('MULTI');
  assert.throws(() => c.call('GET'), { code: 'ERR' });
  assert.throws(() => c.call('EXEC'), { code: 'EXECABORT' });
  store.close();
});

test('two clients share the keyspace but not their connection state', async () => {
  const store = await createStore();
  const a = store.connect({ name: 'alpha' });
  const b = store.connect({ db: 1 });
  assert.notEqual(a.id, b.id);
  a.call('SET', 'k', 'in-0');
  assert.equal(b.call('GET', 'k'), null);
  b.call('SELECT', 0);
  assert.equal(b.call('GET', 'k'), 'in-0');
  assert.equal(a.call('CLIENT', 'GETNAME'), 'alpha');
  assert.equal(a.call('CLIENT', 'ID'), a.id);
  // WATCH: another client's write makes EXEC fail.
  a.call('WATCH', 'k');
  b.call('SET', 'k', 'changed');
  a.call('MULTI');
  a.call('SET', 'k', 'mine');
  assert.equal(a.call('EXEC'), null);
  assert.equal(a.call('GET', 'k'), 'changed');
  store.close();
});

test('pub/sub: channels, patterns and shard channels reach the listeners', async () => {
  const store = await createStore();
  const sub = store.connect();
  const pub = store.connect();
  const got = [];
  sub.on('message', (ch, msg) => got.push(['message', ch, msg]));
  sub.on('pmessage', (pat, ch, msg) => got.push(['pmessage', pat, ch, msg]));
  sub.on('smessage', (ch, msg) => got.push(['smessage', ch, msg]));
  assert.deepEqual(sub.call('SUBSCRIBE', 'a', 'b'), [['subscribe', 'a', 1], ['subscribe', 'b', 2]]);
  assert.deepEqual(sub.call('PSUBSCRIBE', 'n*'), [['psubscribe', 'n*', 3]]);
  assert.deepEqual(sub.call('SSUBSCRIBE', 's'), [['ssubscribe', 's', 1]]);
  // RESP2 subscribed context: only pub/sub commands.
  assert.throws(() => sub.call('GET', 'x'), { code: 'ERR' });
  assert.equal(pub.call('PUBLISH', 'a', 'hello'), 1);
  assert.equal(pub.call('PUBLISH', 'news', 'n1'), 1);
  assert.equal(pub.call('SPUBLISH', 's', 'sh'), 1);
  assert.deepEqual(got, [
    ['message', 'a', 'hello'],
    ['pmessage', 'n*', 'news', 'n1'],
    ['smessage', 's', 'sh'],
  ]);
  assert.deepEqual(sub.call('UNSUBSCRIBE', 'a'), [['unsubscribe', 'a', 2]]);
  assert.equal(pub.call('PUBLISH', 'a', 'again'), 0);
  store.close();
});

test('pub/sub in RESP3: a subscribed client may run any command; off() removes a listener', async () => {
  const store = await createStore();
  const sub = store.connect({ protocol: 3 });
  const got = [];
  const listener = (ch, msg) => got.push(msg);
  sub.on('message', listener);
  sub.call('SUBSCRIBE', 'c');
  assert.equal(sub.call('SET', 'k', 'v'), 'OK');
  sub.call('PUBLISH', 'c', 'to-self');
  store.connect().call('PUBLISH', 'c', 'other');
  sub.off('message', listener);
  store.connect().call('PUBLISH', 'c', 'unheard');
  assert.deepEqual(got, ['to-self', 'other']);
  store.close();
});

test('keyspace notifications arrive as pub/sub messages', async () => {
  const store = await createStore({ clock: 'manual', now: 0, config: { 'notify-keyspace-events': 'KEA' } });
  const sub = store.connect();
  const got = [];
  sub.on('pmessage', (_pat, ch, msg) => got.push(`${ch} ${msg}`));
  sub.call('PSUBSCRIBE', '__key*__:*');
  const c = store.connect();
  c.call('SET', 'k', 'v', 'PX', 100);
  c.call('LPUSH', 'l', 'x');
  store.clock.advance(101);
  assert.deepEqual(got, [
    '__keyspace@0__:k set',
    '__keyevent@0__:set k',
    '__keyspace@0__:k expire',
    '__keyevent@0__:expire k',
    '__keyspace@0__:l lpush',
    '__keyevent@0__:lpush l',
    '__keyspace@0__:k expired',
    '__keyevent@0__:expired k',
  ]);
  store.close();
});

test('a blocking command sent with send() is served by another client\'s write', async () => {
  const store = await createStore();
  const a = store.connect();
  const b = store.connect();
  const popped = a.send('BLPOP', 'q', 0);
  const after = a.send('PING'); // waits behind the blocked command, as on a pipelined connection
  let settled = false;
  popped.then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(settled, false);
  assert.throws(() => a.call('PING'), /still wait/);
  assert.equal(b.call('RPUSH', 'q', 'x'), 1);
  assert.deepEqual(await popped, ['q', 'x']);
  assert.equal(await after, 'PONG');
  assert.equal(b.call('LLEN', 'q'), 0);
  store.close();
});

test('BZPOPMIN and BLMOVE wake in order of arrival', async () => {
  const store = await createStore();
  const [a, b, w] = [store.connect(), store.connect(), store.connect()];
  const first = a.send('BZPOPMIN', 'z', 0);
  const second = b.send('BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', 0);
  w.call('ZADD', 'z', 2, 'two', 1, 'one');
  w.call('RPUSH', 'src', 'v');
  assert.deepEqual(await first, ['z', 'one', '1']);
  assert.equal(await second, 'v');
  assert.deepEqual(w.call('LRANGE', 'dst', 0, -1), ['v']);
  store.close();
});

test('call() on a command that blocks throws and cancels it', async () => {
  const store = await createStore();
  const a = store.connect();
  assert.throws(() => a.call('BLPOP', 'q', 0), /BLPOP blocks: use send\(\)/);
  store.connect().call('RPUSH', 'q', 'x');
  assert.equal(a.call('LLEN', 'q'), 1, 'the cancelled BLPOP took nothing');
  store.close();
});

test('a blocked command times out on the manual clock', async () => {
  const store = await manual();
  const a = store.connect();
  let reply = 'pending';
  const p = a.send('BLPOP', 'q', 1).then((r) => (reply = r));
  store.clock.advance(1000); // Valkey times out once the deadline is passed, not reached
  await Promise.resolve();
  assert.equal(reply, 'pending');
  store.clock.advance(1);
  await p;
  assert.equal(reply, null);
  store.close();
});

test('a blocked command times out on the real clock', async () => {
  const store = await createStore();
  const a = store.connect();
  const start = Date.now();
  assert.equal(await a.send('BLPOP', 'q', '0.05'), null);
  assert.ok(Date.now() - start >= 45, 'waited for the timeout');
  store.close();
});

test('TTLs follow the manual clock', async () => {
  const store = await manual();
  const c = store.connect();
  assert.equal(store.clock.now(), 1_000_000);
  c.call('SET', 'k', 'v', 'EX', 10);
  store.clock.advance(9_999);
  assert.equal(c.call('PTTL', 'k'), 1);
  assert.equal(c.call('GET', 'k'), 'v');
  store.clock.advance(1);
  assert.equal(c.call('GET', 'k'), 'v', 'alive at its deadline millisecond, as in Valkey');
  store.clock.advance(1);
  assert.equal(c.call('GET', 'k'), null);
  c.call('SET', 'a', 1, 'PXAT', 2_000_000);
  store.clock.set(2_000_001);
  assert.equal(c.call('DBSIZE'), 0, 'active expiry ran when the clock was set');
  assert.equal(c.call('TIME')[0], '2000');
  store.close();
});

test('the real clock cannot be moved by hand', async () => {
  const store = await createStore();
  assert.equal(store.clock.manual, false);
  assert.ok(Math.abs(store.clock.now() - Date.now()) < 1000);
  assert.throws(() => store.clock.advance(1), TypeError);
  assert.throws(() => store.clock.set(0), TypeError);
  store.close();
});

test('the real clock expires keys actively, with a timer', async () => {
  const store = await createStore({ config: { hz: 100 } });
  const c = store.connect();
  c.call('SET', 'k', 'v', 'PX', 20);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(c.call('DBSIZE'), 0);
  store.close();
});

test('the same seed gives the same random replies', async () => {
  const run = async (seed) => {
    const store = await createStore({ seed });
    const c = store.connect();
    const members = Array.from({ length: 100 }, (_, i) => `m${i}`);
    c.call('SADD', 's', ...members);
    c.call('MSET', ...members.flatMap((m) => [m, 1]));
    const out = [c.call('SPOP', 's', 5), c.call('SRANDMEMBER', 's', -5), c.call('RANDOMKEY')];
    store.close();
    return out;
  };
  assert.deepEqual(await run(42), await run(42));
  assert.deepEqual(await run(7n), await run(7n));
  assert.notDeepEqual(await run(1), await run(2));
});

test('scripts: EVAL, EVALSHA, SCRIPT LOAD, FUNCTION LOAD and FCALL', async () => {
  const store = await createStore();
  const c = store.connect();
  assert.deepEqual(c.call('EVAL', "redis.call('SET', KEYS[1], ARGV[1]) return {_VERSION, redis.call('GET', KEYS[1])}", 1, 'k', 'v'), ['Lua 5.1', 'v']);
  const sha = c.call('SCRIPT', 'LOAD', 'return ARGV[1] + 1');
  assert.equal(c.call('EVALSHA', sha, 0, 41), 42);
  assert.throws(() => c.call('EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', 0), { code: 'NOSCRIPT' });
  assert.throws(() => c.call('EVAL', "return redis.call('INCR', 'k')", 0), (e) => e instanceof ReplyError && /not an integer/.test(e.message));
  const lib = "#!lua name=mylib\nredis.register_function('double', function(keys, args) return args[1] * 2 end)";
  assert.equal(c.call('FUNCTION', 'LOAD', lib), 'mylib');
  assert.equal(c.call('FCALL', 'double', 0, 21), 42);
  assert.equal(c.call('EVAL', 'return cjson.encode({1, 2})', 0), '[1,2]');
  store.close();
});

test('snapshot round trip keeps every type, TTLs, databases and functions', async () => {
  const a = await manual();
  const c = a.connect();
  c.call('SET', 's', 'v');
  c.call('SET', 'ttl', 'x', 'PX', 5000);
  c.call('RPUSH', 'l', 'a', 'b');
  c.call('HSET', 'h', 'f', 'v');
  c.call('SADD', 'set', 'x', 'y');
  c.call('ZADD', 'z', 1, 'one', 2, 'two');
  c.call('SELECT', 5);
  c.call('SET', 'in5', 'yes');
  c.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('f', function() return 7 end)");
  const snap = a.snapshot();
  assert.ok(snap instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(snap.slice(0, 9)), 'REDIS0010');
  a.close();

  const b = await createStore({ clock: 'manual', now: 1_000_000, snapshot: snap });
  const d = b.connect();
  assert.equal(d.call('GET', 's'), 'v');
  assert.equal(d.call('PTTL', 'ttl'), 5000);
  assert.deepEqual(d.call('LRANGE', 'l', 0, -1), ['a', 'b']);
  assert.deepEqual(d.call('HGETALL', 'h'), ['f', 'v']);
  assert.deepEqual(d.call('SMEMBERS', 'set').sort(), ['x', 'y']);
  assert.deepEqual(d.call('ZRANGE', 'z', 0, -1, 'WITHSCORES'), ['one', '1', 'two', '2']);
  assert.equal(d.call('FCALL', 'f', 0), 7);
  d.call('SELECT', 5);
  assert.equal(d.call('GET', 'in5'), 'yes');
  b.close();
});

test('a corrupt snapshot or a bad option rejects createStore', async () => {
  await assert.rejects(createStore({ snapshot: bytes('REDIS0010 not really') }), /snapshot/);
  await assert.rejects(createStore({ config: { 'no-such-option': 1 } }), /no-such-option/);
  await assert.rejects(createStore({ clock: 'sundial' }), TypeError);
});

test('QUIT, CLIENT KILL and close() end a client; pending sends reject', async () => {
  const store = await createStore();
  const a = store.connect();
  assert.equal(a.call('QUIT'), 'OK');
  assert.equal(a.closed, true);
  assert.throws(() => a.call('PING'), /closed/);

  const b = store.connect();
  const pending = b.send('BLPOP', 'q', 0);
  store.connect().call('CLIENT', 'KILL', 'ID', b.id);
  await assert.rejects(pending, /closed/);
  assert.equal(b.closed, true);

  const c = store.connect();
  const waiting = c.send('BLPOP', 'q', 0);
  c.close();
  await assert.rejects(waiting, /closed/);
  const ids = [...store.connect().call('CLIENT', 'LIST').matchAll(/^id=(\d+)/gm)].map((m) => Number(m[1]));
  for (const gone of [a, b, c]) assert.ok(!ids.includes(gone.id), `client ${gone.id} is gone from CLIENT LIST`);

  const d = store.connect();
  const last = d.send('BLPOP', 'q', 0);
  store.close();
  await assert.rejects(last, /store is closed/);
  assert.throws(() => store.connect(), /store is closed/);
});

test('a raw connection speaks RESP bytes, inline commands and pub/sub included', async () => {
  const store = await createStore();
  const raw = store.connectRaw({ addr: '127.0.0.1:5555' });
  const dec = new TextDecoder();
  assert.equal(dec.decode(raw.write(bytes('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n'))), '+OK\r\n');
  assert.equal(dec.decode(raw.write(bytes('GET k\r\nPI'))), '$1\r\nv\r\n');
  assert.equal(dec.decode(raw.write(bytes('NG\r\n'))), '+PONG\r\n');
  const pushed = [];
  raw.ondata = (b) => pushed.push(dec.decode(b));
  raw.write(bytes('SUBSCRIBE ch\r\n'));
  store.connect().call('PUBLISH', 'ch', 'hi');
  assert.deepEqual(pushed, ['*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n']);
  let closed = 0;
  raw.onclose = () => closed++;
  store.connect().call('CLIENT', 'KILL', 'ADDR', '127.0.0.1:5555');
  assert.equal(closed, 1);
  assert.equal(raw.shouldClose, true);

  const other = store.connectRaw();
  assert.match(dec.decode(other.write(bytes('*1\r\n$x\r\n'))), /^-ERR Protocol error/);
  assert.equal(other.shouldClose, true);
  store.close();
});

test('MONITOR lines reach the monitor listener', async () => {
  const store = await createStore();
  const mon = store.connect();
  const lines = [];
  mon.on('monitor', (line) => lines.push(line));
  assert.equal(mon.call('MONITOR'), 'OK');
  store.connect().call('SET', 'k', 'v');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\d+\.\d+ \[0 wasm:0\] "SET" "k" "v"$/);
  store.close();
});
