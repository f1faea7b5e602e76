// The package through Vite: a tiny app imports 'ferrokey'; `vite build` must emit the .wasm as an asset
// (the `new URL('./dist/…wasm', import.meta.url)` in index.js), and the dev server must serve it (with
// `optimizeDeps.exclude: ['ferrokey']`, as the README says). Both run in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer } from 'vite';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PKG = fileURLToPath(new URL('../', import.meta.url));
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const MAIN = `
import { createStore } from 'ferrokey';
(async () => {
  try {
    const store = await createStore({ clock: 'manual', now: 0 });
    const c = store.connect();
    c.call('SET', 'k', 'v');
    window.__result = { get: c.call('GET', 'k'), lua: c.call('EVAL', 'return _VERSION', 0) };
  } catch (e) {
    window.__result = { failed: String(e && e.stack || e) };
  }
})();
`;

/**
 * A Vite app with the package installed: the files package.json publishes, copied into node_modules (as
 * `npm install ferrokey` would put them; this also checks that the `files` list is complete).
 */
function makeApp() {
  const dir = mkdtempSync(join(tmpdir(), 'ferrokey-vite-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/main.js"></script>');
  writeFileSync(join(dir, 'main.js'), MAIN);
  const installed = join(dir, 'node_modules', 'ferrokey');
  const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  for (const file of ['package.json', ...manifest.files]) {
    mkdirSync(dirname(join(installed, file)), { recursive: true });
    copyFileSync(join(PKG, file), join(installed, file));
  }
  return dir;
}

async function resultIn(url) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
    return await page.evaluate(() => window.__result);
  } finally {
    await browser.close();
  }
}

const skip = !existsSync(CHROMIUM) && `no ${CHROMIUM}`;

test('vite build bundles the package with its .wasm as an asset', { skip }, async () => {
  const dir = makeApp();
  try {
    await build({ root: dir, logLevel: 'error', build: { outDir: join(dir, 'out') } });
    const assets = readdirSync(join(dir, 'out', 'assets'));
    assert.ok(assets.some((f) => f.endsWith('.wasm')), `a .wasm among ${assets}`);
    const server = createHttpServer(async (req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      try {
        const body = await readFile(join(dir, 'out', path === '/' ? 'index.html' : path));
        res.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    try {
      assert.deepEqual(await resultIn(`http://127.0.0.1:${server.address().port}/`), { get: 'v', lua: 'Lua 5.1' });
    } finally {
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the vite dev server serves the package', { skip }, async () => {
  const dir = makeApp();
  const server = await createServer({
    root: dir,
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1' },
    optimizeDeps: { exclude: ['ferrokey'] },
  });
  try {
    await server.listen();
    const { port } = server.httpServer.address();
    assert.deepEqual(await resultIn(`http://127.0.0.1:${port}/`), { get: 'v', lua: 'Lua 5.1' });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
