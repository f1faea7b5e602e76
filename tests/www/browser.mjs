// browser.mjs: what the www/ tests share: playwright-core (installed in pkg/node_modules by `npm ci`)
// driving Debian's Chromium, and the demo's own static server.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/serve.mjs';

const require = createRequire(new URL('../../pkg/package.json', import.meta.url));
export const { chromium } = require('playwright-core');
export { startServer };

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Where screenshots go: $WWW_ARTIFACTS, else tests/www/artifacts/ (gitignored). */
export function artifactsDir() {
  const dir = process.env.WWW_ARTIFACTS ?? fileURLToPath(new URL('./artifacts/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}
