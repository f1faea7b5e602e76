// keys.js: the live key browser. Every key of the console's database with its type, size and TTL; the
// TTL counts down between refreshes (from the store's own clock, so the manual clock works too) and a key
// fades out when it expires. Clicking a key shows its value.

const TYPE_SIZE = {
  string: ['STRLEN', (n) => `${n} B`],
  list: ['LLEN', (n) => `${n} item${n === 1 ? '' : 's'}`],
  hash: ['HLEN', (n) => `${n} field${n === 1 ? '' : 's'}`],
  set: ['SCARD', (n) => `${n} member${n === 1 ? '' : 's'}`],
  zset: ['ZCARD', (n) => `${n} member${n === 1 ? '' : 's'}`],
  stream: ['XLEN', (n) => `${n} entr${n === 1 ? 'y' : 'ies'}`],
};
/** Keys listed at most (a browser for a demo, not a SCAN replacement). */
const MAX_KEYS = 500;
/** Values shown at most per key. */
const MAX_ITEMS = 200;

export class KeyBrowser {
  /** @param {import('ferrokey').Store} store  @param {(db: number) => void} onPickDb */
  constructor(store, onPickDb) {
    this.store = store;
    this.client = store.connect({ name: 'key-browser' });
    this.db = 0;
    this.rows = new Map(); // key → { tr, type, expiresAt }
    this.selected = null;
    this.tbody = document.getElementById('keys');
    this.empty = document.getElementById('keys-empty');
    this.count = document.getElementById('key-count');
    this.valueEl = document.getElementById('value');
    this.filter = document.getElementById('key-filter');
    this.dbSelect = document.getElementById('db');
    for (let i = 0; i < 16; i++) this.dbSelect.append(new Option(String(i), String(i)));
    this.dbSelect.addEventListener('change', () => onPickDb(Number(this.dbSelect.value)));
    this.filter.addEventListener('input', () => this.refresh());
    this.tbody.addEventListener('click', (e) => {
      const tr = e.target.closest('tr[data-key]');
      if (tr) this.select(tr.dataset.key);
    });
    this.tbody.addEventListener('keydown', (e) => {
      const tr = e.target.closest('tr[data-key]');
      if (tr && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        this.select(tr.dataset.key);
      }
    });
    // The countdown: cheap (no engine calls) unless a key's deadline passed, then a refresh expires it.
    // The page refreshes after every command it runs; the slow poll only catches changes made elsewhere
    // (the devtools console), and stays slow so that MONITOR in the console is not flooded by it.
    setInterval(() => this.#tick(), 100);
    setInterval(() => this.refresh(), 5000);
  }

  setDb(db) {
    if (db === this.db) return;
    this.db = db;
    this.dbSelect.value = String(db);
    this.selected = null;
    for (const { tr } of this.rows.values()) tr.remove();
    this.rows.clear();
    this.refresh();
  }

  #keys() {
    this.client.call('SELECT', this.db);
    const pattern = this.filter.value.trim() || '*';
    const keys = new Set();
    let cursor = '0';
    do {
      const [next, batch] = this.client.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (const k of batch) keys.add(k);
      cursor = next;
    } while (cursor !== '0' && keys.size < MAX_KEYS);
    return [...keys].sort().slice(0, MAX_KEYS);
  }

  /** Re-reads the database: new keys appear, gone ones fade out, sizes and TTLs update. */
  refresh() {
    if (this.store.closed) return;
    const now = this.store.clock.now();
    const keys = this.#keys();
    const seen = new Set();
    let before = null;
    for (const key of keys.slice().reverse()) {
      const type = this.client.call('TYPE', key);
      if (type === 'none') continue; // expired between SCAN and TYPE
      seen.add(key);
      const pttl = Number(this.client.call('PTTL', key));
      const [sizeCmd, sizeText] = TYPE_SIZE[type] ?? [null, () => '—'];
      const size = sizeCmd ? sizeText(Number(this.client.call(sizeCmd, key))) : '—';
      let row = this.rows.get(key);
      if (!row || row.tr.classList.contains('gone')) {
        row?.tr.remove();
        const tr = document.createElement('tr');
        tr.dataset.key = key;
        tr.tabIndex = 0;
        tr.className = 'fresh';
        tr.innerHTML = '<td class="k"></td><td><span class="type"></span></td><td class="size"></td><td class="ttl"></td>';
        tr.querySelector('.k').textContent = printable(key);
        tr.querySelector('.k').title = printable(key);
        row = { tr };
        this.rows.set(key, row);
        setTimeout(() => tr.classList.remove('fresh'), 900);
      }
      if (row.tr.nextSibling !== before || row.tr.parentNode !== this.tbody) this.tbody.insertBefore(row.tr, before);
      before = row.tr;
      row.type = type;
      row.expiresAt = pttl >= 0 ? now + pttl : null;
      const badge = row.tr.querySelector('.type');
      badge.textContent = type;
      badge.dataset.type = type;
      setText(row.tr.querySelector('.size'), size);
      row.tr.classList.toggle('selected', key === this.selected);
    }
    for (const [key, row] of this.rows) {
      if (seen.has(key) || row.tr.classList.contains('gone')) continue;
      // Gone (expired or deleted): fade out, then leave the DOM.
      row.tr.classList.add('gone');
      setTimeout(() => {
        if (this.rows.get(key) === row) {
          row.tr.remove();
          this.rows.delete(key);
        }
      }, 450);
    }
    this.empty.hidden = seen.size > 0;
    this.count.textContent = `${seen.size}${keys.length >= MAX_KEYS ? '+' : ''} key${seen.size === 1 ? '' : 's'}`;
    this.#tick();
    this.#renderValue();
  }

  #tick() {
    const now = this.store.closed ? 0 : this.store.clock.now();
    let due = false;
    for (const row of this.rows.values()) {
      const cell = row.tr.querySelector('.ttl');
      if (row.expiresAt === null || row.expiresAt === undefined) {
        setText(cell, '∞');
        cell.classList.remove('ticking', 'soon');
        continue;
      }
      const left = row.expiresAt - now;
      if (left <= 0 && !row.tr.classList.contains('gone')) due = true;
      setText(cell, formatTtl(Math.max(0, left)));
      cell.classList.add('ticking');
      cell.classList.toggle('soon', left < 5000);
    }
    if (due) this.refresh();
  }

  select(key) {
    this.selected = this.selected === key ? null : key;
    for (const [k, row] of this.rows) row.tr.classList.toggle('selected', k === this.selected);
    this.#renderValue();
  }

  /** The selected key's value, as a table fit for its type. */
  #renderValue() {
    const key = this.selected;
    if (key === null) {
      this.valueEl.hidden = true;
      this.valueHtml = null;
      return;
    }
    // Built aside and swapped in only when it differs: a refresh must not reset the reader's scroll.
    const el = document.createElement('div');
    this.#buildValue(key, el);
    if (el.innerHTML === this.valueHtml) return;
    this.valueHtml = el.innerHTML;
    this.valueEl.hidden = false;
    this.valueEl.replaceChildren(...el.childNodes);
  }

  #buildValue(key, el) {
    const c = this.client;
    const type = c.call('TYPE', key);
    const head = document.createElement('div');
    head.className = 'value-head';
    const title = document.createElement('code');
    title.textContent = printable(key);
    const badge = document.createElement('span');
    badge.className = 'type';
    badge.dataset.type = type;
    badge.textContent = type;
    const close = document.createElement('button');
    close.className = 'btn small';
    close.textContent = '×';
    close.title = 'Close';
    close.onclick = () => this.select(key);
    head.append(badge, title, close);
    el.append(head);
    if (type === 'none') {
      el.append(note('This key is gone (expired or deleted).'));
      return;
    }
    let table;
    switch (type) {
      case 'string': {
        const v = c.call('GET', key);
        const pre = document.createElement('pre');
        pre.className = 'string-value';
        pre.textContent = prettyMaybeJson(v);
        el.append(pre);
        return;
      }
      case 'hash': {
        const flat = c.call('HGETALL', key);
        table = rowsTable(['field', 'value'], chunk(flat, 2).slice(0, MAX_ITEMS));
        break;
      }
      case 'list':
        table = rowsTable(['index', 'value'], c.call('LRANGE', key, 0, MAX_ITEMS - 1).map((v, i) => [String(i), v]));
        break;
      case 'set':
        table = rowsTable(['member'], c.call('SMEMBERS', key).sort().slice(0, MAX_ITEMS).map((m) => [m]));
        break;
      case 'zset':
        table = rowsTable(
          ['rank', 'member', 'score'],
          chunk(c.call('ZRANGE', key, 0, MAX_ITEMS - 1, 'WITHSCORES'), 2).map(([m, s], i) => [String(i), m, s]),
        );
        break;
      case 'stream':
        table = rowsTable(
          ['id', 'fields'],
          c.call('XRANGE', key, '-', '+', 'COUNT', MAX_ITEMS).map(([id, f]) => [id, chunk(f, 2).map(([a, b]) => `${a}=${b}`).join('  ')]),
        );
        break;
      default:
        el.append(note(`(${type}: no viewer)`));
        return;
    }
    el.append(table);
  }
}

/** A key name fit for one line: control characters as valkey-cli escapes them (\n, \x01). */
function printable(key) {
  return key.replace(/[\x00-\x1f\x7f]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function formatTtl(ms) {
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)}d ${Math.floor((ms % 86_400_000) / 3_600_000)}h`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)}h ${Math.floor((ms % 3_600_000) / 60_000)}m`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m ${Math.floor((ms % 60_000) / 1000)}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}

function chunk(flat, n) {
  const out = [];
  for (let i = 0; i + n - 1 < flat.length; i += n) out.push(flat.slice(i, i + n));
  return out;
}

function rowsTable(columns, rows) {
  const table = document.createElement('table');
  table.className = 'value-table';
  const thead = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c;
    thead.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const v of r) tr.insertCell().textContent = v;
  }
  return table;
}

function note(text) {
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = text;
  return p;
}

function prettyMaybeJson(v) {
  if (/^\s*[[{]/.test(v)) {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      // not JSON after all
    }
  }
  return v;
}
