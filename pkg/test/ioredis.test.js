// ferrokey/ioredis side by side with the real ioredis package against Debian's redis-server: each
// scenario runs once with real ioredis over TCP and once with our client on a fresh in-process store,
// and the two must give the same results (replies, reply shapes, errors, events).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import IORedis from 'ioredis';
import Redis, { Redis as NamedRedis, ReplyError } from '../ioredis.js';
import { createStore } from '../index.js';
import { startRedisServer, settle, comparable, collect } from './ioredis-harness.js';

let server;
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  await server?.stop();
});

/**
 * Runs `scenario(make)` against real ioredis + redis-server and against ferrokey/ioredis + a new
 * store, and asserts both return the same. `make(opts)` makes a client on the backend under test.
 */
async function sideBySide(scenario) {
  const run = async (make) => {
    const clients = [];
    const tracked = (opts) => {
      const c = make(opts);
      clients.push(c);
      return c;
    };
    try {
      return await scenario(tracked);
    } finally {
      for (const c of clients) c.disconnect();
    }
  };
  const admin = new IORedis(server.port, '127.0.0.1');
  await admin.flushall();
  await admin.script('flush');
  admin.disconnect();
  const expected = await run((opts) => new IORedis({ port: server.port, host: '127.0.0.1', ...opts }));
  const store = await createStore();
  const actual = await run((opts) => new Redis({ store, ...opts }));
  store.close();
  assert.deepEqual(actual, expected);
  return actual;
}

const sorted = (xs) => [...xs].sort();

test('ioredis_exports_default_and_named_Redis_and_ReplyError', () => {
  assert.equal(Redis, NamedRedis);
  assert.equal(Redis.Redis, Redis);
  assert.equal(Redis.ReplyError, ReplyError);
  const r = new Redis({ lazyConnect: true });
  for (const name of ['get', 'set', 'hgetall', 'zadd', 'xadd', 'getBuffer', 'hgetallBuffer', 'GET', 'evalsha']) {
    assert.equal(typeof r[name], 'function', name);
  }
  // generated from the engine's COMMAND table, so it knows what the engine knows
  assert.ok(r.getBuiltinCommands().length > 200);
  assert.ok(r.getBuiltinCommands().includes('lmpop'));
});

test('ioredis_strings_same_replies_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    const out = [];
    out.push(await r.set('s', 'v'));
    out.push(await r.get('s'));
    out.push(await r.get('missing'));
    out.push(await r.set('n', 10));
    out.push(await r.incr('n'), await r.incrby('n', 5), await r.decr('n'), await r.incrbyfloat('n', 1.5));
    out.push(await r.append('s', 'xyz'), await r.strlen('s'), await r.getrange('s', 1, 2));
    out.push(await r.mset({ a: '1', b: '2' }), await r.mget('a', 'b', 'zz'), await r.mget(['a', 'b']));
    out.push(await r.mset(new Map([['c', 3]])), await r.get('c'));
    out.push(await r.setnx('a', 'x'), await r.msetnx('q1', 'x', 'q2', 'y'));
    out.push(
      await r.set('e', 'v', 'EX', 100),
      await r.ttl('e'),
      await r.set('e', 'w', 'NX'),
      await r.set('e', 'w', 'XX', 'GET'),
    );
    out.push(await r.getBuffer('s'), await r.setBuffer('bin', Buffer.from([0, 255, 1])), await r.getBuffer('bin'));
    out.push(await r.exists('a', 'b', 'nope'), await r.type('a'), await r.del('a', 'b'), await r.unlink('c'));
    out.push(await r.getdel('q1'), await r.getex('q2', 'PX', 5000), (await r.pttl('q2')) > 0);
    out.push(await r.call('SET', 'viaCall', '1'), await r.call('get', 'viaCall'), await r.callBuffer('get', 'viaCall'));
    out.push(
      await new Promise((resolve) => r.get('s', (err, value) => resolve([err, value]))),
      await new Promise((resolve) => r.incr('s', (err, value) => resolve([comparable(err), value]))),
    );
    out.push(await r.dbsize(), sorted(await r.keys('*')));
    return comparable(out);
  });
});

test('ioredis_hashes_same_replies_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    const out = [];
    out.push(await r.hset('h', { a: '1', b: '2' }), await r.hset('h', 'c', '3', 'd', '4'));
    out.push(await r.hset('h', new Map([['e', 5]])), await r.hmset('h', { f: '6' }));
    out.push(await r.hget('h', 'a'), await r.hget('h', 'nope'), await r.hmget('h', 'a', 'zz', 'c'));
    const all = await r.hgetall('h');
    out.push(Object.keys(all).sort(), all.a, all.f);
    out.push(await r.hgetall('nohash'));
    out.push(await r.hincrby('h', 'a', 10), await r.hincrbyfloat('h', 'b', 0.5), await r.hlen('h'));
    out.push(
      await r.hexists('h', 'a'),
      await r.hdel('h', 'a', 'zz'),
      await r.hsetnx('h', 'b', 'x'),
      await r.hstrlen('h', 'b'),
    );
    out.push(sorted(await r.hkeys('h')), sorted(await r.hvals('h')));
    const buf = await r.hgetallBuffer('h');
    out.push(Object.keys(buf).sort(), Buffer.isBuffer(buf.b), buf.b);
    out.push(await r.hset('weird', '__proto__', 'p'), await r.hgetall('weird'));
    return comparable(out);
  });
});

test('ioredis_lists_same_replies_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    const out = [];
    out.push(await r.lpush('l', 'a', 'b', 'c'), await r.rpush('l', ['d', 'e']), await r.lrange('l', 0, -1));
    out.push(await r.lpop('l'), await r.rpop('l', 2), await r.llen('l'), await r.lindex('l', 0));
    out.push(await r.lset('l', 0, 'z'), await r.linsert('l', 'BEFORE', 'z', 'y'), await r.lrange('l', 0, -1));
    out.push(
      await r.rpush('l', 'y', 'y'),
      await r.lrem('l', 2, 'y'),
      await r.ltrim('l', 0, 1),
      await r.lrange('l', 0, -1),
    );
    out.push(await r.lmove('l', 'l2', 'LEFT', 'RIGHT'), await r.lpos('l', 'a'), await r.lrangeBuffer('l2', 0, -1));
    out.push(await r.lmpop(2, 'none', 'l2', 'LEFT', 'COUNT', 5), await r.lpushx('nolist', 'a'));
    out.push(await r.rpoplpush('l', 'l3'), await r.lrange('l3', 0, -1));
    return comparable(out);
  });
});

test('ioredis_sets_same_replies_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    const out = [];
    out.push(await r.sadd('s1', 'a', 'b', 'c'), await r.sadd('s2', ['b', 'c', 'd']), await r.sadd('s1', 'a'));
    out.push(sorted(await r.smembers('s1')), await r.sismember('s1', 'a'), await r.smismember('s1', 'a', 'z'));
    out.push(await r.scard('s1'), await r.srem('s1', 'a', 'z'), sorted(await r.sinter('s1', 's2')));
    out.push(
      sorted(await r.sunion('s1', 's2')),
      sorted(await r.sdiff('s2', 's1')),
      await r.sinterstore('s3', 's1', 's2'),
    );
    out.push(await r.smove('s2', 's1', 'd'), await r.sintercard(2, 's1', 's2'), await r.sadd('nums', 3, 1, 2));
    out.push(await r.smembers('nums'));
    return comparable(out);
  });
});

test('ioredis_sorted_sets_same_replies_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    const out = [];
    out.push(await r.zadd('z', 1, 'a', 2, 'b', 3.5, 'c'), await r.zadd('z', ['4', 'd']));
    out.push(await r.zrange('z', 0, -1), await r.zrange('z', 0, -1, 'WITHSCORES'), await r.zrevrange('z', 0, 1));
    out.push(await r.zrangebyscore('z', '(1', '+inf'), await r.zscore('z', 'c'), await r.zscore('z', 'nope'));
    out.push(
      await r.zincrby('z', 2, 'a'),
      await r.zrank('z', 'a'),
      await r.zrevrank('z', 'a'),
      await r.zcount('z', 2, 4),
    );
    out.push(await r.zadd('z', 'NX', 'INCR', 1, 'new'), await r.zadd('z', 'GT', 'CH', 0, 'd', 10, 'c'));
    out.push(await r.zrem('z', 'b', 'nope'), await r.zpopmin('z'), await r.zpopmax('z', 2), await r.zcard('z'));
    out.push(
      await r.zadd('y', 1, 'x', 2, 'd'),
      await r.zunionstore('u', 2, 'z', 'y', 'WEIGHTS', 1, 2),
      await r.zrange('u', 0, -1, 'WITHSCORES'),
    );
    out.push(
      await r.zrangeBuffer('u', 0, 0),
      await r.zmscore('u', 'x', 'nope'),
      await r.zrange('u', '+', '-', 'BYLEX', 'REV'),
    );
    return comparable(out);
  });
});

test('ioredis_errors_same_name_and_message_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    await r.set('str', 'x');
    const out = [];
    out.push(await settle(() => r.lpush('str', 'a')));
    out.push(await settle(() => r.incr('str')));
    out.push(await settle(() => r.call('nosuchcommand', 'a')));
    out.push(await settle(() => r.call('get')));
    out.push(await settle(() => r.hset('h')));
    out.push(await settle(() => r.set('k', 'v', 'EX', 'notanumber')));
    out.push(await settle(() => r.zadd('zz', 'nan', 'm')));
    const err = await r.lpush('str', 'a').catch((e) => e);
    out.push(err instanceof Error, err.name, err.command);
    return out;
  });
});

test('ioredis_pipeline_results_same_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    const calls = [];
    const results = await r
      .pipeline()
      .set('p', '1')
      .incr('p', (err, v) => calls.push(['cb', err, v]))
      .lpush('p', 'x')
      .hset('ph', { a: 1 })
      .hgetall('ph')
      .get('p')
      .getBuffer('p')
      .exec();
    const batch = await r
      .pipeline([
        ['set', 'b1', 'v'],
        ['get', 'b1'],
        ['del', 'b1'],
      ])
      .exec();
    const empty = await r.pipeline().exec();
    const p = r.pipeline().incr('cnt').incr('cnt');
    const length = p.length;
    const viaCallback = await new Promise((resolve) => p.exec((err, res) => resolve([err, res])));
    return comparable([results, calls, batch, empty, length, viaCallback]);
  });
});

test('ioredis_multi_results_same_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    const other = make();
    const out = [];
    out.push(await r.multi().set('m', '1').incr('m').hset('mh', 'f', 'v').hgetall('mh').exec());
    out.push(await r.multi().set('m', 'x').incr('m').get('m').exec()); // a runtime error inside EXEC
    out.push(
      await r
        .multi([
          ['set', 'mb', 'v'],
          ['get', 'mb'],
        ])
        .exec(),
    );
    // a queueing error: EXEC is aborted and exec() rejects with EXECABORT and the earlier errors
    const aborted = await r
      .multi()
      .set('a1', 'v')
      .call('set', 'onlyonearg')
      .exec()
      .catch((e) => e);
    out.push(comparable(aborted), comparable(aborted.previousErrors), await r.exists('a1'));
    // WATCH conflict: exec() resolves with null
    await r.watch('w');
    await other.set('w', 'changed');
    out.push(await r.multi().set('w', 'mine').exec(), await other.get('w'));
    // multi({ pipeline: false }): commands reply QUEUED, exec() gives the results
    out.push(await r.multi({ pipeline: false }), await r.set('np', '1'), await r.incr('np'), await r.exec());
    out.push(await r.pipeline().multi().incr('pm').incr('pm').exec().get('pm').exec());
    return comparable(out);
  });
});

test('ioredis_defineCommand_same_results_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    const lua =
      "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], redis.call('GET', KEYS[1]), tonumber(ARGV[2]) + 1}";
    r.defineCommand('setAndGet', { numberOfKeys: 1, lua });
    r.defineCommand('echoKeys', { lua: 'return KEYS' });
    r.defineCommand('boom', { numberOfKeys: 0, lua: "return redis.error_reply('MYERR custom')" });
    const out = [];
    out.push(await r.setAndGet('dk', 'val', 41), await r.setAndGet('dk', 'again', 1));
    out.push(await r.setAndGetBuffer('dk', 'buf', 0), await r.echoKeys(2, 'k1', 'k2', 'arg'));
    out.push(await settle(() => r.boom()));
    out.push(await r.script('exists', '5b6a1ab5c5fbe1bbd5ee8a4f87e1c1a1fa9f6a8b'));
    await r.script('flush');
    out.push(await r.setAndGet('dk', 'afterflush', 2)); // NOSCRIPT → EVAL again
    out.push(await r.pipeline().setAndGet('pk', 'p', 1).echoKeys(1, 'x').exec());
    out.push(await r.multi().setAndGet('mk', 'm', 5).exec());
    out.push(await new Promise((resolve) => r.setAndGet('ck', 'c', 1, (err, v) => resolve([err, v]))));
    return comparable(out);
  });
});

test('ioredis_pubsub_events_same_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const sub = make();
    const pub = make();
    const out = [];
    out.push(await sub.subscribe('ch1', 'ch2'), await sub.psubscribe('news.*'));
    out.push(sub.mode);
    out.push(await settle(() => sub.get('x')));
    out.push(await sub.ping());
    const messages = collect(sub, 'message', 2);
    const buffers = collect(sub, 'messageBuffer', 2);
    const pmessages = collect(sub, 'pmessage', 1);
    out.push(await pub.publish('ch1', 'hello'), await pub.publish('news.tech', 'n1'), await pub.publish('ch2', 'bye'));
    out.push(await messages, await buffers, await pmessages);
    // (no-argument UNSUBSCRIBE while patterns remain never resolves in real ioredis: patterns go first)
    out.push(
      await sub.unsubscribe('ch1'),
      sub.mode,
      await sub.punsubscribe('news.*'),
      await sub.unsubscribe(),
      sub.mode,
    );
    out.push(await sub.set('after', 'sub'));
    const ssub = make();
    out.push(await ssub.ssubscribe('sh'));
    const smessages = collect(ssub, 'smessage', 1);
    out.push(await pub.spublish('sh', 'shard-msg'), await smessages);
    return comparable(out);
  });
});

test('ioredis_blocking_commands_same_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const a = make();
    const b = make();
    const out = [];
    await a.ping();
    const popped = a.blpop('bq', 0);
    const behind = a.get('after-blpop'); // same connection: waits behind BLPOP
    await new Promise((r) => setTimeout(r, 30));
    out.push(await b.set('after-blpop', 'set-later'), await b.rpush('bq', 'v1'));
    out.push(await popped, await behind);
    out.push(await a.blpop('empty', 0.05)); // times out: null
    const z = a.bzpopmin('bz', 0);
    await new Promise((r) => setTimeout(r, 20));
    out.push(await b.zadd('bz', 5, 'm'), await z);
    const moved = a.blmove('src', 'dst', 'LEFT', 'RIGHT', 0);
    await new Promise((r) => setTimeout(r, 20));
    out.push(await b.rpush('src', 'x'), await moved, await b.lrange('dst', 0, -1));
    return comparable(out);
  });
});

test('ioredis_status_and_events_same_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const out = [];
    const r = make();
    const events = [];
    for (const e of ['connecting', 'connect', 'ready', 'close', 'end']) r.on(e, () => events.push(e));
    out.push(r.status);
    await new Promise((resolve) => r.once('ready', resolve));
    out.push(r.status, await r.quit(), await settle(() => r.get('x')));
    await new Promise((resolve) => (r.status === 'end' ? resolve() : r.once('end', resolve)));
    out.push(r.status, events);
    const lazy = make({ lazyConnect: true });
    out.push(lazy.status, await lazy.set('lazy', '1'), lazy.status);
    lazy.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 10));
    out.push(lazy.status, await settle(() => lazy.get('lazy')));
    const early = make();
    out.push(await early.get('lazy')); // sent before ready: queued, then run
    return comparable(out);
  });
});

test('ioredis_keyPrefix_db_and_duplicate_same_as_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const out = [];
    const plain = make();
    const pre = make({ keyPrefix: 'app:' });
    out.push(await pre.set('k', '1'), await pre.mset('a', '1', 'b', '2'), await pre.get('k'));
    out.push(
      await pre.hset('h', { f: 'v' }),
      await pre.rpoplpush('l1', 'l2'),
      await pre.eval('return KEYS', 2, 'x', 'y'),
    );
    out.push(sorted(await plain.keys('*')), await plain.get('app:k'));
    const db3 = make({ db: 3 });
    out.push(await db3.set('indb3', 'yes'), await plain.get('indb3'), await db3.select(4), await db3.get('indb3'));
    const dup = db3.duplicate();
    out.push(await dup.get('indb3'), dup.options.db);
    dup.disconnect();
    return comparable(out);
  });
});

test('ioredis_scanStream_yields_every_key_like_real_ioredis', async () => {
  await sideBySide(async (make) => {
    const r = make();
    for (let i = 0; i < 50; i++) await r.set(`scan:${i}`, i);
    await r.set('other', 1);
    const keys = [];
    for await (const batch of r.scanStream({ match: 'scan:*', count: 7 })) keys.push(...batch);
    await r.hset('sh', { a: 1, b: 2 });
    const fields = [];
    for await (const batch of r.hscanStream('sh')) fields.push(...batch);
    return [keys.sort(), fields.length];
  });
});

test('ioredis_new_Redis_without_store_shares_the_default_store', async () => {
  const a = new Redis();
  const b = new Redis();
  await a.set('default-store-key', 'shared');
  assert.equal(await b.get('default-store-key'), 'shared');
  const c = new Redis({ store: await createStore() });
  assert.equal(await c.get('default-store-key'), null);
  await a.del('default-store-key');
  for (const r of [a, b, c]) r.disconnect();
});

test('ioredis_manual_clock_store_expires_keys_without_waiting', async () => {
  const store = await createStore({ clock: 'manual', now: 1_000_000 });
  const r = new Redis({ store });
  await r.set('ttl', 'v', 'PX', 500);
  store.clock.advance(499);
  assert.equal(await r.get('ttl'), 'v');
  store.clock.advance(1); // at the deadline: still there (expired once now > deadline, as in Valkey)
  assert.equal(await r.get('ttl'), 'v');
  store.clock.advance(1);
  assert.equal(await r.get('ttl'), null);
  const other = r.duplicate();
  const blocked = other.brpop('never', 2);
  await new Promise((resolve) => setImmediate(resolve));
  store.clock.advance(2001); // the 2 s timeout has passed: BRPOP gives null
  assert.equal(await blocked, null);
  r.disconnect();
  other.disconnect();
  store.close();
});
