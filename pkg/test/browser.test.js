// The package in a browser: a plain HTML page imports it as an ES module (an import map names it, no
// bundler), in headless Chromium driven by playwright-core. Needs Debian's chromium (tests/js/run.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PKG = new URL('../', import.meta.url);
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>ferrokey in a browser</title>
<script type="importmap">{ "imports": { "ferrokey": "/index.js" } }</script>
<script type="module">
  import { createStore, ReplyError } from 'ferrokey';
  try {
    const store = await createStore({ clock: 'manual', now: 1000, seed: 1 });
    const a = store.connect();
    const b = store.connect({ protocol: 3 });
    const messages = [];
    b.on('message', (ch, msg) => messages.push(ch + ':' + msg));
    b.call('SUBSCRIBE', 'news');
    a.call('SET', 'k', 'v', 'PX', 50);
    const popped = b.send('BLPOP', 'q', 0);
    a.call('RPUSH', 'q', 'x');
    a.call('PUBLISH', 'news', 'hello');
    a.call('HSET', 'h', 'f', 'v');
    let error = null;
    try { a.call('INCR', 'h'); } catch (e) { error = e instanceof ReplyError ? e.code : 'not a ReplyError'; }
    store.clock.advance(51);
    const snapshot = store.snapshot();
    const copy = await createStore({ snapshot });
    window.__result = {
      get: a.call('GET', 'k'),
      big: String(a.call('INCRBY', 'n', 2n ** 60n)),
      map: [...b.call('HGETALL', 'h')],
      popped: await popped,
      messages,
      error,
      lua: a.call('EVAL', 'return _VERSION', 0),
      copied: copy.connect().call('HGET', 'h', 'f'),
      snapshotHeader: new TextDecoder().decode(snapshot.slice(0, 5)),
    };
  } catch (e) {
    window.__result = { failed: String(e && e.stack || e) };
  }
</script>`;

function serve() {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    try {
      const body = await readFile(new URL('.' + path, PKG));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('the package works in headless Chromium from a plain HTML page', { skip: !existsSync(CHROMIUM) && `no ${CHROMIUM}` }, async () => {
  const server = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
    const result = await page.evaluate(() => window.__result);
    assert.deepEqual(errors, []);
    assert.deepEqual(result, {
      get: null,
      big: String(2n ** 60n),
      map: [['f', 'v']],
      popped: ['q', 'x'],
      messages: ['news:hello'],
      error: 'WRONGTYPE',
      lua: 'Lua 5.1',
      copied: 'v',
      snapshotHeader: 'REDIS',
    });
  } finally {
    await browser.close();
    server.close();
  }
});
