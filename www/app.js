// app.js: starts the demo. Loads the engine (the npm package in ../pkg, through the import map), restores
// the store from IndexedDB, and wires the console, key browser, pub/sub panel, tour and persistence.
//
// URL flags: ?clock=manual  the store's clock moves only with the header's +1s/+10s/+1m buttons
//            ?fresh         ignore the saved snapshot (start empty; the next change overwrites it)
import { createStore } from 'ferrokey';
import { CommandDocs } from './hints.js';
import { Console } from './console.js';
import { KeyBrowser } from './keys.js';
import { PubSubPanel } from './pubsub.js';
import { Persistence, loadSaved, writeSaved, download } from './persist.js';
import { Tour } from './tour.js';

const params = new URLSearchParams(location.search);
const manual = params.get('clock') === 'manual';
const engineEl = document.getElementById('engine');

async function start() {
  const t0 = performance.now();
  const saved = params.has('fresh') ? null : await loadSaved();
  const options = { clock: manual ? 'manual' : 'real', now: Date.now() };
  let store;
  let restoreError = null;
  try {
    store = await createStore({ ...options, snapshot: saved?.bytes });
  } catch (e) {
    if (!saved) throw e;
    // A snapshot this engine cannot load: start empty rather than not at all.
    restoreError = e;
    store = await createStore(options);
  }

  const helper = store.connect({ name: 'console-helper' });
  const docs = new CommandDocs(helper);
  const persistence = new Persistence(store, document.getElementById('saved'));
  let keys = null;
  const cli = new Console({
    store,
    docs,
    helper,
    onCommand: () => {
      keys?.refresh();
      persistence.check();
    },
    onSelect: (db) => keys?.setDb(db),
  });
  keys = new KeyBrowser(store, (db) => {
    cli.run(`SELECT ${db}`);
  });
  keys.refresh();
  const pubsub = new PubSubPanel(store, (line) => cli.run(line));
  const tour = new Tour(cli);

  if (saved && !restoreError) persistence.restored(saved.savedAt, saved.bytes.length);
  if (restoreError) cli.note(`The saved snapshot could not be loaded (${restoreError.message}); starting empty.`);
  const version = /ferrokey_version:(\S+)/.exec(helper.call('INFO', 'server'))?.[1] ?? '';
  engineEl.dataset.state = 'ready';
  engineEl.textContent = `engine ready · ${Math.round(performance.now() - t0)} ms`;
  engineEl.title = `ferrokey ${version}: ${docs.names.length} commands, 16 databases, Lua 5.1 (WebAssembly)`;
  greet(cli, saved && !restoreError, helper);

  setupClock(store);
  document.getElementById('download').addEventListener('click', () => download(store.snapshot()));
  document.getElementById('upload').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      // Load it in a scratch store first: a file the engine rejects must not replace the saved one.
      const probe = await createStore({ snapshot: bytes });
      const n = probe.connect().call('DBSIZE');
      probe.close();
      cli.note(`Loaded ${file.name} (${bytes.length} bytes, ${n} keys in db 0): reloading with it.`);
      await writeSaved(bytes);
      location.reload();
    } catch (err) {
      cli.note(`${file.name} is not a snapshot this engine loads: ${err.message}`);
    }
  });

  document.getElementById('cmd').focus();
  performance.mark('ferrokey-interactive');
  // Tests and curious visitors: the page's objects, in the devtools console.
  window.demo = { store, console: cli, keys, pubsub, tour, persistence, docs };
  document.documentElement.dataset.ready = 'true';

  if ('serviceWorker' in navigator && !params.has('nosw')) {
    navigator.serviceWorker.register('sw.js').catch((err) => console.warn('offline copy unavailable:', err.message));
  }
}

function greet(cli, restored, helper) {
  const keys = Number(helper.call('DBSIZE'));
  cli.note(
    restored
      ? `Welcome back: your store was restored from this browser's storage (${keys} key${keys === 1 ? '' : 's'} in db 0).`
      : 'This is a Valkey-compatible engine running in your tab. Try SET greeting hello EX 30, then HELP, or take the tour below.',
  );
}

function setupClock(store) {
  if (!store.clock.manual) return;
  const el = document.getElementById('clock');
  const now = document.getElementById('clock-now');
  el.hidden = false;
  const show = () => {
    now.textContent = `manual clock · ${new Date(store.clock.now()).toLocaleTimeString([], { hour12: false })}`;
  };
  el.addEventListener('click', (e) => {
    const ms = Number(e.target.dataset?.advance);
    if (!ms) return;
    store.clock.advance(ms);
    show();
    window.demo.keys.refresh();
  });
  show();
}

start().catch((e) => {
  engineEl.dataset.state = 'error';
  engineEl.textContent = 'engine failed to load';
  engineEl.title = String(e?.stack ?? e);
  const out = document.getElementById('out');
  const p = document.createElement('div');
  p.className = 'reply is-error';
  p.textContent = `The engine could not start: ${e?.message ?? e}`;
  out.append(p);
  console.error(e);
});
