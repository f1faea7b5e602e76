// ops/s in Node through ferrokey's ioredis-compatible client (the wasm engine in-process), against
// ioredis-mock running the same calls in the same process. Prints a markdown table.
//
//   (cd pkg && npm ci && sh build.sh) && node bench/wasm-ops.mjs [--ms 1000]
//
// Each row awaits one call at a time (how test code uses either), for a fixed time after a warm-up;
// the pipeline row counts pipelines of 100 commands (SET/GET/INCR/HSET/LPUSH mixed) per second.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import Redis from '../pkg/ioredis.js';
import { createStore } from '../pkg/index.js';

const require = createRequire(new URL('../pkg/package.json', import.meta.url));
const RedisMock = require('ioredis-mock');

const msArg = process.argv.indexOf('--ms');
const RUN_MS = msArg > 0 ? Number(process.argv[msArg + 1]) : 1000;
const WARMUP_MS = Math.min(300, RUN_MS / 3);

/** The operations, each a function of (client, i) returning a promise. */
const ROWS = [
  ['GET', (r) => r.get('bench:str')],
  ['SET', (r, i) => r.set('bench:str', `value-${i & 1023}`)],
  ['INCR', (r) => r.incr('bench:counter')],
  ['HSET', (r, i) => r.hset('bench:hash', `field-${i & 1023}`, 'value')],
  ['LPUSH', (r, i) => r.lpush(`bench:list:${i >> 12}`, 'value')],
  ['ZADD', (r, i) => r.zadd('bench:zset', i & 4095, `member-${i & 4095}`)],
  [
    'pipeline of 100',
    (r, i) => {
      const p = r.pipeline();
      for (let j = 0; j < 20; j++) {
        p.set(`bench:p:${j}`, i);
        p.get(`bench:p:${j}`);
        p.incr('bench:p:counter');
        p.hset('bench:p:hash', `f${j}`, i);
        p.lpush(`bench:p:list:${i >> 8}`, j);
      }
      return p.exec();
    },
  ],
];

async function measure(client, op) {
  let i = 0;
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) await op(client, i++);
  let count = 0;
  const start = performance.now();
  const end = start + RUN_MS;
  // check the clock every 64 calls: reading it costs more than a fast call
  for (;;) {
    for (let k = 0; k < 64; k++) await op(client, i++);
    count += 64;
    if (performance.now() >= end) break;
  }
  return count / ((performance.now() - start) / 1000);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

const store = await createStore();
const ferrokey = new Redis({ store });
const mock = new RedisMock();
await ferrokey.ping();
await mock.ping();

const lines = [`| operation | ferrokey/ioredis (ops/s) | ioredis-mock (ops/s) | ratio |`, `|---|---:|---:|---:|`];
let allFaster = true;
for (const [name, op] of ROWS) {
  await ferrokey.flushall();
  await mock.flushall();
  const ours = await measure(ferrokey, op);
  const theirs = await measure(mock, op);
  allFaster &&= ours > theirs;
  lines.push(`| ${name} | ${fmt(ours)} | ${fmt(theirs)} | ${(ours / theirs).toFixed(1)}× |`);
}
console.log(lines.join('\n'));
console.log(`\nNode ${process.version}, ${RUN_MS} ms per row; pipeline rows count pipelines/s.`);
console.log(allFaster ? 'ferrokey is faster on every row.' : 'ferrokey is NOT faster on every row.');
ferrokey.disconnect();
mock.disconnect();
store.close();
