// run.mjs: the www/ demo end to end in headless Chromium (playwright-core): the console's replies as
// valkey-cli prints them, completion and history, a TTL key leaving the key browser (manual clock), the
// value viewer, pub/sub in the page and across tabs, the tour, persistence across a reload, dump.rdb
// download and upload, and the page working offline. Every page must log no errors. Saves a screenshot.
//
//   node tests/www/run.mjs          (tests/www/run.sh sets up and builds pkg/dist first)
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { launch, startServer, artifactsDir } from './browser.mjs';
import { createStore } from '../../pkg/node.js';

let server;
let browser;
let context;
let base;
/** Errors any page logged: console.error, uncaught exceptions, failed requests. */
const errors = [];

function watch(page, name) {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${name} console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${name} pageerror: ${e.stack ?? e}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${name} HTTP ${r.status()} ${r.url()}`);
  });
  return page;
}

async function open(path = '/?clock=manual', name = 'page') {
  const page = watch(await context.newPage(), name);
  await page.goto(base + path);
  await page.waitForSelector('html[data-ready=true]', { timeout: 30_000 });
  return page;
}

/** Types a line into the console like a person (key by key), presses Enter, returns the printed reply. */
async function type(page, line) {
  const before = await page.locator('#out > *').count();
  await page.locator('#cmd').pressSequentially(line, { delay: 0 });
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('#out > *').length > n, before);
  return replyAfter(page, before);
}

/** Runs a line through the console (faster than typing), returns the printed reply. */
async function run(page, line) {
  const before = await page.locator('#out > *').count();
  await page.evaluate((l) => window.demo.console.run(l), line);
  return replyAfter(page, before);
}

function replyAfter(page, before) {
  return page.evaluate(
    (n) =>
      [...document.querySelectorAll('#out > *')]
        .slice(n)
        .filter((e) => e.classList.contains('reply'))
        .map((e) => e.textContent)
        .join(''),
    before,
  );
}

before(async () => {
  server = await startServer(0);
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
});

test('the console prints replies as valkey-cli does', async () => {
  const page = await open();
  assert.equal(await type(page, 'SET greeting hello'), 'OK\n');
  assert.equal(await type(page, 'GET greeting'), '"hello"\n');
  assert.equal(await type(page, 'GET nothing'), '(nil)\n');
  assert.equal(await type(page, 'INCR visits'), '(integer) 1\n');
  assert.equal(await run(page, 'SET "line\\nbreak" "caf\\xc3\\xa9 \\"q\\""'), 'OK\n');
  assert.equal(await run(page, 'GET "line\\nbreak"'), '"caf\\xc3\\xa9 \\"q\\""\n');
  assert.equal(await run(page, 'RPUSH list a b c'), '(integer) 3\n');
  assert.equal(await run(page, 'LRANGE list 0 -1'), '1) "a"\n2) "b"\n3) "c"\n');
  assert.equal(await run(page, 'LRANGE list 5 6'), '(empty array)\n');
  assert.equal(
    await run(page, `EVAL "return {1, {2, {'x', 'y'}}, 'z'}" 0`),
    '1) (integer) 1\n2) 1) (integer) 2\n   2) 1) "x"\n      2) "y"\n3) "z"\n',
  );
  assert.equal(await run(page, 'RPUSH ten 1 2 3 4 5 6 7 8 9 10'), '(integer) 10\n');
  assert.match(await run(page, 'LRANGE ten 0 -1'), /^ 1\) "1"\n 2\) "2"\n[\s\S]*\n10\) "10"\n$/);
  assert.equal(await run(page, 'DEL ten'), '(integer) 1\n');
  assert.equal(await run(page, 'HSET user:1 name Ada lang rust'), '(integer) 2\n');
  assert.equal(await run(page, 'ZADD board 10 ada 7.5 bob'), '(integer) 2\n');
  assert.equal(await run(page, 'SADD tags rust wasm'), '(integer) 2\n');
  assert.equal(await run(page, 'ZSCORE board bob'), '"7.5"\n');
  // Errors: valkey's text, styled as an error.
  assert.equal(
    await type(page, 'INCR user:1'),
    '(error) WRONGTYPE Operation against a key holding the wrong kind of value\n',
  );
  assert.equal(await page.locator('#out > .reply').last().evaluate((e) => e.classList.contains('is-error')), true);
  assert.equal(await run(page, 'NOSUCHCMD'), "(error) ERR unknown command 'NOSUCHCMD', with args beginning with: \n");
  assert.equal(await run(page, 'GET "unbalanced'), 'Invalid argument(s)\n');
  // RESP3 types after HELLO 3: maps with #, sets with ~, doubles.
  await run(page, 'HELLO 3');
  assert.equal(await run(page, 'HGETALL user:1'), '1# "name" => "Ada"\n2# "lang" => "rust"\n');
  assert.equal(await run(page, 'ZSCORE board bob'), '(double) 7.5\n');
  assert.equal(await run(page, 'SMEMBERS nothing'), '(empty set)\n');
  await run(page, 'HELLO 2');
  // A blocking command waits; another client's write serves it and the console prints the reply then.
  assert.equal(await run(page, 'BLPOP jobs 0'), '');
  assert.equal(await page.locator('#term.waiting').count(), 1);
  const before = await page.locator('#out > *').count();
  await page.evaluate(() => window.demo.store.connect().call('RPUSH', 'jobs', 'j1'));
  assert.equal(await replyAfter(page, before), '1) "jobs"\n2) "j1"\n');
  assert.equal(await page.locator('#term.waiting').count(), 0);
  // Ctrl+C leaves a blocked command, as quitting valkey-cli does.
  assert.equal(await run(page, 'BLPOP jobs 0'), '');
  await page.focus('#cmd');
  await page.keyboard.press('Control+c');
  assert.equal(await page.locator('#term.waiting').count(), 0);
  assert.equal(await run(page, 'PING'), 'PONG\n');
  // INFO and CLIENT LIST print raw, as valkey-cli prints them.
  assert.match(await run(page, 'INFO keyspace'), /^# Keyspace\r\ndb0:keys=\d+,expires=\d+,avg_ttl=\d+\r\n/);
  assert.match(await run(page, 'CLIENT INFO'), /^id=\d+ addr=127\.0\.0\.1:\d+ /);
  // "N command" repeats, as in valkey-cli.
  assert.equal(await run(page, '2 INCR visits'), '(integer) 2\n(integer) 3\n');

  // Completion and hint from COMMAND DOCS, history with the arrow keys.
  await page.locator('#cmd').pressSequentially('PUBL');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#cmd'), 'PUBLISH ');
  assert.match(await page.textContent('#hint'), /PUBLISH channel message.*Posts a message to a channel\./);
  await page.fill('#cmd', '');
  // The argument hint comes from COMMAND DOCS `arguments`: SET's options, as valkey-cli shows them.
  await page.locator('#cmd').pressSequentially('SET k ');
  assert.match(await page.textContent('#hint'), /SET value \[NX\|XX\] \[GET\] \[EX seconds\|PX milliseconds\|/);
  await page.fill('#cmd', '');
  await page.locator('#cmd').pressSequentially('CLIENT SETN');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#cmd'), 'CLIENT SETNAME ');
  await page.fill('#cmd', '');
  await page.locator('#cmd').pressSequentially('GET gre');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#cmd'), 'GET greeting ', 'Tab completes key names');
  await page.fill('#cmd', '');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.inputValue('#cmd'), '2 INCR visits');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.inputValue('#cmd'), 'CLIENT INFO');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.inputValue('#cmd'), '');
  await page.close();
});

test('the key browser shows types, sizes and values, and a TTL key vanishes when it expires', async () => {
  const page = await open();
  const row = (k) => page.locator(`#keys tr[data-key="${k.replace(/\n/g, '\\a ')}"]:not(.gone)`);
  await row('user:1').waitFor();
  assert.equal(await row('user:1').locator('.type').textContent(), 'hash');
  assert.equal(await row('user:1').locator('.size').textContent(), '2 fields');
  assert.equal(await row('list').locator('.size').textContent(), '3 items');
  assert.equal(await row('greeting').locator('.size').textContent(), '5 B');
  assert.equal(await row('greeting').locator('.ttl').textContent(), '∞');
  assert.equal(await row('line\nbreak').locator('.k').textContent(), 'line\\nbreak');

  await row('board').click();
  assert.deepEqual(await page.locator('#value td').allTextContents(), ['0', 'bob', '7.5', '1', 'ada', '10']);
  await row('user:1').click();
  assert.deepEqual(await page.locator('#value td').allTextContents(), ['name', 'Ada', 'lang', 'rust']);
  await row('list').click();
  assert.deepEqual(await page.locator('#value td').allTextContents(), ['0', 'a', '1', 'b', '2', 'c']);
  await row('tags').click();
  assert.deepEqual(await page.locator('#value td').allTextContents(), ['rust', 'wasm']);
  await row('greeting').click();
  assert.equal(await page.locator('#value .string-value').textContent(), 'hello');
  // The open value follows changes made in the console.
  await run(page, 'APPEND greeting " world"');
  await page.waitForFunction(() => document.querySelector('#value .string-value')?.textContent === 'hello world');
  assert.equal(await row('greeting').locator('.size').textContent(), '11 B');
  await run(page, 'SET greeting hello');

  assert.equal(await run(page, 'SET session:42 token EX 5'), 'OK\n');
  await row('session:42').waitFor();
  assert.equal(await row('session:42').locator('.ttl').textContent(), '5.0s');
  await page.click('#clock button[data-advance="1000"]');
  await page.waitForFunction(() => document.querySelector('#keys tr[data-key="session:42"] .ttl')?.textContent === '4.0s');
  await page.click('#clock button[data-advance="10000"]');
  await page.locator('#keys tr[data-key="session:42"]').waitFor({ state: 'detached', timeout: 5000 });
  assert.equal(await run(page, 'EXISTS session:42'), '(integer) 0\n');

  // SELECT moves the browser to the console's database.
  assert.equal(await run(page, 'SELECT 3'), 'OK\n');
  assert.equal(await page.textContent('#prompt'), 'ferrokey[3]>');
  assert.equal(await page.inputValue('#db'), '3');
  await run(page, 'SET only-in-3 x');
  await row('only-in-3').waitFor();
  assert.equal(await row('greeting').count(), 0);
  await run(page, 'SELECT 0');
  await row('greeting').waitFor();
  await page.close();
});

test('with the real clock, TTLs count down and a key vanishes by itself', async () => {
  const page = await open('/');
  assert.equal(await run(page, 'SET blink x PX 1500'), 'OK\n');
  const ttl = page.locator('#keys tr[data-key="blink"] .ttl');
  await ttl.waitFor();
  const first = parseFloat(await ttl.textContent());
  await page.waitForTimeout(400);
  const later = parseFloat(await ttl.textContent());
  assert.ok(first <= 1.5 && later < first, `the TTL counts down: ${first} then ${later}`);
  await page.locator('#keys tr[data-key="blink"]').waitFor({ state: 'detached', timeout: 5000 });
  assert.equal(await run(page, 'EXISTS blink'), '(integer) 0\n');
  await page.close();
});

test('pub/sub: in-page subscribers get what the console publishes, and so do other tabs', async () => {
  const one = await open('/?clock=manual', 'tab-1');
  const two = await open('/?clock=manual', 'tab-2');
  await one.waitForSelector('#tabs.linked');
  const feed = (page, client) => page.locator(`.sub-card[data-client="${client}"] .feed`);
  // app-1: SUBSCRIBE news chat; app-2: PSUBSCRIBE news* user:*; and the tab relay's PSUBSCRIBE *.
  assert.equal(await type(one, 'PUBLISH news hello-from-console'), '(integer) 3\n');
  await feed(one, 'app-1').getByText('hello-from-console').waitFor();
  assert.match(await feed(one, 'app-2').textContent(), /news \(news\*\)hello-from-console/);
  // The same message reached the other tab's store through BroadcastChannel.
  await feed(two, 'app-1').getByText('hello-from-console').waitFor();
  assert.equal(await feed(two, 'app-1').locator('li.remote').count(), 1);
  // And back: tab 2 publishes, tab 1 receives, nothing loops.
  await run(two, 'PUBLISH chat from-tab-2');
  await feed(one, 'app-1').getByText('from-tab-2').waitFor();
  await one.waitForTimeout(300);
  assert.equal(await feed(one, 'app-1').getByText('from-tab-2').count(), 1);
  assert.equal(await feed(two, 'app-1').getByText('from-tab-2').count(), 1);
  // A new subscriber from the panel, on a pattern.
  await one.click('#add-sub');
  const card = one.locator('.sub-card[data-client="app-3"]');
  await card.locator('input').fill('order:*');
  await card.locator('button', { hasText: 'subscribe' }).click();
  await run(one, 'PUBLISH order:7 shipped');
  await card.locator('.feed').getByText('shipped').waitFor();
  // The console itself in subscribed mode prints messages as they come, as valkey-cli does.
  assert.equal(await run(two, 'SUBSCRIBE alerts'), '1) "subscribe"\n2) "alerts"\n3) (integer) 1\n');
  const before = await two.locator('#out > *').count();
  await run(one, 'PUBLISH alerts disk-full');
  await two.waitForFunction((n) => document.querySelectorAll('#out > .reply').length > 0 && document.querySelectorAll('#out > *').length > n, before);
  assert.equal(await replyAfter(two, before), '1) "message"\n2) "alerts"\n3) "disk-full"\n');
  await two.close();
  await one.close();
});

test('the tour runs the Open WebUI patterns step by step', async () => {
  const page = await open();
  await page.click('.tour-tab[data-tour="lock"]');
  await page.click('#tour-next');
  await page.waitForSelector('.steps li:nth-child(1).done');
  await page.click('text=Run the rest');
  await page.waitForSelector('.steps li:nth-child(5).done', { timeout: 20_000 });
  assert.deepEqual(await page.locator('.steps .step-result').allTextContents(), ['OK', '(nil)', '(integer) 0', '(integer) 1', 'OK']);
  await page.click('.tour-tab[data-tour="ratelimit"]');
  await page.click('text=Run the rest');
  await page.waitForSelector('.steps li:nth-child(4).done', { timeout: 20_000 });
  const results = await page.locator('.steps .step-result').allTextContents();
  assert.equal(results[0], '1) (integer) 1\n2) (integer) 1\n3) (integer) 60');
  assert.equal(results[2], '1) (integer) 0\n2) (integer) 4\n3) (integer) 60');
  assert.equal(results[3], '(integer) 60');
  await page.click('.tour-tab[data-tour="revocation"]');
  await page.click('text=Run the rest');
  await page.waitForSelector('.steps li:nth-child(4).done', { timeout: 20_000 });
  assert.deepEqual(await page.locator('.steps .step-result').allTextContents(), ['OK', '(integer) 1', '(integer) 0', '(integer) 30']);
  await page.locator('#keys tr[data-key="open-webui:auth:token:7f3a9c:revoked"] .ttl.ticking').waitFor();
  // The screenshot: a bit of everything on screen.
  await run(page, 'PUBLISH news "ferrokey 0.1 is out"');
  await run(page, 'PUBLISH user:42 signed-in');
  await page.click('#keys tr[data-key="user:1"]');
  await page.fill('#cmd', 'ZADD board ');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifactsDir(), 'www-screenshot.png'), fullPage: true });
  await page.fill('#cmd', '');
  await page.close();
});

test('the store is saved to IndexedDB, survives a reload, downloads as dump.rdb and loads one', async () => {
  const page = await open();
  await run(page, 'SET persisted yes');
  await page.waitForSelector('#saved[data-state="saved"]');
  await page.reload();
  await page.waitForSelector('html[data-ready=true]');
  assert.match(await page.textContent('#saved'), /^restored/);
  assert.equal(await run(page, 'GET persisted'), '"yes"\n');
  assert.equal(await run(page, 'HGET user:1 name'), '"Ada"\n');
  await page.locator('#keys tr[data-key="persisted"]').waitFor();

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.equal(download.suggestedFilename(), 'dump.rdb');
  const dump = await readFile(await download.path());
  assert.equal(dump.subarray(0, 5).toString(), 'REDIS');
  // The file loads in the package in Node too: the same engine, the same data.
  const copy = await createStore({ snapshot: new Uint8Array(dump) });
  assert.equal(copy.connect().call('GET', 'persisted'), 'yes');

  // Upload a snapshot made elsewhere: the page reloads with it.
  const other = await createStore();
  other.connect().call('SET', 'from-a-file', 'hi');
  const file = join(tmpdir(), `ferrokey-www-${process.pid}.rdb`);
  await writeFile(file, other.snapshot());
  const reloaded = page.waitForEvent('load');
  await page.setInputFiles('#upload', file);
  await reloaded;
  await page.waitForSelector('html[data-ready=true]');
  assert.equal(await run(page, 'GET from-a-file'), '"hi"\n');
  assert.equal(await run(page, 'EXISTS persisted'), '(integer) 0\n');
  await page.close();
});

test('the page works offline once loaded', async () => {
  const page = await open();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
  await run(page, 'SET offline-proof 1');
  await page.waitForSelector('#saved[data-state="saved"]');
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await page.reload();
  await page.waitForSelector('html[data-ready=true]', { timeout: 30_000 });
  assert.equal(await run(page, 'GET offline-proof'), '"1"\n');
  assert.equal(await run(page, `EVAL "return _VERSION" 0`), '"Lua 5.1"\n');
  await page.close();
});

test('no page logged an error', () => {
  assert.deepEqual(errors, []);
});
