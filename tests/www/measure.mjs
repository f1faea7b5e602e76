// measure.mjs: the demo's page weight and time to interactive, in headless Chromium on localhost.
//
//   node tests/www/measure.mjs [runs]     (default 5 runs; prints a table and one summary line)
//
// Page weight: every byte the first visit transfers (HTML, CSS, JS, the .wasm), as sent by
// www/serve.mjs (gzip) and uncompressed. Time to interactive: navigation start to the moment the
// console accepts input (the page marks it `ferrokey-interactive`: engine loaded, store restored, command
// table read, every panel wired). Each run is a fresh browser context (empty cache, no service worker);
// the offline run reloads from the service worker's cache with the server stopped.
import { launch, startServer } from './browser.mjs';
import { loadavg } from 'node:os';

const runs = Number(process.argv[2] ?? 5);
const server = await startServer(0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();

async function visit(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('html[data-ready=true]', { timeout: 60_000 });
  const m = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const all = [nav, ...res];
    const sum = (k) => all.reduce((n, e) => n + (e[k] ?? 0), 0);
    const byType = {};
    for (const e of all) {
      const ext = new URL(e.name).pathname.match(/\.(\w+)$/)?.[1] ?? 'html';
      byType[ext] = (byType[ext] ?? 0) + e.encodedBodySize;
    }
    return {
      requests: all.length,
      transferred: sum('transferSize'),
      encoded: sum('encodedBodySize'),
      decoded: sum('decodedBodySize'),
      byType,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      tti: performance.getEntriesByName('ferrokey-interactive')[0].startTime,
    };
  });
  return { page, m };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

try {
  // Warm-up: the server gzips each file once, on its first request; that is not the page's cost.
  const warm = await browser.newContext();
  await (await visit(warm, base + '?fresh')).page.close();
  await warm.close();

  const results = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const { m } = await visit(context, base);
    results.push(m);
    console.log(`run ${i + 1}: time to interactive ${m.tti.toFixed(0)} ms (first paint ${m.fcp.toFixed(0)} ms), ${m.requests} requests, ${kb(m.transferred)} transferred`);
    await context.close();
  }

  // Offline: a visit installs the service worker, then the server goes away and the page reloads.
  const context = await browser.newContext();
  const { page } = await visit(context, base);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  const offline = [];
  for (let i = 0; i < runs; i++) {
    await page.reload();
    await page.waitForSelector('html[data-ready=true]', { timeout: 60_000 });
    offline.push(await page.evaluate(() => performance.getEntriesByName('ferrokey-interactive')[0].startTime));
  }
  await context.close();

  const m = results[0];
  console.log('\nfirst visit, by file type (bytes as sent, gzip):', Object.entries(m.byType).map(([k, v]) => `${k} ${kb(v)}`).join(', '));
  console.log(`page weight: ${kb(m.transferred)} transferred (gzip), ${kb(m.decoded)} uncompressed, ${m.requests} requests`);
  console.log(
    `time to interactive: median ${median(results.map((r) => r.tti)).toFixed(0)} ms first visit (empty cache), ` +
      `${median(offline).toFixed(0)} ms offline reload (service worker cache); ${runs} runs each, ` +
      `headless Chromium, localhost, load average ${loadavg()[0].toFixed(2)}`,
  );
} finally {
  await browser.close();
  server.close();
}
