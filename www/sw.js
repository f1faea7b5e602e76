// sw.js: keeps the demo working offline. Network first (a reload always gets the current files when the
// server is there), the cached copy when it is not. Everything the page needs is cached on install.
const CACHE = 'ferrokey-demo-v1';
const FILES = [
  './',
  './index.html',
  './style.css',
  './app.js',
  './console.js',
  './format.js',
  './resp.js',
  './hints.js',
  './keys.js',
  './pubsub.js',
  './persist.js',
  './tour.js',
  './pkg/index.js',
  './pkg/wire.js',
  './pkg/dist/ferrokey_wasm.js',
  './pkg/dist/ferrokey_wasm_bg.wasm',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        if (res.ok) cache.put(req, res.clone());
        return res;
      } catch (err) {
        const hit = await cache.match(req, { ignoreSearch: true });
        if (hit) return hit;
        throw err;
      }
    })(),
  );
});
