// persist.js: the store as an RDB snapshot in IndexedDB (saved shortly after each change, and when the
// page is hidden), plus download as dump.rdb and loading one.

const DB_NAME = 'ferrokey-demo';
const OBJECTS = 'snapshots';
const KEY = 'dump.rdb';
/** Quiet time after a change before saving (ms): typing ten commands costs one save. */
const DEBOUNCE_MS = 300;

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(OBJECTS);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(OBJECTS, mode);
      const req = fn(t.objectStore(OBJECTS));
      t.oncomplete = () => resolve(req?.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** The saved snapshot: `{ bytes: Uint8Array, savedAt: number }`, or null. */
export async function loadSaved() {
  try {
    const rec = await tx('readonly', (s) => s.get(KEY));
    return rec && rec.bytes ? { bytes: new Uint8Array(rec.bytes), savedAt: rec.savedAt } : null;
  } catch {
    return null; // no IndexedDB (some private modes): start empty
  }
}

export function writeSaved(bytes) {
  return tx('readwrite', (s) => s.put({ bytes, savedAt: Date.now() }, KEY));
}

export function clearSaved() {
  return tx('readwrite', (s) => s.delete(KEY));
}

/**
 * Watches the store for changes (INFO persistence: rdb_changes_since_last_save, which counts every
 * write) and saves a snapshot after each burst of them. Shows its state on `el` (data-state: idle,
 * dirty, saving, saved, error).
 */
export class Persistence {
  constructor(store, el) {
    this.store = store;
    this.el = el;
    this.client = store.connect({ name: 'persistence' });
    this.lastChanges = this.#changes();
    this.timer = null;
    this.saving = null;
    this.savedAt = null;
    this.#show('idle', 'not saved yet');
    setInterval(() => this.check(), 5000); // commands call check() themselves; this catches the rest
    // Leaving the page: save now if anything is pending (IndexedDB usually finishes the write).
    addEventListener('pagehide', () => this.flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.flush();
    });
  }

  #changes() {
    if (this.store.closed) return 0;
    const info = this.client.call('INFO', 'persistence');
    const m = /rdb_changes_since_last_save:(\d+)/.exec(info);
    return m ? Number(m[1]) : 0;
  }

  /** Call after commands ran: schedules a save when anything changed. */
  check() {
    const changes = this.#changes();
    if (changes === this.lastChanges) return;
    this.lastChanges = changes;
    this.#show('dirty', 'unsaved changes');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  /** Saves now if there are unsaved changes. */
  async flush() {
    this.check();
    if (this.el.dataset.state !== 'dirty') return this.saving;
    clearTimeout(this.timer);
    this.timer = null;
    const bytes = this.store.snapshot();
    this.#show('saving', 'saving…');
    const run = (this.saving ?? Promise.resolve()).then(() => writeSaved(bytes));
    this.saving = run;
    try {
      await run;
      this.savedAt = Date.now();
      if (this.el.dataset.state === 'saving') this.#show('saved', `saved ${time(this.savedAt)} · ${kb(bytes.length)}`);
      this.el.title = `Saved to IndexedDB at ${new Date(this.savedAt).toLocaleString()}: an RDB snapshot of ${bytes.length} bytes`;
    } catch (e) {
      this.#show('error', 'not saved');
      this.el.title = `Saving to IndexedDB failed: ${e?.message ?? e}`;
    }
    return run;
  }

  /** What the badge says once loaded from a saved snapshot. */
  restored(savedAt, size) {
    this.savedAt = savedAt;
    this.#show('saved', `restored · saved ${time(savedAt)} · ${kb(size)}`);
  }

  #show(state, text) {
    this.el.dataset.state = state;
    this.el.textContent = text;
  }
}

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });
const kb = (n) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

/** Offers the snapshot as a file download named dump.rdb. */
export function download(bytes, name = 'dump.rdb') {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
