// console.js: a valkey-cli-like console on a raw RESP connection to the in-page store.
// It prints replies exactly as valkey-cli does (format.js), keeps a history (saved in localStorage),
// completes command names, subcommands and keys with Tab, and shows a syntax hint from COMMAND DOCS.

import { RespParser, encodeCommand } from './resp.js';
import { formatReply, formatReplyRaw, printsRaw, splitArgs } from './format.js';

const HISTORY_KEY = 'ferrokey-demo:history';
const HISTORY_MAX = 200;
const utf8 = new TextDecoder();

export class Console {
  /**
   * @param {object} o
   * @param {import('ferrokey').Store} o.store
   * @param {import('./hints.js').CommandDocs} o.docs
   * @param {import('ferrokey').Client} o.helper  a RESP2 client for completion lookups (SCAN)
   * @param {() => void} o.onCommand  called after every command (the page refreshes views)
   * @param {(db: number) => void} o.onSelect  called when the console's database changes
   */
  constructor({ store, docs, helper, onCommand, onSelect }) {
    this.store = store;
    this.docs = docs;
    this.helper = helper;
    this.onCommand = onCommand;
    this.onSelect = onSelect;
    this.db = 0;
    this.out = document.getElementById('out');
    this.term = document.getElementById('term');
    this.input = document.getElementById('cmd');
    this.ghost = document.getElementById('ghost');
    this.promptEl = document.getElementById('prompt');
    this.hintEl = document.getElementById('hint');
    this.history = loadHistory();
    this.historyAt = this.history.length;
    this.draft = '';
    this.completion = null;
    this.waiting = false;
    this.#connect();
    this.#wire();
    this.input.disabled = false;
    this.input.placeholder = 'type a command, e.g. SET greeting hello EX 30';
  }

  #connect() {
    this.conn = this.store.connectRaw({ addr: '127.0.0.1:' + (40000 + Math.floor(Math.random() * 20000)) });
    this.parser = new RespParser();
    this.subscribed = false;
    // Output the engine produces outside a command of ours: a blocked command served, pub/sub messages.
    this.conn.ondata = (bytes) => {
      for (const reply of this.parser.feed(bytes)) this.#print(reply);
      this.#setWaiting(false);
      this.onCommand();
    };
    this.conn.onclose = () => {
      this.#line('(connection closed by the server; reconnected)', 'muted');
      this.#connect();
      this.db = 0;
      this.#refreshPrompt();
      this.onSelect(0);
    };
  }

  #wire() {
    const form = document.getElementById('prompt-line');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const line = this.input.value;
      this.input.value = '';
      this.#updateHint();
      this.run(line);
    });
    this.input.addEventListener('keydown', (e) => this.#key(e));
    this.input.addEventListener('input', () => {
      this.completion = null;
      this.#updateHint();
    });
    this.term.addEventListener('mouseup', () => {
      if (!getSelection()?.toString()) this.input.focus();
    });
  }

  #key(e) {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      if (this.historyAt === this.history.length) this.draft = this.input.value;
      this.historyAt = Math.max(0, Math.min(this.history.length, this.historyAt + (e.key === 'ArrowUp' ? -1 : 1)));
      this.input.value = this.historyAt === this.history.length ? this.draft : this.history[this.historyAt];
      this.input.setSelectionRange(this.input.value.length, this.input.value.length);
      this.#updateHint();
    } else if (e.key === 'Tab') {
      e.preventDefault();
      this.#complete(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape') {
      if (this.completion) {
        this.input.value = this.completion.original;
        this.completion = null;
        this.#updateHint();
      }
    } else if (e.ctrlKey && (e.key === 'l' || e.key === 'L')) {
      e.preventDefault();
      this.clear();
    } else if (e.ctrlKey && (e.key === 'c' || e.key === 'C') && !getSelection()?.toString()) {
      e.preventDefault();
      this.#interrupt();
    } else if (e.key === 'ArrowRight' && this.ghost.textContent && this.input.selectionStart === this.input.value.length) {
      // Accept the inline completion suggestion.
      this.input.value += this.ghost.textContent;
      this.#updateHint();
    }
  }

  /** Ctrl-C: leaves a blocked command or subscribed mode, as quitting valkey-cli and starting it again. */
  #interrupt() {
    this.#echo(this.input.value + '^C');
    this.input.value = '';
    if (this.waiting || this.subscribed) {
      this.conn.onclose = null;
      this.conn.close();
      this.#connect();
      if (this.db !== 0) this.#send([`SELECT`, String(this.db)]);
      this.#setWaiting(false);
      this.onCommand();
    }
    this.#updateHint();
  }

  clear() {
    this.out.replaceChildren();
  }

  /** Completes the word under the cursor: command names, subcommands, then keys of the current db. */
  #complete(direction) {
    if (!this.completion) {
      const value = this.input.value;
      const start = value.search(/\S+$/) < 0 ? value.length : value.search(/\S+$/);
      const word = value.slice(start);
      const before = value.slice(0, start).trim().split(/\s+/).filter(Boolean);
      let options;
      if (before.length === 0) {
        options = this.docs.names.filter((n) => n.startsWith(word.toUpperCase()));
      } else {
        const subs = before.length === 1 ? this.docs.subcommands(before[0]) : [];
        if (subs.length > 0) options = subs.filter((n) => n.startsWith(word.toUpperCase()));
        else options = this.#keysStartingWith(word);
      }
      if (options.length === 0) return;
      this.completion = { original: value, head: value.slice(0, start), options, at: direction > 0 ? -1 : 0 };
    }
    const c = this.completion;
    c.at = (c.at + direction + c.options.length) % c.options.length;
    this.input.value = c.head + c.options[c.at] + (c.options.length === 1 ? ' ' : '');
    if (c.options.length === 1) this.completion = null;
    this.#updateHint(c?.options.length > 1 ? `${c.at + 1}/${c.options.length}: ${c.options.slice(0, 12).join('  ')}${c.options.length > 12 ? '  …' : ''}` : undefined);
  }

  #keysStartingWith(prefix) {
    try {
      const keys = new Set();
      const glob = prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
      let cursor = '0';
      this.helper.call('SELECT', this.db);
      do {
        const [next, batch] = this.helper.call('SCAN', cursor, 'MATCH', glob, 'COUNT', 500);
        for (const k of batch) keys.add(k);
        cursor = next;
      } while (cursor !== '0' && keys.size < 200);
      return [...keys].filter((k) => !/\s/.test(k)).sort();
    } catch {
      return [];
    }
  }

  /** Words typed so far, complete ones only (the last counts once a space follows it). */
  #typedWords() {
    const value = this.input.value;
    const words = value.trim().split(/\s+/).filter(Boolean);
    if (!/\s$/.test(value)) words.pop();
    return { words, all: value.trim().split(/\s+/).filter(Boolean) };
  }

  #updateHint(extra) {
    const { words, all } = this.#typedWords();
    let found = null;
    this.ghost.textContent = '';
    if (all.length === 1 && words.length === 0) {
      // Still typing the command name: the first completion, grayed after the cursor.
      const typed = all[0].toUpperCase();
      const first = this.docs.names.find((n) => n.startsWith(typed));
      const rest = first && first !== typed ? first.slice(typed.length) : '';
      this.ghost.textContent = all[0] === all[0].toLowerCase() ? rest.toLowerCase() : rest;
      found = first ? this.docs.hint([first]) : null;
    } else if (all.length > 0) {
      found = this.docs.hint(words.length > 0 ? words : all);
    }
    if (found && !this.ghost.textContent && all.length > 0 && (words.length > 0 || all.length > 1)) {
      // As valkey-cli: the word being typed takes its placeholder too.
      const ghost = this.docs.hint(all);
      if (ghost?.syntax) this.ghost.textContent = (/\s$/.test(this.input.value) ? '' : ' ') + ghost.syntax;
    }
    this.ghost.style.setProperty('--typed', `${this.input.value.length}ch`);
    this.hintEl.replaceChildren();
    if (extra) {
      this.hintEl.append(span(extra, 'hint-options'));
    } else if (found) {
      this.hintEl.append(span(found.name, 'hint-name'), ' ', span(found.syntax, 'hint-syntax'));
      if (found.summary) this.hintEl.append(span(' · ' + found.summary, 'hint-summary'));
      if (found.since) this.hintEl.append(span(` since ${found.since}`, 'hint-since'));
    } else if (all.length > 0 && this.docs.names.length > 0 && !this.#isLocal(all[0])) {
      this.hintEl.append(span(`unknown command '${all[0]}'`, 'hint-unknown'));
    }
  }

  #isLocal(word) {
    return ['clear', 'help', 'quit', 'exit'].includes(word.toLowerCase()) || /^\d+$/.test(word);
  }

  #refreshPrompt() {
    const tag = this.subscribed ? '(subscribed mode)' : '';
    this.promptEl.textContent = `ferrokey${this.db ? `[${this.db}]` : ''}${tag}>`;
  }

  #setWaiting(on) {
    this.waiting = on;
    this.term.classList.toggle('waiting', on);
    this.promptEl.title = on ? 'waiting for the blocked command (Ctrl+C to cancel)' : '';
  }

  /**
   * Runs a typed line as valkey-cli does (with `N cmd` to repeat, and the local commands clear/help).
   * Returns the printed reply text (for the tour and the tests).
   */
  run(line, { echo = true } = {}) {
    const trimmed = line.trim();
    if (echo) this.#echo(line);
    if (!trimmed) return '';
    if (this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_MAX) this.history.splice(0, this.history.length - HISTORY_MAX);
      saveHistory(this.history);
    }
    this.historyAt = this.history.length;
    this.draft = '';
    let args = splitArgs(trimmed);
    if (args === null) return this.#line('Invalid argument(s)', 'error');
    let repeat = 1;
    const first = utf8.decode(args[0]);
    if (/^\d+$/.test(first) && args.length > 1) {
      repeat = Math.min(Number(first), 1000);
      args = args.slice(1);
    }
    const name = utf8.decode(args[0]).toLowerCase();
    if (name === 'clear') {
      this.clear();
      return '';
    }
    if (name === 'help') return this.#help(args.slice(1).map((a) => utf8.decode(a)));
    if (name === 'quit' || name === 'exit') return this.#line('(this console stays open: the engine lives in the page)', 'muted');
    let printed = '';
    for (let i = 0; i < repeat; i++) printed += this.#send(args);
    return printed;
  }

  /** Sends one command; prints and returns what came back at once (nothing when it blocked). */
  #send(args) {
    const name = utf8.decode(args[0]).toLowerCase();
    if (this.waiting) {
      // valkey-cli cannot type while a command blocks; here the command queues behind it, as pipelined.
      this.#line('(queued behind the blocked command)', 'muted');
    }
    let bytes;
    try {
      bytes = this.conn.write(encodeCommand(args));
    } catch (e) {
      return this.#line(`(error) ${e.message}`, 'error');
    }
    const replies = this.parser.feed(bytes);
    let printed = '';
    for (const r of replies) printed += this.#print(r, name, args);
    if (replies.length === 0 && !this.conn.shouldClose) this.#setWaiting(true);
    this.onCommand();
    return printed;
  }

  /** Prints a reply; tracks what valkey-cli tracks from replies: the db after SELECT, subscribed mode. */
  #print(reply, name, args) {
    if (name === 'select' && reply.type === 'status') {
      this.db = Number(utf8.decode(args[1]));
      this.onSelect(this.db);
    }
    if (reply.type === 'array' || reply.type === 'push') {
      const kind = reply.value[0]?.type === 'bulk' ? utf8.decode(reply.value[0].value) : '';
      if (/subscribe$/.test(kind)) {
        const count = Number(reply.value[2]?.value ?? 0);
        this.subscribed = count > 0;
      }
    }
    if (name === 'reset' && reply.type === 'status') {
      this.subscribed = false;
      this.db = 0;
      this.onSelect(0);
    }
    this.#refreshPrompt();
    const pieces =
      args && printsRaw(args.map((a) => utf8.decode(a)))
        ? [{ text: formatReplyRaw(reply), kind: reply.type === 'error' ? 'error' : 'raw' }]
        : formatReply(reply);
    const block = document.createElement('div');
    block.className = 'reply' + (reply.type === 'error' ? ' is-error' : '');
    for (const p of pieces) block.append(span(p.text, 'r-' + p.kind));
    this.#append(block);
    return pieces.map((p) => p.text).join('');
  }

  #help(words) {
    if (words.length === 0) {
      return this.#line(
        'Type any command (HELP shows this). Tab completes, ↑↓ walk the history, Ctrl+L clears, Ctrl+C leaves a blocked command or subscribed mode.\n"help <command>" shows its summary from COMMAND DOCS; "N <command>" runs it N times.',
        'muted',
      );
    }
    const h = this.docs.hint(words);
    if (!h) return this.#line(`No help for '${words.join(' ')}'`, 'muted');
    return this.#line(`\n  ${h.name} ${h.syntax}\n  summary: ${h.summary}\n  since: ${h.since}\n  group: ${h.group}\n`, 'muted');
  }

  #echo(line) {
    const row = document.createElement('div');
    row.className = 'echo';
    row.append(span(this.promptEl.textContent + ' ', 'echo-prompt'), span(line, 'echo-cmd'));
    this.#append(row);
  }

  #line(text, kind) {
    const row = document.createElement('div');
    row.className = 'reply' + (kind === 'error' ? ' is-error' : '');
    row.append(span(text + '\n', 'r-' + kind));
    this.#append(row);
    return text + '\n';
  }

  /** Writes a note into the console (the tour's narration). */
  note(text) {
    const row = document.createElement('div');
    row.className = 'note';
    row.textContent = text;
    this.#append(row);
  }

  #append(node) {
    this.out.append(node);
    // Keep the DOM bounded: valkey-cli's terminal scrolls away too.
    while (this.out.childElementCount > 1500) this.out.firstElementChild.remove();
    this.term.scrollTop = this.term.scrollHeight;
  }

  /** Types a line into the prompt character by character, then runs it (the tour uses this). */
  async type(line, { msPerChar = 12 } = {}) {
    this.input.focus();
    this.input.value = '';
    for (const ch of line) {
      this.input.value += ch;
      this.#updateHint();
      if (msPerChar > 0) await new Promise((r) => setTimeout(r, msPerChar));
    }
    this.input.value = '';
    this.#updateHint();
    return this.run(line);
  }
}

function span(text, cls) {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

function loadHistory() {
  try {
    const h = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(h) ? h.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function saveHistory(history) {
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  } catch {
    // Private mode or a full quota: history lives for this page only.
  }
}
