#!/usr/bin/env node
// serve.mjs: the demo's static server. Serves www/ at / and the npm package's browser files (pkg/index.js,
// pkg/dist/*) at /pkg/, so the page imports exactly the package in this repository.
//
//   node www/serve.mjs [port]        (default 8080; 0 picks a free port; prints the URL)
//
// gzip when the browser accepts it (the .wasm shrinks to about a third), no caching headers beyond
// `no-cache` (the page's service worker keeps the offline copy). Node's own modules only.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

const WWW = fileURLToPath(new URL('./', import.meta.url));
const PKG = fileURLToPath(new URL('../pkg/', import.meta.url));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

/** What of pkg/ a browser needs: its modules and the wasm-bindgen output. Nothing else is served. */
const PKG_FILES = /^([\w-]+\.js|dist\/[\w.-]+\.(js|wasm))$/;

/** The file a URL path names, or null: www/ for most paths, pkg/ for /pkg/…; never outside either. */
export function resolvePath(pathname) {
  let path;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path.startsWith('/pkg/')) {
    const rel = path.slice('/pkg/'.length);
    return PKG_FILES.test(rel) ? PKG + rel : null;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(WWW + path.slice(1));
  return file.startsWith(WWW) && !file.slice(WWW.length).split(sep).some((p) => p.startsWith('.')) ? file : null;
}

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.webmanifest', '.txt']);
/** gzip output by file path and mtime-free content: files are small and few; compress once per content. */
const gzCache = new Map();

function gzipped(file, body) {
  const hit = gzCache.get(file);
  if (hit && hit.body.equals(body)) return hit.gz;
  const gz = gzipSync(body, { level: 9 });
  gzCache.set(file, { body, gz });
  return gz;
}

export function startServer(port = 8080, host = '127.0.0.1') {
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolvePath(new URL(req.url, 'http://localhost').pathname);
    let body;
    try {
      if (file === null) throw new Error('not served');
      body = await readFile(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const ext = extname(file);
    // An ETag lets `no-cache` revalidate with a 304: the service worker's install, right after the first
    // visit, then costs no second download.
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const headers = {
      'content-type': MIME[ext] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      etag,
      vary: 'accept-encoding',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      body = gzipped(file, body);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = body.length;
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const server = await startServer(port);
  console.log(`ferrokey demo: http://127.0.0.1:${server.address().port}/  (Ctrl-C to stop)`);
}
